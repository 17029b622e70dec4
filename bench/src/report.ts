import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { join, resolve } from 'node:path';

import type { CpuPerRequest, TargetResults } from './phases';
import type { BenchSettings } from './settings';
import { round } from './stats';

export interface ModeResult {
  mode: 'distributed' | 'embedded';
  /** Why the mode could not be measured; the numbers below are then missing. */
  error?: string;
  /** Gateway processes whose CPU counts as "gateway" (name → pid). */
  processes?: Record<string, number>;
  direct?: TargetResults;
  gateway?: TargetResults;
  added?: AddedCost;
}

/** Gateway minus direct: what Polymux adds to the same call (ms), and its throughput ratio. */
export interface AddedCost {
  throughputRatio: number;
  loadLatencyP50Ms: number;
  loadLatencyP99Ms: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  firstChunkP50Ms: number;
  firstChunkP99Ms: number;
  gatewayCpuMsPerRequest?: number;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  commit?: string;
}

export interface BenchReport {
  generatedAt: string;
  machine: MachineInfo;
  settings: Omit<BenchSettings, 'outputDir'>;
  results: ModeResult[];
}

export const machineInfo = (): MachineInfo => {
  let commit: string | undefined;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    commit = undefined;
  }
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: round(totalmem() / 1024 ** 3),
    os: `${type()} ${release()}`,
    node: process.version,
    commit,
  };
};

export const addedCost = (direct: TargetResults, gateway: TargetResults): AddedCost => ({
  throughputRatio: gateway.load.requestsPerSecond / direct.load.requestsPerSecond,
  loadLatencyP50Ms: gateway.load.latencyMs.p50 - direct.load.latencyMs.p50,
  loadLatencyP99Ms: gateway.load.latencyMs.p99 - direct.load.latencyMs.p99,
  latencyP50Ms: gateway.latency.totalMs.p50 - direct.latency.totalMs.p50,
  latencyP99Ms: gateway.latency.totalMs.p99 - direct.latency.totalMs.p99,
  firstChunkP50Ms: gateway.streaming.firstChunkMs.p50 - direct.streaming.firstChunkMs.p50,
  firstChunkP99Ms: gateway.streaming.firstChunkMs.p99 - direct.streaming.firstChunkMs.p99,
  gatewayCpuMsPerRequest: gateway.load.cpuMsPerRequest?.gateway,
});

const fmt = (value: number | undefined, unit = ''): string =>
  value === undefined || !Number.isFinite(value) ? 'n/a' : `${round(value)}${unit}`;
const signed = (value: number | undefined, unit = ' ms'): string =>
  value === undefined || !Number.isFinite(value) ? 'n/a' : `${value >= 0 ? '+' : ''}${round(value)}${unit}`;

const failures = (label: string, results: TargetResults): string[] => {
  const lines: string[] = [];
  const { load, latency, streaming } = results;
  if (load.non2xx + load.errors > 0)
    lines.push(`- ${label} throughput: ${load.non2xx} non-2xx, ${load.errors} errors (${load.timeouts} timeouts)`);
  if (latency.errors > 0) lines.push(`- ${label} latency: ${latency.errors} errors, first: ${latency.firstError}`);
  if (streaming.errors > 0)
    lines.push(`- ${label} streaming: ${streaming.errors} errors, first: ${streaming.firstError}`);
  return lines;
};

const cpuRow = (phase: string, direct?: CpuPerRequest, gateway?: CpuPerRequest) =>
  `| ${phase} | ${fmt(gateway?.gateway)} | ${fmt(gateway?.backing)} | ${fmt(gateway?.simulator)} | ${fmt(direct?.simulator)} | ${fmt(gateway?.loadGenerator)} |`;

