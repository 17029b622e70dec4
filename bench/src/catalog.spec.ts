import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadCatalog } from '@polymux/catalog';

import { writeBenchCatalog } from './catalog';

describe('writeBenchCatalog', () => {
  let dir: string;
  const variables = { PROVIDER_SIM_URL: 'http://127.0.0.1:8090' };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bench-catalog-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('serves every shipped model from the simulator under the scenario prefix', () => {
    const { file, models } = writeBenchCatalog(dir, 'tokens=32,rate=1000');
    const catalog = loadCatalog(file, variables);
    expect(models).toBe(loadCatalog('config/catalog.yaml', variables).models().length);
    const entry = catalog.entry('openai/gpt-4.1-mini');
    expect(entry?.endpoint.baseUrl).toBe('http://127.0.0.1:8090/scenario/tokens=32,rate=1000/v1');
    expect(catalog.resolve('fast')?.model.id).toBe('gpt-4.1-nano');
  });

  it('grows the catalog to the asked number of valid models, each with a deployment of its own', () => {
    const { file, models } = writeBenchCatalog(dir, 'tokens=4,rate=10', { models: 2_000 });
    const catalog = loadCatalog(file, variables);
    expect(models).toBe(2_000);
    expect(catalog.models()).toHaveLength(2_000);
    const shipped = loadCatalog('config/catalog.yaml', variables).models().length;
    const lastId = `bench-model-${String(2_000 - shipped).padStart(5, '0')}`;
    const last = catalog.resolve(lastId)?.model;
    expect(last?.deployments).toEqual([
      expect.objectContaining({
        id: `bench/${lastId}`,
        upstreamModel: lastId,
        baseUrl: 'http://127.0.0.1:8090/scenario/tokens=4,rate=10/v1',
      }),
    ]);
  });
});
