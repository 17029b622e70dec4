import type { MemoryUsage } from './memory';
import type { TargetResults } from './phases';
import type { BenchMode } from './settings';

/** A gateway (Polymux or Portkey) minus direct calls to the same simulator: what it adds (ms), and its throughput ratio. */
export interface AddedCost {
  throughputRatio: number;
  loadLatencyP50Ms: number;
  loadLatencyP99Ms: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  firstChunkP50Ms: number;
  firstChunkP99Ms: number;
  wholeStreamP50Ms: number;
  chunkGapMeanMs: number;
  chunkGapP50Ms: number;
  chunkGapP99Ms: number;
  /** CPU of the gateway's own processes and of its backing services, per request of the throughput phase. */
  cpuMsPerRequest?: number;
}

export const addedCost = (direct: TargetResults, through: TargetResults, cpuMsPerRequest?: number): AddedCost => ({
  throughputRatio: through.load.requestsPerSecond / direct.load.requestsPerSecond,
  loadLatencyP50Ms: through.load.latencyMs.p50 - direct.load.latencyMs.p50,
  loadLatencyP99Ms: through.load.latencyMs.p99 - direct.load.latencyMs.p99,
  latencyP50Ms: through.latency.totalMs.p50 - direct.latency.totalMs.p50,
  latencyP99Ms: through.latency.totalMs.p99 - direct.latency.totalMs.p99,
  firstChunkP50Ms: through.streaming.firstChunkMs.p50 - direct.streaming.firstChunkMs.p50,
  firstChunkP99Ms: through.streaming.firstChunkMs.p99 - direct.streaming.firstChunkMs.p99,
  wholeStreamP50Ms: through.streaming.totalMs.p50 - direct.streaming.totalMs.p50,
  chunkGapMeanMs: through.streaming.chunkGapMs.mean - direct.streaming.chunkGapMs.mean,
  chunkGapP50Ms: through.streaming.chunkGapMs.p50 - direct.streaming.chunkGapMs.p50,
  chunkGapP99Ms: through.streaming.chunkGapMs.p99 - direct.streaming.chunkGapMs.p99,
  cpuMsPerRequest,
});

/**
 * Polymux's CPU per request in the throughput phase: its processes plus NATS, Redis and Postgres.
 * The simulator is a process of its own in both modes, so none of its CPU is in the figure.
 */
export const polymuxCpuMsPerRequest = (gateway: TargetResults): number | undefined => {
  const through = gateway.load.cpuMsPerRequest;
  return through ? through.gateway + through.backing : undefined;
};

/** The memory figures the comparison and the targets use. */
export interface Footprint {
  /** Largest sum of the gateway's (and its backing services') RSS at one sample of the throughput phase. */
  peakRssMb: number;
  endRssMb: number;
  /** Largest sum of their PSS (shared pages divided among the processes sharing them) at one sample. */
  peakPssMb?: number;
  endPssMb?: number;
  /** The gateway's own process with the largest peak RSS in the throughput phase. */
  largest?: { label: string; peakRssMb: number };
}

export const footprint = (memory: { load: MemoryUsage; end: MemoryUsage } | undefined): Footprint | undefined => {
  if (!memory) return undefined;
  const own = memory.load.processes.filter((process) => process.group === 'gateway');
  const largest = own.reduce<Footprint['largest']>(
    (max, process) =>
      !max || process.peakRssMb > max.peakRssMb ? { label: process.label, peakRssMb: process.peakRssMb } : max,
    undefined,
  );
  return {
    peakRssMb: memory.load.stack.peakRssMb,
    endRssMb: memory.end.stack.endRssMb,
    ...(memory.load.stack.peakPssMb === undefined ? {} : { peakPssMb: memory.load.stack.peakPssMb }),
    endPssMb: memory.end.stack.endPssMb,
    largest,
  };
};

/** Polymux (one mode) next to Portkey, each measured against the same simulator in that mode's run. */
export interface Comparison {
  mode: BenchMode;
  /** Polymux's requests per second over Portkey's, at the throughput phase's connections. */
  throughputRatio: number;
  polymux: AddedCost & { requestsPerSecond: number; memory?: Footprint };
  portkey: AddedCost & { requestsPerSecond: number; memory?: Footprint };
}

