import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG, sealCredential } from '@polymux/config';
import type { CatalogLayerEntries } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects } from '@polymux/contracts';
import type { UpstreamAddressPolicy } from '@polymux/http';
import { checkUpstreamUrl, upstreamAddressPolicy } from '@polymux/http';
import { MessagingClient } from '@polymux/messaging';
import type { Transaction } from 'kysely';

import { stateOf } from '../audit/audit-state';
import type { Actor } from '../control.service';
import { ControlService, isUuid } from '../control.service';
import type { ControlDB, Spec } from '../schema/tables/control.tables';
import type { CredentialInfo, StoredDeployment, StoredModel } from './catalog-layer.repository';
import { CatalogLayerRepository } from './catalog-layer.repository';

const STORED = /^credential:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Every stored credential a spec references (`credentialRef: credential:<id>`, at any depth). */
const credentialIdsOf = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(credentialIdsOf);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const stored = key === 'credentialRef' && typeof inner === 'string' ? STORED.exec(inner) : null;
    return stored ? [stored[1]!] : credentialIdsOf(inner);
  });
};

/** Is a Postgres unique violation (a second entry with one id or name). */
const isDuplicate = (error: unknown) =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';

/**
 * The admin layer of the model catalog and the provider credentials it references. A change is
 * checked (its base URL by the SSRF guard, its references, and the whole changed layer merged over
 * the catalog file by a router), stored with a new revision, audited, and announced on
 * `control.catalog.changed.v1`, after which every router and executor replica reloads the layer.
 * Credentials are sealed here with `POLYMUX_CREDENTIALS_KEY` and never opened: only executors do.
 */
@Injectable()
export class CatalogLayerService {
  private readonly policy: UpstreamAddressPolicy;
  private readonly key?: Buffer;

  constructor(
    private readonly repository: CatalogLayerRepository,
    private readonly control: ControlService,
    private readonly messaging: MessagingClient,
    @Inject(CONFIG) config: PolymuxConfig,
  ) {
    this.policy = upstreamAddressPolicy(config.upstream.allowedCidrs);
    this.key = config.credentials.key;
  }

  layer() {
    return this.repository.layer();
  }

  async sealedCredentials() {
    return { credentials: await this.repository.sealedCredentials() };
  }

  listCredentials(): Promise<CredentialInfo[]> {
    return this.repository.listCredentials();
  }

  async createCredential(actor: Actor, name: string, value: string): Promise<CredentialInfo> {
    const key = this.requireKey();
    const id = randomUUID();
    const credential = await this.changeUnique(`a credential named ${name} exists`, (trx) =>
      this.repository.insertCredential(trx, { id, name, sealed: sealCredential(key, id, value) }),
    );
    await this.control.audit(
      actor,
      'credential.create',
      `credential:${id}`,
      null,
      null,
      { name },
      {
        after: { id, name },
      },
    );
    return credential;
  }

  /** Renames a credential or rotates its value; executors pick the new value up with the change event. */
  async updateCredential(
    actor: Actor,
    id: string,
    changes: { name?: string; value?: string },
  ): Promise<CredentialInfo> {
    const key = changes.value === undefined ? undefined : this.requireKey();
    this.requireUuid(id, 'credential');
    const [before] = await this.repository.findCredentials([id]);
    const credential = await this.changeUnique(`a credential named ${changes.name} exists`, (trx) =>
      this.repository.updateCredential(trx, id, {
        ...(changes.name === undefined ? {} : { name: changes.name }),
        ...(key === undefined || changes.value === undefined ? {} : { sealed: sealCredential(key, id, changes.value) }),
      }),
    );
    if (!credential) throw new PolymuxException(ErrorCode.NotFound, `credential ${id} not found`);
    // A rotation shows as the value changing, never as the value.
    await this.control.audit(
      actor,
      'credential.update',
      `credential:${id}`,
      null,
      null,
      { ...(changes.name === undefined ? {} : { name: changes.name }), rotated: changes.value !== undefined },
      {
        before: before ? { name: before.name } : null,
        after: { name: credential.name, ...(changes.value === undefined ? {} : { value: '[redacted]' }) },
      },
    );
    return credential;
  }

