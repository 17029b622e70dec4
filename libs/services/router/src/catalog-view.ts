import type { Catalog } from '@polymux/catalog';
import type { CatalogView, DeploymentHealthView, ReferenceModel } from '@polymux/contracts';

import type { HealthSnapshot } from './health/health.service';
import type { DeploymentHealth } from './health/deployment-health';
import { tierOf } from './routing/quality-tier';
import { strongestModel } from './routing/reference-model';

const healthView = ({ availableAt, ...health }: DeploymentHealth): DeploymentHealthView => ({
  ...health,
  availableAt: availableAt === null ? null : new Date(availableAt).toISOString(),
});

/** The routing saving's reference: the strongest model and the prices of its first priced deployment. */
export const referenceOf = (catalog: Catalog): ReferenceModel | null => {
  const model = strongestModel(catalog);
  const [deployment] = model ? catalog.deployments(model) : [];
  if (!model || !deployment) return null;
  return { model: model.id, deploymentId: deployment.id, qualityTier: tierOf(model), pricing: deployment.pricing };
};

/**
 * The catalog as the admin API shows it: every model in catalog order with what `GET /v1/models`
 * says of it, each deployment (priced or not) with the prices a call on it is charged and its health.
 * No URL, credential or header: those stay with the executor.
 */
export const catalogView = (catalog: Catalog, revision: number, health: HealthSnapshot): CatalogView => {
  const listed = new Map(catalog.models().map((info) => [info.id, info]));
  const auto = new Set(catalog.autoModelsOfAnyTask());
  return {
    revision,
    models: catalog.file.models.map((model) => {
      const info = listed.get(model.id)!;
      return {
        id: info.id,
        ownedBy: info.ownedBy,
        aliases: info.aliases,
        contextWindow: info.contextWindow,
        maxOutputTokens: info.maxOutputTokens,
        capabilities: info.capabilities,
        qualityTier: tierOf(model),
        auto: auto.has(model),
        deployments: model.deployments.map((deployment) => {
          const entry = catalog.entry(deployment.id);
          const measured = health.get(deployment.id);
          return {
            id: deployment.id,
            provider: deployment.provider,
            upstreamModel: deployment.upstreamModel,
            region: deployment.region ?? null,
            pricing: entry?.deployment.pricing ?? null,
            admin: entry?.endpoint.admin === true,
            health: measured ? healthView(measured) : null,
          };
        }),
      };
    }),
    reference: referenceOf(catalog),
  };
};
