import { Inject, Injectable } from '@nestjs/common';
import type { RateLimitScope, RateLimits } from '@polymux/contracts';
import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';

import { CONTROL_DB } from '../control.repository';
import type { ControlDB, RateLimitTable } from '../schema/tables/control.tables';

export type StoredRateLimit = Selectable<RateLimitTable>;

/** The scopes a key's calls count against: each level's id (a key without a team has none there). */
export type RateLimitLevels = Partial<Record<RateLimitScope, string | null>>;

const columnsOf = (limits: RateLimits) => ({
  rpm: limits.rpm ?? null,
  tpm: limits.tpm ?? null,
  max_concurrent: limits.maxConcurrent ?? null,
});

/** Rate limits' I/O; no rules here. */
@Injectable()
export class RateLimitRepository {
  constructor(@Inject(CONTROL_DB) private readonly db: Kysely<ControlDB>) {}

  /** Sets the limits of one scope, replacing the ones it had. */
  upsert(scope: RateLimitScope, scopeId: string, limits: RateLimits): Promise<StoredRateLimit> {
    const columns = columnsOf(limits);
    return this.db
      .insertInto('rate_limits')
      .values({ scope, scope_id: scopeId, ...columns })
      .onConflict((conflict) =>
        conflict.columns(['scope', 'scope_id']).doUpdateSet({ ...columns, updated_at: sql`now()` }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  find(scope: RateLimitScope, scopeId: string): Promise<StoredRateLimit | undefined> {
    return this.db
      .selectFrom('rate_limits')
      .selectAll()
      .where('scope', '=', scope)
      .where('scope_id', '=', scopeId)
      .executeTakeFirst();
  }

  /** The limits of these keys, for key listings. */
  ofKeys(keyIds: readonly string[]): Promise<StoredRateLimit[]> {
    if (keyIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('rate_limits')
      .selectAll()
      .where('scope', '=', 'key')
      .where('scope_id', 'in', keyIds)
      .execute();
  }

  delete(scope: RateLimitScope, scopeId: string): Promise<StoredRateLimit | undefined> {
    return this.db
      .deleteFrom('rate_limits')
      .where('scope', '=', scope)
      .where('scope_id', '=', scopeId)
      .returningAll()
      .executeTakeFirst();
  }

  /** The limits of a key's levels, in one query. */
  async ofLevels(levels: RateLimitLevels): Promise<StoredRateLimit[]> {
    const wanted = Object.entries(levels).filter((entry): entry is [RateLimitScope, string] => entry[1] != null);
    if (wanted.length === 0) return [];
    return this.db
      .selectFrom('rate_limits')
      .selectAll()
      .where((eb) => eb.or(wanted.map(([scope, id]) => eb.and([eb('scope', '=', scope), eb('scope_id', '=', id)]))))
      .execute();
  }
}
