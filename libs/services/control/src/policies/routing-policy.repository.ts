import { Inject, Injectable } from '@nestjs/common';
import type { PolicyScope } from '@polymux/contracts';
import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';

import { CONTROL_DB } from '../control.repository';
import type { ControlDB, RoutingPolicyTable, Spec } from '../schema/tables/control.tables';

export type StoredPolicy = Selectable<RoutingPolicyTable>;

/** Where a key's policies are attached: each level's id (a key without a team has none there). */
export type PolicyLevels = Partial<Record<PolicyScope, string | null>>;

/** Routing policies' I/O; no rules here. */
@Injectable()
export class RoutingPolicyRepository {
  constructor(@Inject(CONTROL_DB) private readonly db: Kysely<ControlDB>) {}

  /** Sets the policy of one scope, replacing the one it had. */
  upsert(scope: PolicyScope, scopeId: string, policy: Spec): Promise<StoredPolicy> {
    const json = JSON.stringify(policy);
    return this.db
      .insertInto('routing_policies')
      .values({ scope, scope_id: scopeId, policy: json })
      .onConflict((conflict) =>
        conflict.columns(['scope', 'scope_id']).doUpdateSet({ policy: json, updated_at: sql`now()` }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  find(scope: PolicyScope, scopeId: string): Promise<StoredPolicy | undefined> {
    return this.db
      .selectFrom('routing_policies')
      .selectAll()
      .where('scope', '=', scope)
      .where('scope_id', '=', scopeId)
      .executeTakeFirst();
  }

  list(): Promise<StoredPolicy[]> {
    return this.db.selectFrom('routing_policies').selectAll().orderBy('created_at').execute();
  }

  delete(scope: PolicyScope, scopeId: string): Promise<StoredPolicy | undefined> {
    return this.db
      .deleteFrom('routing_policies')
      .where('scope', '=', scope)
      .where('scope_id', '=', scopeId)
      .returningAll()
      .executeTakeFirst();
  }

  /** The policies of a key's levels, in one query. */
  async ofLevels(levels: PolicyLevels): Promise<StoredPolicy[]> {
    const wanted = Object.entries(levels).filter((entry): entry is [PolicyScope, string] => entry[1] != null);
    if (wanted.length === 0) return [];
    return this.db
      .selectFrom('routing_policies')
      .selectAll()
      .where((eb) => eb.or(wanted.map(([scope, id]) => eb.and([eb('scope', '=', scope), eb('scope_id', '=', id)]))))
      .execute();
  }
}
