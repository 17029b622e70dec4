import type { CredentialInfo, StoredDeployment, StoredModel } from './catalog-layer.repository';

/** A credential as the admin API shows it: its id and name, never its value. */
export const credentialView = (credential: CredentialInfo) => ({
  id: credential.id,
  name: credential.name,
  createdAt: credential.created_at.toISOString(),
  updatedAt: credential.updated_at.toISOString(),
});

/** A deployment as it was stored: references only (`credential:<id>`), never a secret. */
export const deploymentView = (deployment: StoredDeployment) => ({
  ...deployment.spec,
  id: deployment.id,
  model: deployment.model,
  createdAt: deployment.created_at.toISOString(),
  updatedAt: deployment.updated_at.toISOString(),
});

export const modelView = (model: StoredModel) => ({
  ...model.spec,
  id: model.id,
  createdAt: model.created_at.toISOString(),
  updatedAt: model.updated_at.toISOString(),
});
