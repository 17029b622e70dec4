import { join } from 'node:path';

import type { CatalogModel } from '@polymux/catalog';
import { loadCatalog } from '@polymux/catalog';
import OpenAI from 'openai';

import type { Gateway } from './support/gateway';
import { startGateway } from './support/gateway';

jest.setTimeout(180_000);

const CATALOG_FILE = join(__dirname, '../../config/catalog.yaml');
/** The adapters the default run has whatever else is configured: their models are called here. */
const CALLED_PROVIDERS = new Set(['openai', 'anthropic']);

/**
 * The shipped catalog (config/catalog.yaml on the generated data) served by the whole distributed
 * gateway: `GET /v1/models` over HTTP → NATS → router, scoped by the key, and a call to every chat
 * model whose first deployment the OpenAI or Anthropic adapter serves, answered by the simulator.
 */
describe('the default catalog (distributed mode)', () => {
  let gateway: Gateway;
  let client: OpenAI;
  const shipped = loadCatalog(CATALOG_FILE, { PROVIDER_SIM_URL: 'http://sim.test' });

  beforeAll(async () => {
    gateway = await startGateway({ mode: 'distributed', catalogFile: CATALOG_FILE, label: 'e2edefcat' });
    client = new OpenAI({ apiKey: gateway.apiKey, baseURL: `${gateway.stack.ingressUrl}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('lists 200+ models, each with its limits and prices or as unpriced', async () => {
    const listed: Array<Record<string, unknown>> = [];
    for await (const model of client.models.list()) listed.push(model as unknown as Record<string, unknown>);
    expect(listed.length).toBeGreaterThanOrEqual(200);
    expect(listed.map((model) => model['id'])).toEqual(shipped.models().map((model) => model.id));
    for (const model of listed) {
      expect(model['context_window']).toBeGreaterThan(0);
      const pricing = model['pricing'] as { input: string; output: string } | null;
      if (pricing !== null)
        expect(pricing).toEqual(expect.objectContaining({ input: expect.any(String), output: expect.any(String) }));
    }
    expect(listed.find((model) => model['id'] === 'gemini-2.5-pro')).toMatchObject({
      owned_by: 'google',
      capabilities: { tools: true, vision: true, reasoning: true },
      pricing: {
        input: '1.25',
        output: '10',
        // Above 200k input tokens Gemini 2.5 Pro bills the whole call at its long-context prices.
        tiers: [{ above_input_tokens: 200_000, input: '2.5', output: '15', cached_input: '0.25' }],
      },
    });
  });

  it("lists only the key's allowed models", async () => {
    const { key } = await gateway.admin<{ key: string }>('POST', `/projects/${gateway.projectId}/keys`, {
      name: 'scoped',
      allowedModels: ['claude-sonnet-4-5', 'gemini-2.5-pro', 'groq/llama-3.3-70b-versatile'],
    });
    const scoped = new OpenAI({ apiKey: key, baseURL: `${gateway.stack.ingressUrl}/v1`, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of scoped.models.list()) ids.push(model.id);
    expect(ids.sort()).toEqual(['claude-sonnet-4-5', 'gemini-2.5-pro', 'groq/llama-3.3-70b-versatile']);
    await expect(scoped.models.retrieve('gpt-4.1')).rejects.toMatchObject({ status: 404 });
  });

  it('answers a call to every chat model the OpenAI and Anthropic adapters serve, through the simulator', async () => {
    const called = shipped
      .models()
      .map((info) => shipped.resolve(info.id)!.model)
      .filter((model: CatalogModel) => !model.capabilities.embeddings && shipped.isPriced(model))
      .filter((model) => CALLED_PROVIDERS.has(shipped.deployments(model)[0]!.provider));
    expect(called.length).toBeGreaterThan(30);
    for (const model of called) {
      const answer = await client.chat.completions.create({
        model: model.id,
        messages: [{ role: 'user', content: 'Say hi' }],
        max_completion_tokens: 16,
      });
      // The model id in the failure says which model did not answer.
      expect([model.id, answer.choices.length, (answer.usage?.completion_tokens ?? 0) > 0]).toEqual([
        model.id,
        1,
        true,
      ]);
    }
  });
});
