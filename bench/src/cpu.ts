import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Who a process's CPU time is charged to in the report: the gateway under test (Polymux or
 * Portkey), the simulator, Polymux's backing services, the load generator, or a bystander (the
 * idle Polymux processes while Portkey is measured, the OTLP receiver).
 */
export type CpuGroup = 'gateway' | 'simulator' | 'backing' | 'loadGenerator' | 'other';

export interface CpuProbe {
  label: string;
  group: CpuGroup;
  pid: number;
}

export interface CpuSnapshot {
  probes: CpuProbe[];
  /** Cumulative user + system CPU time by pid, in ms. */
  cpuMs: Map<number, number>;
}

export interface CpuUsage {
  byGroup: Record<CpuGroup, number>;
  byLabel: Record<string, number>;
}

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** `utime + stime` of one process from /proc, in ms; undefined when it is gone or there is no /proc. */
export const processCpuMs = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name start at field 3 (state); utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
};

export const cpuAccountingAvailable = (): boolean => processCpuMs(process.pid) !== undefined;

/** Every process on the machine whose command name is one of `names` (e.g. nats-server). */
export const processesNamed = (names: readonly string[]): Array<{ pid: number; name: string }> => {
  const found: Array<{ pid: number; name: string }> = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const name = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (names.includes(name)) found.push({ pid: Number(entry), name });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
};

/** A process's command line, arguments joined by spaces; undefined when it is gone. */
export const processCommandLine = (pid: number): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
};

/**
 * The database a Postgres backend serves, from the title it gives itself
 * (`postgres: 15/main: <user> <database> <host>(<port>) <state>`); undefined for the server's own
 * processes (postmaster, checkpointer, WAL writer, …), which serve every database.
 */
export const postgresBackendDatabase = (commandLine: string): string | undefined =>
  /^postgres: .*?: \S+ (\S+) (?:\[local\]|\S+\(\d+\))/.exec(commandLine)?.[1];

export const snapshotCpu = (probes: CpuProbe[]): CpuSnapshot => {
  const cpuMs = new Map<number, number>();
  for (const probe of probes) {
    const value = processCpuMs(probe.pid);
    if (value !== undefined) cpuMs.set(probe.pid, value);
  }
  return { probes, cpuMs };
};

/**
 * CPU time spent between two snapshots. A process that appeared in between (a new Postgres
 * backend, say) counts from zero; one that ended in between is lost, so backing-service figures
 * are a lower bound.
 */
export const cpuBetween = (before: CpuSnapshot, after: CpuSnapshot): CpuUsage => {
  const usage: CpuUsage = {
    byGroup: { gateway: 0, simulator: 0, backing: 0, loadGenerator: 0, other: 0 },
    byLabel: {},
  };
  for (const probe of after.probes) {
    const end = after.cpuMs.get(probe.pid);
    if (end === undefined) continue;
    const spent = Math.max(0, end - (before.cpuMs.get(probe.pid) ?? 0));
    usage.byGroup[probe.group] += spent;
    usage.byLabel[probe.label] = (usage.byLabel[probe.label] ?? 0) + spent;
  }
  return usage;
};
