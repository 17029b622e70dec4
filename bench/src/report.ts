import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { join, resolve } from 'node:path';

import type { Comparison, TargetCheck } from './compare';
import type { ModeResult } from './modes';
import { modeSection } from './report-mode';
import { routingSections } from './report-routing';
import { comparisonSection, scaleSection, soakSection, targetsSection } from './report-summary';
import type { RoutingBenchResult } from './routing';
import type { ScaleResult } from './scale';
import type { BenchSettings } from './settings';
import type { SoakResult } from './soak';
import { round } from './stats';

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
  /** The simulator scenario every target was called with. */
  scenario: string;
  portkeyVersion?: string;
  results: ModeResult[];
  comparisons: Comparison[];
  targets: TargetCheck[];
  soak?: SoakResult;
  scale?: ScaleResult;
  /** Classification and routing latency in process, and the mixed workload's cost (`BENCH_ROUTING=0`: absent). */
  routing?: RoutingBenchResult;
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

export const toMarkdown = (report: BenchReport): string => {
  const { machine, settings } = report;
  const compared = settings.portkey ? ` and through Portkey OSS ${report.portkeyVersion ?? ''}`.trimEnd() : '';
  return [
    '# Polymux benchmark',
    '',
    `Generated ${report.generatedAt} by \`npm run bench\`${machine.commit ? ` at commit ${machine.commit}` : ''}.`,
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}.`,
    '',
    `Every measure sends the identical request body (model \`${settings.model}\`, max_tokens ${settings.maxTokens}) to the provider`,
    `simulator directly, through Polymux${compared}, on the same machine; "adds" is the difference. The simulator`,
    `answers with scenario \`${report.scenario}\` (${settings.streamTokens} completion tokens, streamed one event per token at`,
    `${settings.streamRate} tokens/s). Tracing is on as in production: every Polymux process exports its spans over OTLP/HTTP`,
    `to a local receiver (parent-based trace-id ratio sampler, ratio ${settings.traceRatio}` +
      `${settings.traceRatioFrom === 'production' ? ": the Kubernetes manifests' production default" : ', BENCH_TRACE_RATIO'}).`,
    `Each phase runs ${settings.durationS} s after ${settings.warmupS} s of warm-up (the first of each target, at ${settings.connections} connections, after ${settings.initialWarmupS} s). The load generator, the simulator, the`,
    'gateways and the backing services share the same cores, so absolute numbers depend on the machine; the targets',
    "below are the performance issue's, judged on this run.",
    '',
    ...targetsSection(report.targets),
    ...comparisonSection(report.comparisons, settings),
    ...report.results.flatMap((result) => modeSection(result, settings)),
    ...soakSection(report.soak),
    ...scaleSection(report.scale),
    ...routingSections(report.routing),
    '¹ nats-server, redis-server and postgres processes found machine-wide by name (distributed mode only); of the',
    "Postgres backends only those of the run's scratch database. Anything else using NATS, Redis or the Postgres",
    "server's shared processes at the same time is counted too, and Postgres backends that ended mid-phase are not.",
    'In both modes the simulator is a process of its own (as a provider is), so its CPU is in no Polymux figure.',
    '',
    '² Throughput phase: Polymux processes plus nats-server, redis-server and postgres. Portkey: its one process.',
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
