import { Inject, Injectable } from '@nestjs/common';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';

import type { Org, User } from '../control.repository';
import { CONTROL_DB } from '../control.repository';
import type { ControlDB, SsoLoginTable, SsoSessionTable } from '../schema/tables/control.tables';

export type SsoLogin = Selectable<SsoLoginTable>;
export type SsoSession = Selectable<SsoSessionTable>;

/** SSO's I/O: users by their IdP identity, logins in progress, sessions. No rules here. */
@Injectable()
export class SsoRepository {
  constructor(@Inject(CONTROL_DB) private readonly db: Kysely<ControlDB>) {}

  findUserBySubject(issuer: string, subject: string): Promise<User | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('idp_issuer', '=', issuer)
      .where('idp_subject', '=', subject)
      .executeTakeFirst();
  }

  /** Orgs of a name (names need not be unique): at most two, enough to tell one from several. */
  findOrgsByName(name: string): Promise<Org[]> {
    return this.db.selectFrom('orgs').selectAll().where('name', '=', name).orderBy('created_at').limit(2).execute();
  }

  findUserByEmail(orgId: string, email: string): Promise<User | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('org_id', '=', orgId)
      .where(sql<string>`lower(email)`, '=', email.toLowerCase())
      .executeTakeFirst();
  }

  /** A new user, or undefined when a concurrent login just created them (their subject or email). */
  createUser(values: Insertable<ControlDB['users']>): Promise<User | undefined> {
    return this.db
      .insertInto('users')
      .values(values)
      .onConflict((conflict) => conflict.doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  /** Links a user to an IdP identity and takes the IdP's name and email (the email unless another user has it). */
  async updateUser(user: User, values: { issuer: string; subject: string; email: string; name: string | null }) {
    const taken = await this.findUserByEmail(user.org_id, values.email);
    return this.db
      .updateTable('users')
      .set({
        idp_issuer: values.issuer,
        idp_subject: values.subject,
        name: values.name,
        ...(taken && taken.id !== user.id ? {} : { email: values.email }),
      })
      .where('id', '=', user.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Stores a login in progress, and forgets the ones that expired. */
  async createLogin(values: Insertable<SsoLoginTable>): Promise<void> {
    await this.db.deleteFrom('sso_logins').where('expires_at', '<', new Date()).execute();
    await this.db.insertInto('sso_logins').values(values).execute();
  }

  /** Takes a login in progress out (a state is redeemed once), if it has not expired. */
  takeLogin(stateHash: string): Promise<SsoLogin | undefined> {
    return this.db
      .deleteFrom('sso_logins')
      .where('state_hash', '=', stateHash)
      .where('expires_at', '>', new Date())
      .returningAll()
      .executeTakeFirst();
  }

  /** Stores a new session, and forgets the ones past their absolute lifetime. */
  async createSession(values: Insertable<SsoSessionTable>): Promise<void> {
    await this.db.deleteFrom('sso_sessions').where('absolute_expires_at', '<', new Date()).execute();
    await this.db.insertInto('sso_sessions').values(values).execute();
  }

  findSessionByToken(tokenHash: string): Promise<SsoSession | undefined> {
    return this.db.selectFrom('sso_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  /** The session of a refresh token: its current one, or the one it replaced (`reused`). */
  async findSessionByRefresh(refreshHash: string): Promise<{ session: SsoSession; reused: boolean } | undefined> {
    const session = await this.db
      .selectFrom('sso_sessions')
      .selectAll()
      .where((eb) => eb.or([eb('refresh_hash', '=', refreshHash), eb('previous_refresh_hash', '=', refreshHash)]))
      .executeTakeFirst();
    return session && { session, reused: session.refresh_hash !== refreshHash };
  }

  /**
   * Replaces a session's tokens, if its refresh token is still `refreshHash` (of two refreshes
   * racing with one token, one wins); false when it was not.
   */
  async rotateSession(
    id: string,
    refreshHash: string,
    values: Pick<SsoSession, 'token_hash' | 'refresh_hash' | 'idp_refresh_token' | 'expires_at'>,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('sso_sessions')
      .set({ ...values, previous_refresh_hash: refreshHash, refreshed_at: new Date() })
      .where('id', '=', id)
      .where('refresh_hash', '=', refreshHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async revokeSession(id: string): Promise<void> {
    await this.db
      .updateTable('sso_sessions')
      .set({ revoked_at: new Date() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }
}
