import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ProviderSim } from '@polymux/provider-sim';
import { startProviderSim } from '@polymux/provider-sim';
import { pollUntil } from '@polymux/testing';

import type { Gateway, Mode } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(180_000);

/**
 * A prompt the classifier is unsure of (chat or creative? checked below through explain), and one
 * it is sure of; the threshold is the default POLYMUX_SECOND_OPINION_BELOW.
 */
const UNSURE = 'Talk about the moon and stars';
const SURE = 'Translate into French: Good morning, how are you?';
const THRESHOLD = 0.6;

/**
 * A catalog with the model `auto` answers with (on the stack's simulator) and `judge`, the second
 * opinion, whose deployments are on the test's own simulator (`judgeUrls`, each a base URL with a
 * scenario), so that the test sees the requests it gets and the ones its caller abandoned.
 */
const writeCatalog = (judgeUrls: string[]): string => {
  const judges = judgeUrls
    .map(
      (url, i) => `
      - id: judge-${i}/judge
        provider: openai
        baseUrl: ${url}
        upstreamModel: judge
        pricing: { input: '0.05', output: '0.05' }`,
    )
    .join('');
  const yaml = `models:
  - id: answer-model
    contextWindow: 128000
    maxOutputTokens: 4096
    deployments:
      - id: sim/answer-model
        provider: openai
        baseUrl: \${PROVIDER_SIM_URL}/v1
        upstreamModel: answer-model
        pricing: { input: '1.00', output: '2.00' }
  - id: judge
    contextWindow: 16000
    maxOutputTokens: 1000
    deployments:${judges}
auto:
  default: [answer-model]
`;
  const file = join(mkdtempSync(join(tmpdir(), 'polymux-second-opinion-')), 'catalog.yaml');
  writeFileSync(file, yaml);
  return file;
};

const logsOf = (dir: string): string =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('');

/**
 * The optional second opinion through the real path (HTTP → ingress → router → NATS →
 * executor → the simulator) in both modes: an unsure prompt gets the configured model's task, a
 * sure one is never asked about, an erroring or hanging model leaves the classifier's own task,
 * explain never calls it, the caller pays only its own call, and the prompt is in no log.
 */
describe.each(MODES)('the second opinion on an unsure classification (%s mode)', (mode: Mode) => {
  let sim: ProviderSim;
  let judgeAnswers: Gateway;
  let judgeHangs: Gateway;

  const post = async (gateway: Gateway, path: string, content: string) => {
    const response = await fetch(`${gateway.stack.ingressUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }], max_tokens: 16 }),
    });
    return {
      status: response.status,
      task: response.headers.get('x-polymux-task'),
      route: response.headers.get('x-polymux-route'),
      requestId: response.headers.get('x-request-id')!,
      body: (await response.json()) as Record<string, unknown> & {
        usage?: { prompt_tokens: number; completion_tokens: number };
      },
    };
  };
  const env = (timeoutMs: string) => ({
    POLYMUX_SECOND_OPINION_MODEL: 'judge',
    POLYMUX_SECOND_OPINION_TIMEOUT_MS: timeoutMs,
    POLYMUX_BREAKER_FAILURES: '1',
    POLYMUX_BREAKER_OPEN_MS: '600000',
  });

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    const scenario = (knobs: string) => `${sim.url}/scenario/${knobs}/v1`;
    // The first judge deployment fails (and its breaker opens); the second answers "creative". On
    // NATS every service has only its derived permissions: the router may invoke the executor.
    judgeAnswers = await startGateway({
      mode,
      authenticatedNats: mode === 'distributed',
      catalogFile: writeCatalog([scenario('status=500'), scenario('reply=creative')]),
      label: 'opinion',
      env: env('2000'),
    });
    judgeHangs = await startGateway({
      mode,
      catalogFile: writeCatalog([scenario('hang')]),
      label: 'opinionhang',
      env: env('300'),
    });
  });
  afterAll(async () => {
    await judgeAnswers?.stop();
    await judgeHangs?.stop();
    await sim?.close();
  });

  it('explains the unsure prompt without asking the model: a call would ask it', async () => {
    const before = sim.stats.requests;
    const explained = await post(judgeAnswers, '/v1/routing/explain', UNSURE);
    expect(explained.status).toBe(200);
    expect(explained.body.confidence as number).toBeLessThan(THRESHOLD);
    expect(explained.body.secondOpinion).toEqual({ model: 'judge', outcome: 'not-asked', classifierTask: 'chat' });
    expect(sim.stats.requests).toBe(before);
  });

  it("keeps the classifier's task when the model answers an error, then follows its answer", async () => {
    const failed = await post(judgeAnswers, '/v1/chat/completions', UNSURE);
    expect(failed.status).toBe(200);
    expect(failed.task).toBe('chat');
    expect(failed.route).toBe('cheapest-capable; second opinion judge failed, first choice');
    // Once the failing deployment's breaker is open, the next one is asked and answers "creative".
    const used = await pollUntil(
      () => post(judgeAnswers, '/v1/chat/completions', UNSURE),
      (answer) => answer.task === 'creative',
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(used.status).toBe(200);
    expect(used.route).toBe('cheapest-capable; second opinion judge: creative, first choice');
    // The caller pays for its own call only, at the answering model's price; the operator pays the judge.
    const { prompt_tokens: input, completion_tokens: output } = used.body.usage!;
    const entries = await judgeAnswers.charges(used.requestId);
    expect(entries.map((entry) => entry.amountNanoUsd)).toEqual([
      (-(BigInt(input) * 1_000n + BigInt(output) * 2_000n)).toString(),
    ]);
  });

  it('never asks about a prompt the classifier is sure of', async () => {
    const before = sim.stats.requests;
    const sure = await post(judgeAnswers, '/v1/chat/completions', SURE);
    expect(sure.status).toBe(200);
    expect(sure.task).toBe('translation');
    expect(sure.route).toBe('cheapest-capable; first choice');
    expect(sim.stats.requests).toBe(before);
  });

  it("keeps the classifier's task when the model hangs, abandoning the call after the timeout", async () => {
    const aborts = sim.stats.clientAborts;
    const hung = await post(judgeHangs, '/v1/chat/completions', UNSURE);
    expect(hung.status).toBe(200);
    expect(hung.task).toBe('chat');
    expect(hung.route).toBe('cheapest-capable; second opinion judge failed, first choice');
    // The router's timeout cancels the invocation: the executor aborts the upstream request.
    await pollUntil(
      () => Promise.resolve(sim.stats.clientAborts),
      (count) => count > aborts,
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  });

  it('writes the prompt into no log line', () => {
    for (const gateway of [judgeAnswers, judgeHangs]) {
      const logs = logsOf(gateway.stack.logDir);
      expect(logs.length).toBeGreaterThan(0);
      expect(logs).not.toContain(UNSURE);
    }
  });
});
