import { randomBytes } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { API_KEY_PREFIX, ErrorCode, PolymuxException, hashApiKey } from '@polymux/contracts';

import { AccessService } from '../access/access.service';
import { MembersService, describeGrants } from '../access/members.service';
import type { Principal, RoleGrant } from '../access/principal';
import { RolesRepository } from '../access/roles.repository';
import type { Role } from '../access/roles';
import type { ApiKey, User, Window } from '../control.repository';
import { ControlRepository } from '../control.repository';
import type { Actor } from '../control.service';
import { ControlService, isUuid } from '../control.service';
import { SsoRepository } from '../sso/sso.repository';
import type { Invitation, InvitationStatus } from './invitation.repository';
import { InvitationRepository } from './invitation.repository';

/** How long an invitation may be accepted: 7 days. */
export const INVITATION_TTL_MS = 7 * 24 * 3600_000;
/** The name of the personal key an acceptance creates. */
export const INVITATION_KEY_NAME = 'Personal key (invitation)';

/** A one-time invitation token: `pmx-inv-` and 32 random bytes, base64url. Stored as its sha256 only. */
export const generateInvitationToken = (): string => `${API_KEY_PREFIX}inv-${randomBytes(32).toString('base64url')}`;

export interface InvitationRequest {
  email: string;
  name?: string | undefined;
  roles: ReadonlyArray<{ role: Role; teamId?: string | null | undefined }>;
  projectId: string;
}

export interface Acceptance {
  invitation: Invitation;
  user: User;
  roles: RoleGrant[];
  key: ApiKey;
  /** The new personal key's secret: shown once, in the acceptance's answer. */
  secret: string;
}

const unusable = () =>
  new PolymuxException(
    ErrorCode.Unauthenticated,
    'this invitation is unknown, used, revoked or expired: ask an owner or admin for a new one',
  );

/**
 * Invitations to an organisation. An owner or admin invites someone with the roles they will hold
 * and the project of their first personal key, and gets a one-time token (7 days); accepting it
 * creates the user with those roles and that key, whose secret the acceptance answers once.
 * Every step is audited.
 */
@Injectable()
export class InvitationService {
  constructor(
    private readonly invitations: InvitationRepository,
    private readonly tenancy: ControlRepository,
    private readonly users: SsoRepository,
    private readonly control: ControlService,
    private readonly members: MembersService,
    private readonly access: AccessService,
    private readonly roles: RolesRepository,
  ) {}

  async invite(
    actor: Actor,
    principal: Principal,
    orgId: string,
    request: InvitationRequest,
    now = Date.now(),
  ): Promise<{ invitation: Invitation; token: string }> {
    await this.control.requireOrg(orgId, 'orgId');
    const grants = await this.members.grantable(principal, orgId, request.roles);
    const project = isUuid(request.projectId) ? await this.tenancy.findProject(request.projectId) : undefined;
    if (!project || project.org_id !== orgId)
      throw new PolymuxException(ErrorCode.NotFound, `project ${request.projectId} not found in org ${orgId}`, {
        param: 'projectId',
      });
    // The personal key's project must be one the invitee's roles reach (their team's, or any for org-wide roles).
    const invitee: Principal = { operator: false, keyId: null, userId: null, orgId, roles: grants };
    if (!this.access.may(invitee, 'project.read', { orgId, teamId: project.team_id }))
      throw new PolymuxException(
        ErrorCode.InvalidRequest,
        `the roles given do not reach project ${project.id}: pick a project of the team they are given`,
        { param: 'projectId' },
      );
    if (await this.users.findUserByEmail(orgId, request.email))
      throw new PolymuxException(ErrorCode.Conflict, `org ${orgId} already has a user with this email`, {
        param: 'email',
      });
    if (await this.invitations.findPendingByEmail(orgId, request.email))
      throw new PolymuxException(
        ErrorCode.Conflict,
        'this email has a pending invitation to the org: revoke it first to send another',
        { param: 'email' },
      );
    const token = generateInvitationToken();
    const invitation = await this.invitations.create({
      org_id: orgId,
      email: request.email,
      name: request.name ?? null,
      roles: JSON.stringify(grants),
      project_id: project.id,
      token_hash: hashApiKey(token),
      expires_at: new Date(now + INVITATION_TTL_MS),
      invited_by_user_id: actor.userId,
      invited_by_key_id: actor.keyId,
    });
    // The email is personal data: the audit record names the invitation by id only.
    await this.control.audit(
      actor,
      'invitation.create',
      `invitation:${invitation.id}`,
      orgId,
      project.id,
      { roles: describeGrants(grants) },
      {
        after: {
          id: invitation.id,
          orgId,
          roles: describeGrants(grants),
          projectId: project.id,
          expiresAt: invitation.expires_at.toISOString(),
        },
      },
    );
    return { invitation, token };
  }

