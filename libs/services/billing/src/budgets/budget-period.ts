import type { BudgetPeriod } from '@polymux/contracts';

/** A period as instants: from `startMs` (included) to `endMs` (excluded), epoch milliseconds. */
export interface PeriodBounds {
  startMs: number;
  endMs: number;
}

/** A calendar date: year, month 1–12, day 1–31. */
interface CivilDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: building one costs far more than formatting with it. */
const formatterOf = (timeZone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
};

/** The calendar date an instant falls on in a zone, as the runtime's time-zone database says. */
const localDate = (ms: number, timeZone: string): CivilDate => {
  const date: CivilDate = { year: 0, month: 0, day: 0 };
  for (const part of formatterOf(timeZone).formatToParts(ms)) {
    if (part.type === 'year' || part.type === 'month' || part.type === 'day') date[part.type] = Number(part.value);
  }
  return date;
};

/** Normalises a date whose day or month ran over (day 32, month 13) by calendar arithmetic, no zone involved. */
const civil = (year: number, month: number, day: number): CivilDate => {
  const date = new Date(Date.UTC(year, month - 1, day));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
};

const compare = (a: CivilDate, b: CivilDate): number => a.year - b.year || a.month - b.month || a.day - b.day;

/** No zone is more than 14 hours from UTC: a day starts within this of its UTC midnight. */
const MAX_OFFSET_MS = 15 * 3_600_000;

/**
 * The first instant of a calendar date in a zone: the earliest moment the zone's clock shows that
 * date (its midnight, or later on a day whose midnight a daylight-saving change skips). A binary
 * search over the instants around the date's UTC midnight, asking `Intl` the date at each: no
 * offset arithmetic of our own.
 */
const startOfDate = (date: CivilDate, timeZone: string): number => {
  const utcMidnight = Date.UTC(date.year, date.month - 1, date.day);
  let before = utcMidnight - MAX_OFFSET_MS;
  let onOrAfter = utcMidnight + MAX_OFFSET_MS;
  // Zones change their offset on whole seconds, and both ends stay on whole seconds: search to the second.
  while (onOrAfter - before > 1_000) {
    const middle = before + Math.floor((onOrAfter - before) / 2_000) * 1_000;
    if (compare(localDate(middle, timeZone), date) < 0) before = middle;
    else onOrAfter = middle;
  }
  return onOrAfter;
};

/** The calendar dates a period containing `date` starts and ends on; weeks start on Monday (ISO 8601). */
const periodDates = (period: BudgetPeriod, date: CivilDate): [CivilDate, CivilDate] => {
  switch (period) {
    case 'daily':
      return [date, civil(date.year, date.month, date.day + 1)];
    case 'weekly': {
      const sinceMonday = (new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() + 6) % 7;
      const monday = civil(date.year, date.month, date.day - sinceMonday);
      return [monday, civil(monday.year, monday.month, monday.day + 7)];
    }
    case 'monthly':
      return [civil(date.year, date.month, 1), civil(date.year, date.month + 1, 1)];
  }
};

/** The calendar period of `period` in `timeZone` that contains the instant `nowMs`. */
export const periodAt = (period: BudgetPeriod, timeZone: string, nowMs: number): PeriodBounds => {
  const [start, end] = periodDates(period, localDate(nowMs, timeZone));
  return { startMs: startOfDate(start, timeZone), endMs: startOfDate(end, timeZone) };
};

/**
 * Remembers each zone and period's current bounds, so a reservation computes them once a period:
 * answers from the last bounds while `nowMs` lies inside them.
 */
export class PeriodCache {
  private readonly bounds = new Map<string, PeriodBounds>();

  at(period: BudgetPeriod, timeZone: string, nowMs: number): PeriodBounds {
    const key = `${period} ${timeZone}`;
    const known = this.bounds.get(key);
    if (known && known.startMs <= nowMs && nowMs < known.endMs) return known;
    const fresh = periodAt(period, timeZone, nowMs);
    this.bounds.set(key, fresh);
    return fresh;
  }
}
