import { performance } from 'node:perf_hooks';

import type { CpuGroup, CpuProbe, CpuUsage } from './cpu';
import { cpuBetween, snapshotCpu } from './cpu';
import type { LoadResult } from './load';
import { runLoad } from './load';
import type { MemoryUsage } from './memory';
import { startMemorySampler } from './memory';
import type { SequentialResult } from './sequential';
import { runSequential } from './sequential';
import type { BenchSettings } from './settings';
import type { Summary } from './stats';
import { summarize } from './stats';
import type { Target } from './target';
import { chatBody } from './target';

/** CPU milliseconds per successful request, by group and by process label. */
export interface CpuPerRequest {
  gateway: number;
  simulator: number;
  backing: number;
  loadGenerator: number;
  other: number;
  byProcess: Record<string, number>;
}

/** Why a phase has no CPU figure per request although it was metered: nothing to divide by. */
export const NO_SUCCESSFUL_REQUESTS = 'no successful requests';

/** A metered phase's CPU: per successful request, or the reason there is no such figure. */
export interface MeteredCpu {
  cpuMsPerRequest?: CpuPerRequest;
  cpuUnmeasured?: typeof NO_SUCCESSFUL_REQUESTS;
}

export interface TargetResults {
  /** Requests sent to the target in all (warm-ups included), to relate exported spans to. */
  requestsSent: number;
  /** (a) Non-streaming load at fixed concurrency. */
  load: LoadResult & MeteredCpu;
  /** (b) Non-streaming, one connection, one request at a time. */
  latency: MeteredCpu & { ok: number; errors: number; firstError?: string; totalMs: Summary };
  /**
   * (c) Streaming, one connection: time to the first `data:` chunk, to the end of the stream, and
   * between consecutive content events.
   */
  streaming: MeteredCpu & {
    ok: number;
    errors: number;
    firstError?: string;
    firstChunkMs: Summary;
    totalMs: Summary;
    chunkGapMs: Summary;
    contentEventsPerStream: Summary;
  };
  /** RSS sampled during the throughput phase (its peak), and once more after the last phase. */
  memory?: { load: MemoryUsage; end: MemoryUsage };
}

/** What the report needs to know about the processes of one target's measurement. */
export interface Meter {
  probes: () => CpuProbe[];
  /** Groups whose memory counts as the target's footprint (the gateway, plus its backing services). */
  memoryGroups: CpuGroup[];
}

/**
 * The CPU of a phase per successful request (what the report's other figures count); with none,
 * no figure but the reason, never a NaN that reads as a number and serialises as null.
 */
export const perRequest = (usage: CpuUsage, successes: number): MeteredCpu => {
  if (successes <= 0) return { cpuUnmeasured: NO_SUCCESSFUL_REQUESTS };
  const divide = (ms: number) => ms / successes;
  return {
    cpuMsPerRequest: {
      gateway: divide(usage.byGroup.gateway),
      simulator: divide(usage.byGroup.simulator),
      backing: divide(usage.byGroup.backing),
      loadGenerator: divide(usage.byGroup.loadGenerator),
      other: divide(usage.byGroup.other),
      byProcess: Object.fromEntries(Object.entries(usage.byLabel).map(([label, ms]) => [label, divide(ms)])),
    },
  };
};

/** Runs `work` between two CPU snapshots of `probes()`; no CPU figure without a meter (no /proc). */
export const metered = async <T>(
  meter: Meter | undefined,
  work: () => Promise<T>,
  successes: (result: T) => number,
): Promise<MeteredCpu & { result: T }> => {
  if (!meter) return { result: await work() };
  const before = snapshotCpu(meter.probes());
  const result = await work();
  const after = snapshotCpu(meter.probes());
  return { result, ...perRequest(cpuBetween(before, after), successes(result)) };
};

/** The CPU fields of a metered phase, without its result. */
export const cpuOf = ({ cpuMsPerRequest, cpuUnmeasured }: MeteredCpu): MeteredCpu => ({
  ...(cpuMsPerRequest ? { cpuMsPerRequest } : {}),
  ...(cpuUnmeasured ? { cpuUnmeasured } : {}),
});

const started = performance.now();
/** A progress line on stderr, with the seconds since the benchmark started. */
export const log = (message: string) =>
  process.stderr.write(`[bench +${((performance.now() - started) / 1000).toFixed(1)} s] ${message}\n`);

const sequential = (target: Target, body: string, settings: BenchSettings, seconds: number, streaming: boolean) =>
  runSequential(target, body, { durationMs: seconds * 1000, maxRequests: settings.maxRequestsPerPhase, streaming });

const answered = (result: SequentialResult) => result.ok + result.errors;
const SETTLE = { durationMs: 60_000, maxRequests: 1, streaming: false };
const loadAnswered = (result: LoadResult) => result.ok + result.non2xx + result.errors;