const modeSection = (result: ModeResult, settings: BenchReport['settings']): string[] => {
  const lines = [`## ${result.mode} mode`, ''];
  if (result.error || !result.direct || !result.gateway || !result.added) {
    return [...lines, `Not measured: ${result.error ?? 'no result'}`, ''];
  }
  const { direct, gateway, added } = result;
  lines.push(
    '| Measure | Direct to simulator | Through Polymux | Polymux adds |',
    '| --- | ---: | ---: | ---: |',
    `| Throughput, ${settings.connections} connections (req/s) | ${fmt(direct.load.requestsPerSecond)} | ${fmt(gateway.load.requestsPerSecond)} | ${fmt(added.throughputRatio * 100, ' %')} of direct |`,
    `| Latency p50 under load (ms) | ${fmt(direct.load.latencyMs.p50)} | ${fmt(gateway.load.latencyMs.p50)} | ${signed(added.loadLatencyP50Ms)} |`,
    `| Latency p99 under load (ms) | ${fmt(direct.load.latencyMs.p99)} | ${fmt(gateway.load.latencyMs.p99)} | ${signed(added.loadLatencyP99Ms)} |`,
    `| Latency p50, 1 connection (ms) | ${fmt(direct.latency.totalMs.p50)} | ${fmt(gateway.latency.totalMs.p50)} | ${signed(added.latencyP50Ms)} |`,
    `| Latency p99, 1 connection (ms) | ${fmt(direct.latency.totalMs.p99)} | ${fmt(gateway.latency.totalMs.p99)} | ${signed(added.latencyP99Ms)} |`,
    `| First streamed chunk p50 (ms) | ${fmt(direct.streaming.firstChunkMs.p50)} | ${fmt(gateway.streaming.firstChunkMs.p50)} | ${signed(added.firstChunkP50Ms)} |`,
    `| First streamed chunk p99 (ms) | ${fmt(direct.streaming.firstChunkMs.p99)} | ${fmt(gateway.streaming.firstChunkMs.p99)} | ${signed(added.firstChunkP99Ms)} |`,
    `| Whole stream p50 (ms) | ${fmt(direct.streaming.totalMs.p50)} | ${fmt(gateway.streaming.totalMs.p50)} | ${signed(gateway.streaming.totalMs.p50 - direct.streaming.totalMs.p50)} |`,
    `| Requests measured (load / 1 conn / stream) | ${direct.load.ok} / ${direct.latency.ok} / ${direct.streaming.ok} | ${gateway.load.ok} / ${gateway.latency.ok} / ${gateway.streaming.ok} | |`,
    '',
  );
  if (gateway.load.cpuMsPerRequest) {
    lines.push(
      'CPU time per request (user + system, ms), from /proc:',
      '',
      '| Phase | Polymux processes | Backing services¹ | Simulator (via Polymux) | Simulator (direct) | Load generator |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      cpuRow('Throughput', direct.load.cpuMsPerRequest, gateway.load.cpuMsPerRequest),
      cpuRow('1 connection', direct.latency.cpuMsPerRequest, gateway.latency.cpuMsPerRequest),
      cpuRow('Streaming', direct.streaming.cpuMsPerRequest, gateway.streaming.cpuMsPerRequest),
      '',
      `By process (throughput phase, ms/request): ${Object.entries(gateway.load.cpuMsPerRequest.byProcess)
        .map(([name, ms]) => `${name} ${fmt(ms)}`)
        .join(', ')}.`,
      '',
    );
  }
  const problems = [...failures('direct', direct), ...failures('gateway', gateway)];
  if (problems.length > 0)
    lines.push('Failures during the run (numbers above count successes only):', '', ...problems, '');
  return lines;
};

export const toMarkdown = (report: BenchReport): string => {
  const { machine, settings } = report;
  return [
    '# Polymux benchmark',
    '',
    `Generated ${report.generatedAt} by \`npm run bench\`${machine.commit ? ` at commit ${machine.commit}` : ''}.`,
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}.`,
    '',
    `Every measure sends the identical request body (model \`${settings.model}\`, max_tokens ${settings.maxTokens}) to the provider`,
    'simulator directly and through Polymux, on the same machine; "Polymux adds" is the difference.',
    `Each phase runs ${settings.durationS} s after ${settings.warmupS} s of warm-up. The load generator, the simulator, the`,
    'Polymux processes and the backing services share the same cores, so absolute numbers depend on the machine;',
    'they are a report, not a pass/fail threshold.',
    '',
    ...report.results.flatMap((result) => modeSection(result, settings)),
    '¹ nats-server, redis-server and postgres processes found machine-wide by name (distributed mode only);',
    'anything else using them at the same time is counted too, and Postgres backends that ended mid-phase are not.',
    'In the embedded mode the simulator runs inside the Polymux process when the launcher starts it there, so its',
    'CPU is part of "Polymux processes".',
    '',
  ].join('\n');
};

export const writeReport = (outputDir: string, report: BenchReport): { json: string; markdown: string } => {
  const dir = resolve(outputDir);
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'latest.json');
  const markdown = join(dir, 'latest.md');
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdown, toMarkdown(report));
  return { json, markdown };
};
