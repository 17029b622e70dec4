import type { Deployment } from '@polymux/contracts';

/**
 * Load balancing across one model's deployments: when any of them has a catalog `weight` (absent
 * counts as 1), each plan draws their order at random, a deployment coming first in proportion to
 * its weight (Efraimidis–Spirakis: sort by `random^(1/weight)`). Without weights, catalog order.
 */
export const weightedOrder = (deployments: Deployment[], random: () => number = Math.random): Deployment[] => {
  if (!deployments.some((deployment) => deployment.weight !== undefined)) return deployments;
  return deployments
    .map((deployment) => ({ deployment, key: random() ** (1 / (deployment.weight ?? 1)) }))
    .sort((a, b) => b.key - a.key)
    .map((entry) => entry.deployment);
};

export const isWeighted = (deployments: readonly Deployment[]): boolean =>
  deployments.some((deployment) => deployment.weight !== undefined);
