import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';

import { CONTROL_DB } from '../control.repository';
import type { ControlDB } from '../schema/tables/control.tables';
import type { RoleGrant } from './principal';
import type { Role } from './roles';

/** The `user_roles` table: which roles each user holds, org-wide or per team. */
@Injectable()
export class RolesRepository {
  constructor(@Inject(CONTROL_DB) private readonly db: Kysely<ControlDB>) {}

  async rolesOf(userId: string): Promise<RoleGrant[]> {
    const rows = await this.db
      .selectFrom('user_roles')
      .select(['role', 'team_id'])
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute();
    return rows.map((row) => ({ role: row.role as Role, teamId: row.team_id }));
  }

  async rolesOfUsers(userIds: readonly string[]): Promise<Map<string, RoleGrant[]>> {
    const byUser = new Map<string, RoleGrant[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return byUser;
    const rows = await this.db
      .selectFrom('user_roles')
      .select(['user_id', 'role', 'team_id'])
      .where('user_id', 'in', userIds)
      .orderBy('created_at')
      .execute();
    for (const row of rows) byUser.get(row.user_id)?.push({ role: row.role as Role, teamId: row.team_id });
    return byUser;
  }

  /** Replaces a user's roles in one transaction. */
  async replace(userId: string, orgId: string, grants: readonly RoleGrant[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('user_roles').where('user_id', '=', userId).execute();
      if (grants.length === 0) return;
      await trx
        .insertInto('user_roles')
        .values(
          grants.map((grant) => ({
            user_id: userId,
            org_id: orgId,
            team_id: grant.teamId,
            role: grant.role,
            place: grant.teamId ?? orgId,
          })),
        )
        .onConflict((conflict) => conflict.doNothing())
        .execute();
    });
  }
}