  list(orgId: string, window: Window & { status?: InvitationStatus | undefined }): Promise<Invitation[]> {
    return this.invitations.list(orgId, window);
  }

  /** The invitation, checked like the org's members: 404 to whoever may not see them. */
  async require(principal: Principal, permission: 'member.read' | 'member.write', id: string): Promise<Invitation> {
    const invitation = isUuid(id) ? await this.invitations.find(id) : undefined;
    if (!invitation) throw new PolymuxException(ErrorCode.NotFound, `invitation ${id} not found`);
    this.access.require(principal, permission, { orgId: invitation.org_id }, `invitation ${id}`);
    return invitation;
  }

  async revoke(actor: Actor, invitation: Invitation): Promise<Invitation> {
    const revoked = await this.invitations.revoke(invitation.id);
    if (!revoked)
      throw new PolymuxException(ErrorCode.Conflict, `invitation ${invitation.id} is not pending any more`, {
        param: 'invitationId',
      });
    await this.control.audit(
      actor,
      'invitation.revoke',
      `invitation:${revoked.id}`,
      revoked.org_id,
      revoked.project_id,
      {},
      { before: { revokedAt: null }, after: { revokedAt: revoked.revoked_at?.toISOString() ?? null } },
    );
    return revoked;
  }

  /**
   * Redeems a token once: the user is created with the invitation's roles and a personal key in its
   * project. The new user is the actor of what the acceptance records, from the caller's address.
   */
  async accept(token: string, sourceAddress: string | null): Promise<Acceptance> {
    const claimed = await this.invitations.claim(hashApiKey(token));
    if (!claimed) throw unusable();
    const roles: RoleGrant[] = claimed.roles.map((grant) => ({ role: grant.role as Role, teamId: grant.teamId }));
    let user: User;
    try {
      const creator = { keyId: null, userId: null, orgId: claimed.org_id, sourceAddress };
      user = await this.control.createUser(creator, claimed.org_id, claimed.email, claimed.name);
    } catch (error) {
      // Nobody was created (the email was taken meanwhile): the invitation stays pending.
      await this.invitations.release(claimed.id);
      throw error;
    }
    const actor: Actor = { keyId: null, userId: user.id, orgId: user.org_id, sourceAddress };
    await this.roles.replace(user.id, user.org_id, roles);
    const { key, secret } = await this.control.createKey(actor, claimed.project_id, {
      name: INVITATION_KEY_NAME,
      userId: user.id,
    });
    const invitation = await this.invitations.accepted(claimed.id, user.id);
    await this.control.audit(
      actor,
      'invitation.accept',
      `invitation:${invitation.id}`,
      invitation.org_id,
      invitation.project_id,
      { userId: user.id, keyId: key.id, roles: describeGrants(roles) },
      { before: { status: 'pending' }, after: { status: 'accepted', userId: user.id } },
    );
    return { invitation, user, roles, key, secret };
  }
}
