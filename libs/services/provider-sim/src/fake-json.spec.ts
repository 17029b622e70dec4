import { JSONSchemaFaker } from 'json-schema-faker';

import { fakeJson, fakeObject } from './fake-json';

const SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    note: { type: 'string' },
  },
  required: ['name'],
};

describe('fakeJson', () => {
  it('is the same for the same seed whatever options another caller left set, and differs by seed', () => {
    const first = fakeJson(SCHEMA, 'seed-a');
    JSONSchemaFaker.option({ alwaysFakeOptionals: true, maxItems: 50, fillProperties: true });
    expect(fakeJson(SCHEMA, 'seed-a')).toBe(first);
    const seeds = ['seed-b', 'seed-c', 'seed-d', 'seed-e'].map((seed) => fakeJson(SCHEMA, seed));
    expect(new Set([first, ...seeds]).size).toBeGreaterThan(1);
  });

  it('adds no undeclared property and keeps the required ones', () => {
    for (const seed of ['1', '2', '3', '4', '5', '6']) {
      const value = JSON.parse(fakeJson(SCHEMA, seed)) as Record<string, unknown>;
      expect(typeof value.name).toBe('string');
      expect(Object.keys(value).every((key) => key in SCHEMA.properties)).toBe(true);
      expect((value.tags as unknown[] | undefined)?.length ?? 0).toBeLessThanOrEqual(3);
    }
  });

  it('answers {} for a schema it cannot follow, and an object for none', () => {
    expect(fakeJson({ $ref: '#/nowhere' }, 'x')).toBe('{}');
    expect(fakeJson(undefined, 'x')).toBe('{}');
  });

  it('gives Anthropic tool inputs the same value as OpenAI arguments, and {} for a non-object', () => {
    expect(fakeObject(SCHEMA, 'tool')).toEqual(JSON.parse(fakeJson(SCHEMA, 'tool')));
    expect(typeof fakeObject(SCHEMA, 'tool').name).toBe('string');
    expect(fakeObject({ type: 'array', items: { type: 'string' } }, 'tool')).toEqual({});
  });
});
