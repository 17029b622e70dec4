import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ChatRequest, ErrorPayload, InvokeFrame, InvokeRequest } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects } from '@polymux/contracts';
import { MessagingClient, NatsBus } from '@polymux/messaging';
import type { ProviderSim } from '@polymux/provider-sim';
import { promptTokens, simBaseUrl, simDeployment, startProviderSim } from '@polymux/provider-sim';
import { isolatedServiceEnv, pollUntil } from '@polymux/testing';

import { startExecutor } from './testing/start-executor';

const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
/** Keeps this run's subjects apart from any other Polymux sharing the NATS server. */
const subjectPrefix = `executor_it_${process.pid}_${Date.now()}`;
const FIRST_BYTE_TIMEOUT_MS = 300;
const TOTAL_TIMEOUT_MS = 1_000;
const request: ChatRequest = {
  model: 'fast',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'What does a gateway do?' }] }],
  stream: false,
};
const inputTokens = promptTokens([{ role: 'user', content: 'What does a gateway do?' }]);
/** The credential the catalog references, and a secret of the executor's environment that it does not. */
const CATALOG_KEY = 'sk-catalog-key';
const UNREFERENCED_SECRET = 'sk-unreferenced-secret-of-the-executor';
const SCENARIOS = [
  'tokens=6',
  'tokens=5',
  'status=500',
  'status=429,retry-after=2',
  'hang',
  'disconnect-after=4',
  'tokens=10000,rate=50',
];

/** The executor's own catalog, written as JSON (valid YAML): one deployment per simulator scenario. */
const writeCatalog = (dir: string, simUrl: string): string => {
  const { upstreamModel, provider } = simDeployment();
  const deployment = (id: string, fields: Record<string, unknown>) => ({
    id,
    provider,
    upstreamModel,
    pricing: { input: '0.40', output: '1.60' },
    ...fields,
  });
  const file = join(dir, 'catalog.yaml');
  const catalog = {
    models: [
      {
        id: 'gpt-4.1-mini',
        contextWindow: 1_000_000,
        maxOutputTokens: 32_768,
        deployments: [
          deployment('sim/keyed', { baseUrl: simBaseUrl(simUrl), credentialRef: 'env:POLYMUX_IT_UPSTREAM_KEY' }),
          deployment('sim/scenario-header', {
            baseUrl: simBaseUrl(simUrl),
            headers: { 'X-Sim-Scenario': 'status=500' },
          }),
          ...SCENARIOS.map((scenario) => deployment(`sim/${scenario}`, { baseUrl: simBaseUrl(simUrl, scenario) })),
        ],
      },
    ],
    auto: { default: ['gpt-4.1-mini'] },
  };
  writeFileSync(file, JSON.stringify(catalog));
  return file;
};

