import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigError } from '@polymux/config';

import { Catalog } from './catalog';
import { loadCatalog } from './catalog.loader';
import { CatalogFileSchema } from './catalog.schema';

const SHIPPED = ['config/catalog.yaml', 'test/e2e/catalog.yaml', 'deploy/k8s/catalog.yaml'];
const root = join(__dirname, '../../..');

const CATALOG = `
models:
  - id: small
    aliases: [vendor/small]
    contextWindow: 8000
    maxOutputTokens: 1000
    capabilities: { tools: true }
    deployments:
      - id: primary/small
        provider: openai
        baseUrl: \${UPSTREAM_URL}/v1
        upstreamModel: small-2025
        credentialRef: env:SMALL_API_KEY
        headers: { OpenAI-Organization: \${ORG:-org-default}, Api-Key: { credentialRef: env:HEADER_KEY } }
        pricing: { input: '0.40', output: '1.6' }
      - id: backup/small
        provider: openai
        baseUrl: http://backup.test/v1
        upstreamModel: small
        pricing: { input: '0.000000001', output: '12' }
        retainsData: false
  - id: large
    contextWindow: 200000
    maxOutputTokens: 8000
    deployments:
      - id: only/large
        provider: anthropic
        baseUrl: http://large.test/v1
        upstreamModel: large
        pricing: { input: '3', output: '15' }
        owner: acme
  - id: embed
    contextWindow: 8191
    maxOutputTokens: 0
    capabilities: { embeddings: true }
    dimensions: { default: 1536, max: 1536 }
    deployments:
      - id: only/embed
        provider: openai
        baseUrl: http://embed.test/v1
        upstreamModel: embed-3
        pricing: { input: '0.020', output: '0' }
aliases:
  fast: small
  best: large
auto:
  default: [small, large]
  tasks:
    code: [large]
`;

