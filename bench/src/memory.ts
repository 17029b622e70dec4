import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import type { CpuGroup, CpuProbe } from './cpu';

const MIB = 1024 * 1024;

const pageBytes = (() => {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;
  } catch {
    return 4096;
  }
})();

/** Resident set size of one process from `/proc/<pid>/statm` (cheap enough to sample often), in MiB. */
export const processRssMb = (pid: number): number | undefined => {
  try {
    const resident = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return Number.isFinite(resident) ? (resident * pageBytes) / MIB : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Proportional set size (shared pages divided among the processes sharing them) from
 * `/proc/<pid>/smaps_rollup`, in MiB: what a process's memory costs the machine. About 1 ms per
 * read, so sampled less often than RSS (every `pssEvery` samples) and once at the end of a phase.
 */
export const processPssMb = (pid: number): number | undefined => {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
};

/** One process label (all `postgres` processes share one) over a phase, in MiB. */
export interface ProcessMemory {
  label: string;
  group: CpuGroup;
  /** How many processes had the label at the last sample. */
  processes: number;
  peakRssMb: number;
  endRssMb: number;
  peakPssMb?: number;
  endPssMb?: number;
}

export interface MemoryUsage {
  samples: number;
  processes: ProcessMemory[];
  /**
   * The labels of `stackGroups` together: the largest sum seen at one sample, and at the end. RSS
   * counts a page shared by several processes (Postgres's buffers) once for each; PSS divides it.
   */
  stack: { groups: CpuGroup[]; peakRssMb: number; endRssMb: number; peakPssMb?: number; endPssMb?: number };
}

/** One sample: per label, the summed RSS of its processes (MiB), and on some samples their PSS. */
export interface MemorySample {
  atS: number;
  rssMb: Record<string, number>;
  pssMb?: Record<string, number>;
}

const sumBy = (probes: CpuProbe[], read: (pid: number) => number | undefined): Record<string, number> => {
  const sums: Record<string, number> = {};
  for (const probe of probes) {
    const value = read(probe.pid);
    if (value !== undefined) sums[probe.label] = (sums[probe.label] ?? 0) + value;
  }
  return sums;
};

const sampleOf = (probes: CpuProbe[], startedAt: number, withPss: boolean): MemorySample => ({
  atS: (performance.now() - startedAt) / 1000,
  rssMb: sumBy(probes, processRssMb),
  ...(withPss ? { pssMb: sumBy(probes, processPssMb) } : {}),
});

/**
 * Samples the RSS of `probes()` every `periodMs` until `stop()`, re-listing the processes every
 * few samples (Postgres backends come and go). `stop()` also reads each process's PSS once.
 */
export const startMemorySampler = (
  probes: () => CpuProbe[],
  periodMs: number,
  stackGroups: CpuGroup[],
  relistEvery = 8,
  pssEvery = 4,
) => {
  const startedAt = performance.now();
  const series: MemorySample[] = [];
  const groups = new Map<string, CpuGroup>();
  let current = probes();
  let ticks = 0;
  const take = () => {
    if (ticks % relistEvery === 0) current = probes();
    ticks += 1;
    for (const probe of current) groups.set(probe.label, probe.group);
    series.push(sampleOf(current, startedAt, (ticks - 1) % pssEvery === 0));
  };
  take();
  const timer = setInterval(take, periodMs);
  timer.unref();
  return {
    series,
    stop: (): MemoryUsage => {
      clearInterval(timer);
      current = probes();
      ticks = 0;
      take(); // the last sample: with PSS, as the first of a series is
      const counts: Record<string, number> = {};
      for (const probe of current) counts[probe.label] = (counts[probe.label] ?? 0) + 1;
      const end = series[series.length - 1]!;
      const pss = end.pssMb ?? {};
      const pssSamples = series.flatMap((sample) => (sample.pssMb ? [sample.pssMb] : []));
      const inStack = (label: string) => stackGroups.includes(groups.get(label) ?? 'other');
      const stackSum = (values: Record<string, number>) =>
        Object.entries(values).reduce((sum, [label, mb]) => sum + (inStack(label) ? mb : 0), 0);
      const processes = [...groups].map(([label, group]) => ({
        label,
        group,
        processes: counts[label] ?? 0,
        peakRssMb: Math.max(0, ...series.map((sample) => sample.rssMb[label] ?? 0)),
        endRssMb: end.rssMb[label] ?? 0,
        peakPssMb: Math.max(0, ...pssSamples.map((sample) => sample[label] ?? 0)),
        endPssMb: pss[label],
      }));
      const havePss = Object.keys(pss).length > 0;
      return {
        samples: series.length,
        processes,
        stack: {
          groups: stackGroups,
          peakRssMb: Math.max(0, ...series.map((sample) => stackSum(sample.rssMb))),
          endRssMb: stackSum(end.rssMb),
          peakPssMb: havePss ? Math.max(0, ...pssSamples.map(stackSum)) : undefined,
          endPssMb: havePss ? stackSum(pss) : undefined,
        },
      };
    },
  };
};
