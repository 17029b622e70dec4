import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Catalog, CatalogFileSchema, CatalogSource } from '@polymux/catalog';
import { loadConfig } from '@polymux/config';
import type {
  ChatChunk,
  ChatRequest,
  ChatResponse,
  DeploymentOutcome,
  DeploymentOutcomes,
  InvokeFrame,
} from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects } from '@polymux/contracts';
import { MemoryBus, MessagingClient, decode } from '@polymux/messaging';
import type { ProviderAdapter, ProviderCall } from '@polymux/providers';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';

import { CredentialStore } from './credential.store';
import { DeploymentResolver } from './deployment-resolver.service';
import { GenAi } from './gen-ai.span';
import { InvokeService } from './invoke.service';
import { MediaInliner } from './media-inliner.service';
import { OUTCOME_BATCH_MAX, OUTCOME_BATCH_MS, OutcomeReporter } from './outcome-reporter.service';
import { UpstreamGuard } from './upstream-guard.service';

const PROMPT = 'a secret prompt that must never reach telemetry';
const COMPLETION = 'a private completion';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));

const BASE_URL = 'http://upstream.test:8090/v1';
const catalogDeployment = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  provider: 'fake',
  baseUrl: BASE_URL,
  upstreamModel: 'fake-model',
  pricing: { input: '1', output: '1' },
  ...fields,
});
/** The executor's own catalog: the only place URLs, credential references and headers come from. */
const catalog = new Catalog(
  CatalogFileSchema.parse({
    models: [
      {
        id: 'fast',
        contextWindow: 1000,
        maxOutputTokens: 100,
        deployments: [
          catalogDeployment('dep-1', { headers: { 'OpenAI-Organization': 'org-polymux' } }),
          catalogDeployment('dep-keyed', { credentialRef: 'env:POLYMUX_TEST_UPSTREAM_KEY' }),
          catalogDeployment('dep-nobody', { provider: 'nobody' }),
          catalogDeployment('dep-header-key', {
            headers: { 'Api-Key': { credentialRef: 'env:POLYMUX_TEST_UPSTREAM_KEY' }, 'Api-Version': '2025-01' },
          }),
          catalogDeployment('dep-settings', {
            region: 'eu-west-1',
            timeouts: { firstByteMs: 9_000, totalMs: 60_000 },
            settings: {
              project: 'acme',
              retries: 2,
              beta: true,
              secretKey: { credentialRef: 'env:POLYMUX_TEST_UPSTREAM_KEY' },
            },
          }),
        ],
      },
    ],
    auto: { default: ['fast'] },
  }),
);
const deployment = catalog.entry('dep-1')!.deployment;
/** The executor's environment: one secret the catalog references, one it does not. */
const environment = { POLYMUX_TEST_UPSTREAM_KEY: 'sk-test', POLYMUX_UNREFERENCED_SECRET: 'sk-unreferenced' };
/** Where the executors built here report their outcomes. */
const outcomeBus = new MemoryBus();
/** Every reporter built here: each test's outcomes are flushed before the next test listens. */
const reporters: OutcomeReporter[] = [];
const executorWith = (adapter: ProviderAdapter, env: Record<string, string> = environment) => {
  const config = loadConfig('executor', {}, env);
  const credentials = new CredentialStore(new MessagingClient(new MemoryBus()), config);
  const guard = new UpstreamGuard(config);
  return new InvokeService(
    [adapter],
    new DeploymentResolver(new CatalogSource(catalog), credentials, config),
    guard,
    new MediaInliner(guard, config),
    reporters[reporters.push(new OutcomeReporter(new MessagingClient(outcomeBus))) - 1]!,
  );
};
const request = (stream: boolean): ChatRequest => ({
  model: 'fast',
  messages: [{ role: 'user', content: [{ type: 'text', text: PROMPT }] }],
  stream,
  maxOutputTokens: 50,
});
const response: ChatResponse = {
  id: 'resp-1',
  model: 'fake-model-2025',
  created: 1,
  choices: [{ index: 0, content: COMPLETION, finishReason: 'stop' }],
  usage: { inputTokens: 11, outputTokens: 3 },
};
const chunk = (fields: Partial<ChatChunk>): ChatChunk => ({
  id: 'c-1',
  model: 'fake-model-2025',
  created: 1,
  choices: [],
  ...fields,
});

