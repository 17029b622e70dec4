import type { MemoryUsage } from './memory';
import type { ModeResult } from './modes';
import type { CpuPerRequest, MeteredCpu, TargetResults } from './phases';
import { fmt, signed, table } from './report-format';
import type { BenchSettings } from './settings';

type Reported = Omit<BenchSettings, 'outputDir'>;

const failures = (label: string, results: TargetResults | undefined): string[] => {
  if (!results) return [];
  const lines: string[] = [];
  const { load, latency, streaming } = results;
  if (load.non2xx + load.errors > 0)
    lines.push(`- ${label} throughput: ${load.non2xx} non-2xx, ${load.errors} errors (${load.timeouts} timeouts)`);
  if (latency.errors > 0) lines.push(`- ${label} latency: ${latency.errors} errors, first: ${latency.firstError}`);
  if (streaming.errors > 0)
    lines.push(`- ${label} streaming: ${streaming.errors} errors, first: ${streaming.firstError}`);
  return lines;
};

type Row = [string, (results: TargetResults) => number, 'ratio' | 'ms'];

const measures = (connections: number): Row[] => [
  [`Throughput, ${connections} connections (req/s)`, (r) => r.load.requestsPerSecond, 'ratio'],
  ['Latency p50 under load (ms)', (r) => r.load.latencyMs.p50, 'ms'],
  ['Latency p99 under load (ms)', (r) => r.load.latencyMs.p99, 'ms'],
  ['Latency p50, 1 connection (ms)', (r) => r.latency.totalMs.p50, 'ms'],
  ['Latency p99, 1 connection (ms)', (r) => r.latency.totalMs.p99, 'ms'],
  ['First streamed chunk p50 (ms)', (r) => r.streaming.firstChunkMs.p50, 'ms'],
  ['First streamed chunk p99 (ms)', (r) => r.streaming.firstChunkMs.p99, 'ms'],
  ['Gap between streamed chunks, mean (ms)', (r) => r.streaming.chunkGapMs.mean, 'ms'],
  ['Gap between streamed chunks p50 (ms)', (r) => r.streaming.chunkGapMs.p50, 'ms'],
  ['Gap between streamed chunks p99 (ms)', (r) => r.streaming.chunkGapMs.p99, 'ms'],
  ['Whole stream p50 (ms)', (r) => r.streaming.totalMs.p50, 'ms'],
];

const addedCell = (kind: Row[1 | 2], direct: number, through: number) =>
  kind === 'ratio' ? `${fmt((through / direct) * 100, ' %')} of direct` : signed(through - direct);

const measuresTable = (result: ModeResult, settings: Reported): string[] => {
  const { direct, gateway, portkey } = result as Required<Pick<ModeResult, 'direct' | 'gateway'>> & ModeResult;
  const header = ['Measure', 'Direct to simulator', 'Through Polymux', 'Polymux adds'];
  if (portkey) header.push('Through Portkey', 'Portkey adds');
  const rows = measures(settings.connections).map(([name, value, kind]) => {
    const row = [name, fmt(value(direct)), fmt(value(gateway)), addedCell(kind, value(direct), value(gateway))];
    if (portkey) row.push(fmt(value(portkey)), addedCell(kind, value(direct), value(portkey)));
    return row;
  });
  const counts = (r: TargetResults) => `${r.load.ok} / ${r.latency.ok} / ${r.streaming.ok}`;
  const events = (r: TargetResults) => fmt(r.streaming.contentEventsPerStream.mean);
  rows.push([
    'Content events per stream (mean)',
    events(direct),
    events(gateway),
    '',
    ...(portkey ? [events(portkey), ''] : []),
  ]);
  rows.push([
    'Requests measured (load / 1 conn / stream)',
    counts(direct),
    counts(gateway),
    '',
    ...(portkey ? [counts(portkey), ''] : []),
  ]);
  return table(header, rows);
};

/** A CPU cell: the figure, or why a metered phase has none (`n/a` when it was not metered). */
const cpuCell = (phase: MeteredCpu | undefined, figure: (cpu: CpuPerRequest) => number): string =>
  phase?.cpuMsPerRequest ? fmt(figure(phase.cpuMsPerRequest)) : (phase?.cpuUnmeasured ?? 'n/a');

const cpuRow = (phase: string, direct?: MeteredCpu, gateway?: MeteredCpu, portkey?: MeteredCpu) => [
  phase,
  cpuCell(gateway, (cpu) => cpu.gateway),
  cpuCell(gateway, (cpu) => cpu.backing),
  cpuCell(gateway, (cpu) => cpu.simulator),
  cpuCell(direct, (cpu) => cpu.simulator),
  cpuCell(gateway, (cpu) => cpu.loadGenerator),
  ...(portkey ? [cpuCell(portkey, (cpu) => cpu.gateway), cpuCell(portkey, (cpu) => cpu.simulator)] : []),
];

