import type { DataRetention } from '@polymux/providers';
import { dataRetentionOf } from '@polymux/providers';
import { z } from 'zod';

import type { Spec } from '../schema/tables/control.tables';
import type { CredentialInfo, StoredDeployment, StoredModel } from './catalog-layer.repository';

/** A credential as the admin API shows it: its id and name, never its value. */
export const credentialView = (credential: CredentialInfo) => ({
  id: credential.id,
  name: credential.name,
  createdAt: credential.created_at.toISOString(),
  updatedAt: credential.updated_at.toISOString(),
});

const RetentionFields = z.object({
  provider: z.string(),
  upstreamModel: z.string(),
  retainsData: z
    .boolean()
    .nullish()
    .transform((retains) => retains ?? undefined),
});

/** Whether the deployment's provider keeps data: the spec's own `retainsData`, else the provider's default. */
const dataRetention = (spec: Spec): DataRetention | undefined => {
  const fields = RetentionFields.safeParse(spec);
  return fields.success ? dataRetentionOf(fields.data) : undefined;
};

/**
 * A deployment as it was stored: references only (`credential:<id>`), never a secret; with the
 * retention it resolves to (read-only, not part of the spec: absent `retainsData` stays absent).
 */
export const deploymentView = (deployment: StoredDeployment) => {
  const retention = dataRetention(deployment.spec);
  return {
    ...deployment.spec,
    id: deployment.id,
    model: deployment.model,
    ...(retention ? { dataRetention: retention } : {}),
    createdAt: deployment.created_at.toISOString(),
    updatedAt: deployment.updated_at.toISOString(),
  };
};

export const modelView = (model: StoredModel) => ({
  ...model.spec,
  id: model.id,
  createdAt: model.created_at.toISOString(),
  updatedAt: model.updated_at.toISOString(),
});
