import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(180_000);

/** Unique per run: the admin layer lives in control's tables, which the e2e database keeps between runs. */
const RUN = randomUUID().slice(0, 8);

interface Candidate {
  deploymentId: string;
  kept: boolean;
  reason: string;
  retainsData?: boolean;
  outputTokensPerSecond?: number;
  measuredOutputTokensPerSecond?: number;
}
interface Explanation {
  strategy: string;
  deploymentId: string;
  candidates: Candidate[];
}

/**
 * Two facts the catalog holds for every deployment, end to end. Retention: the provider family's
 * documented default unless the deployment (YAML or admin API) says otherwise, filtered by a
 * project's `zeroRetentionOnly` policy and shown by explain and the admin API. Typical speed:
 * measured from the executor's outcome events into the health store, preferred by `fastest` over
 * the catalog's seed.
 */
describe.each(MODES)('deployment facts: data retention and typical speed (%s mode)', (mode) => {
  let gateway: Gateway;
  const adminIds = [`zdr/retained-chat-${RUN}-${mode}`, `plain/retained-chat-${RUN}-${mode}`];

  const post = (path: string, key: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway.stack.ingressUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const chatBody = (model: string, stream = false) => ({
    model,
    stream,
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Hello there' }],
  });
  const explain = async (model: string, key = gateway.apiKey) =>
    (await (await post('/v1/routing/explain', key, chatBody(model))).json()) as Explanation;
  const candidate = (explained: Explanation, id: string) =>
    explained.candidates.find((entry) => entry.deploymentId === id);
  /** Answers in the OpenAI format; `tokens` says which deployment answered (its `tokens=` knob). */
  const chat = async (model: string) => {
    const response = await post('/v1/chat/completions', gateway.apiKey, chatBody(model));
    const body = (await response.json()) as { usage?: { completion_tokens: number }; error?: unknown };
    return { status: response.status, body, tokens: body.usage?.completion_tokens };
  };
  const newKey = async (name: string) =>
    gateway.admin<{ id: string; key: string }>('POST', `/projects/${gateway.projectId}/keys`, { name });

  beforeAll(async () => {
    gateway = await startGateway({
      mode,
      label: 'facts',
      catalogFile: join(__dirname, 'deployment-facts.catalog.yaml'),
      env: {
        POLYMUX_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        POLYMUX_UPSTREAM_ALLOWED_CIDRS: '127.0.0.0/8',
      },
    });
  });

  afterAll(async () => {
    if (gateway) {
      for (const id of adminIds)
        await gateway.admin('DELETE', `/deployments/${encodeURIComponent(id)}`).catch(() => undefined);
    }
    await gateway?.stop();
  });

  it('routes a zero-retention project only to deployments that keep nothing, by default or by agreement', async () => {
    expect((await chat('private-chat')).tokens).toBe(9);
    await gateway.admin('PUT', `/routing-policies/project/${gateway.projectId}`, { zeroRetentionOnly: true });

    const explained = await pollUntil(
      () => explain('private-chat'),
      (result) => candidate(result, 'openai/private-chat')?.kept === false,
      { timeoutMs: 10_000 },
    );
    expect(explained.deploymentId).toBe('vllm/private-chat');
    expect(candidate(explained, 'vllm/private-chat')).toMatchObject({ kept: true, retainsData: false });
    expect(candidate(explained, 'openai/private-chat')).toMatchObject({
      kept: false,
      retainsData: true,
      reason:
        'provider openai keeps prompts and completions by default, and the routing policy requires zero-retention deployments',
    });
    const answered = await chat('private-chat');
    expect(answered.status).toBe(200);
    expect(answered.tokens).toBe(7);

    // Only retaining deployments: a clear refusal in each caller's format, never a call.
    const refused = await chat('retained-chat');
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'no_capable_model',
      param: 'model',
      message: expect.stringContaining('no deployment of `retained-chat` meets the routing policy'),
    });
    expect(JSON.stringify(refused.body)).toContain(
      'tgi/retained-chat is set to retain data, and the routing policy requires zero-retention deployments',
    );
    const anthropic = await post(
      '/v1/messages',
      gateway.apiKey,
      { model: 'retained-chat', max_tokens: 64, messages: [{ role: 'user', content: 'Hello there' }] },
      { 'x-api-key': gateway.apiKey, 'anthropic-version': '2023-06-01' },
    );
    expect(anthropic.status).toBe(400);
    expect(await anthropic.json()).toMatchObject({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: expect.stringContaining('mistral/retained-chat provider mistral keeps prompts and completions'),
      },
    });

    // An admin deployment with the organisation's zero-retention agreement, and one without.
    const [zdrId, plainId] = adminIds as [string, string];
    const spec = (id: string, tokens: number) => ({
      model: 'retained-chat',
      id,
      provider: 'openai',
      baseUrl: `${gateway.stack.providerSimUrl}/scenario/tokens=${tokens}/v1`,
      upstreamModel: 'retained-chat',
      pricing: { input: '0.10', output: '0.40' },
    });
    const agreed = await gateway.admin<Record<string, unknown>>('POST', '/deployments', {
      ...spec(zdrId, 5),
      retainsData: false,
    });
    expect(agreed).toMatchObject({
      id: zdrId,
      retainsData: false,
      dataRetention: { retainsData: false, from: 'deployment' },
    });
    await gateway.admin('POST', '/deployments', spec(plainId, 6));
    const listed = await gateway.admin<{ data: Array<Record<string, unknown>> }>('GET', '/deployments');
    const plain = listed.data.find((entry) => entry.id === plainId);
    expect(plain).toMatchObject({ dataRetention: { retainsData: true, from: 'provider' } });
    expect(plain).not.toHaveProperty('retainsData');

    const reloaded = await pollUntil(
      () => explain('retained-chat'),
      (result) => candidate(result, zdrId)?.kept === true && candidate(result, plainId) !== undefined,
      { timeoutMs: 15_000 },
    );
    expect(reloaded.candidates.filter((entry) => entry.kept).map((entry) => entry.deploymentId)).toEqual([zdrId]);
    expect(candidate(reloaded, plainId)).toMatchObject({ kept: false, retainsData: true });
    expect((await chat('retained-chat')).tokens).toBe(5);
    // `null` gives the deployment back its provider's default.
    const reverted = await gateway.admin<Record<string, unknown>>(
      'PATCH',
      `/deployments/${encodeURIComponent(zdrId)}`,
      { retainsData: null },
    );
    expect(reverted).toMatchObject({ dataRetention: { retainsData: true, from: 'provider' } });

    await gateway.admin('DELETE', `/routing-policies/project/${gateway.projectId}`);
    await pollUntil(
      () => chat('private-chat'),
      (result) => result.tokens === 9,
      { timeoutMs: 10_000 },
    );
  });

  it('measures each deployment’s output speed, and `fastest` prefers the measured speed over the seed', async () => {
    const fastest = await newKey('fastest');
    const viaFast = await newKey('via fast');
    await gateway.admin('PUT', `/routing-policies/key/${fastest.id}`, { strategy: { type: 'fastest' } });
    await gateway.admin('PUT', `/routing-policies/key/${viaFast.id}`, {
      strategy: { type: 'ordered', order: ['fast/speed-chat'] },
    });

    // Nothing measured yet: the seeds decide, and slow/ is seeded as the faster.
    const seeded = await pollUntil(
      () => explain('speed-chat', fastest.key),
      (result) => result.strategy === 'fastest',
      { timeoutMs: 10_000 },
    );
    expect(seeded.deploymentId).toBe('slow/speed-chat');
    expect(candidate(seeded, 'slow/speed-chat')).toMatchObject({
      outputTokensPerSecond: 500,
      reason: 'typically 500 tokens/s (catalog)',
    });
    expect(candidate(seeded, 'slow/speed-chat')).not.toHaveProperty('measuredOutputTokensPerSecond');

    // A streamed call on each (the project's key takes catalog order: slow/ first).
    await pollUntil(
      () => explain('speed-chat', viaFast.key),
      (result) => result.deploymentId === 'fast/speed-chat',
      { timeoutMs: 10_000 },
    );
    for (const key of [gateway.apiKey, viaFast.key]) {
      const response = await post('/v1/chat/completions', key, chatBody('speed-chat', true));
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('data: [DONE]');
    }

    const measured = await pollUntil(
      () => explain('speed-chat', fastest.key),
      (result) =>
        result.candidates.every((entry) => entry.measuredOutputTokensPerSecond !== undefined) &&
        result.candidates.length === 2,
      { timeoutMs: 15_000 },
    );
    const slow = candidate(measured, 'slow/speed-chat')!;
    const fast = candidate(measured, 'fast/speed-chat')!;
    expect(fast.measuredOutputTokensPerSecond!).toBeGreaterThan(slow.measuredOutputTokensPerSecond!);
    expect(measured.deploymentId).toBe('fast/speed-chat');
    expect(fast).toMatchObject({
      outputTokensPerSecond: 50,
      reason: expect.stringMatching(/^measured \d+ tokens\/s$/),
    });
  });
});
