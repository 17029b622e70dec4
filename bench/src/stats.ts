export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array. */
const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

export const summarize = (values: number[]): Summary => {
  const sorted = [...values].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? NaN : total / sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    min: sorted.length === 0 ? NaN : sorted[0],
    max: sorted.length === 0 ? NaN : sorted[sorted.length - 1],
  };
};

/** Rounds for reports: 3 significant decimals below 10, 1 above. */
export const round = (value: number): number =>
  Number.isFinite(value) ? Number(value.toFixed(Math.abs(value) < 10 ? 3 : 1)) : value;
