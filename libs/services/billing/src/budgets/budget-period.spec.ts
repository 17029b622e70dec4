import { PeriodCache, periodAt } from './budget-period';

const at = (iso: string) => Date.parse(iso);
const bounds = (period: Parameters<typeof periodAt>[0], zone: string, iso: string) => {
  const { startMs, endMs } = periodAt(period, zone, at(iso));
  return [new Date(startMs).toISOString(), new Date(endMs).toISOString()];
};

describe('budget periods, calendar-aligned in a time zone', () => {
  it('starts a day at local midnight, in UTC and in zones east and west of it', () => {
    expect(bounds('daily', 'UTC', '2025-06-10T23:59:59.999Z')).toEqual([
      '2025-06-10T00:00:00.000Z',
      '2025-06-11T00:00:00.000Z',
    ]);
    expect(bounds('daily', 'Asia/Kolkata', '2025-06-10T20:00:00Z')).toEqual([
      '2025-06-10T18:30:00.000Z',
      '2025-06-11T18:30:00.000Z',
    ]);
    expect(bounds('daily', 'America/Los_Angeles', '2025-06-10T05:00:00Z')).toEqual([
      '2025-06-09T07:00:00.000Z',
      '2025-06-10T07:00:00.000Z',
    ]);
    expect(bounds('daily', 'Pacific/Kiritimati', '2025-06-10T09:59:59Z')).toEqual([
      '2025-06-09T10:00:00.000Z',
      '2025-06-10T10:00:00.000Z',
    ]);
  });

  it('gives the days daylight saving shortens and lengthens 23 and 25 hours', () => {
    const [springStart, springEnd] = bounds('daily', 'Europe/Berlin', '2025-03-30T12:00:00Z');
    expect([springStart, springEnd]).toEqual(['2025-03-29T23:00:00.000Z', '2025-03-30T22:00:00.000Z']);
    const [autumnStart, autumnEnd] = bounds('daily', 'Europe/Berlin', '2025-10-26T12:00:00Z');
    expect(Date.parse(autumnEnd) - Date.parse(autumnStart)).toBe(25 * 3_600_000);
  });

  it('starts a day whose midnight daylight saving skips at the first instant it has', () => {
    // Chile moved its clocks from 24:00 to 01:00 on 8 September 2024: that day had no midnight.
    expect(bounds('daily', 'America/Santiago', '2024-09-08T12:00:00Z')).toEqual([
      '2024-09-08T04:00:00.000Z',
      '2024-09-09T03:00:00.000Z',
    ]);
    expect(bounds('daily', 'America/Santiago', '2024-09-08T03:59:59Z')).toEqual([
      '2024-09-07T04:00:00.000Z',
      '2024-09-08T04:00:00.000Z',
    ]);
  });

  it('starts a week on Monday, across month and year ends', () => {
    expect(bounds('weekly', 'UTC', '2025-01-01T10:00:00Z')).toEqual([
      '2024-12-30T00:00:00.000Z',
      '2025-01-06T00:00:00.000Z',
    ]);
    // Sunday evening in New York is Monday in UTC: the week is New York's.
    expect(bounds('weekly', 'America/New_York', '2025-06-16T02:00:00Z')).toEqual([
      '2025-06-09T04:00:00.000Z',
      '2025-06-16T04:00:00.000Z',
    ]);
    expect(bounds('weekly', 'Europe/Berlin', '2025-06-16T02:00:00Z')).toEqual([
      '2025-06-15T22:00:00.000Z',
      '2025-06-22T22:00:00.000Z',
    ]);
  });

  it('starts a month on the 1st, in the zone, in leap and other years', () => {
    expect(bounds('monthly', 'UTC', '2024-02-29T23:00:00Z')).toEqual([
      '2024-02-01T00:00:00.000Z',
      '2024-03-01T00:00:00.000Z',
    ]);
    // 31 December 13:00 UTC is already 1 January in Auckland (UTC+13 in summer).
    expect(bounds('monthly', 'Pacific/Auckland', '2024-12-31T13:00:00Z')).toEqual([
      '2024-12-31T11:00:00.000Z',
      '2025-01-31T11:00:00.000Z',
    ]);
    expect(bounds('monthly', 'Australia/Lord_Howe', '2025-04-15T00:00:00Z')).toEqual([
      '2025-03-31T13:00:00.000Z',
      '2025-04-30T13:30:00.000Z',
    ]);
  });

  it('answers the period that contains the instant: its start is in, its end is out', () => {
    for (const period of ['daily', 'weekly', 'monthly'] as const) {
      for (const zone of ['UTC', 'Europe/Berlin', 'America/Santiago', 'Asia/Kathmandu']) {
        let now = at('2024-01-01T00:00:00Z');
        for (let step = 0; step < 60; step += 1, now += 7 * 3_600_000 + 123_457) {
          const { startMs, endMs } = periodAt(period, zone, now);
          expect(startMs <= now && now < endMs).toBe(true);
          expect(periodAt(period, zone, startMs)).toEqual({ startMs, endMs });
          expect(periodAt(period, zone, startMs - 1).endMs).toBe(startMs);
        }
      }
    }
  });

  it('reuses the bounds within a period and moves on after it', () => {
    const cache = new PeriodCache();
    const first = cache.at('daily', 'UTC', at('2025-06-10T01:00:00Z'));
    expect(cache.at('daily', 'UTC', at('2025-06-10T23:00:00Z'))).toBe(first);
    expect(cache.at('daily', 'UTC', at('2025-06-11T00:00:00Z'))).toEqual({
      startMs: at('2025-06-11T00:00:00Z'),
      endMs: at('2025-06-12T00:00:00Z'),
    });
  });
});
