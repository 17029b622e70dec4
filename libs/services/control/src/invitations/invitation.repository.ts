import { Inject, Injectable } from '@nestjs/common';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';

import type { Window } from '../control.repository';
import { CONTROL_DB } from '../control.repository';
import { keysetWindow } from '../pagination';
import type { ControlDB, InvitationTable } from '../schema/tables/control.tables';

export type Invitation = Selectable<InvitationTable>;
export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

/** The `invitations` table. No rules here. */
@Injectable()
export class InvitationRepository {
  constructor(@Inject(CONTROL_DB) private readonly db: Kysely<ControlDB>) {}

  create(values: Insertable<InvitationTable>): Promise<Invitation> {
    return this.db.insertInto('invitations').values(values).returningAll().executeTakeFirstOrThrow();
  }

  find(id: string): Promise<Invitation | undefined> {
    return this.db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** An org's invitations in keyset order, optionally of one status. */
  list(orgId: string, window: Window & { status?: InvitationStatus | undefined }): Promise<Invitation[]> {
    let query = this.db.selectFrom('invitations').selectAll().where('org_id', '=', orgId);
    const now = new Date();
    switch (window.status) {
      case 'pending':
        query = query.where('accepted_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '>', now);
        break;
      case 'accepted':
        query = query.where('accepted_at', 'is not', null);
        break;
      case 'revoked':
        query = query.where('revoked_at', 'is not', null);
        break;
      case 'expired':
        query = query.where('accepted_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '<=', now);
        break;
      case undefined:
        break;
    }
    return keysetWindow(query, window.after, window.size).execute();
  }

  /** A pending invitation of this email in the org (any case), if there is one. */
  findPendingByEmail(orgId: string, email: string): Promise<Invitation | undefined> {
    return this.db
      .selectFrom('invitations')
      .selectAll()
      .where('org_id', '=', orgId)
      .where(sql<string>`lower(email)`, '=', email.toLowerCase())
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date())
      .executeTakeFirst();
  }

  /** Revokes a pending invitation; undefined when it was accepted, revoked or expired already. */
  revoke(id: string): Promise<Invitation | undefined> {
    return this.db
      .updateTable('invitations')
      .set({ revoked_at: new Date() })
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date())
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * Takes a pending invitation by its token's hash: of two acceptances racing with one token, one
   * gets it. Undefined when the token is unknown, used, revoked or expired.
   */
  claim(tokenHash: string): Promise<Invitation | undefined> {
    return this.db
      .updateTable('invitations')
      .set({ accepted_at: new Date() })
      .where('token_hash', '=', tokenHash)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date())
      .returningAll()
      .executeTakeFirst();
  }

  /** Gives a claimed invitation back (its acceptance failed before it created anyone). */
  async release(id: string): Promise<void> {
    await this.db
      .updateTable('invitations')
      .set({ accepted_at: null })
      .where('id', '=', id)
      .where('user_id', 'is', null)
      .execute();
  }

  async accepted(id: string, userId: string): Promise<Invitation> {
    return this.db
      .updateTable('invitations')
      .set({ user_id: userId })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
}