/** An adapter whose behaviour each test scripts; it records the calls it got. */
class FakeAdapter implements ProviderAdapter {
  readonly provider = 'fake';
  readonly calls: ProviderCall[] = [];
  completeWith: (call: ProviderCall) => Promise<ChatResponse> = async () => response;
  streamWith: (call: ProviderCall) => AsyncIterable<ChatChunk> = async function* () {
    yield chunk({ choices: [{ index: 0, role: 'assistant', content: '' }] });
    yield chunk({ choices: [{ index: 0, content: COMPLETION }] });
    yield chunk({ choices: [{ index: 0, finishReason: 'stop' }] });
    yield chunk({ usage: { inputTokens: 11, outputTokens: 1 } });
  };

  complete(call: ProviderCall): Promise<ChatResponse> {
    this.calls.push(call);
    return this.completeWith(call);
  }

  stream(call: ProviderCall): AsyncIterable<ChatChunk> {
    this.calls.push(call);
    return this.streamWith(call);
  }

  async close(): Promise<void> {}
}

/** Yields one chunk, then waits until the call is aborted. */
async function* untilAborted(call: ProviderCall): AsyncGenerator<ChatChunk> {
  yield chunk({ choices: [{ index: 0, role: 'assistant', content: '' }] });
  await new Promise((_resolve, reject) => {
    if (call.signal.aborted) reject(call.signal.reason);
    call.signal.addEventListener('abort', () => reject(call.signal.reason));
  });
}

const spanAttributes = () => {
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!.attributes;
};

