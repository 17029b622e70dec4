import type { Catalog, CatalogModel } from '@polymux/catalog';
import type { Deployment, RoutingPolicy } from '@polymux/contracts';
import { nanoToUsd, usdToNano } from '@polymux/contracts';
import { dataRetentionOf } from '@polymux/providers';

/** Whether a policy list names the model, by its id or by a catalog alias of it. */
export const names = (catalog: Catalog, list: readonly string[], model: CatalogModel): boolean =>
  list.some((name) => name === model.id || catalog.resolve(name)?.model === model);

/** Why the policy keeps a model out, or null. */
export const modelRefusal = (catalog: Catalog, policy: RoutingPolicy, model: CatalogModel): string | null => {
  if (policy.allowModels && !names(catalog, policy.allowModels, model))
    return "is not among the routing policy's allowed models";
  if (policy.denyModels && names(catalog, policy.denyModels, model)) return 'is denied by the routing policy';
  return null;
};

const overCap = (kind: string, price: string, cap: string | undefined): string | null =>
  cap !== undefined && BigInt(price) > usdToNano(cap)
    ? `${kind} price $${nanoToUsd(BigInt(price))} is above the policy's $${nanoToUsd(usdToNano(cap))} per MTok`
    : null;

/** Why the policy keeps a deployment out (provider, retention, region, price), or null. */
export const deploymentRefusal = (catalog: Catalog, policy: RoutingPolicy, deployment: Deployment): string | null => {
  const { provider } = deployment;
  if (policy.allowProviders && !policy.allowProviders.includes(provider))
    return `provider ${provider} is not among the routing policy's allowed providers`;
  if (policy.denyProviders?.includes(provider)) return `provider ${provider} is denied by the routing policy`;
  if (policy.zeroRetentionOnly && dataRetentionOf(deployment).retainsData)
    return deployment.retainsData === undefined
      ? `provider ${provider} keeps prompts and completions by default, and the routing policy requires zero-retention deployments`
      : 'is set to retain data, and the routing policy requires zero-retention deployments';
  if (policy.regions) {
    const region = catalog.entry(deployment.id)?.endpoint.region;
    if (region === undefined) return 'has no region, and the routing policy names regions';
    if (!policy.regions.includes(region)) return `runs in ${region}, outside the routing policy's regions`;
  }
  return (
    overCap('input', deployment.pricing.inputPerMTok, policy.maxPricePerMTok?.input) ??
    overCap('output', deployment.pricing.outputPerMTok, policy.maxPricePerMTok?.output)
  );
};
