import { Inject, Injectable } from '@nestjs/common';
import type { CatalogLayer } from '@polymux/contracts';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { sql } from 'kysely';

import { CONTROL_DB } from '../control.repository';
import type {
  CatalogDeploymentTable,
  CatalogModelTable,
  ControlDB,
  ProviderCredentialTable,
  Spec,
} from '../schema/tables/control.tables';

export type StoredDeployment = Selectable<CatalogDeploymentTable>;
export type StoredModel = Selectable<CatalogModelTable>;
/** A credential as anything but the executor's fetch sees it: never the sealed value. */
export type CredentialInfo = Omit<Selectable<ProviderCredentialTable>, 'sealed'>;

/** The layer's I/O. Every write increments the revision in its own transaction; no rules here. */
@Injectable()
export class CatalogLayerRepository {
  constructor(@Inject(CONTROL_DB) private readonly db: Kysely<ControlDB>) {}

  /** Runs a change and increments the revision with it; answers the new revision with the change's result. */
  change<T>(work: (trx: Transaction<ControlDB>) => Promise<T>): Promise<{ result: T; revision: number }> {
    return this.db.transaction().execute(async (trx) => {
      const result = await work(trx);
      const { revision } = await trx
        .updateTable('catalog_revision')
        .set({ revision: sql`revision + 1` })
        .where('id', '=', 1)
        .returning('revision')
        .executeTakeFirstOrThrow();
      return { result, revision: Number(revision) };
    });
  }

  /** The revision first: rows read after it are as new or newer, so a replica never keeps a stale layer. */
  async layer(): Promise<CatalogLayer> {
    const { revision } = await this.db
      .selectFrom('catalog_revision')
      .select('revision')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    const [models, deployments] = await Promise.all([this.listModels(), this.listDeployments()]);
    return {
      revision: Number(revision),
      models: models.map((model) => ({ spec: model.spec as CatalogLayer['models'][number]['spec'] })),
      deployments: deployments.map((deployment) => ({
        model: deployment.model,
        spec: deployment.spec as CatalogLayer['deployments'][number]['spec'],
      })),
    };
  }

  listModels(): Promise<StoredModel[]> {
    return this.db.selectFrom('catalog_models').selectAll().orderBy('created_at').execute();
  }

  findModel(id: string): Promise<StoredModel | undefined> {
    return this.db.selectFrom('catalog_models').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listDeployments(): Promise<StoredDeployment[]> {
    return this.db.selectFrom('catalog_deployments').selectAll().orderBy('created_at').execute();
  }

  findDeployment(id: string): Promise<StoredDeployment | undefined> {
    return this.db.selectFrom('catalog_deployments').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insertModel(trx: Transaction<ControlDB>, id: string, spec: Spec): Promise<StoredModel> {
    return trx
      .insertInto('catalog_models')
      .values({ id, spec: JSON.stringify(spec) })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  updateModel(trx: Transaction<ControlDB>, id: string, spec: Spec): Promise<StoredModel | undefined> {
    return trx
      .updateTable('catalog_models')
      .set({ spec: JSON.stringify(spec), updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  deleteModel(trx: Transaction<ControlDB>, id: string): Promise<StoredModel | undefined> {
    return trx.deleteFrom('catalog_models').where('id', '=', id).returningAll().executeTakeFirst();
  }

  insertDeployment(
    trx: Transaction<ControlDB>,
    values: { id: string; model: string; spec: Spec; credentialIds: string[] },
  ): Promise<StoredDeployment> {
    return trx
      .insertInto('catalog_deployments')
      .values({
        id: values.id,
        model: values.model,
        spec: JSON.stringify(values.spec),
        credential_ids: values.credentialIds,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  updateDeployment(
    trx: Transaction<ControlDB>,
    values: { id: string; model: string; spec: Spec; credentialIds: string[] },
  ): Promise<StoredDeployment | undefined> {
    return trx
      .updateTable('catalog_deployments')
      .set({
        model: values.model,
        spec: JSON.stringify(values.spec),
        credential_ids: values.credentialIds,
        updated_at: new Date(),
      })
      .where('id', '=', values.id)
      .returningAll()
      .executeTakeFirst();
  }

  deleteDeployment(trx: Transaction<ControlDB>, id: string): Promise<StoredDeployment | undefined> {
    return trx.deleteFrom('catalog_deployments').where('id', '=', id).returningAll().executeTakeFirst();
  }

  listCredentials(): Promise<CredentialInfo[]> {
    return this.db
      .selectFrom('provider_credentials')
      .select(['id', 'name', 'created_at', 'updated_at'])
      .orderBy('created_at')
      .execute();
  }

  findCredentials(ids: readonly string[]): Promise<CredentialInfo[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('provider_credentials')
      .select(['id', 'name', 'created_at', 'updated_at'])
      .where('id', 'in', ids)
      .execute();
  }

  /** Every credential sealed, for the executors' fetch only. */
  sealedCredentials(): Promise<Array<{ id: string; sealed: string }>> {
    return this.db.selectFrom('provider_credentials').select(['id', 'sealed']).execute();
  }

  insertCredential(
    trx: Transaction<ControlDB>,
    values: { id: string; name: string; sealed: string },
  ): Promise<CredentialInfo> {
    return trx
      .insertInto('provider_credentials')
      .values(values)
      .returning(['id', 'name', 'created_at', 'updated_at'])
      .executeTakeFirstOrThrow();
  }

  updateCredential(
    trx: Transaction<ControlDB>,
    id: string,
    values: { name?: string; sealed?: string },
  ): Promise<CredentialInfo | undefined> {
    return trx
      .updateTable('provider_credentials')
      .set({ ...values, updated_at: new Date() })
      .where('id', '=', id)
      .returning(['id', 'name', 'created_at', 'updated_at'])
      .executeTakeFirst();
  }

  deleteCredential(trx: Transaction<ControlDB>, id: string): Promise<CredentialInfo | undefined> {
    return trx
      .deleteFrom('provider_credentials')
      .where('id', '=', id)
      .returning(['id', 'name', 'created_at', 'updated_at'])
      .executeTakeFirst();
  }

  /** Deployments that reference a credential (which may then not be deleted). */
  async deploymentsUsing(trx: Transaction<ControlDB>, credentialId: string): Promise<string[]> {
    const rows = await trx
      .selectFrom('catalog_deployments')
      .select('id')
      .where(sql<boolean>`${credentialId}::uuid = any(credential_ids)`)
      .execute();
    return rows.map((row) => row.id);
  }
}
