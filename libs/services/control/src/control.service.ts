import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import type {
  ApiKeyRecord,
  AuditRecorded,
  AuditState,
  KeyEndpoint,
  KeyUses,
  RateLimits,
  ResolvedKey,
} from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects, hashApiKey } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import { metadataWithoutSecrets, withoutSecrets } from './audit/audit-state';
import type { ApiKey, KeyFilters, Org, Project, Team, User, Window } from './control.repository';
import { keyView } from './admin/admin.views';
import { ControlRepository } from './control.repository';
import { displayPrefix, generateApiKey } from './keys/api-key';
import { resolutionOf } from './keys/key-resolution';

export { accountOf } from './keys/key-resolution';

export interface KeyOptions {
  name: string;
  admin?: boolean;
  allowedModels?: string[] | null;
  allowedEndpoints?: KeyEndpoint[] | null;
  /** Canonical CIDR ranges (`allowlistEntry`). */
  ipAllowlist?: string[] | null;
  expiresAt?: string | null;
  /** Makes it a personal key of this user of the project's org. */
  userId?: string | null;
  /** The rate limits it is created with (stored by `RateLimitService.setForNewKey`), for the audit trail. */
  limits?: RateLimits | null;
}

/** A key as the audit trail records it: never the secret or its hash (the shown prefix only). */
export const keyState = (key: ApiKey, limits: RateLimits | null = null): AuditState => {
  const { id, name, prefix, projectId, userId, admin, allowedModels, allowedEndpoints, ipAllowlist, expiresAt } =
    keyView(key);
  return {
    id,
    name,
    prefix,
    projectId,
    userId,
    admin,
    allowedModels,
    allowedEndpoints,
    ipAllowlist,
    expiresAt,
    limits: limits ?? {},
  };
};

/** Who did an admin action and from where, for the audit trail (`actorOf` reads it off the request). */
export interface Actor {
  keyId: string | null;
  /** The user the key belongs to (a personal key), or null. */
  userId: string | null;
  orgId: string | null;
  /** The caller's source address as the HTTP edge resolved it; null for control's own actions. */
  sourceAddress: string | null;
}

/** What an admin action changed: the target before and after it (null: absent). Secrets are removed in `audit`. */
export interface Change {
  before?: AuditState | null;
  after?: AuditState | null;
}

export const isUuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

/** Tenancy and API keys; every change leaves an audit record. */
@Injectable()
export class ControlService {
  constructor(
    private readonly repository: ControlRepository,
    private readonly messaging: MessagingClient,
  ) {}

  async createOrg(actor: Actor, name: string): Promise<Org> {
    const org = await this.repository.createOrg(name);
    await this.audit(actor, 'org.create', `org:${org.id}`, org.id, null, {}, { after: { id: org.id, name: org.name } });
    return org;
  }

  listOrgs(window?: Window): Promise<Org[]> {
    return this.repository.listOrgs(window);
  }

  async createTeam(actor: Actor, orgId: string, name: string): Promise<Team> {
    await this.requireOrg(orgId);
    const team = await this.repository.createTeam(orgId, name);
    await this.audit(actor, 'team.create', `team:${team.id}`, orgId, null, {}, { after: { id: team.id, orgId, name } });
    return team;
  }

  async listTeams(orgId: string, window?: Window): Promise<Team[]> {
    await this.requireOrg(orgId);
    return this.repository.listTeams(orgId, window);
  }

  async createProject(
    actor: Actor,
    orgId: string,
    name: string,
    teamId: string | null,
    dataRetention = false,
  ): Promise<Project> {
    await this.requireOrg(orgId);
    if (teamId !== null) {
      const team = isUuid(teamId) ? await this.repository.findTeam(teamId) : undefined;
      if (!team || team.org_id !== orgId)
        throw new PolymuxException(ErrorCode.NotFound, `team ${teamId} not found in org ${orgId}`, { param: 'teamId' });
    }
    const project = await this.repository.createProject({
      org_id: orgId,
      team_id: teamId,
      name,
      data_retention: dataRetention,
    });
    await this.audit(
      actor,
      'project.create',
      `project:${project.id}`,
      orgId,
      project.id,
      { dataRetention },
      { after: { id: project.id, orgId, teamId, name, dataRetention } },
    );
    return project;
  }

  /**
   * Lets providers retain the project's data, or stops them. Ingress replicas see the change when
   * their cached key records refresh (`keys.cacheTtlMs`).
   */
  async updateProject(actor: Actor, projectId: string, changes: { dataRetention: boolean }): Promise<Project> {
    const before = await this.requireProject(projectId);
    const project = await this.repository.updateProject(projectId, { data_retention: changes.dataRetention });
    if (!project) throw new PolymuxException(ErrorCode.NotFound, `project ${projectId} not found`);
    await this.audit(
      actor,
      'project.update',
      `project:${project.id}`,
      project.org_id,
      project.id,
      { dataRetention: changes.dataRetention },
      { before: { dataRetention: before.data_retention }, after: { dataRetention: project.data_retention } },
    );
    return project;
  }

  async listProjects(orgId: string, window?: Window & { teamId?: string | undefined }): Promise<Project[]> {
    await this.requireOrg(orgId);
    return this.repository.listProjects(orgId, window);
  }

  async createUser(actor: Actor, orgId: string, email: string, name: string | null): Promise<User> {
    await this.requireOrg(orgId);
    const user = await this.repository.createUser({ org_id: orgId, email, name });
    if (!user)
      throw new PolymuxException(ErrorCode.Conflict, `org ${orgId} already has a user with this email`, {
        param: 'email',
      });
    // The email is personal data: the audit record names the user by id only.
    await this.audit(actor, 'user.create', `user:${user.id}`, orgId, null, {}, { after: { id: user.id, orgId } });
    return user;
  }