  async deleteCredential(actor: Actor, id: string): Promise<CredentialInfo> {
    this.requireUuid(id, 'credential');
    const credential = await this.change(async (trx) => {
      const users = await this.repository.deploymentsUsing(trx, id);
      if (users.length > 0) {
        throw new PolymuxException(
          ErrorCode.Conflict,
          `credential ${id} is referenced by deployment ${users.join(', ')}: change or delete those first`,
        );
      }
      return this.repository.deleteCredential(trx, id);
    });
    if (!credential) throw new PolymuxException(ErrorCode.NotFound, `credential ${id} not found`);
    await this.control.audit(
      actor,
      'credential.delete',
      `credential:${id}`,
      null,
      null,
      {},
      {
        before: { id, name: credential.name },
        after: null,
      },
    );
    return credential;
  }

  listDeployments(): Promise<StoredDeployment[]> {
    return this.repository.listDeployments();
  }

  async createDeployment(actor: Actor, model: string, spec: Spec & { id: string }): Promise<StoredDeployment> {
    const credentialIds = await this.checkDeployment(model, spec);
    const deployment = await this.changeUnique(`deployment ${spec.id} exists`, (trx) =>
      this.repository.insertDeployment(trx, { id: spec.id, model, spec, credentialIds }),
    );
    await this.audited(actor, 'deployment.create', deployment, undefined);
    return deployment;
  }

  /** Replaces the given top-level fields of a deployment's spec (and its model); its id stays. */
  async updateDeployment(actor: Actor, id: string, changes: Spec & { model?: string }): Promise<StoredDeployment> {
    const existing = await this.repository.findDeployment(id);
    if (!existing) throw new PolymuxException(ErrorCode.NotFound, `deployment ${id} not found`);
    const { model = existing.model, ...fields } = changes;
    if (fields.id !== undefined && fields.id !== id)
      throw new PolymuxException(ErrorCode.InvalidRequest, 'a deployment id cannot change', { param: 'id' });
    const spec = { ...existing.spec, ...fields, id };
    const credentialIds = await this.checkDeployment(model, spec, id);
    const deployment = await this.change((trx) =>
      this.repository.updateDeployment(trx, { id, model, spec, credentialIds }),
    );
    if (!deployment) throw new PolymuxException(ErrorCode.NotFound, `deployment ${id} not found`);
    await this.audited(actor, 'deployment.update', deployment, existing);
    return deployment;
  }

  async deleteDeployment(actor: Actor, id: string): Promise<StoredDeployment> {
    const deployment = await this.change((trx) => this.repository.deleteDeployment(trx, id));
    if (!deployment) throw new PolymuxException(ErrorCode.NotFound, `deployment ${id} not found`);
    await this.audited(actor, 'deployment.delete', deployment, deployment, { deleted: true });
    return deployment;
  }

  listModels(): Promise<StoredModel[]> {
    return this.repository.listModels();
  }

  async createModel(actor: Actor, spec: Spec & { id: string }): Promise<StoredModel> {
    await this.checkLayer(`model ${JSON.stringify(spec.id)}`, (layer) => ({
      ...layer,
      models: [...layer.models, { spec: spec as CatalogLayerEntries['models'][number]['spec'] }],
    }));
    const model = await this.changeUnique(`model ${spec.id} exists`, (trx) =>
      this.repository.insertModel(trx, spec.id, spec),
    );
    await this.control.audit(
      actor,
      'model.create',
      `model:${model.id}`,
      null,
      null,
      {},
      { after: stateOf(model.spec) },
    );
    return model;
  }

  async updateModel(actor: Actor, id: string, changes: Spec): Promise<StoredModel> {
    const existing = await this.repository.findModel(id);
    if (!existing) throw new PolymuxException(ErrorCode.NotFound, `model ${id} not found`);
    if (changes.id !== undefined && changes.id !== id)
      throw new PolymuxException(ErrorCode.InvalidRequest, 'a model id cannot change', { param: 'id' });
    const spec = { ...existing.spec, ...changes, id };
    await this.checkLayer(`model ${JSON.stringify(id)}`, (layer) => ({
      ...layer,
      models: layer.models.map((model) =>
        model.spec.id === id ? { spec: spec as CatalogLayerEntries['models'][number]['spec'] } : model,
      ),
    }));
    const model = await this.change((trx) => this.repository.updateModel(trx, id, spec));
    if (!model) throw new PolymuxException(ErrorCode.NotFound, `model ${id} not found`);
    await this.control.audit(
      actor,
      'model.update',
      `model:${id}`,
      null,
      null,
      {},
      {
        before: stateOf(existing.spec),
        after: stateOf(model.spec),
      },
    );
    return model;
  }

