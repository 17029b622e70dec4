import type { CpuGroup, CpuProbe } from './cpu';
import { postgresBackendDatabase, processCommandLine, processesNamed } from './cpu';
import type { Meter } from './phases';
import type { BenchStack } from './polymux';
import type { Target } from './target';

const BACKING_PROCESSES = ['nats-server', 'redis-server', 'postgres'] as const;

/**
 * Postgres backends of other databases serve someone else (tests running on the same server):
 * with a database of its own, the run counts only its backends and the server's shared processes.
 */
const servesRun = (pid: number, name: string, database: string | undefined): boolean => {
  if (name !== 'postgres' || !database) return true;
  const served = postgresBackendDatabase(processCommandLine(pid) ?? '');
  return served === undefined || served === database;
};

/** Processes besides the stack's that the benchmark runs. */
export interface Bystanders {
  portkeyPid?: number;
  receiverPid?: number;
}

/**
 * What each process's CPU and memory are charged to while `target` is measured: Polymux's
 * processes (and, distributed, the backing services found machine-wide by name) when the calls go
 * to the simulator or through Polymux; only Portkey's process when they go through Portkey, the
 * idle Polymux processes then being bystanders. The simulator is a process of its own in both
 * modes. Re-listed at every snapshot, since Postgres backends come and go.
 */
export const meterFor = (bench: BenchStack, target: Target['name'], bystanders: Bystanders): Meter => {
  const viaPortkey = target === 'portkey';
  const polymuxGroup: CpuGroup = viaPortkey ? 'other' : 'gateway';
  const probes = (): CpuProbe[] => {
    const found: CpuProbe[] = [];
    for (const [name, child] of bench.stack.processes) {
      if (child.pid === undefined || child.exitCode !== null) continue;
      found.push({ label: name, group: name === 'provider-sim' ? 'simulator' : polymuxGroup, pid: child.pid });
    }
    if (bench.mode === 'distributed') {
      for (const { pid, name } of processesNamed(BACKING_PROCESSES)) {
        if (servesRun(pid, name, bench.databaseName))
          found.push({ label: name, group: viaPortkey ? 'other' : 'backing', pid });
      }
    }
    if (bystanders.portkeyPid !== undefined)
      found.push({ label: 'portkey', group: viaPortkey ? 'gateway' : 'other', pid: bystanders.portkeyPid });
    if (bystanders.receiverPid !== undefined)
      found.push({ label: 'otlp receiver', group: 'other', pid: bystanders.receiverPid });
    found.push({ label: 'load generator', group: 'loadGenerator', pid: process.pid });
    return found;
  };
  return { probes, memoryGroups: viaPortkey ? ['gateway'] : ['gateway', 'backing'] };
};
