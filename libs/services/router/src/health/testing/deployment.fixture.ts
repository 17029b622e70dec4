import type { Deployment } from '@polymux/contracts';

/** A planned deployment of model `m`, for the health and load-balancing specs. */
export const plannedDeployment = (id: string, weight?: number): Deployment => ({
  id,
  provider: 'openai',
  model: 'm',
  upstreamModel: 'm',
  pricing: { inputPerMTok: '1', outputPerMTok: '1' },
  contextWindow: 1_000,
  maxOutputTokens: 100,
  ...(weight === undefined ? {} : { weight }),
});