  async deleteModel(actor: Actor, id: string): Promise<StoredModel> {
    const users = (await this.repository.listDeployments()).filter((deployment) => deployment.model === id);
    if (users.length > 0) {
      throw new PolymuxException(
        ErrorCode.Conflict,
        `model ${id} has deployments ${users.map((deployment) => deployment.id).join(', ')}: delete those first`,
      );
    }
    const model = await this.change((trx) => this.repository.deleteModel(trx, id));
    if (!model) throw new PolymuxException(ErrorCode.NotFound, `model ${id} not found`);
    await this.control.audit(actor, 'model.delete', `model:${id}`, null, null, {}, { before: stateOf(model.spec) });
    return model;
  }

  /** The deployment's base URL passes the SSRF guard, its credentials exist, and the layer merges with it. */
  private async checkDeployment(model: string, spec: Spec & { id: string }, replacing?: string): Promise<string[]> {
    if (typeof spec.baseUrl !== 'string')
      throw new PolymuxException(ErrorCode.InvalidRequest, 'baseUrl is required', { param: 'baseUrl' });
    await checkUpstreamUrl(spec.baseUrl, this.policy, 'baseUrl');
    const credentialIds = [...new Set(credentialIdsOf(spec))];
    const found = new Set((await this.repository.findCredentials(credentialIds)).map((credential) => credential.id));
    const missing = credentialIds.find((id) => !found.has(id));
    if (missing !== undefined) {
      throw new PolymuxException(ErrorCode.InvalidRequest, `credential ${missing} does not exist`, {
        param: 'credentialRef',
      });
    }
    await this.checkLayer(`deployment ${JSON.stringify(spec.id)}`, (layer) => ({
      ...layer,
      deployments: [
        ...layer.deployments.filter((deployment) => deployment.spec.id !== replacing),
        { model, spec: spec as CatalogLayerEntries['deployments'][number]['spec'] },
      ],
    }));
    return credentialIds;
  }

  /** Asks a router to merge the changed layer over its catalog file; refuses the change's own problems. */
  private async checkLayer(entry: string, changed: (layer: CatalogLayerEntries) => CatalogLayerEntries): Promise<void> {
    const { models, deployments } = await this.repository.layer();
    const { problems } = await this.messaging.request(Subjects.checkCatalogLayer, changed({ models, deployments }));
    const own = problems.filter((problem) => problem.startsWith(`${entry}`));
    if (own.length > 0) throw new PolymuxException(ErrorCode.InvalidRequest, own.join('; '));
  }

  /** Stores a change with a new revision and tells every router and executor replica. */
  private async change<T>(work: (trx: Transaction<ControlDB>) => Promise<T>): Promise<T> {
    const { result, revision } = await this.repository.change(work);
    await this.messaging.emit(Subjects.catalogChanged, { revision }, { messageId: `catalog:${revision}` });
    return result;
  }

  private async changeUnique<T>(conflict: string, work: (trx: Transaction<ControlDB>) => Promise<T>): Promise<T> {
    try {
      return await this.change(work);
    } catch (error) {
      if (isDuplicate(error)) throw new PolymuxException(ErrorCode.Conflict, conflict);
      throw error;
    }
  }

  /** Audits a deployment change with the deployment before it (undefined: new) and after it (none when deleted). */
  private audited(
    actor: Actor,
    action: string,
    deployment: StoredDeployment,
    before: StoredDeployment | undefined,
    { deleted = false } = {},
  ): Promise<void> {
    const state = (stored: StoredDeployment) => stateOf({ model: stored.model, spec: stored.spec });
    return this.control.audit(
      actor,
      action,
      `deployment:${deployment.id}`,
      null,
      null,
      {
        model: deployment.model,
        ...(typeof deployment.spec.provider === 'string' ? { provider: deployment.spec.provider } : {}),
      },
      { before: before ? state(before) : null, after: deleted ? null : state(deployment) },
    );
  }

  private requireKey(): Buffer {
    if (!this.key) {
      throw new PolymuxException(
        ErrorCode.ServiceUnavailable,
        'credentials cannot be stored: POLYMUX_CREDENTIALS_KEY is not set on control',
      );
    }
    return this.key;
  }

  private requireUuid(id: string, what: string): void {
    if (!isUuid(id)) throw new PolymuxException(ErrorCode.NotFound, `${what} ${id} not found`);
  }
}