  async listUsers(orgId: string, window?: Window): Promise<User[]> {
    await this.requireOrg(orgId);
    return this.repository.listUsers(orgId, window);
  }

  async requireUser(userId: string): Promise<User> {
    const user = isUuid(userId) ? await this.repository.findUser(userId) : undefined;
    if (!user) throw new PolymuxException(ErrorCode.NotFound, `user ${userId} not found`);
    return user;
  }

  /** Creates a key and returns its secret; the secret is never stored and cannot be shown again. */
  async createKey(
    actor: Actor,
    projectId: string,
    options: KeyOptions,
    secret = generateApiKey(),
  ): Promise<{ key: ApiKey; secret: string }> {
    const project = await this.requireProject(projectId);
    const userId = options.userId ?? null;
    if (userId !== null) {
      const user = isUuid(userId) ? await this.repository.findUser(userId) : undefined;
      if (!user || user.org_id !== project.org_id)
        throw new PolymuxException(ErrorCode.NotFound, `user ${userId} not found in the project's org`, {
          param: 'userId',
        });
    }
    const key = await this.repository.createKey({
      user_id: userId,
      org_id: project.org_id,
      team_id: project.team_id,
      project_id: project.id,
      name: options.name,
      key_hash: hashApiKey(secret),
      key_prefix: displayPrefix(secret),
      admin: options.admin ?? false,
      allowed_models: options.allowedModels ?? null,
      allowed_endpoints: options.allowedEndpoints ?? null,
      ip_allowlist: options.ipAllowlist ?? null,
      expires_at: options.expiresAt ? new Date(options.expiresAt) : null,
    });
    await this.audit(
      actor,
      'api_key.create',
      `api_key:${key.id}`,
      project.org_id,
      project.id,
      userId ? { userId } : {},
      { after: keyState(key, options.limits) },
    );
    return { key, secret };
  }

  async listKeys(projectId: string, window?: Window & KeyFilters): Promise<ApiKey[]> {
    await this.requireProject(projectId);
    return this.repository.listKeys(projectId, window);
  }

  /** Revokes a key and tells every ingress replica to forget it at once. */
  async revokeKey(actor: Actor, keyId: string): Promise<ApiKey> {
    const key = isUuid(keyId) ? await this.repository.revokeKey(keyId) : undefined;
    if (!key) throw new PolymuxException(ErrorCode.NotFound, `active key ${keyId} not found`);
    const previousKeyHash = key.previous_key_hash ?? undefined;
    await this.messaging.emit(
      Subjects.keyRevoked,
      { keyId: key.id, keyHash: key.key_hash, ...(previousKeyHash ? { previousKeyHash } : {}) },
      { messageId: key.id },
    );
    await this.audit(
      actor,
      'api_key.revoke',
      `api_key:${key.id}`,
      key.org_id,
      key.project_id,
      {},
      { before: { revokedAt: null }, after: { revokedAt: key.revoked_at?.toISOString() ?? null } },
    );
    return key;
  }

  /** The key behind a secret's hash as ingress needs it, or null when unknown, revoked, expired or rotated out. */
  async resolveKey(keyHash: string): Promise<ApiKeyRecord | null> {
    return (await this.lookupKey(keyHash)).key;
  }

  /** As `resolveKey`, with the reason a secret that was a key's is refused (`resolutionOf`). */
  async lookupKey(keyHash: string): Promise<ResolvedKey> {
    return resolutionOf(await this.repository.findKeyBySecret(keyHash), keyHash, Date.now());
  }

  /** Each key's latest accepted call, as an ingress replica reports it; the greatest time reported is kept. */
  recordKeyUses(uses: KeyUses['uses']): Promise<void> {
    return this.repository.recordKeyUses(uses);
  }

  async requireProject(projectId: string): Promise<Project> {
    const project = isUuid(projectId) ? await this.repository.findProject(projectId) : undefined;
    if (!project) throw new PolymuxException(ErrorCode.NotFound, `project ${projectId} not found`);
    return project;
  }

  /**
   * Records an admin action: who (the actor's key and user), from where, what (action, target) and
   * what it changed, every secret removed from the metadata and the states (`withoutSecrets`).
   */
  async audit(
    actor: Actor,
    action: string,
    target: string,
    orgId: string | null,
    projectId: string | null,
    metadata: AuditRecorded['metadata'] = {},
    change: Change = {},
  ): Promise<void> {
    const id = randomUUID();
    await this.messaging.emit(
      Subjects.auditRecorded,
      {
        id,
        category: 'admin',
        action,
        outcome: 'success',
        actorKeyId: actor.keyId,
        actorUserId: actor.userId,
        sourceAddress: actor.sourceAddress,
        orgId: orgId ?? actor.orgId,
        projectId,
        requestId: null,
        target,
        metadata: metadataWithoutSecrets(metadata),
        before: change.before == null ? null : withoutSecrets(change.before),
        after: change.after == null ? null : withoutSecrets(change.after),
        occurredAt: new Date().toISOString(),
      },
      { messageId: id },
    );
  }

  /** The org, or a 404 (naming `param`, the request field that gave its id, when there is one). */
  async requireOrg(orgId: string, param?: string): Promise<Org> {
    const org = isUuid(orgId) ? await this.repository.findOrg(orgId) : undefined;
    if (!org) throw new PolymuxException(ErrorCode.NotFound, `org ${orgId} not found`, param ? { param } : {});
    return org;
  }
}
