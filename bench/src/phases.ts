import type { CpuProbe, CpuUsage } from './cpu';
import { cpuBetween, snapshotCpu } from './cpu';
import type { LoadResult } from './load';
import { runLoad } from './load';
import type { SequentialResult } from './sequential';
import { runSequential } from './sequential';
import type { BenchSettings } from './settings';
import type { Summary } from './stats';
import { summarize } from './stats';
import type { Target } from './target';
import { chatBody } from './target';

/** CPU milliseconds per request, by group and by process label. */
export interface CpuPerRequest {
  gateway: number;
  simulator: number;
  backing: number;
  loadGenerator: number;
  byProcess: Record<string, number>;
}

export interface TargetResults {
  /** (a) Non-streaming load at fixed concurrency. */
  load: LoadResult & { cpuMsPerRequest?: CpuPerRequest };
  /** (b) Non-streaming, one connection, one request at a time. */
  latency: { ok: number; errors: number; firstError?: string; totalMs: Summary; cpuMsPerRequest?: CpuPerRequest };
  /** (c) Streaming, one connection: time to the first `data:` chunk and to the end of the stream. */
  streaming: {
    ok: number;
    errors: number;
    firstError?: string;
    firstChunkMs: Summary;
    totalMs: Summary;
    cpuMsPerRequest?: CpuPerRequest;
  };
}

const perRequest = (usage: CpuUsage, requests: number): CpuPerRequest => {
  const divide = (ms: number) => (requests > 0 ? ms / requests : NaN);
  return {
    gateway: divide(usage.byGroup.gateway),
    simulator: divide(usage.byGroup.simulator),
    backing: divide(usage.byGroup.backing),
    loadGenerator: divide(usage.byGroup.loadGenerator),
    byProcess: Object.fromEntries(Object.entries(usage.byLabel).map(([label, ms]) => [label, divide(ms)])),
  };
};

/** Runs `work` between two CPU snapshots of `probes()`; undefined CPU when /proc is unavailable. */
const metered = async <T>(
  probes: (() => CpuProbe[]) | undefined,
  work: () => Promise<T>,
  requests: (result: T) => number,
): Promise<{ result: T; cpuMsPerRequest?: CpuPerRequest }> => {
  if (!probes) return { result: await work() };
  const before = snapshotCpu(probes());
  const result = await work();
  const after = snapshotCpu(probes());
  return { result, cpuMsPerRequest: perRequest(cpuBetween(before, after), requests(result)) };
};

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const sequential = (target: Target, body: string, settings: BenchSettings, seconds: number, streaming: boolean) =>
  runSequential(target, body, { durationMs: seconds * 1000, maxRequests: settings.maxRequestsPerPhase, streaming });

const answered = (result: SequentialResult) => result.ok + result.errors;

/** The three measured phases against one target, each after its own warm-up. */
export const measureTarget = async (
  label: string,
  target: Target,
  settings: BenchSettings,
  probes: (() => CpuProbe[]) | undefined,
): Promise<TargetResults> => {
  const plain = chatBody(settings.model, settings.maxTokens, false);
  const streamed = chatBody(settings.model, settings.maxTokens, true);

  log(`${label}: throughput, ${settings.connections} connections, ${settings.durationS} s`);
  if (settings.warmupS > 0) await runLoad(target, plain, settings.connections, settings.warmupS);
  const load = await metered(
    probes,
    () => runLoad(target, plain, settings.connections, settings.durationS),
    (result) => result.ok + result.non2xx,
  );

  log(`${label}: latency, 1 connection, ${settings.durationS} s`);
  if (settings.warmupS > 0) await sequential(target, plain, settings, settings.warmupS, false);
  const latency = await metered(probes, () => sequential(target, plain, settings, settings.durationS, false), answered);

  log(`${label}: streaming time to first chunk, 1 connection, ${settings.durationS} s`);
  if (settings.warmupS > 0) await sequential(target, streamed, settings, settings.warmupS, true);
  const streaming = await metered(
    probes,
    () => sequential(target, streamed, settings, settings.durationS, true),
    answered,
  );

  return {
    load: { ...load.result, cpuMsPerRequest: load.cpuMsPerRequest },
    latency: {
      ok: latency.result.ok,
      errors: latency.result.errors,
      firstError: latency.result.firstError,
      totalMs: summarize(latency.result.totalMs),
      cpuMsPerRequest: latency.cpuMsPerRequest,
    },
    streaming: {
      ok: streaming.result.ok,
      errors: streaming.result.errors,
      firstError: streaming.result.firstError,
      firstChunkMs: summarize(streaming.result.firstChunkMs),
      totalMs: summarize(streaming.result.totalMs),
      cpuMsPerRequest: streaming.cpuMsPerRequest,
    },
  };
};

/** One request of each kind, so a broken stack fails loudly before any number is taken. */
export const preflight = async (target: Target, settings: BenchSettings): Promise<void> => {
  for (const streaming of [false, true]) {
    const body = chatBody(settings.model, settings.maxTokens, streaming);
    const result = await runSequential(target, body, { durationMs: 30_000, maxRequests: 1, streaming });
    if (result.ok !== 1 || result.errors !== 0) {
      throw new Error(
        `${target.name} ${streaming ? 'streaming' : 'non-streaming'} preflight failed: ${result.firstError ?? 'no answer'}`,
      );
    }
  }
};
