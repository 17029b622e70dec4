import { describe, expect, it } from 'vitest';

import { formatUsd, parseUsd, usdOf } from './money';

describe('formatUsd', () => {
  it.each([
    ['0', '$0.00'],
    ['1', '$0.000000001'],
    ['412000', '$0.000412'],
    ['10000000000', '$10.00'],
    ['10500000000', '$10.50'],
    ['1234567891234', '$1,234.567891234'],
    ['-100060', '-$0.00010006'],
    ['-1234500000000', '-$1,234.50'],
    ['999999999999999999999', '$999,999,999,999.999999999'],
  ])('formats %s nano-USD as %s', (nano, usd) => expect(formatUsd(nano)).toBe(usd));

  it('keeps digits a float would lose', () => {
    // 0.1 + 0.2 in floats is 0.30000000000000004; 2^53 + 1 nano-USD is not a double.
    expect(formatUsd(100000000n + 200000000n)).toBe('$0.30');
    expect(formatUsd('9007199254740993')).toBe('$9,007,199.254740993');
  });

  it('signs a movement when asked', () => {
    expect(formatUsd('5000000000', { signed: true })).toBe('+$5.00');
    expect(formatUsd('-5', { signed: true })).toBe('-$0.000000005');
    expect(formatUsd('0', { signed: true })).toBe('$0.00');
  });
});

describe('parseUsd', () => {
  it.each([
    ['10', 10_000_000_000n],
    ['0.25', 250_000_000n],
    [' 1.000000001 ', 1_000_000_001n],
    ['0', 0n],
  ])('reads %s', (text, nano) => expect(parseUsd(text)).toBe(nano));

  it.each(['', '1.', '.5', '1,000', '1e3', '0.0000000001', 'ten', '-1'])('refuses %j', (text) =>
    expect(parseUsd(text)).toBeNull(),
  );

  it('reads a signed amount only when allowed', () => {
    expect(parseUsd('-1.50', { signed: true })).toBe(-1_500_000_000n);
    expect(parseUsd('-1.50')).toBeNull();
  });
});

describe('usdOf', () => {
  it.each([
    [0n, '0'],
    [1n, '0.000000001'],
    [1_500_000_000n, '1.5'],
    [-10_000_000n, '-0.01'],
  ])('writes %s nano-USD as %s', (nano, usd) => expect(usdOf(nano)).toBe(usd));

  it('round-trips with parseUsd', () => {
    for (const text of ['0.000412', '1234.567891234', '-3'])
      expect(usdOf(parseUsd(text, { signed: true })!)).toBe(text);
  });
});