const metered = (phase: MeteredCpu | undefined): boolean =>
  phase?.cpuMsPerRequest !== undefined || phase?.cpuUnmeasured !== undefined;

const cpuTable = (result: ModeResult): string[] => {
  const { direct, gateway, portkey } = result;
  if (!direct || !gateway || !metered(gateway.load)) return [];
  const header = [
    'Phase',
    'Polymux processes',
    'Backing services¹',
    'Simulator (via Polymux)',
    'Simulator (direct)',
    'Load generator',
  ];
  if (portkey) header.push('Portkey process', 'Simulator (via Portkey)');
  const byProcess = gateway.load.cpuMsPerRequest?.byProcess;
  return [
    'CPU time per successful request (user + system, ms), from /proc:',
    '',
    ...table(header, [
      cpuRow('Throughput', direct.load, gateway.load, portkey?.load),
      cpuRow('1 connection', direct.latency, gateway.latency, portkey?.latency),
      cpuRow('Streaming', direct.streaming, gateway.streaming, portkey?.streaming),
    ]),
    byProcess
      ? `By process (throughput phase through Polymux, ms/request): ${Object.entries(byProcess)
          .map(([name, ms]) => `${name} ${fmt(ms)}`)
          .join(', ')}.`
      : `By process (throughput phase through Polymux): ${gateway.load.cpuUnmeasured}.`,
    '',
  ];
};

const memoryRows = (load: MemoryUsage, end: MemoryUsage, totalLabel: string): string[][] => {
  const own = load.processes.filter((process) => load.stack.groups.includes(process.group));
  const endOf = (label: string) => end.processes.find((process) => process.label === label);
  const rows = own.map((process) => [
    `${process.label}${process.processes > 1 ? ` (${process.processes} processes)` : ''}`,
    fmt(process.peakRssMb),
    fmt(process.peakPssMb),
    fmt(endOf(process.label)?.endRssMb),
    fmt(endOf(process.label)?.endPssMb),
  ]);
  rows.push([
    `**${totalLabel}**`,
    `**${fmt(load.stack.peakRssMb)}**`,
    `**${fmt(load.stack.peakPssMb)}**`,
    `**${fmt(end.stack.endRssMb)}**`,
    `**${fmt(end.stack.endPssMb)}**`,
  ]);
  return rows;
};

const memoryTable = (result: ModeResult): string[] => {
  const { gateway, portkey } = result;
  if (!gateway?.memory) return [];
  const rows = memoryRows(gateway.memory.load, gateway.memory.end, 'Polymux stack');
  if (portkey?.memory) rows.push(...memoryRows(portkey.memory.load, portkey.memory.end, 'Portkey'));
  return [
    'Memory (MB): RSS sampled every few hundred ms and PSS every fourth sample during the throughput phase (peak), and both after the last phase (end); PSS',
    'divides shared pages among the processes that share them (Postgres backends share their buffers):',
    '',
    ...table(['Process', 'Peak RSS, throughput', 'Peak PSS, throughput', 'RSS at end', 'PSS at end'], rows),
  ];
};

const tracingLine = (result: ModeResult): string[] => {
  const tracing = result.tracing;
  if (!tracing) return [];
  return [
    `Tracing: every Polymux process exported to a local OTLP/HTTP receiver (${tracing.contentTypes.join(', ') || 'nothing received'};`,
    `sampler ${tracing.sampler}, ratio ${tracing.ratio}). While Polymux was measured: ${tracing.traceExports} trace exports,`,
    `${tracing.spans} spans (${fmt(tracing.spansPerRequest)} per request over ${tracing.requests} requests` +
      `${tracing.ratio < 1 && tracing.ratio > 0 ? `, ${fmt(tracing.spansPerSampledRequest ?? NaN)} per traced request` : ''}), ${fmt(tracing.bytes / 1024 / 1024)} MiB` +
      `${tracing.unreadable > 0 ? `, ${tracing.unreadable} bodies unreadable` : ''}.`,
    '',
  ];
};

export const modeSection = (result: ModeResult, settings: Reported): string[] => {
  const lines = [`## ${result.mode} mode`, ''];
  if (result.error || !result.direct || !result.gateway || !result.added) {
    return [...lines, `Not measured: ${result.error ?? 'no result'}`, ''];
  }
  if (result.portkeyError) lines.push(`Portkey not measured: ${result.portkeyError}`, '');
  lines.push(...measuresTable(result, settings), ...cpuTable(result), ...memoryTable(result), ...tracingLine(result));
  const problems = [
    ...failures('direct', result.direct),
    ...failures('Polymux', result.gateway),
    ...failures('Portkey', result.portkey),
  ];
  if (problems.length > 0)
    lines.push('Failures during the run (numbers above count successes only):', '', ...problems, '');
  return lines;
};
