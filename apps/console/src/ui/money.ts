/**
 * Money as the admin API gives it: integer nano-USD strings (1 USD = 10⁹ nano-USD). Formatted and
 * parsed with bigint only, never a float, so every digit shown is the ledger's.
 */
const NANO = 1_000_000_000n;

/** `"-1234500000000"` → `-$1,234.50`; at least two decimals, then as many as the amount has (up to nine). */
export const formatUsd = (nano: string | bigint, { signed = false }: { signed?: boolean } = {}): string => {
  const value = typeof nano === 'bigint' ? nano : BigInt(nano);
  const abs = value < 0n ? -value : value;
  const whole = (abs / NANO).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const digits = (abs % NANO).toString().padStart(9, '0').replace(/0+$/, '').padEnd(2, '0');
  const sign = value < 0n ? '-' : signed && value > 0n ? '+' : '';
  return `${sign}$${whole}.${digits}`;
};

const AMOUNT = /^(-)?(\d+)(?:\.(\d{1,9}))?$/;

/**
 * A typed USD amount (`"10"`, `"0.25"`, `"-1.50"` when `signed`) as nano-USD, or null when it is not
 * one: at most nine decimals, no grouping, no exponent.
 */
export const parseUsd = (text: string, { signed = false }: { signed?: boolean } = {}): bigint | null => {
  const match = AMOUNT.exec(text.trim());
  if (!match || (match[1] && !signed)) return null;
  const nano = BigInt(match[2]!) * NANO + BigInt((match[3] ?? '').padEnd(9, '0'));
  return match[1] ? -nano : nano;
};

/** Nano-USD as the decimal USD string the admin API takes (`"1.5"`, `"-0.000000001"`). */
export const usdOf = (nano: bigint): string => {
  const abs = nano < 0n ? -nano : nano;
  const fraction = (abs % NANO).toString().padStart(9, '0').replace(/0+$/, '');
  return `${nano < 0n ? '-' : ''}${abs / NANO}${fraction ? `.${fraction}` : ''}`;
};
