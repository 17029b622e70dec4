/** Benchmark settings, read once from `BENCH_*` variables so a quick run is one variable away. */
export interface BenchSettings {
  /** Seconds each measured phase runs. */
  durationS: number;
  /** Seconds of unmeasured traffic before each measured phase. */
  warmupS: number;
  /** Concurrent connections of the throughput phase. */
  connections: number;
  /** Upper bound on requests of one sequential phase, besides its duration. */
  maxRequestsPerPhase: number;
  model: string;
  maxTokens: number;
  modes: Array<'distributed' | 'embedded'>;
  outputDir: string;
  /** Extra environment for every gateway process, as `KEY=VALUE,KEY=VALUE`. */
  stackEnv: Record<string, string>;
}

const number = (name: string, fallback: number, min: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number >= ${min}, got ${raw}`);
  return value;
};

const modes = (raw: string): BenchSettings['modes'] =>
  raw.split(',').map((mode) => {
    const trimmed = mode.trim();
    if (trimmed !== 'distributed' && trimmed !== 'embedded') {
      throw new Error(`BENCH_MODES takes distributed and/or embedded, got ${trimmed}`);
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

export const readSettings = (): BenchSettings => {
  const durationS = number('BENCH_DURATION_S', 10, 1);
  return {
    durationS,
    warmupS: number('BENCH_WARMUP_S', Math.min(3, durationS), 0),
    connections: Math.floor(number('BENCH_CONNECTIONS', 32, 1)),
    maxRequestsPerPhase: Math.floor(number('BENCH_MAX_REQUESTS', 200_000, 1)),
    model: process.env.BENCH_MODEL || 'gpt-4.1-mini',
    maxTokens: Math.floor(number('BENCH_MAX_TOKENS', 64, 1)),
    modes: modes(process.env.BENCH_MODES || 'distributed'),
    outputDir: process.env.BENCH_OUTPUT_DIR || 'bench/results',
    stackEnv: pairs(process.env.BENCH_STACK_ENV ?? ''),
  };
};
