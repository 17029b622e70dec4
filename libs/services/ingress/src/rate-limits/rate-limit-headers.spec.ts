import type { ScopedRateLimits } from '@polymux/contracts';

import { rateLimitHeaders, resetDuration } from './rate-limit-headers';

describe('resetDuration', () => {
  it.each([
    [0, '0ms'],
    [250.2, '251ms'],
    [1_000, '1s'],
    [12_500, '12.5s'],
    [59_999, '59.999s'],
    [60_000, '1m0s'],
    [90_000, '1m30s'],
  ])('spells %d ms as %s', (ms, spelled) => {
    expect(resetDuration(ms)).toBe(spelled);
  });
});

describe('rateLimitHeaders', () => {
  const project: ScopedRateLimits = { scope: 'project', scopeId: 'p', rpm: 100, tpm: 1_000 };
  const key: ScopedRateLimits = { scope: 'key', scopeId: 'k', rpm: 3 };

  it('reports the scope with the least left of each limit', () => {
    const use = [
      { requests: 10, tokens: 900, inFlight: 0 },
      { requests: 2, tokens: 900, inFlight: 0 },
    ];
    expect(rateLimitHeaders([project, key], use, 42_000)).toEqual({
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '1',
      'x-ratelimit-reset-requests': '42s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '100',
      'x-ratelimit-reset-tokens': '42s',
    });
  });

  it('never reports less than nothing left, and leaves out limits no scope sets', () => {
    const use = [{ requests: 5, tokens: 0, inFlight: 0 }];
    expect(rateLimitHeaders([key], use, 500)).toEqual({
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '500ms',
    });
    expect(rateLimitHeaders([{ scope: 'org', scopeId: 'o', maxConcurrent: 2 }], use, 500)).toEqual({});
  });
});
