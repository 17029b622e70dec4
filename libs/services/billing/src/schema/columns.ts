import type { ColumnType } from 'kysely';

/** What an int8 column reads as: pg answers strings, PGlite numbers or bigints; read it through `BigInt()`/`String()`. */
export type Int8 = string | number | bigint;

/** An int8 identity column: assigned by Postgres, never written. */
export type Int8Id = ColumnType<Int8, never, never>;

/** A timestamptz set by Postgres (`default now()`). */
export type CreatedAt = ColumnType<Date, never, never>;
