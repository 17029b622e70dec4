/** How the console writes numbers: money from the API's USD strings, tokens and counts grouped. */

const number = new Intl.NumberFormat('en-US');

export const count = (value: number): string => number.format(value);

/**
 * A USD amount from the API's decimal string, to the cent when that is exact enough, else to four
 * significant digits (LLM calls often cost a fraction of a cent). Display only: sums stay in the API.
 */
export const usd = (amount: string): string => {
  const value = Number(amount);
  if (value === 0) return '$0.00';
  const digits =
    Math.abs(value) >= 1 ? { minimumFractionDigits: 2, maximumFractionDigits: 2 } : { maximumSignificantDigits: 4 };
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', ...digits }).format(value);
};

export const percent = (ratio: number): string =>
  new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
