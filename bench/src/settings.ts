import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

/**
 * Benchmark settings, read once from `BENCH_*` variables (and the `--soak` / `--scale` flags) so a
 * quick run is one variable away.
 */
export type BenchMode = 'distributed' | 'embedded';

export interface BenchSettings {
  /** Seconds each measured phase runs. */
  durationS: number;
  /** Seconds of unmeasured traffic before each measured phase. */
  warmupS: number;
  /**
   * Seconds of unmeasured load at 32 connections before a target's first phase (the throughput
   * phase): long enough for the JIT of every process on the path to settle (measured: with 3 s the
   * distributed stack served about half its steady-state rate).
   */
  initialWarmupS: number;
  /** Concurrent connections of the throughput phase. */
  connections: number;
  /** Upper bound on requests of one sequential phase, besides its duration. */
  maxRequestsPerPhase: number;
  model: string;
  maxTokens: number;
  /** Modes compared with the simulator and Portkey; empty with `BENCH_MODES=none` (soak or scale only). */
  modes: BenchMode[];
  /** Whether each mode's run also measures Portkey OSS against the same simulator. */
  portkey: boolean;
  /** Completion tokens the simulator answers, and its streaming pace (tokens/s): a multi-chunk stream. */
  streamTokens: number;
  streamRate: number;
  /**
   * `OTEL_TRACES_SAMPLER_ARG` of the Polymux processes (parent-based trace-id ratio); tracing is always
   * on. By default the production sampler's: the Kubernetes manifests' ratio (`productionTraceRatio`).
   */
  traceRatio: number;
  /** Where `traceRatio` came from: the manifests (the default) or `BENCH_TRACE_RATIO`. */
  traceRatioFrom: 'production' | 'BENCH_TRACE_RATIO';
  /** RSS sampling period during the measured phases. */
  memorySampleMs: number;
  /** Requests of the distributed soak at `connections`; undefined when no soak is asked for. */
  soakRequests?: number;
  /** RSS sampling period of the soak. */
  soakSampleS: number;
  /** Catalog and key counts of the scaling check; undefined when it is not asked for. */
  scale?: { models: number; keys: number };
  /** Recorded rounds of the in-process classification and routing timing; undefined with `BENCH_ROUTING=0`. */
  routingRounds?: number;
  outputDir: string;
  /** Extra environment for every gateway process, as `KEY=VALUE,KEY=VALUE`. */
  stackEnv: Record<string, string>;
}

const DEFAULT_SOAK_REQUESTS = 1_000_000;

const number = (name: string, fallback: number, min: number, max = Infinity): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max)
    throw new Error(`${name} must be a number between ${min} and ${max}, got ${raw}`);
  return value;
};

const flag = (name: string, fallback: boolean): boolean => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw new Error(`${name} takes 1/0 (or true/false, on/off), got ${raw}`);
};

const modes = (raw: string): BenchMode[] =>
  raw === 'none'
    ? []
    : raw.split(',').map((mode) => {
        const trimmed = mode.trim();
        if (trimmed !== 'distributed' && trimmed !== 'embedded') {
          throw new Error(`BENCH_MODES takes distributed and/or embedded (or none), got ${trimmed}`);
        }
        return trimmed;
      });

const pairs = (raw: string): Record<string, string> =>
  Object.fromEntries(
    raw
      .split(',')
      .filter((pair) => pair.includes('='))
      .map((pair) => [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim()]),
  );

/**
 * The trace ratio production runs with: `OTEL_TRACES_SAMPLER_ARG` of the Kubernetes manifests'
 * config map (Compose defaults to the same), so the bench measures tracing as deployed. The bench runs
 * from the repository root, as `bench/results` says.
 */
export const productionTraceRatio = (configMap = join(process.cwd(), 'deploy', 'k8s', 'configmap.yaml')): number => {
  const data = (parse(readFileSync(configMap, 'utf8')) as { data?: Record<string, string> }).data ?? {};
  const ratio = Number(data.OTEL_TRACES_SAMPLER_ARG);
  if (data.OTEL_TRACES_SAMPLER !== 'parentbased_traceidratio' || !(ratio >= 0 && ratio <= 1)) {
    throw new Error(`${configMap} names no parent-based trace-id ratio sampler`);
  }
  return ratio;
};

/** `BENCH_ROUTING_ROUNDS`: recorded rounds over the routing benchmark's requests (also `npm run bench:routing`'s). */
export const readRoutingRounds = (): number => Math.floor(number('BENCH_ROUTING_ROUNDS', 2_000, 1));

export const readSettings = (argv: readonly string[] = process.argv.slice(2)): BenchSettings => {
  for (const argument of argv) {
    if (argument !== '--soak' && argument !== '--scale') throw new Error(`unknown argument ${argument}`);
  }
  const durationS = number('BENCH_DURATION_S', 10, 1);
  const warmupS = number('BENCH_WARMUP_S', Math.min(3, durationS), 0);
  const soak = argv.includes('--soak') || Boolean(process.env.BENCH_SOAK);
  const scale = argv.includes('--scale') || flag('BENCH_SCALE', false);
  return {
    durationS,
    warmupS,
    initialWarmupS: number('BENCH_INITIAL_WARMUP_S', warmupS === 0 ? 0 : Math.max(warmupS, 15), 0),
    connections: Math.floor(number('BENCH_CONNECTIONS', 32, 1)),
    maxRequestsPerPhase: Math.floor(number('BENCH_MAX_REQUESTS', 200_000, 1)),
    model: process.env.BENCH_MODEL || 'gpt-4.1-mini',
    maxTokens: Math.floor(number('BENCH_MAX_TOKENS', 64, 1)),
    modes: modes(process.env.BENCH_MODES || 'distributed,embedded'),
    portkey: flag('BENCH_PORTKEY', true),
    streamTokens: Math.floor(number('BENCH_STREAM_TOKENS', 32, 2, 1_000_000)),
    streamRate: Math.floor(number('BENCH_STREAM_RATE', 1000, 1, 1_000_000)),
    traceRatio: process.env.BENCH_TRACE_RATIO ? number('BENCH_TRACE_RATIO', 1, 0, 1) : productionTraceRatio(),
    traceRatioFrom: process.env.BENCH_TRACE_RATIO ? 'BENCH_TRACE_RATIO' : 'production',
    memorySampleMs: Math.floor(number('BENCH_MEMORY_SAMPLE_MS', 250, 10)),
    soakRequests: soak ? Math.floor(number('BENCH_SOAK', DEFAULT_SOAK_REQUESTS, 1)) : undefined,
    soakSampleS: number('BENCH_SOAK_SAMPLE_S', 5, 0.1),
    scale: scale
      ? {
          models: Math.floor(number('BENCH_SCALE_MODELS', 2_000, 1)),
          keys: Math.floor(number('BENCH_SCALE_KEYS', 100_000, 10)),
        }
      : undefined,
    routingRounds: flag('BENCH_ROUTING', true) ? readRoutingRounds() : undefined,
    outputDir: process.env.BENCH_OUTPUT_DIR || 'bench/results',
    stackEnv: pairs(process.env.BENCH_STACK_ENV ?? ''),
  };
};

/** The simulator scenario every target is called with (see the provider-sim's `parseScenario`). */
export const simScenario = (settings: Pick<BenchSettings, 'streamTokens' | 'streamRate'>): string =>
  `tokens=${settings.streamTokens},rate=${settings.streamRate}`;
