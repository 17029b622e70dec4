import type { CatalogLayer } from '@polymux/contracts';

import { Catalog } from './catalog';
import { mergeLayer } from './catalog.layer';
import { CatalogFileSchema } from './catalog.schema';
import { CatalogSource } from './catalog.source';

const deployment = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  provider: 'openai',
  baseUrl: 'http://file.test/v1',
  upstreamModel: 'u',
  pricing: { input: '1', output: '2' },
  ...fields,
});

const file = CatalogFileSchema.parse({
  models: [
    { id: 'small', contextWindow: 1000, maxOutputTokens: 100, deployments: [deployment('file/small')] },
    { id: 'large', contextWindow: 9000, maxOutputTokens: 900, deployments: [deployment('file/large')] },
  ],
  aliases: { fast: 'small' },
  auto: { default: ['small'] },
});

const layer = (entries: Partial<CatalogLayer>, revision = 1): CatalogLayer => ({
  revision,
  models: [],
  deployments: [],
  ...entries,
});

describe('the admin catalog layer', () => {
  it("carries an admin deployment's own retainsData, and none for null (its provider's default)", () => {
    const { catalog, problems } = mergeLayer(
      file,
      layer({
        deployments: [
          { model: 'small', spec: deployment('admin/agreed', { retainsData: false }) },
          { model: 'small', spec: deployment('admin/default', { retainsData: null }) },
          { model: 'small', spec: deployment('admin/wrong', { retainsData: 'no' }) },
        ],
      }),
    );
    expect(problems).toEqual([
      'deployment "admin/wrong".retainsData: Invalid input: expected boolean, received string',
    ]);
    expect(catalog.entry('admin/agreed')?.deployment.retainsData).toBe(false);
    expect(catalog.entry('admin/default')?.deployment).not.toHaveProperty('retainsData');
  });

  it('adds a deployment to a file model, marked admin, and leaves the file untouched', () => {
    const { catalog, problems } = mergeLayer(
      file,
      layer({
        deployments: [
          {
            model: 'small',
            spec: deployment('admin/small', {
              baseUrl: 'https://admin.test/v1',
              credentialRef: 'credential:0b7a1f2e-0000-4000-8000-000000000001',
            }),
          },
        ],
      }),
    );
    expect(problems).toEqual([]);
    expect(catalog.deployments(catalog.resolve('small')!.model).map((d) => d.id)).toEqual([
      'file/small',
      'admin/small',
    ]);
    expect(catalog.entry('admin/small')?.endpoint).toMatchObject({
      baseUrl: 'https://admin.test/v1',
      credentialRef: 'credential:0b7a1f2e-0000-4000-8000-000000000001',
      admin: true,
    });
    expect(catalog.entry('file/small')?.endpoint.admin).toBeUndefined();
    expect(file.models[0]!.deployments).toHaveLength(1);
  });

  it('replaces a file deployment of the same id on the same model', () => {
    const { catalog, problems } = mergeLayer(
      file,
      layer({ deployments: [{ model: 'small', spec: deployment('file/small', { upstreamModel: 'changed' }) }] }),
    );
    expect(problems).toEqual([]);
    expect(catalog.entry('file/small')?.deployment.upstreamModel).toBe('changed');
    expect(catalog.entry('file/small')?.endpoint.admin).toBe(true);
  });

  it('adds a model once it has a deployment', () => {
    const model = { spec: { id: 'extra', aliases: ['x'], contextWindow: 500, maxOutputTokens: 50 } };
    expect(mergeLayer(file, layer({ models: [model] })).catalog.resolve('extra')).toBeUndefined();
    const { catalog } = mergeLayer(
      file,
      layer({ models: [model], deployments: [{ model: 'extra', spec: deployment('admin/extra') }] }),
    );
    expect(catalog.resolve('x')?.model.id).toBe('extra');
    expect(catalog.models().map((info) => info.id)).toEqual(['small', 'large', 'extra']);
  });

  it('leaves out and reports entries that do not fit, keeping the rest', () => {
    const { catalog, problems } = mergeLayer(
      file,
      layer({
        models: [
          { spec: { id: 'fast', contextWindow: 1, maxOutputTokens: 1 } },
          { spec: { id: 'mute', contextWindow: 1, maxOutputTokens: 0 } },
        ],
        deployments: [
          { model: 'ghost', spec: deployment('admin/ghost') },
          { model: 'small', spec: deployment('file/large') },
          { model: 'small', spec: deployment('admin/bad', { baseUrl: 'nope', credentialRef: 'file:/etc/passwd' }) },
          { model: 'large', spec: deployment('admin/ok') },
          { model: 'large', spec: deployment('admin/ok') },
        ],
      }),
    );
    expect(problems).toEqual([
      'model "fast": the name fast is already taken',
      'model "mute".maxOutputTokens: a chat model needs a positive maxOutputTokens',
      'deployment "admin/ghost": unknown model ghost',
      'deployment "file/large": the id names a deployment of model large',
      expect.stringMatching(/^deployment "admin\/bad"\.baseUrl: /),
      expect.stringMatching(/^deployment "admin\/bad"\.credentialRef: a credentials reference/),
      'deployment "admin/ok": the id is not unique',
    ]);
    expect(catalog.entry('admin/ok')).toBeDefined();
    expect(catalog.entry('file/large')?.deployment.model).toBe('large');
  });
});

describe('CatalogSource', () => {
  it('applies newer revisions only, swapping the whole catalog at once', () => {
    const source = new CatalogSource(new Catalog(file));
    const before = source.current;
    expect(source.revision).toBe(-1);
    expect(source.apply(layer({ deployments: [{ model: 'small', spec: deployment('admin/a') }] }, 2))).toEqual([]);
    expect(source.current).not.toBe(before);
    expect(before.entry('admin/a')).toBeUndefined();
    expect(source.current.entry('admin/a')).toBeDefined();
    // An answer that crossed a newer one is ignored.
    expect(source.apply(layer({}, 1))).toBeNull();
    expect(source.current.entry('admin/a')).toBeDefined();
    source.apply(layer({}, 3));
    expect(source.current.entry('admin/a')).toBeUndefined();
    expect(source.revision).toBe(3);
  });

  it('checks a proposed layer against the file without applying it', () => {
    const source = new CatalogSource(new Catalog(file));
    expect(source.check({ models: [], deployments: [{ model: 'ghost', spec: deployment('d') }] })).toEqual([
      'deployment "d": unknown model ghost',
    ]);
    expect(source.current.entry('d')).toBeUndefined();
  });
});
