import { GeminiSchemaShape } from '@polymux/wire';

import { toGeminiSchema } from './gemini.schema';

describe('toGeminiSchema', () => {
  it('maps types, nullability, const, oneOf, local refs and names what it drops', () => {
    const { schema, dropped } = toGeminiSchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      $defs: { Unit: { type: 'string', enum: ['c', 'f'] } },
      properties: {
        city: { type: 'string', minLength: 1, format: 'hostname' },
        unit: { $ref: '#/$defs/Unit' },
        days: { type: 'integer', minimum: 1, exclusiveMaximum: 8 },
        note: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        kind: { const: 'weather' },
        tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
        either: { oneOf: [{ type: 'string' }, { type: 'number' }] },
        level: { enum: [1, 2, 3] },
      },
      required: ['city', 'unit', 'missing'],
    });
    expect(schema).toEqual({
      type: 'OBJECT',
      properties: {
        city: { type: 'STRING', minLength: 1 },
        unit: { type: 'STRING', enum: ['c', 'f'] },
        days: { type: 'INTEGER', minimum: 1 },
        note: { type: 'STRING', nullable: true },
        kind: { type: 'STRING', enum: ['weather'] },
        tags: { type: 'ARRAY', items: { type: 'STRING' } },
        either: { anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }] },
        level: {},
      },
      required: ['city', 'unit'],
    });
    expect(dropped).toEqual(['additionalProperties', 'enum', 'exclusiveMaximum', 'format', 'uniqueItems']);
    expect(GeminiSchemaShape.safeParse(schema).success).toBe(true);
  });

  it('cuts a recursive reference instead of looping', () => {
    const { schema, dropped } = toGeminiSchema({
      $defs: { Node: { type: 'object', properties: { child: { $ref: '#/$defs/Node' } } } },
      $ref: '#/$defs/Node',
    });
    expect(schema.type).toBe('OBJECT');
    expect(dropped).toContain('$ref');
  });
});