describe('executor over NATS against the provider simulator', () => {
  let sim: ProviderSim;
  /** A server the executor must never call: where a forged message would send the secret. */
  let attacker: ProviderSim;
  let catalogDir: string;
  let executor: Awaited<ReturnType<typeof startExecutor>>;
  let callerBus: NatsBus;
  let caller: MessagingClient;

  const invokeDeployment = (deploymentId: string, stream: boolean) =>
    caller.stream(
      Subjects.invoke,
      { deploymentId, request: { ...request, stream } },
      { firstTimeoutMs: 5_000, idleTimeoutMs: 5_000 },
    );
  const invoke = (scenario: string, stream: boolean) => invokeDeployment(`sim/${scenario}`, stream);
  /** Publishes a payload the contract does not allow, as anyone with access to the bus could. */
  const invokeForged = (payload: Record<string, unknown>) =>
    caller.stream(Subjects.invoke, payload as unknown as InvokeRequest, {
      firstTimeoutMs: 5_000,
      idleTimeoutMs: 5_000,
    });
  const collect = async (frames: AsyncIterable<InvokeFrame>): Promise<InvokeFrame[]> => {
    const result: InvokeFrame[] = [];
    for await (const frame of frames) result.push(frame);
    return result;
  };
  const failureOf = async (
    frames: AsyncIterable<InvokeFrame>,
  ): Promise<{ received: InvokeFrame[]; error: ErrorPayload }> => {
    const received: InvokeFrame[] = [];
    try {
      for await (const frame of frames) received.push(frame);
    } catch (error) {
      if (error instanceof PolymuxException) return { received, error: error.toPayload() };
      throw error;
    }
    throw new Error(`expected an error frame, got ${received.length} frames`);
  };

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    attacker = await startProviderSim({ port: 0 });
    catalogDir = mkdtempSync(join(tmpdir(), 'polymux-executor-it-'));
    process.env.POLYMUX_IT_UPSTREAM_KEY = CATALOG_KEY;
    process.env.POLYMUX_IT_UNREFERENCED_SECRET = UNREFERENCED_SECRET;
    executor = await startExecutor({
      ...isolatedServiceEnv(subjectPrefix),
      POLYMUX_CATALOG_FILE: writeCatalog(catalogDir, sim.url),
      LOG_LEVEL: 'error',
      POLYMUX_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: String(FIRST_BYTE_TIMEOUT_MS),
      POLYMUX_UPSTREAM_TOTAL_TIMEOUT_MS: String(TOTAL_TIMEOUT_MS),
    });
    callerBus = await NatsBus.connect(natsUrl, 'executor-integration-caller', subjectPrefix);
    caller = new MessagingClient(callerBus);
  });

  afterAll(async () => {
    await callerBus?.close();
    await executor?.close();
    await sim?.close();
    await attacker?.close();
    rmSync(catalogDir, { recursive: true, force: true });
    delete process.env.POLYMUX_IT_UPSTREAM_KEY;
    delete process.env.POLYMUX_IT_UNREFERENCED_SECRET;
  });

  it('answers a non-streaming call with one response frame', async () => {
    const frames = await collect(invoke('tokens=6', false));
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({
      type: 'response',
      response: { model: 'gpt-4.1-mini', choices: [{ finishReason: 'stop' }], usage: { inputTokens, outputTokens: 6 } },
    });
  });

  it('streams chunk frames as they arrive, then a done frame with the exact usage', async () => {
    const frames = await collect(invoke('tokens=5', true));
    const chunks = frames.filter((frame) => frame.type === 'chunk');
    const content = chunks.map((frame) => frame.chunk.choices[0]?.content ?? '').join('');
    expect(content.split(' ')).toHaveLength(5);
    expect(chunks.at(-1)).toMatchObject({ chunk: { choices: [{ finishReason: 'stop' }] } });
    expect(frames.at(-1)).toEqual({
      type: 'done',
      usage: { inputTokens, outputTokens: 5, cachedInputTokens: 0, reasoningTokens: 0 },
    });
    expect(frames.filter((frame) => frame.type === 'done')).toHaveLength(1);
  });

  it('reports an upstream 500 as UpstreamError', async () => {
    const { error } = await failureOf(invoke('status=500', false));
    expect(error).toMatchObject({ code: ErrorCode.UpstreamError, upstreamStatus: 500 });
  });

  it('reports an upstream 429 as UpstreamRateLimited with its retry-after', async () => {
    const { error } = await failureOf(invoke('status=429,retry-after=2', true));
    expect(error).toMatchObject({ code: ErrorCode.UpstreamRateLimited, upstreamStatus: 429, retryAfterSeconds: 2 });
  });

  it('reports a streamed call that never answers as UpstreamTimeout after the first-byte timeout', async () => {
    const startedAt = performance.now();
    const { error } = await failureOf(invoke('hang', true));
    const elapsed = performance.now() - startedAt;
    expect(error.code).toBe(ErrorCode.UpstreamTimeout);
    expect(elapsed).toBeGreaterThanOrEqual(FIRST_BYTE_TIMEOUT_MS - 10);
    expect(elapsed).toBeLessThan(TOTAL_TIMEOUT_MS);
  });

  it('reports a non-streaming call that never answers as UpstreamTimeout after the total timeout', async () => {
    const startedAt = performance.now();
    const { error } = await failureOf(invoke('hang', false));
    expect(error.code).toBe(ErrorCode.UpstreamTimeout);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(TOTAL_TIMEOUT_MS - 10);
  });

  it('reports a mid-stream disconnect as an error frame after the chunks that arrived', async () => {
    const { received, error } = await failureOf(invoke('disconnect-after=4', true));
    expect(received).toHaveLength(4);
    expect(error.code).toBe(ErrorCode.UpstreamError);
  });

  it('aborts the upstream request when the caller abandons the stream', async () => {
    const abortsBefore = sim.stats.clientAborts;
    let chunks = 0;
    for await (const frame of invoke('tokens=10000,rate=50', true)) {
      if (frame.type === 'chunk') chunks += 1;
      if (chunks === 2) break;
    }
    await pollUntil(
      () => sim.stats.clientAborts,
      (aborts) => aborts === abortsBefore + 1,
    );
    expect(sim.stats.inFlight).toBe(0);
  });

  describe('trust: a message names a deployment, never a URL or a secret', () => {
    it('calls a known deployment with the credential and headers of its own catalog', async () => {
      const frames = await collect(invokeDeployment('sim/keyed', false));
      expect(frames[0]).toMatchObject({ type: 'response' });
      expect(sim.stats.authorizations).toContain(`Bearer ${CATALOG_KEY}`);

      const { error } = await failureOf(invokeDeployment('sim/scenario-header', false));
      expect(error).toMatchObject({ code: ErrorCode.UpstreamError, upstreamStatus: 500 });
    });

    it('refuses a deployment id its catalog does not name, without calling upstream', async () => {
      const before = sim.stats.requests;
      const { received, error } = await failureOf(invokeDeployment('attacker/unknown', false));
      expect(received).toHaveLength(0);
      expect(error).toEqual({
        code: ErrorCode.Internal,
        message: `deployment "attacker/unknown" is not in the executor's catalog`,
      });
      expect(sim.stats.requests).toBe(before);
    });

    it.each([
      [
        'the old shape, with a deployment naming a URL and a credential',
        (attackerUrl: string) => ({
          deployment: {
            ...simDeployment(),
            baseUrl: simBaseUrl(attackerUrl),
            credentialRef: 'env:POLYMUX_IT_UNREFERENCED_SECRET',
          },
          request,
        }),
      ],
      [
        'a known deployment id with a URL, a credential and headers next to it',
        (attackerUrl: string) => ({
          deploymentId: 'sim/keyed',
          request,
          baseUrl: simBaseUrl(attackerUrl),
          credentialRef: 'env:POLYMUX_IT_UNREFERENCED_SECRET',
          headers: { authorization: 'Bearer forged' },
        }),
      ],
    ])('refuses a forged payload (%s): no upstream call, the secret never leaves', async (_name, forge) => {
      const before = sim.stats.requests;
      const { received, error } = await failureOf(invokeForged(forge(attacker.url)));
      expect(received).toHaveLength(0);
      expect(error.code).toBe(ErrorCode.InvalidMessage);
      expect(attacker.stats.requests).toBe(0);
      expect(sim.stats.requests).toBe(before);
      const seen = [...attacker.stats.authorizations, ...sim.stats.authorizations].join('\n');
      expect(seen).not.toContain(UNREFERENCED_SECRET);
    });
  });
});
