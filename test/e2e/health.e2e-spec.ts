import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(180_000);

/** How long the `down` deployment keeps failing after the suite starts: long enough to start the stack. */
const RECOVERY_AFTER_MS = 25_000;

/**
 * A catalog of failing deployments beside healthy ones: `down` answers 500 until a moment, then
 * recovers (the simulator's `until` knob); `limited` answers 429 with a 5 s retry-after.
 */
const writeCatalog = (recoversAt: number): string => {
  const deployment = (id: string, scenario: string | null, price: string) => `
      - id: ${id}
        provider: openai
        baseUrl: \${PROVIDER_SIM_URL}${scenario ? `/scenario/${scenario}` : ''}/v1
        upstreamModel: health-model
        pricing: { input: '${price}', output: '${price}' }`;
  const model = (id: string, deployments: string, embeddings = false) => `
  - id: ${id}
    contextWindow: ${embeddings ? '8191' : '128000'}
    maxOutputTokens: ${embeddings ? '0' : '4096'}${embeddings ? '\n    capabilities: { embeddings: true }\n    dimensions: { default: 8, max: 8 }' : ''}
    deployments:${deployments}`;
  const yaml = `models:${model(
    'health-model',
    deployment('down/health-model', `status=500,until=${recoversAt}`, '1.00') +
      deployment('up/health-model', null, '2.00'),
  )}${model(
    'limited-model',
    deployment('limited/limited-model', 'status=429,retry-after=5', '1.00') +
      deployment('spare/limited-model', null, '2.00'),
  )}${model(
    'embed-model',
    deployment('broken/embed-model', 'status=500', '1.00') + deployment('fine/embed-model', null, '2.00'),
    true,
  )}
auto:
  default: [health-model]
`;
  const file = join(mkdtempSync(join(tmpdir(), 'polymux-health-')), 'catalog.yaml');
  writeFileSync(file, yaml);
  return file;
};

/**
 * Retries, fallback, the breaker opening and recovering, and a 429's cooldown, through the
 * simulator in both modes, as `x-polymux-route` tells them and billing charges them.
 */
describe.each(MODES)('deployment health, retries and fallback (%s mode)', (mode) => {
  let gateway: Gateway;
  let recoversAt: number;

  const chat = async (model: string) => {
    const response = await fetch(`${gateway.stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
    });
    const body = (await response.json()) as { usage?: { prompt_tokens: number; completion_tokens: number } };
    return {
      status: response.status,
      route: response.headers.get('x-polymux-route'),
      model: response.headers.get('x-polymux-model'),
      task: response.headers.get('x-polymux-task'),
      requestId: response.headers.get('x-request-id')!,
      body,
    };
  };

  beforeAll(async () => {
    recoversAt = Date.now() + RECOVERY_AFTER_MS;
    gateway = await startGateway({
      mode,
      catalogFile: writeCatalog(recoversAt),
      label: 'health',
      env: {
        POLYMUX_BREAKER_FAILURES: '2',
        POLYMUX_BREAKER_OPEN_MS: '1000',
        POLYMUX_RETRY_BACKOFF_MS: '10',
        POLYMUX_RETRY_BACKOFF_MAX_MS: '500',
      },
    });
  });
  afterAll(() => gateway?.stop());

  it('retries a 500 on the same deployment, falls back, and charges only the answer, at its price', async () => {
    const answer = await chat('health-model');
    expect(answer.status).toBe(200);
    expect(answer.model).toBe('health-model');
    expect(answer.task).not.toBe('unknown');
    expect(answer.route).toBe('ordered; retry after 500 on down/health-model, fallback after 500 on down/health-model');
    const { prompt_tokens: input, completion_tokens: output } = answer.body.usage!;
    const expected = BigInt(input) * 2_000n + BigInt(output) * 2_000n;
    const entries = await gateway.charges(answer.requestId);
    expect(entries.map((entry) => entry.amountNanoUsd)).toEqual([(-expected).toString()]);
  });

  it('opens the breaker: the failing deployment is then skipped, with no failed attempt', async () => {
    const skipped = await pollUntil(
      () => chat('health-model'),
      (answer) => answer.route === 'ordered; skipped down/health-model (breaker open)',
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(skipped.status).toBe(200);
  });

  it('counts failed embeddings calls towards the breaker too: the failing deployment is then skipped', async () => {
    const embed = async () => {
      const response = await fetch(`${gateway.stack.ingressUrl}/v1/embeddings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'embed-model', input: 'hello', encoding_format: 'float' }),
      });
      return { status: response.status, route: response.headers.get('x-polymux-route') };
    };
    const first = await embed();
    expect(first.status).toBe(200);
    expect(first.route).toContain('fallback after 500 on broken/embed-model');
    const skipped = await pollUntil(
      embed,
      (answer) => answer.route === 'ordered; skipped broken/embed-model (breaker open)',
      {
        timeoutMs: 10_000,
        intervalMs: 100,
      },
    );
    expect(skipped.status).toBe(200);
  });

  it('moves a deployment cooling down after a 429 behind the other for its retry-after', async () => {
    const first = await chat('limited-model');
    expect(first.status).toBe(200);
    // A 5 s retry-after is longer than the maximum backoff: straight to the other deployment.
    expect(first.route).toBe('ordered; fallback after 429 on limited/limited-model');
    const cooling = await pollUntil(
      () => chat('limited-model'),
      (answer) => answer.route === 'ordered; skipped limited/limited-model (cooling down)',
      { timeoutMs: 4_000, intervalMs: 100 },
    );
    expect(cooling.status).toBe(200);
  });

  it('recovers: once the provider answers again, a half-open probe closes the breaker', async () => {
    // While the provider still fails, every probe reopens the breaker; after it recovered, one
    // probe succeeds and the deployment is the first choice again.
    const recovered = await pollUntil(
      () => chat('health-model'),
      (answer) => answer.route === 'ordered; first choice',
      { timeoutMs: RECOVERY_AFTER_MS + 20_000, intervalMs: 250 },
    );
    expect(Date.now()).toBeGreaterThanOrEqual(recoversAt);
    const { prompt_tokens: input, completion_tokens: output } = recovered.body.usage!;
    const entries = await gateway.charges(recovered.requestId);
    // Charged at the `down` deployment's price: it answered.
    expect(entries.map((entry) => entry.amountNanoUsd)).toEqual([(-(BigInt(input + output) * 1_000n)).toString()]);
  });
});
