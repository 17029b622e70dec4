import { performance } from 'node:perf_hooks';

import { Client } from 'pg';

import { cpuAccountingAvailable } from './cpu';
import type { Footprint } from './compare';
import { footprint } from './compare';
import type { OtlpReceiver } from './otlp';
import type { CpuPerRequest } from './phases';
import { log, measureTarget, preflightPatiently } from './phases';
import type { BenchStack } from './polymux';
import { startBenchStack } from './polymux';
import { meterFor } from './probes';
import type { BenchSettings } from './settings';
import { gatewayTarget } from './target';

/** Distinct keys the scaling check's traffic cycles through, at every size. */
export const ACTIVE_KEYS = 10;
/** A size of the check: the keys, and the models (absent: the shipped catalog as it is). */
export interface ScaleSize {
  models?: number;
  keys: number;
}

export interface ScalePoint {
  /** Models in the catalog the stack started with; the asked count when it did not start (none for the shipped catalog). */
  models?: number;
  keys: number;
  error?: string;
  /** Names (models and aliases) `GET /v1/models` lists to the bench key: the catalog really loaded. */
  namesListed?: number;
  startMs?: number;
  insertKeysMs?: number;
  requestsPerSecond?: number;
  latencyP50Ms?: number;
  latencyP99Ms?: number;
  firstChunkP50Ms?: number;
  /** Polymux processes plus NATS, Redis and Postgres, per request of the throughput phase. */
  cpuMsPerRequest?: number;
  /** Same, at one connection. */
  cpuMsPerRequestOneConnection?: number;
  memory?: Footprint;
}

export interface ScaleResult {
  activeKeys: number;
  points: ScalePoint[];
}

const withBacking = (cpu: CpuPerRequest | undefined) => (cpu ? cpu.gateway + cpu.backing : undefined);

const secretOf = (prefix: string, index: number) => `${prefix}${index}`;

/**
 * Adds `count` API keys to the default project of a fresh Polymux database in one statement,
 * straight into control's `api_keys` table: the same rows `ControlService.createKey` writes
 * (sha256 hex of the secret, display prefix, no scopes), without 100,000 admin calls and audit
 * records. Secrets are `<prefix><n>`, n from 1.
 */
export const insertKeys = async (databaseUrl: string, prefix: string, count: number): Promise<void> => {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const inserted = await client.query(
      `insert into control.api_keys (org_id, team_id, project_id, name, key_hash, key_prefix)
       select p.org_id, p.team_id, p.id, 'bench-' || g, encode(sha256(convert_to($1 || g, 'UTF8')), 'hex'), left($1, 10)
       from control.projects p cross join generate_series(1, $2::int) g
       where p.name = 'default'`,
      [prefix, count],
    );
    if (inserted.rowCount !== count) throw new Error(`inserted ${inserted.rowCount} keys, expected ${count}`);
  } finally {
    await client.end();
  }
};

const namesListed = async (ingressUrl: string, key: string): Promise<number> => {
  const response = await fetch(`${ingressUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
  if (!response.ok) throw new Error(`GET /v1/models answered ${response.status}`);
  return ((await response.json()) as { data: unknown[] }).data.length;
};

/** The smaller size, the shipped catalog and ten keys, then the asked one. */
export const scaleSizes = (large: BenchSettings['scale']): ScaleSize[] => [
  { keys: ACTIVE_KEYS },
  ...(large ? [large] : []),
];

const measurePoint = async (size: ScaleSize, settings: BenchSettings, receiver: OtlpReceiver): Promise<ScalePoint> => {
  const started = performance.now();
  let bench: BenchStack;
  try {
    bench = await startBenchStack('distributed', settings, receiver, {
      catalogModels: size.models,
      requireScratchDatabase: true,
    });
  } catch (error) {
    return { ...size, error: `the stack did not start: ${String(error)}` };
  }
  const point: ScalePoint = { models: bench.catalogModels, keys: size.keys, startMs: performance.now() - started };
  try {
    const prefix = `pmx-bench-scale-${bench.bootstrapKey.slice(-8)}-`;
    const inserting = performance.now();
    // The bootstrap key is one of the `keys`.
    await insertKeys(bench.databaseUrl!, prefix, size.keys - 1);
    point.insertKeysMs = performance.now() - inserting;
    const active = [
      bench.bootstrapKey,
      ...Array.from({ length: ACTIVE_KEYS - 1 }, (_, index) => secretOf(prefix, index + 1)),
    ];
    const target = gatewayTarget(bench.stack.ingressUrl, bench.bootstrapKey, active);
    await preflightPatiently(target, settings, 30_000);
    point.namesListed = await namesListed(bench.stack.ingressUrl, bench.bootstrapKey);
    const meter = cpuAccountingAvailable() ? meterFor(bench, 'gateway', { receiverPid: receiver.pid }) : undefined;
    const results = await measureTarget(`scale ${point.models} models/${size.keys} keys`, target, settings, meter);
    point.requestsPerSecond = results.load.requestsPerSecond;
    point.latencyP50Ms = results.latency.totalMs.p50;
    point.latencyP99Ms = results.latency.totalMs.p99;
    point.firstChunkP50Ms = results.streaming.firstChunkMs.p50;
    point.cpuMsPerRequest = withBacking(results.load.cpuMsPerRequest);
    point.cpuMsPerRequestOneConnection = withBacking(results.latency.cpuMsPerRequest);
    point.memory = footprint(results.memory);
    return point;
  } catch (error) {
    return { ...point, error: `${String(error)} (process logs: ${bench.stack.logDir})` };
  } finally {
    await bench.stop();
  }
};

/**
 * The scaling check: distributed Polymux with the shipped catalog and 10 keys, then with
 * `settings.scale.models` models and `settings.scale.keys` keys, the traffic spread over the same
 * number of distinct keys each time; cost per request should not move.
 */
export const runScale = async (settings: BenchSettings, receiver: OtlpReceiver): Promise<ScaleResult> => {
  const points: ScalePoint[] = [];
  for (const size of scaleSizes(settings.scale)) {
    log(`scale: ${size.models ?? 'the shipped'} models, ${size.keys} keys`);
    points.push(await measurePoint(size, settings, receiver));
  }
  return { activeKeys: ACTIVE_KEYS, points };
};
