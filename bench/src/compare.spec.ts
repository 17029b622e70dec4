import type { ModeFigures } from './compare';
import { addedCost, checkTargets, compare, polymuxCpuMsPerRequest } from './compare';
import type { MemoryUsage } from './memory';
import type { CpuPerRequest, TargetResults } from './phases';
import { summarize } from './stats';

const cpu = (gateway: number, backing = 0): CpuPerRequest => ({
  gateway,
  backing,
  simulator: 0.1,
  loadGenerator: 0.05,
  other: 0,
  byProcess: {},
});

const memory = (
  processes: Array<[string, number]>,
  backingMb: number,
  peakPssMb?: number,
): { load: MemoryUsage; end: MemoryUsage } => {
  const usage: MemoryUsage = {
    samples: 10,
    processes: [
      ...processes.map(([label, peakRssMb]) => ({
        label,
        group: 'gateway' as const,
        processes: 1,
        peakRssMb,
        endRssMb: peakRssMb,
      })),
      { label: 'postgres', group: 'backing', processes: 5, peakRssMb: backingMb, endRssMb: backingMb },
    ],
    stack: {
      groups: ['gateway', 'backing'],
      peakRssMb: processes.reduce((sum, [, mb]) => sum + mb, backingMb),
      endRssMb: 0,
      ...(peakPssMb === undefined ? {} : { peakPssMb }),
      endPssMb: 42,
    },
  };
  return { load: usage, end: usage };
};

const results = (figures: {
  rps: number;
  latencyMs: number;
  firstChunkMs: number;
  gapsMs: number[];
  cpu?: CpuPerRequest;
  memory?: { load: MemoryUsage; end: MemoryUsage };
}): TargetResults => ({
  requestsSent: 100,
  load: {
    connections: 32,
    durationS: 10,
    ok: figures.rps * 10,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    requestsPerSecond: figures.rps,
    latencyMs: { mean: 1, p50: 1, p90: 1, p99: 1, max: 1 },
    cpuMsPerRequest: figures.cpu,
  },
  latency: { ok: 100, errors: 0, totalMs: summarize([figures.latencyMs, figures.latencyMs + 1]) },
  streaming: {
    ok: 10,
    errors: 0,
    firstChunkMs: summarize([figures.firstChunkMs]),
    totalMs: summarize([30]),
    chunkGapMs: summarize(figures.gapsMs),
    contentEventsPerStream: summarize([32]),
  },
  memory: figures.memory,
});

const direct = results({ rps: 8000, latencyMs: 0.2, firstChunkMs: 0.3, gapsMs: [1, 1, 1], cpu: cpu(0.01) });

describe('targets', () => {
  it('judges the distributed figures and the embedded throughput against the thresholds', () => {
    const gateway = results({
      rps: 3000,
      latencyMs: 1.2,
      firstChunkMs: 2.3,
      gapsMs: [1.1, 1.1, 1.1],
      cpu: cpu(0.5, 0.2),
      memory: memory(
        [
          ['ingress', 120],
          ['executor', 160],
        ],
        300,
        820,
      ),
    });
    const portkey = results({ rps: 1000, latencyMs: 1, firstChunkMs: 1, gapsMs: [0, 0, 3], cpu: cpu(0.9) });
    const distributed: ModeFigures = {
      mode: 'distributed',
      direct,
      gateway,
      portkey,
      added: addedCost(direct, gateway, polymuxCpuMsPerRequest(gateway)),
      portkeyAdded: addedCost(direct, portkey, portkey.load.cpuMsPerRequest?.gateway),
    };
    const embeddedGateway = results({ rps: 1400, latencyMs: 1, firstChunkMs: 1, gapsMs: [1] });
    const embedded: ModeFigures = { mode: 'embedded', direct, gateway: embeddedGateway };

    const checks = checkTargets([distributed, embedded], 32);
    const byTarget = Object.fromEntries(checks.map((check) => [check.target, check]));
    expect(byTarget['Throughput at 32 connections ≥ 2.5× Portkey']).toMatchObject({ measured: 3, met: true });
    expect(byTarget['Added latency p50, 1 connection']).toMatchObject({ met: true });
    expect(byTarget['Added latency p50, 1 connection'].measured).toBeCloseTo(1);
    expect(byTarget['Added time to first streamed chunk (p50)']).toMatchObject({ met: false });
    expect(byTarget['Added gap between streamed chunks (mean)'].measured).toBeCloseTo(0.1);
    expect(byTarget['Added gap between streamed chunks (mean)'].met).toBe(true);
    expect(byTarget['CPU per request, all processes incl. NATS/Redis/Postgres'].measured).toBeCloseTo(0.7);
    // Judged on PSS when it was read (shared pages counted once), the RSS sum given beside it.
    expect(byTarget['Whole stack memory under load (Polymux + nats-server + redis-server + postgres)']).toMatchObject({
      measured: 820,
      met: false,
      note: 'peak sum of PSS; peak sum of RSS 580.0 MB',
    });
    expect(byTarget['No Polymux service above 150 MB RSS']).toMatchObject({
      measured: 160,
      met: false,
      note: 'largest: executor',
    });
    expect(byTarget['Embedded throughput at 32 connections']).toMatchObject({ measured: 1400, met: false });

    const comparison = compare(distributed)!;
    expect(comparison.throughputRatio).toBe(3);
    expect(comparison.portkey.cpuMsPerRequest).toBe(0.9);
    expect(comparison.portkey.chunkGapMeanMs).toBeCloseTo(0);
  });

  it('judges the whole stack on the sum of RSS when no PSS could be read', () => {
    const gateway = results({
      rps: 3000,
      latencyMs: 1,
      firstChunkMs: 1,
      gapsMs: [1],
      cpu: cpu(0.5),
      memory: memory([['ingress', 120]], 300),
    });
    const [check] = checkTargets([{ mode: 'distributed', direct, gateway }], 32).filter((each) =>
      each.target.startsWith('Whole stack memory'),
    );
    expect(check).toMatchObject({ measured: 420, met: true, note: 'peak sum of RSS (no PSS readable)' });
  });

  it('marks what was not measured instead of judging it', () => {
    const checks = checkTargets([{ mode: 'distributed', error: 'did not start' } as ModeFigures], 32);
    expect(checks).toHaveLength(9);
    for (const check of checks) expect(check).toMatchObject({ measured: undefined, met: undefined });
  });

  it("counts the gateway's processes and the backing services, not the simulator, as CPU per request", () => {
    const gateway = results({ rps: 1500, latencyMs: 1, firstChunkMs: 1, gapsMs: [1], cpu: cpu(1.3, 0.4) });
    expect(polymuxCpuMsPerRequest(gateway)).toBeCloseTo(1.7);
    expect(polymuxCpuMsPerRequest(results({ rps: 1, latencyMs: 1, firstChunkMs: 1, gapsMs: [1] }))).toBeUndefined();
  });
});
