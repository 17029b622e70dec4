import { round } from './stats';

/** A number for a table cell, or n/a. */
export const fmt = (value: number | undefined, unit = ''): string =>
  value === undefined || !Number.isFinite(value) ? 'n/a' : `${round(value)}${unit}`;

/** A difference for a table cell, with its sign. */
export const signed = (value: number | undefined, unit = ' ms'): string =>
  value === undefined || !Number.isFinite(value) ? 'n/a' : `${value >= 0 ? '+' : ''}${round(value)}${unit}`;

/** A Markdown table from a header row and body rows; the first column left-aligned, the rest right. */
export const table = (header: string[], rows: string[][]): string[] => [
  `| ${header.join(' | ')} |`,
  `| ${header.map((_, index) => (index === 0 ? '---' : '---:')).join(' | ')} |`,
  ...rows.map((row) => `| ${row.join(' | ')} |`),
  '',
];