export interface TargetCheck {
  target: string;
  mode: BenchMode;
  /** The value as the report shows it, with its unit. */
  measured?: number;
  unit: string;
  threshold: number;
  comparison: '>=' | '<=';
  /** Undefined when the value could not be measured. */
  met?: boolean;
  note?: string;
}

const check = (
  target: string,
  mode: BenchMode,
  measured: number | undefined,
  comparison: TargetCheck['comparison'],
  threshold: number,
  unit: string,
  note?: string,
): TargetCheck => {
  const known = measured !== undefined && Number.isFinite(measured);
  return {
    target,
    mode,
    measured: known ? measured : undefined,
    unit,
    threshold,
    comparison,
    met: known ? (comparison === '>=' ? measured >= threshold : measured <= threshold) : undefined,
    note,
  };
};

/** Per mode: Polymux and Portkey measured in that mode's run, as far as they were. */
export interface ModeFigures {
  mode: BenchMode;
  direct?: TargetResults;
  gateway?: TargetResults;
  portkey?: TargetResults;
  added?: AddedCost;
  portkeyAdded?: AddedCost;
}

export const compare = (figures: ModeFigures): Comparison | undefined => {
  const { mode, gateway, portkey, added, portkeyAdded } = figures;
  if (!gateway || !portkey || !added || !portkeyAdded) return undefined;
  return {
    mode,
    throughputRatio: gateway.load.requestsPerSecond / portkey.load.requestsPerSecond,
    polymux: { ...added, requestsPerSecond: gateway.load.requestsPerSecond, memory: footprint(gateway.memory) },
    portkey: { ...portkeyAdded, requestsPerSecond: portkey.load.requestsPerSecond, memory: footprint(portkey.memory) },
  };
};

/**
 * The performance issue's targets. All but the last are the distributed mode's (the product); the
 * embedded mode has a throughput floor of its own.
 */
export const checkTargets = (results: ModeFigures[], connections: number): TargetCheck[] => {
  const distributed = results.find((result) => result.mode === 'distributed');
  const embedded = results.find((result) => result.mode === 'embedded');
  const added = distributed?.added;
  const memory = footprint(distributed?.gateway?.memory);
  const portkeyRps = distributed?.portkey?.load.requestsPerSecond;
  const polymuxRps = distributed?.gateway?.load.requestsPerSecond;
  return [
    check(
      `Throughput at ${connections} connections ≥ 2.5× Portkey`,
      'distributed',
      polymuxRps !== undefined && portkeyRps ? polymuxRps / portkeyRps : undefined,
      '>=',
      2.5,
      '×',
    ),
    check('Added latency p50, 1 connection', 'distributed', added?.latencyP50Ms, '<=', 1.5, ' ms'),
    check('Added latency p99, 1 connection', 'distributed', added?.latencyP99Ms, '<=', 4, ' ms'),
    check('Added time to first streamed chunk (p50)', 'distributed', added?.firstChunkP50Ms, '<=', 1.5, ' ms'),
    check('Added gap between streamed chunks (mean)', 'distributed', added?.chunkGapMeanMs, '<=', 0.2, ' ms'),
    check(
      'CPU per request, all processes incl. NATS/Redis/Postgres',
      'distributed',
      added?.cpuMsPerRequest,
      '<=',
      0.8,
      ' ms',
      'throughput phase',
    ),
    // The machine's memory the stack takes: PSS, which counts a page several processes share (the
    // Postgres backends' buffers) once; the sum of RSS, which counts it in each, is shown beside it.
    check(
      'Whole stack memory under load (Polymux + nats-server + redis-server + postgres)',
      'distributed',
      memory?.peakPssMb ?? memory?.peakRssMb,
      '<=',
      800,
      ' MB',
      memory?.peakPssMb !== undefined
        ? `peak sum of PSS; peak sum of RSS ${memory.peakRssMb.toFixed(1)} MB`
        : 'peak sum of RSS (no PSS readable)',
    ),
    check(
      'No Polymux service above 150 MB RSS',
      'distributed',
      memory?.largest?.peakRssMb,
      '<=',
      150,
      ' MB',
      memory?.largest ? `largest: ${memory.largest.label}` : undefined,
    ),
    check(
      `Embedded throughput at ${connections} connections`,
      'embedded',
      embedded?.gateway?.load.requestsPerSecond,
      '>=',
      1500,
      ' req/s',
      embedded ? undefined : 'BENCH_MODES without embedded',
    ),
  ];
};