/** The three measured phases against one target, each after its own warm-up. */
export const measureTarget = async (
  label: string,
  target: Target,
  settings: BenchSettings,
  meter: Meter | undefined,
): Promise<TargetResults> => {
  const plain = chatBody(settings.model, settings.maxTokens, false);
  const streamed = chatBody(settings.model, settings.maxTokens, true);
  let sent = 0;
  const count = <T>(result: T, answeredBy: (result: T) => number): T => {
    sent += answeredBy(result);
    return result;
  };

  log(`${label}: throughput, ${settings.connections} connections, ${settings.durationS} s`);
  // autocannon stops with requests still in flight; one more request after it waits for the gateway
  // to work them off, so the next phase does not start behind them (and their CPU stays in this phase).
  const settle = async () => count(await runSequential(target, plain, SETTLE), answered);
  if (settings.initialWarmupS > 0) {
    count(await runLoad(target, plain, settings.connections, { durationS: settings.initialWarmupS }), loadAnswered);
    await settle();
  }
  const sampler = meter ? startMemorySampler(meter.probes, settings.memorySampleMs, meter.memoryGroups) : undefined;
  const load = await metered(
    meter,
    async () => {
      const result = await runLoad(target, plain, settings.connections, { durationS: settings.durationS });
      count(result, loadAnswered);
      await settle();
      return result;
    },
    (result) => result.ok,
  );
  const loadMemory = sampler?.stop();

  log(`${label}: latency, 1 connection, ${settings.durationS} s`);
  if (settings.warmupS > 0) count(await sequential(target, plain, settings, settings.warmupS, false), answered);
  const latency = await metered(
    meter,
    async () => count(await sequential(target, plain, settings, settings.durationS, false), answered),
    (result) => result.ok,
  );

  log(
    `${label}: streaming (${settings.streamTokens} tokens at ${settings.streamRate}/s), 1 connection, ${settings.durationS} s`,
  );
  if (settings.warmupS > 0) count(await sequential(target, streamed, settings, settings.warmupS, true), answered);
  const streaming = await metered(
    meter,
    async () => count(await sequential(target, streamed, settings, settings.durationS, true), answered),
    (result) => result.ok,
  );
  const endMemory = meter
    ? startMemorySampler(meter.probes, settings.memorySampleMs, meter.memoryGroups).stop()
    : undefined;

  return {
    requestsSent: sent,
    load: { ...load.result, ...cpuOf(load) },
    latency: {
      ok: latency.result.ok,
      errors: latency.result.errors,
      firstError: latency.result.firstError,
      totalMs: summarize(latency.result.totalMs),
      ...cpuOf(latency),
    },
    streaming: {
      ok: streaming.result.ok,
      errors: streaming.result.errors,
      firstError: streaming.result.firstError,
      firstChunkMs: summarize(streaming.result.firstChunkMs),
      totalMs: summarize(streaming.result.totalMs),
      chunkGapMs: summarize(streaming.result.chunkGapMs),
      contentEventsPerStream: summarize(streaming.result.contentEvents),
      ...cpuOf(streaming),
    },
    memory: loadMemory && endMemory ? { load: loadMemory, end: endMemory } : undefined,
  };
};

interface ChatCompletionBody {
  object?: string;
  choices?: Array<{ message?: { content?: string | null } }>;
  usage?: { completion_tokens?: number };
}

/** Why a non-streaming answer is not a chat completion with text, or undefined when it is one. */
const completionProblem = (body: string): string | undefined => {
  try {
    const parsed = JSON.parse(body) as ChatCompletionBody;
    if (parsed.object !== 'chat.completion') return `object is ${parsed.object}`;
    if (!parsed.choices?.[0]?.message?.content) return 'no message content';
    if (!parsed.usage?.completion_tokens) return 'no usage';
    return undefined;
  } catch {
    return `not JSON: ${body.slice(0, 200)}`;
  }
};

/**
 * One request of each kind, checked for content, so a broken stack (or a gateway that does not
 * reach the simulator) fails loudly before any number is taken: the non-streaming answer must be
 * a chat completion with text and usage, the stream must carry `minContentEvents` content events
 * (the multi-chunk stream the gap measure needs) and end with `[DONE]`.
 */
export const preflight = async (target: Target, settings: BenchSettings): Promise<void> => {
  const minContentEvents = Math.min(settings.streamTokens, settings.maxTokens);
  for (const streaming of [false, true]) {
    const body = chatBody(settings.model, settings.maxTokens, streaming);
    const result = await runSequential(target, body, {
      durationMs: 30_000,
      maxRequests: 1,
      streaming,
      keepFirstBody: true,
    });
    const kind = streaming ? 'streaming' : 'non-streaming';
    if (result.ok !== 1 || result.errors !== 0) {
      throw new Error(`${target.name} ${kind} preflight failed: ${result.firstError ?? 'no answer'}`);
    }
    const answer = result.firstBody ?? '';
    const problem = streaming
      ? (result.contentEvents[0] ?? 0) < minContentEvents
        ? `${result.contentEvents[0] ?? 0} content events, expected ${minContentEvents}`
        : answer.trimEnd().endsWith('data: [DONE]')
          ? undefined
          : 'the stream did not end with data: [DONE]'
      : completionProblem(answer);
    if (problem) throw new Error(`${target.name} ${kind} preflight answered wrongly: ${problem}`);
  }
};

/**
 * `preflight`, repeated for up to `patienceMs` while it fails: a fresh Polymux grants its bootstrap
 * credits just after it reports ready, so its first call may be refused for a moment.
 */
export const preflightPatiently = async (
  target: Target,
  settings: BenchSettings,
  patienceMs: number,
): Promise<void> => {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    try {
      return await preflight(target, settings);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
};
