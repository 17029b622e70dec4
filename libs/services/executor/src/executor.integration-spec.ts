import type { ChatRequest, ErrorPayload, InvokeFrame } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects } from '@polymux/contracts';
import { MessagingClient, NatsBus } from '@polymux/messaging';
import type { ProviderSim } from '@polymux/provider-sim';
import { promptTokens, simDeployment, startProviderSim } from '@polymux/provider-sim';
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

describe('executor over NATS against the provider simulator', () => {
  let sim: ProviderSim;
  let executor: Awaited<ReturnType<typeof startExecutor>>;
  let callerBus: NatsBus;
  let caller: MessagingClient;

  const deployment = (scenario?: string) => simDeployment(sim.url, scenario);
  const invoke = (scenario: string | undefined, stream: boolean) =>
    caller.stream(
      Subjects.invoke,
      { deployment: deployment(scenario), request: { ...request, stream } },
      { firstTimeoutMs: 5_000, idleTimeoutMs: 5_000 },
    );
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
    executor = await startExecutor({
      ...isolatedServiceEnv(subjectPrefix),
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
});
