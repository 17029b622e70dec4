import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';

import type { UsageGroup } from '../../api/types';
import { usd } from '../../ui/format';

/** At most this many series; the rest are summed as "Other". */
const SERIES = 6;
const COLOURS = ['#2952cc', '#c2410c', '#15803d', '#7e22ce', '#0e7490', '#b91c1c', '#6b7280'];
const NONE = '(none)';

export interface SpendSeries {
  buckets: string[];
  names: string[];
  /** One row per bucket: its label and each series' charged USD. */
  rows: Array<Record<string, string | number>>;
}

const bucketLabel = (iso: string, hourly: boolean) =>
  new Date(iso).toLocaleString(
    'en-GB',
    hourly
      ? { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' }
      : { day: 'numeric', month: 'short' },
  );

/** Pivots bucketed groups into chart rows: the dearest values as their own series, the others summed. */
export const spendSeries = (groups: UsageGroup[], dimension: string, hourly: boolean): SpendSeries => {
  const valueOf = (group: UsageGroup) => group.group[dimension] ?? NONE;
  const totals = new Map<string, number>();
  for (const group of groups) totals.set(valueOf(group), (totals.get(valueOf(group)) ?? 0) + Number(group.chargedUsd));
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
  const shown = ranked.length > SERIES + 1 ? ranked.slice(0, SERIES) : ranked;
  const names = ranked.length > shown.length ? [...shown, 'Other'] : shown;
  const byBucket = new Map<string, Record<string, string | number>>();
  for (const group of groups) {
    const bucket = group.bucket ?? '';
    const row = byBucket.get(bucket) ?? { bucket: bucketLabel(bucket, hourly) };
    const name = shown.includes(valueOf(group)) ? valueOf(group) : 'Other';
    row[name] = Number(row[name] ?? 0) + Number(group.chargedUsd);
    byBucket.set(bucket, row);
  }
  const buckets = [...byBucket.keys()].sort();
  return { buckets, names, rows: buckets.map((bucket) => byBucket.get(bucket)!) };
};

/**
 * Spend over time as stacked bars, one colour per value of the dimension, with the same figures as
 * a table (the chart's text alternative, for screen readers and for reading exact amounts).
 */
export function SpendChart({ series, dimensionLabel }: { series: SpendSeries; dimensionLabel: string }) {
  return (
    <figure className="chart">
      <figcaption>Spend over time by {dimensionLabel.toLowerCase()} (charged, USD)</figcaption>
      <div className="chart-canvas" aria-hidden="true">
        <BarChart responsive accessibilityLayer={false} data={series.rows} className="chart-svg">
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="bucket" />
          <YAxis tickFormatter={(value: number) => usd(String(value))} width={96} />
          <Tooltip formatter={(value) => usd(String(value))} />
          <Legend />
          {series.names.map((name, index) => (
            <Bar
              key={name}
              dataKey={name}
              stackId="spend"
              fill={COLOURS[index % COLOURS.length]}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </div>
      <details>
        <summary>Show the chart as a table</summary>
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Spend over time">
          <table>
            <thead>
              <tr>
                <th scope="col">Period</th>
                {series.names.map((name) => (
                  <th scope="col" key={name}>
                    {name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {series.rows.map((row) => (
                <tr key={String(row.bucket)}>
                  <th scope="row">{row.bucket}</th>
                  {series.names.map((name) => (
                    <td key={name}>{usd(String(row[name] ?? 0))}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** The dearest values (models) by charged spend as horizontal bars, with the figures beside each as text. */
export function TopChart({ groups, dimension }: { groups: UsageGroup[]; dimension: string }) {
  const top = [...groups]
    .sort((a, b) => (BigInt(b.chargedNanoUsd) > BigInt(a.chargedNanoUsd) ? 1 : -1))
    .slice(0, 5)
    .map((group) => ({
      name: group.group[dimension] ?? NONE,
      charged: Number(group.chargedUsd),
      label: group.chargedUsd,
    }));
  return (
    <figure className="chart">
      <figcaption>Top models by cost</figcaption>
      <div className="chart-canvas small" aria-hidden="true">
        <BarChart responsive accessibilityLayer={false} layout="vertical" data={top} className="chart-svg">
          <XAxis type="number" tickFormatter={(value: number) => usd(String(value))} />
          <YAxis type="category" dataKey="name" width={140} />
          <Tooltip formatter={(value) => usd(String(value))} />
          <Bar dataKey="charged" fill={COLOURS[0]} isAnimationActive={false} />
        </BarChart>
      </div>
      <ol className="top-list">
        {top.map((entry) => (
          <li key={entry.name}>
            <span>{entry.name}</span> <span>{usd(entry.label)}</span>
          </li>
        ))}
      </ol>
    </figure>
  );
}