describe('catalog', () => {
  let dir: string;
  const write = (text: string) => {
    const file = join(dir, `catalog-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, text);
    return file;
  };
  const load = (text = CATALOG, variables: Record<string, string | undefined> = { UPSTREAM_URL: 'http://up.test' }) =>
    loadCatalog(write(text), variables);

  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'polymux-catalog-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('loading', () => {
    it.each(SHIPPED)('accepts the shipped %s', (file) => {
      const catalog = loadCatalog(join(root, file), { PROVIDER_SIM_URL: 'http://sim.test:8090' });
      expect(catalog.resolve('gpt-4.1-mini')?.model.id).toBe('gpt-4.1-mini');
    });

    it('ships deploy/k8s/ with the models, providers and prices of config/, generated data and all', () => {
      // Everything a caller sees of a model (owner, limits, capabilities, prices).
      const shape = (path: string) =>
        loadCatalog(join(root, path), { PROVIDER_SIM_URL: 'http://sim.test:8090' }).models();
      expect(shape('deploy/k8s/catalog.yaml')).toEqual(shape('config/catalog.yaml'));
      // kustomize packs its own copy of the generated data: `npm run catalog:refresh` writes both.
      const generated = (dir: string) => readFileSync(join(root, dir, 'catalog.generated.json'), 'utf8');
      expect(generated('deploy/k8s')).toBe(generated('config'));
      // A ConfigMap holds at most 1 MiB.
      expect(
        Buffer.byteLength(generated('config')) + Buffer.byteLength(readFileSync(join(root, 'deploy/k8s/catalog.yaml'))),
      ).toBeLessThan(1024 * 1024);
    });

    it('replaces ${VAR} and ${VAR:-default} from the variables it is given', () => {
      expect(load().entry('primary/small')?.endpoint).toEqual({
        baseUrl: 'http://up.test/v1',
        credentialRef: 'env:SMALL_API_KEY',
        headers: { 'openai-organization': 'org-default', 'api-key': { credentialRef: 'env:HEADER_KEY' } },
        settings: {},
      });
      const withOrg = load(CATALOG, { UPSTREAM_URL: 'http://up.test', ORG: 'org-42' });
      expect(withOrg.entry('primary/small')?.endpoint.headers).toMatchObject({ 'openai-organization': 'org-42' });
    });

    it('fails at boot when a referenced variable is not set', () => {
      expect(() => load(CATALOG, {})).toThrow(ConfigError);
      expect(() => load(CATALOG, {})).toThrow('UPSTREAM_URL: referenced by a config file but not set');
    });

    it('lists every schema problem with its path', () => {
      const broken = CATALOG.replace("input: '0.40'", 'input: 0.40').replace(
        'baseUrl: http://large.test/v1',
        'baseUrl: nope',
      );
      expect(() => load(broken)).toThrow(
        /invalid model catalog .*\n {2}models\.0\.deployments\.0\.pricing\.input \(model small\): .*\n {2}models\.1\.deployments\.0\.baseUrl \(model large\)/,
      );
    });

    it.each([
      [
        'a credential reference that is not env:<NAME>',
        'credentialRef: env:SMALL_API_KEY',
        'credentialRef: file:/etc/passwd',
      ],
      ['a header value with a line break', 'OpenAI-Organization: ${ORG:-org-default}', 'X-Evil: "a\\r\\nHost: evil"'],
      ['a header secret that is not env:<NAME>', 'credentialRef: env:HEADER_KEY', 'credentialRef: HEADER_KEY'],
      ['a header object with anything but a credential reference', 'credentialRef: env:HEADER_KEY', 'value: x'],
      ['a header name that is not a token', 'OpenAI-Organization: ${ORG:-org-default}', '"bad name": x'],
      ['a price with more than nine decimals', "input: '0.000000001'", "input: '0.0000000001'"],
    ])('refuses %s', (_what, from, to) => {
      expect(() => load(CATALOG.replace(from, to))).toThrow(/invalid model catalog/);
    });
  });

  describe('names', () => {
    const catalog = () => load();

    it('resolves a model by id, by its own alias and by a catalog-wide alias', () => {
      expect(catalog().resolve('small')).toMatchObject({ model: { id: 'small' }, resolvedFrom: 'model' });
      expect(catalog().resolve('vendor/small')).toMatchObject({ model: { id: 'small' }, resolvedFrom: 'alias' });
      expect(catalog().resolve('fast')).toMatchObject({ model: { id: 'small' }, resolvedFrom: 'alias' });
      expect(catalog().resolve('nothing')).toBeUndefined();
    });

    it('refuses an alias that points at an unknown model', () => {
      expect(() => load(CATALOG.replace('best: large', 'best: missing'))).toThrow(
        'catalog alias best points at unknown model missing',
      );
    });

    it('refuses an auto list that names an unknown model', () => {
      expect(() => load(CATALOG.replace('code: [large]', 'code: [ghost]'))).toThrow(
        'catalog auto list names unknown model ghost',
      );
    });

    it('refuses two deployments with one id, so an id names exactly one upstream', () => {
      expect(() => load(CATALOG.replace('id: only/large', 'id: primary/small'))).toThrow(
        'catalog deployment primary/small is not unique',
      );
    });

    it('chooses auto models by task, falling back to the default list', () => {
      expect(
        catalog()
          .autoModels('code')
          .map((model) => model.id),
      ).toEqual(['large']);
      expect(
        catalog()
          .autoModels('chat')
          .map((model) => model.id),
      ).toEqual(['small', 'large']);
    });

    it('describes every model with its aliases, owner, capabilities and first prices', () => {
      const models = catalog().models();
      expect(models.map((model) => [model.id, model.ownedBy, model.aliases])).toEqual([
        ['small', 'openai', ['vendor/small', 'fast']],
        ['large', 'acme', ['best']],
        ['embed', 'openai', []],
      ]);
      expect(models[0]).toMatchObject({
        contextWindow: 8000,
        maxOutputTokens: 1000,
        capabilities: {
          tools: true,
          vision: false,
          jsonSchema: false,
          reasoning: false,
          embeddings: false,
          streaming: true,
        },
        pricing: { input: '0.4', output: '1.6' },
      });
      expect(models[2]).toMatchObject({
        maxOutputTokens: 0,
        capabilities: { embeddings: true, streaming: false },
        pricing: { input: '0.02', output: '0' },
      });
    });

    it('refuses an embeddings model in an auto list, which plans chat calls', () => {
      expect(() => load(CATALOG.replace('code: [large]', 'code: [embed]'))).toThrow(
        'catalog auto list names embeddings model embed',
      );
    });

    it('refuses a chat model without output', () => {
      expect(() => load(CATALOG.replace('maxOutputTokens: 8000', 'maxOutputTokens: 0'))).toThrow(
        /models\.1\.maxOutputTokens \(model large\): a chat model needs a positive maxOutputTokens/,
      );
    });
  });

  describe('deployments', () => {
    it('prices deployments in integer nano-USD per million tokens, in catalog order, with retention only where the catalog says it', () => {
      const catalog = load();
      expect(catalog.deployments(catalog.resolve('small')!.model)).toEqual([
        {
          id: 'primary/small',
          provider: 'openai',
          model: 'small',
          upstreamModel: 'small-2025',
          pricing: { inputPerMTok: '400000000', outputPerMTok: '1600000000' },
          contextWindow: 8000,
          maxOutputTokens: 1000,
        },
        {
          id: 'backup/small',
          provider: 'openai',
          model: 'small',
          upstreamModel: 'small',
          pricing: { inputPerMTok: '1', outputPerMTok: '12000000000' },
          contextWindow: 8000,
          maxOutputTokens: 1000,
          retainsData: false,
        },
      ]);
    });

    it('keeps URLs, credential references and headers out of what a plan carries', () => {
      const catalog = load();
      const planned = JSON.stringify(catalog.deployments(catalog.resolve('small')!.model));
      for (const secretish of [
        'http://',
        'SMALL_API_KEY',
        'HEADER_KEY',
        'org-default',
        'baseUrl',
        'credentialRef',
        'headers',
      ]) {
        expect(planned).not.toContain(secretish);
      }
    });

    it('finds a deployment by id with its endpoint, and nothing for an unknown id', () => {
      const catalog = load();
      expect(catalog.entry('backup/small')).toEqual({
        deployment: expect.objectContaining({ id: 'backup/small', model: 'small' }),
        endpoint: { baseUrl: 'http://backup.test/v1', credentialRef: undefined, headers: {}, settings: {} },
      });
      expect(catalog.entry('forged/deployment')).toBeUndefined();
    });

    it('builds from an already validated file as well', () => {
      const file = CatalogFileSchema.parse({
        models: [
          {
            id: 'm',
            contextWindow: 10,
            maxOutputTokens: 5,
            deployments: [
              {
                id: 'd',
                provider: 'p',
                baseUrl: 'http://d.test',
                upstreamModel: 'u',
                pricing: { input: '1', output: '2' },
              },
            ],
          },
        ],
        auto: { default: ['m'] },
      });
      expect(new Catalog(file).entry('d')?.deployment.pricing).toEqual({
        inputPerMTok: '1000000000',
        outputPerMTok: '2000000000',
      });
    });
  });

  describe('maxTokensField', () => {
    const file = (upstreamModel: string, reasoning: boolean, maxTokensField?: 'max_tokens' | 'max_completion_tokens') =>
      CatalogFileSchema.parse({
        models: [
          {
            id: 'm',
            contextWindow: 10,
            maxOutputTokens: 5,
            capabilities: { reasoning },
            deployments: [
              {
                id: 'd',
                provider: 'openai',
                baseUrl: 'http://compatible.test/v1',
                upstreamModel,
                pricing: { input: '1', output: '2' },
                ...(maxTokensField ? { maxTokensField } : {}),
              },
            ],
          },
        ],
        auto: { default: ['m'] },
      });
    const fieldOf = (...args: Parameters<typeof file>) => new Catalog(file(...args)).entry('d')?.deployment;

    it.each(['o4-mini', 'o3', 'gpt-5', 'gpt-5-mini', 'openai/o1'])(
      'is max_completion_tokens for OpenAI reasoning model %s on any host, as it refuses max_tokens',
      (upstreamModel) => {
        expect(fieldOf(upstreamModel, true)?.maxTokensField).toBe('max_completion_tokens');
      },
    );

    it("is absent for another vendor's reasoning model, whose server may ignore max_completion_tokens", () => {
      expect(fieldOf('deepseek-reasoner', true)).not.toHaveProperty('maxTokensField');
      expect(fieldOf('gpt-4.1-mini', false)).not.toHaveProperty('maxTokensField');
    });

    it("is the deployment's own choice when it names one", () => {
      expect(fieldOf('o4-mini', true, 'max_tokens')?.maxTokensField).toBe('max_tokens');
      expect(fieldOf('qwq-32b', true, 'max_completion_tokens')?.maxTokensField).toBe('max_completion_tokens');
    });
  });
});
