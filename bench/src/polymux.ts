import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ScratchDatabase, Stack } from '@polymux/testing';
import { createScratchDatabase, deleteNatsNamespace, startStack } from '@polymux/testing';
import { Redis } from 'ioredis';

import { writeBenchCatalog } from './catalog';
import type { OtlpReceiver } from './otlp';
import { log } from './phases';
import type { BenchMode, BenchSettings } from './settings';
import { simScenario } from './settings';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/polymux';

export interface BenchStack {
  mode: BenchMode;
  stack: Stack;
  bootstrapKey: string;
  /** The database of this run (a scratch database of its own when the server allows one). */
  databaseUrl?: string;
  /** The scratch database's name, when the run has one (its Postgres backends are told apart by it). */
  databaseName?: string;
  catalogModels: number;
  stop: () => Promise<void>;
}

/** Deletes every Redis key of the run's prefix (counters, balances, breaker state). */
const deleteRedisPrefix = async (redisUrl: string, prefix: string): Promise<void> => {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
};

/**
 * Starts Polymux in `mode` as the benchmark runs it: tracing on (every process exports to the
 * bench's OTLP receiver with the parent-based trace-id ratio sampler, as in production; the
 * simulator exports nothing), the bench catalog (every deployment under the simulator scenario),
 * and in the distributed mode a scratch database, NATS subject prefix and Redis key prefix of its
 * own, all removed by `stop()`.
 */
export const startBenchStack = async (
  mode: BenchMode,
  settings: BenchSettings,
  receiver: OtlpReceiver,
  options: { catalogModels?: number; requireScratchDatabase?: boolean } = {},
): Promise<BenchStack> => {
  const run = randomBytes(4).toString('hex');
  const bootstrapKey = process.env.BENCH_BOOTSTRAP_KEY || `pmx-bench-${randomBytes(16).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'polymux-bench-'));
  const catalog = writeBenchCatalog(dir, simScenario(settings), {
    models: options.catalogModels,
    model: settings.model,
  });
  const natsPrefix = `bench-${run}`;
  const redisPrefix = `polymux-bench-${run}:`;
  let scratch: ScratchDatabase | undefined;
  if (mode === 'distributed') {
    try {
      scratch = await createScratchDatabase(process.env.DATABASE_URL || DEFAULT_DATABASE_URL, `polymux_bench_${run}`);
    } catch (error) {
      if (options.requireScratchDatabase) throw new Error(`cannot create a scratch database: ${String(error)}`);
      log(`${mode}: no scratch database (${String(error)}); using DATABASE_URL as it is`);
    }
  }
  const cleanUp = async () => {
    if (mode === 'distributed') {
      const natsUrl = process.env.NATS_URL || 'nats://127.0.0.1:4222';
      await deleteNatsNamespace(natsUrl, natsPrefix).catch((error: unknown) => log(`NATS clean-up: ${String(error)}`));
      await deleteRedisPrefix(process.env.REDIS_URL || 'redis://127.0.0.1:6379', redisPrefix).catch((error: unknown) =>
        log(`Redis clean-up: ${String(error)}`),
      );
    }
    await scratch?.drop().catch((error: unknown) => log(`dropping the scratch database: ${String(error)}`));
    rmSync(dir, { recursive: true, force: true });
  };
  log(`${mode}: starting the stack (${catalog.models} models${scratch ? ', scratch database' : ''})`);
  let stack: Stack;
  try {
    stack = await startStack({
      mode,
      bootstrapKey,
      // The upstream is a process of its own in both modes, as a provider is: in the embedded mode it
      // would otherwise share the gateway's one thread and be measured as the gateway's work.
      separateSimulator: true,
      env: {
        LOG_LEVEL: 'warn',
        // Own subjects and counters, so a stack someone else runs on the same NATS/Redis is not disturbed.
        NATS_SUBJECT_PREFIX: natsPrefix,
        REDIS_KEY_PREFIX: redisPrefix,
        POLYMUX_CATALOG_FILE: catalog.file,
        ...(scratch ? { DATABASE_URL: scratch.url } : {}),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: String(settings.traceRatio),
        ...settings.stackEnv,
      },
      // The simulator stands in for a provider, whose spans are not the gateway's.
      processEnv: { 'provider-sim': { OTEL_SDK_DISABLED: 'true' } },
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return {
    mode,
    stack,
    bootstrapKey,
    databaseUrl:
      scratch?.url ?? (mode === 'distributed' ? process.env.DATABASE_URL || DEFAULT_DATABASE_URL : undefined),
    databaseName: scratch ? new URL(scratch.url).pathname.slice(1) : undefined,
    catalogModels: catalog.models,
    stop: async () => {
      log(`${mode}: stopping the stack`);
      await stack.stop();
      await cleanUp();
    },
  };
};