describe('InvokeService', () => {
  let adapter: FakeAdapter;
  let service: InvokeService;

  beforeEach(() => {
    exporter.reset();
    adapter = new FakeAdapter();
    service = executorWith(adapter);
  });

  it('answers a non-streaming call with one response frame and a GenAI span', async () => {
    const frames = await lastValueFrom(
      service.invoke({ deploymentId: 'dep-1', request: request(false) }, new AbortController().signal).pipe(toArray()),
    );
    expect(frames).toEqual([{ type: 'response', response }]);
    expect(adapter.calls[0]).toMatchObject({ deployment, apiKey: undefined });
    expect(spanAttributes()).toEqual({
      [GenAi.operationName]: 'chat',
      [GenAi.providerName]: 'fake',
      [GenAi.system]: 'fake',
      [GenAi.requestModel]: 'fake-model',
      [GenAi.requestMaxTokens]: 50,
      [GenAi.responseModel]: 'fake-model-2025',
      [GenAi.responseId]: 'resp-1',
      [GenAi.responseFinishReasons]: ['stop'],
      [GenAi.inputTokens]: 11,
      [GenAi.outputTokens]: 3,
      'polymux.deployment.id': 'dep-1',
      'polymux.stream': false,
      'server.address': 'upstream.test',
      'server.port': 8090,
    });
    expect(exporter.getFinishedSpans()[0]!.name).toBe('chat fake-model');
  });

  it('streams chunk frames, then a done frame with the usage of the last chunk', async () => {
    const frames = await lastValueFrom(
      service.invoke({ deploymentId: 'dep-1', request: request(true) }, new AbortController().signal).pipe(toArray()),
    );
    expect(frames.map((frame) => frame.type)).toEqual(['chunk', 'chunk', 'chunk', 'done']);
    expect(frames.at(-1)).toEqual({ type: 'done', usage: { inputTokens: 11, outputTokens: 1 } });
    expect(spanAttributes()).toMatchObject({
      [GenAi.inputTokens]: 11,
      [GenAi.outputTokens]: 1,
      [GenAi.responseFinishReasons]: ['stop'],
    });
  });

  it('never puts prompt or completion content into the span', async () => {
    await lastValueFrom(
      service.invoke({ deploymentId: 'dep-1', request: request(true) }, new AbortController().signal).pipe(toArray()),
    );
    await lastValueFrom(
      service.invoke({ deploymentId: 'dep-1', request: request(false) }, new AbortController().signal).pipe(toArray()),
    );
    const exported = JSON.stringify(
      exporter.getFinishedSpans().map((span) => [span.name, span.attributes, span.events, span.status]),
    );
    expect(exported).not.toContain('secret prompt');
    expect(exported).not.toContain('private completion');
  });

  it('aborts the upstream call when the subscriber leaves', async () => {
    adapter.streamWith = untilAborted;
    const first = await firstValueFrom(
      service.invoke({ deploymentId: 'dep-1', request: request(true) }, new AbortController().signal),
    );
    expect(first.type).toBe('chunk');
    expect(adapter.calls[0]!.signal.aborted).toBe(true);
  });

  it('aborts the upstream call when the caller cancels, and marks the span cancelled', async () => {
    adapter.streamWith = untilAborted;
    const cancel = new AbortController();
    const frames: InvokeFrame[] = [];
    const finished = new Promise<void>((resolve) =>
      service.invoke({ deploymentId: 'dep-1', request: request(true) }, cancel.signal).subscribe({
        next: (frame) => {
          frames.push(frame);
          cancel.abort();
        },
        error: () => resolve(),
        complete: () => resolve(),
      }),
    );
    await finished;
    expect(frames).toHaveLength(1);
    expect(adapter.calls[0]!.signal.aborted).toBe(true);
    expect(spanAttributes()).toMatchObject({ 'polymux.cancelled': true });
  });

  it('fails with the adapter error and records only its code', async () => {
    const failure = new PolymuxException(ErrorCode.UpstreamBadRequest, `upstream quoted: ${PROMPT}`, {
      upstreamStatus: 400,
    });
    adapter.completeWith = () => Promise.reject(failure);
    await expect(
      lastValueFrom(service.invoke({ deploymentId: 'dep-1', request: request(false) }, new AbortController().signal)),
    ).rejects.toBe(failure);
    expect(spanAttributes()).toMatchObject({
      'error.type': ErrorCode.UpstreamBadRequest,
      'http.response.status_code': 400,
    });
    expect(JSON.stringify(exporter.getFinishedSpans()[0]!.status)).not.toContain('secret prompt');
  });

  describe('outcomes for deployment health', () => {
    let outcomes: DeploymentOutcome[];
    let messages: number;
    let unsubscribe: () => void;
    const invoked = (stream: boolean, signal = new AbortController().signal) =>
      lastValueFrom(service.invoke({ deploymentId: 'dep-1', request: request(stream) }, signal).pipe(toArray()));
    const reported = async (count: number) => {
      // A batch leaves after OUTCOME_BATCH_MS; core NATS events arrive on a later tick of the memory bus.
      await new Promise((resolve) => setTimeout(resolve, OUTCOME_BATCH_MS + 10));
      expect(outcomes).toHaveLength(count);
      return outcomes;
    };

    beforeEach(async () => {
      for (const reporter of reporters) reporter.beforeApplicationShutdown();
      await new Promise((resolve) => setImmediate(resolve));
      outcomes = [];
      messages = 0;
      unsubscribe = outcomeBus.subscribe(Subjects.deploymentOutcomes.subject, (message) => {
        messages += 1;
        outcomes.push(...(decode(message.data) as DeploymentOutcomes).outcomes);
      });
    });
    afterEach(() => unsubscribe());

    /** A stream whose chunks the executor sees `gapsMs` apart on a clock the test holds. */
    const pacedStream = (gapsMs: number[], chunks: ChatChunk[]) => {
      let clock = 1_000_000;
      jest.spyOn(Date, 'now').mockImplementation(() => clock);
      adapter.streamWith = async function* () {
        for (const [index, next] of chunks.entries()) {
          clock += gapsMs[index]!;
          yield next;
        }
      };
    };
    const text = (content: string) => chunk({ choices: [{ index: 0, content }] });
    afterEach(() => jest.restoreAllMocks());

    it('reports a success with its latency and, streamed, its time to first token and output speed, and no content', async () => {
      pacedStream(
        [30, 50, 50, 5],
        [
          chunk({ choices: [{ index: 0, role: 'assistant', content: '' }] }),
          text(COMPLETION),
          chunk({ choices: [{ index: 0, finishReason: 'stop' }] }),
          chunk({ usage: { inputTokens: 11, outputTokens: 20 } }),
        ],
      );
      await invoked(true);
      await invoked(false);
      const [streamed, whole] = await reported(2);
      expect(messages).toBe(1); // one batch for the window's two calls
      expect(streamed).toEqual({
        deploymentId: 'dep-1',
        outcome: 'success',
        latencyMs: 135,
        ttftMs: 30,
        outputTokens: 20,
        generationMs: 100,
      });
      expect(whole).toEqual({ deploymentId: 'dep-1', outcome: 'success', latencyMs: expect.any(Number) });
      expect(JSON.stringify(outcomes)).not.toContain(COMPLETION);
    });

    it('counts hidden reasoning out of the output speed, and shown reasoning in', async () => {
      const usage = { inputTokens: 11, outputTokens: 50, reasoningTokens: 30 };
      pacedStream([10, 40, 1], [text('a'), text('b'), chunk({ usage })]);
      await invoked(true);
      pacedStream(
        [10, 40, 1],
        [chunk({ choices: [{ index: 0, reasoning: { text: 'thinking' } }] }), text('b'), chunk({ usage })],
      );
      await invoked(true);
      const [hidden, shown] = await reported(2);
      expect(hidden).toMatchObject({ outputTokens: 20, generationMs: 40 });
      expect(shown).toMatchObject({ outputTokens: 50, generationMs: 40 });
    });

    it('reports no output speed for an answer in one frame or without usage', async () => {
      pacedStream([10, 1], [text('all at once'), chunk({ usage: { inputTokens: 1, outputTokens: 3 } })]);
      await invoked(true);
      pacedStream([10, 40], [text('a'), text('b')]);
      await invoked(true);
      for (const outcome of await reported(2)) {
        expect(outcome).toMatchObject({ outcome: 'success', ttftMs: 10 });
        expect(outcome).not.toHaveProperty('outputTokens');
        expect(outcome).not.toHaveProperty('generationMs');
      }
    });

    it('reports a 5xx as failed and a 429 as rate limited with its retry-after', async () => {
      adapter.completeWith = () =>
        Promise.reject(new PolymuxException(ErrorCode.UpstreamError, `quoted ${PROMPT}`, { upstreamStatus: 500 }));
      await expect(invoked(false)).rejects.toBeInstanceOf(PolymuxException);
      adapter.completeWith = () =>
        Promise.reject(
          new PolymuxException(ErrorCode.UpstreamRateLimited, 'slow down', {
            upstreamStatus: 429,
            retryAfterSeconds: 2,
          }),
        );
      await expect(invoked(false)).rejects.toBeInstanceOf(PolymuxException);
      const [failed, limited] = await reported(2);
      expect(failed).toMatchObject({ outcome: 'failed', errorCode: 'upstream_error', upstreamStatus: 500 });
      expect(limited).toMatchObject({ outcome: 'rate_limited', upstreamStatus: 429, retryAfterMs: 2_000 });
      expect(JSON.stringify(outcomes)).not.toContain(PROMPT);
    });

    it("reports neither the caller's own mistakes nor a call it abandoned", async () => {
      adapter.completeWith = () =>
        Promise.reject(new PolymuxException(ErrorCode.UpstreamBadRequest, 'bad', { upstreamStatus: 400 }));
      await expect(invoked(false)).rejects.toBeInstanceOf(PolymuxException);
      adapter.streamWith = untilAborted;
      const cancel = new AbortController();
      const frames = service.invoke({ deploymentId: 'dep-1', request: request(true) }, cancel.signal);
      const ended = new Promise<void>((resolve) =>
        frames.subscribe({ next: () => cancel.abort(), error: () => resolve(), complete: () => resolve() }),
      );
      await ended;
      await reported(0);
    });

    it('sends a full batch at once, without waiting for its window', async () => {
      const reporter = new OutcomeReporter(new MessagingClient(outcomeBus));
      for (let call = 0; call < OUTCOME_BATCH_MAX; call += 1) reporter.succeeded('dep-2', { startedAt: Date.now() });
      reporter.succeeded('dep-3', { startedAt: Date.now() });
      await new Promise((resolve) => setImmediate(resolve));
      expect(messages).toBe(1);
      expect(outcomes.map((outcome) => outcome.deploymentId)).toEqual(Array(OUTCOME_BATCH_MAX).fill('dep-2'));
      reporter.beforeApplicationShutdown(); // what is left goes when the service stops
      await new Promise((resolve) => setImmediate(resolve));
      expect(outcomes.at(-1)?.deploymentId).toBe('dep-3');
    });
  });

  it('is unavailable for a provider it has no adapter for', async () => {
    await expect(
      lastValueFrom(
        service.invoke({ deploymentId: 'dep-nobody', request: request(false) }, new AbortController().signal),
      ),
    ).rejects.toMatchObject({
      code: ErrorCode.ServiceUnavailable,
    });
  });

  it('calls the URL and sends the headers of its own catalog entry', async () => {
    await lastValueFrom(
      service.invoke({ deploymentId: 'dep-1', request: request(false) }, new AbortController().signal),
    );
    expect(adapter.calls[0]).toMatchObject({
      baseUrl: BASE_URL,
      headers: { 'openai-organization': 'org-polymux' },
      apiKey: undefined,
    });
  });

  it('refuses a deployment id its catalog does not name, without an upstream call or a span', async () => {
    await expect(
      lastValueFrom(
        service.invoke({ deploymentId: 'attacker/dep', request: request(false) }, new AbortController().signal),
      ),
    ).rejects.toMatchObject({
      code: ErrorCode.Internal,
      message: `deployment "attacker/dep" is not in the executor's catalog`,
    });
    expect(adapter.calls).toHaveLength(0);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  describe('credentials', () => {
    it('passes the secret the catalog entry references', async () => {
      await lastValueFrom(
        service.invoke({ deploymentId: 'dep-keyed', request: request(false) }, new AbortController().signal),
      );
      expect(adapter.calls[0]!.apiKey).toBe('sk-test');
    });

    it('puts a secret into the header the catalog entry names', async () => {
      await lastValueFrom(
        service.invoke({ deploymentId: 'dep-header-key', request: request(false) }, new AbortController().signal),
      );
      expect(adapter.calls[0]).toMatchObject({
        apiKey: undefined,
        headers: { 'api-key': 'sk-test', 'api-version': '2025-01' },
      });
    });

    it('passes the region, the time limits and the adapter settings, a secret one resolved', async () => {
      await lastValueFrom(
        service.invoke({ deploymentId: 'dep-settings', request: request(false) }, new AbortController().signal),
      );
      expect(adapter.calls[0]).toMatchObject({
        region: 'eu-west-1',
        settings: { project: 'acme', retries: 2, beta: true, secretKey: 'sk-test' },
        timeouts: { firstByteTimeoutMs: 9_000, totalTimeoutMs: 60_000 },
      });
      await expect(
        lastValueFrom(
          executorWith(adapter, {}).invoke(
            { deploymentId: 'dep-settings', request: request(false) },
            new AbortController().signal,
          ),
        ),
      ).rejects.toMatchObject({
        code: ErrorCode.ServiceUnavailable,
        message: 'deployment dep-settings has no credentials: env:POLYMUX_TEST_UPSTREAM_KEY is not set',
      });
    });

    it('never sends a secret the catalog does not reference', async () => {
      for (const deploymentId of ['dep-1', 'dep-keyed', 'dep-header-key', 'dep-settings']) {
        await lastValueFrom(service.invoke({ deploymentId, request: request(false) }, new AbortController().signal));
      }
      expect(JSON.stringify(adapter.calls)).not.toContain('sk-unreferenced');
    });

    it('makes the deployment unavailable when the secret is not set', async () => {
      const unset = executorWith(adapter, {});
      await expect(
        lastValueFrom(
          unset.invoke({ deploymentId: 'dep-keyed', request: request(false) }, new AbortController().signal),
        ),
      ).rejects.toMatchObject({
        code: ErrorCode.ServiceUnavailable,
        message: 'deployment dep-keyed has no credentials: env:POLYMUX_TEST_UPSTREAM_KEY is not set',
      });
      await expect(
        lastValueFrom(
          unset.invoke({ deploymentId: 'dep-header-key', request: request(false) }, new AbortController().signal),
        ),
      ).rejects.toMatchObject({ code: ErrorCode.ServiceUnavailable });
      expect(adapter.calls).toHaveLength(0);
    });

    it('refuses a header secret that would split the header', async () => {
      const broken = executorWith(adapter, { POLYMUX_TEST_UPSTREAM_KEY: 'sk-test\r\nhost: evil.test' });
      await expect(
        lastValueFrom(
          broken.invoke({ deploymentId: 'dep-header-key', request: request(false) }, new AbortController().signal),
        ),
      ).rejects.toMatchObject({
        code: ErrorCode.ServiceUnavailable,
        message: 'deployment dep-header-key: env:POLYMUX_TEST_UPSTREAM_KEY is not a valid header value',
      });
      expect(adapter.calls).toHaveLength(0);
    });
  });
});
