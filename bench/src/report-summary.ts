import type { Comparison, TargetCheck } from './compare';
import { fmt, signed, table } from './report-format';
import type { ScalePoint, ScaleResult } from './scale';
import type { BenchSettings } from './settings';

type Reported = Omit<BenchSettings, 'outputDir'>;
import type { SoakResult } from './soak';
import { FLAT_TOLERANCE } from './soak';

export const targetsSection = (targets: TargetCheck[]): string[] => [
  '## Targets',
  '',
  ...table(
    ['Target', 'Mode', 'Measured', 'Threshold', 'Result'],
    targets.map((check) => [
      check.target,
      check.mode,
      `${fmt(check.measured, check.unit)}${check.note ? ` (${check.note})` : ''}`,
      `${check.comparison === '>=' ? '≥' : '≤'} ${check.threshold}${check.unit}`,
      check.met === undefined ? 'not measured' : check.met ? 'met' : '**not met**',
    ]),
  ),
];

export const comparisonSection = (comparisons: Comparison[], settings: Reported): string[] => {
  if (comparisons.length === 0) return [];
  const header = ['Measure'];
  for (const comparison of comparisons) header.push(`Polymux ${comparison.mode}`, `Portkey (${comparison.mode} run)`);
  const row = (name: string, cell: (side: Comparison['polymux']) => string) => [
    name,
    ...comparisons.flatMap((comparison) => [cell(comparison.polymux), cell(comparison.portkey)]),
  ];
  return [
    '## Polymux vs Portkey OSS',
    '',
    'Each mode\'s run measures Portkey against the same simulator, with the identical request body; "added" is each',
    'gateway minus the direct calls of that run.',
    '',
    ...table(header, [
      row(`Throughput, ${settings.connections} connections (req/s)`, (side) => fmt(side.requestsPerSecond)),
      [
        'Throughput, Polymux ÷ Portkey',
        ...comparisons.flatMap((comparison) => [`${fmt(comparison.throughputRatio, '×')}`, '']),
      ],
      row('Added latency p50, 1 connection', (side) => signed(side.latencyP50Ms)),
      row('Added latency p99, 1 connection', (side) => signed(side.latencyP99Ms)),
      row('Added first streamed chunk p50', (side) => signed(side.firstChunkP50Ms)),
      row('Added gap between chunks, mean', (side) => signed(side.chunkGapMeanMs)),
      row('Added gap between chunks p99', (side) => signed(side.chunkGapP99Ms)),
      row('CPU per request incl. backing services² (ms)', (side) => fmt(side.cpuMsPerRequest)),
      row('RSS total, peak during throughput (MB)', (side) => fmt(side.memory?.peakRssMb)),
      row('PSS total at end (MB)', (side) => fmt(side.memory?.endPssMb)),
    ]),
  ];
};

export const soakSection = (soak: SoakResult | undefined): string[] => {
  if (!soak) return [];
  const lines = [
    '## Soak (distributed)',
    '',
    `${soak.requests} non-streaming requests at ${soak.connections} connections after the warm-up, RSS of every process`,
    `sampled every ${soak.sampleS} s; "flat" when the end is at most ${FLAT_TOLERANCE * 100} % above the middle sample.`,
    '',
  ];
  if (soak.error || !soak.series || !soak.load) return [...lines, `Not measured: ${soak.error ?? 'no result'}`, ''];
  const { load } = soak;
  const cpu = load.cpuMsPerRequest;
  lines.push(
    `Served ${load.ok} (${load.non2xx} non-2xx, ${load.errors} errors) in ${fmt(load.durationS)} s: ${fmt(load.requestsPerSecond)} req/s,` +
      ` latency p50 ${fmt(load.latencyMs.p50)} ms, p99 ${fmt(load.latencyMs.p99)} ms` +
      `${cpu ? `, CPU ${fmt(cpu.gateway + cpu.backing)} ms/request incl. backing services` : ''}; ${soak.samples} samples.`,
    '',
    ...table(
      ['Process', 'Start RSS (MB)', 'Middle', 'End', 'Growth', 'Flat'],
      soak.series.map((series) => [
        series.label === 'stack' ? '**whole stack**' : series.label,
        fmt(series.startMb),
        fmt(series.middleMb),
        fmt(series.endMb),
        signed(series.growthMb, ' MB'),
        series.flat ? 'flat' : '**growing**',
      ]),
    ),
  );
  return lines;
};

/** A size as the report names it: the shipped catalog's count once the stack read it. */
export const scaleLabel = (point: Pick<ScalePoint, 'models' | 'keys'>): string =>
  `${point.models === undefined ? 'shipped catalog' : `${point.models} models`} / ${point.keys} keys`;

export const scaleSection = (scale: ScaleResult | undefined): string[] => {
  if (!scale) return [];
  const lines = [
    '## Scaling: catalog and key count',
    '',
    `Distributed mode restarted on a fresh database per size; the traffic cycles through ${scale.activeKeys} distinct keys at each size.`,
    "Keys beyond the bootstrap key are inserted straight into control's `api_keys` table (one statement).",
    '',
  ];
  const rows = scale.points.map((point) => [
    scaleLabel(point),
    point.error ? `error: ${point.error}` : fmt(point.namesListed),
    fmt(point.insertKeysMs),
    fmt(point.requestsPerSecond),
    fmt(point.cpuMsPerRequest),
    fmt(point.cpuMsPerRequestOneConnection),
    fmt(point.latencyP50Ms),
    fmt(point.latencyP99Ms),
    fmt(point.firstChunkP50Ms),
    fmt(point.memory?.peakRssMb),
  ]);
  const [small, large] = scale.points;
  if (small && large && !small.error && !large.error) {
    const ratio = (value: (point: typeof small) => number | undefined) => {
      const a = value(small);
      const b = value(large);
      return a !== undefined && b !== undefined ? fmt(b / a, '×') : 'n/a';
    };
    rows.push([
      '**large ÷ small**',
      '',
      '',
      ratio((point) => point.requestsPerSecond),
      ratio((point) => point.cpuMsPerRequest),
      ratio((point) => point.cpuMsPerRequestOneConnection),
      ratio((point) => point.latencyP50Ms),
      ratio((point) => point.latencyP99Ms),
      ratio((point) => point.firstChunkP50Ms),
      ratio((point) => point.memory?.peakRssMb),
    ]);
  }
  lines.push(
    ...table(
      [
        'Size',
        'Names in GET /v1/models',
        'Key insert (ms)',
        'Throughput (req/s)',
        'CPU ms/request²',
        'CPU ms/request, 1 conn',
        'Latency p50, 1 conn (ms)',
        'Latency p99, 1 conn (ms)',
        'First chunk p50 (ms)',
        'Stack RSS peak (MB)',
      ],
      rows,
    ),
  );
  return lines;
};
