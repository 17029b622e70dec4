import type { Capability, CatalogDeployment, CatalogModel } from '../../api/types';

export const CAPABILITIES: Record<Capability, string> = {
  tools: 'Tools',
  parallelTools: 'Parallel tools',
  vision: 'Vision',
  jsonSchema: 'JSON schema',
  reasoning: 'Reasoning',
  embeddings: 'Embeddings',
  streaming: 'Streaming',
};

export interface ModelFilters {
  search: string;
  tier: '' | CatalogModel['qualityTier'];
  capability: '' | Capability;
  unhealthyOnly: boolean;
}

/** A deployment routing currently moves behind the healthy ones: breaker open or half-open, or cooling after a 429. */
export const unhealthy = (deployment: CatalogDeployment): boolean =>
  !!deployment.health && (deployment.health.breaker !== 'closed' || deployment.health.cooling);

/** The models a search (id, alias, owner, provider or deployment, any case) and the filters keep. */
export const filterModels = (models: CatalogModel[], filters: ModelFilters): CatalogModel[] => {
  const words = filters.search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return models.filter((model) => {
    const text = [model.id, model.ownedBy, ...model.aliases, ...model.deployments.flatMap((d) => [d.id, d.provider])]
      .join(' ')
      .toLowerCase();
    return (
      words.every((word) => text.includes(word)) &&
      (filters.tier === '' || model.qualityTier === filters.tier) &&
      (filters.capability === '' || model.capabilities[filters.capability]) &&
      (!filters.unhealthyOnly || model.deployments.some(unhealthy))
    );
  });
};

/** The prices a model is shown with in the list: its first priced deployment's (the first one planned). */
export const listedPricing = (model: CatalogModel) =>
  model.deployments.find((deployment) => deployment.pricing)?.pricing;
