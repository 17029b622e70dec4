import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { SelectQueryBuilder } from 'kysely';
import { sql } from 'kysely';
import { z } from 'zod';

/**
 * Cursor pagination of the admin API's lists: `?limit=&cursor=`, answered `{ data, nextCursor }`
 * (`nextCursor` null on the last page). Keyset on (created_at, id), oldest first: a cursor is the last
 * row's key, so rows created between two pages never shift or repeat one. `usage/calls` pages the same
 * way inside billing.
 */
export const PAGE_FIELDS = {
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().min(1).max(1024).optional(),
};

/** `?limit=&cursor=` of a list that takes no filter. */
export const PageParams = z.strictObject(PAGE_FIELDS);
export interface Page {
  limit: number;
  cursor?: string | undefined;
}

/** A row's place in a list: its creation instant (ISO, to the millisecond) and id. */
export interface Keyset {
  at: string;
  id: string;
}

export interface Paged<T> {
  rows: T[];
  nextCursor: string | null;
}

/** Reads the rows after `after` (all from the start without it), at most `size`, in keyset order. */
export type Source<T> = (after: Keyset | undefined, size: number) => Promise<T[]>;

const CursorBody = z.strictObject({ l: z.string(), a: z.iso.datetime(), i: z.string().min(1).max(512) });

const badCursor = () =>
  new PolymuxException(ErrorCode.InvalidRequest, 'cursor is not a cursor of this list', { param: 'cursor' });

const encodeCursor = (list: string, key: Keyset): string =>
  Buffer.from(JSON.stringify({ l: list, a: key.at, i: key.id })).toString('base64url');

export const decodeCursor = (list: string, cursor: string): Keyset => {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  const parsed = CursorBody.safeParse(decoded);
  if (!parsed.success || parsed.data.l !== list) throw badCursor();
  return { at: parsed.data.a, id: parsed.data.i };
};

export const keysetOf = (row: { created_at: Date; id: string }): Keyset => ({
  at: row.created_at.toISOString(),
  id: row.id,
});

/** The key of a row another service answered (`createdAt` as it sent it). */
export const keysetOfView = (row: { createdAt: string; id: string }): Keyset => ({
  at: new Date(row.createdAt).toISOString(),
  id: row.id,
});

/**
 * One page of `list`: reads from `source` after the cursor and keeps what `visible` lets through
 * (the access filter), reading on until the page is full or the source ends.
 */
export const paginate = async <T>(
  list: string,
  page: Page,
  source: Source<T>,
  keyOf: (row: T) => Keyset,
  visible: (batch: T[]) => T[] | Promise<T[]> = (batch) => batch,
): Promise<Paged<T>> => {
  let after = page.cursor === undefined ? undefined : decodeCursor(list, page.cursor);
  const size = page.limit + 1;
  const kept: T[] = [];
  for (;;) {
    const batch = await source(after, size);
    kept.push(...(await visible(batch)));
    if (batch.length < size || kept.length > page.limit) break;
    after = keyOf(batch[batch.length - 1]!);
  }
  const rows = kept.slice(0, page.limit);
  return { rows, nextCursor: kept.length > page.limit ? encodeCursor(list, keyOf(rows[rows.length - 1]!)) : null };
};

const compareKeys = (a: Keyset, b: Keyset): number =>
  Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * A source over rows already read whole: only for lists that stay small (an instance's catalog and
 * routing policies, an org's budgets and webhooks, answered whole by their owning service).
 */
export const inMemory = <T>(rows: T[], keyOf: (row: T) => Keyset): Source<T> => {
  const sorted = [...rows].sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
  return (after, size) =>
    Promise.resolve(
      (after === undefined ? sorted : sorted.filter((row) => compareKeys(keyOf(row), after) > 0)).slice(0, size),
    );
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The keyset window of a table with uuid `id` and `created_at`, read in Postgres. Ordered by
 * created_at truncated to the millisecond, the precision a cursor carries, so a cursor's row
 * compares equal to itself.
 */
export const keysetWindow = <DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  after: Keyset | undefined,
  size: number,
): SelectQueryBuilder<DB, TB, O> => {
  const at = sql`date_trunc('milliseconds', created_at)`;
  if (after !== undefined && !UUID.test(after.id)) throw badCursor();
  const windowed =
    after === undefined
      ? query
      : query.where(sql<boolean>`(${at}, id) > (${after.at}::timestamptz, ${after.id}::uuid)`);
  return windowed
    .orderBy(at)
    .orderBy(sql`id`)
    .limit(size);
};
