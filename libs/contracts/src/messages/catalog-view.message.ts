import { z } from 'zod';

import { ModelInfo } from './models.message';
import { Pricing } from './plan.message';

/** `router.catalog.get.v1` takes nothing: the whole effective catalog of the answering replica. */
export const CatalogViewRequest = z.object({});
export type CatalogViewRequest = z.infer<typeof CatalogViewRequest>;

/** A deployment's health as the router's health store has it; null fields: not measured yet. */
export const DeploymentHealthView = z.object({
  breaker: z.enum(['closed', 'open', 'half-open']),
  /** A 429's cooldown is running. */
  cooling: z.boolean(),
  /** ISO instant an open breaker turns half-open or a cooldown ends (the later); null when neither runs. */
  availableAt: z.string().nullable(),
  /** Moving averages (EWMA) of successful calls, in ms. */
  latencyMs: z.number().nullable(),
  ttftMs: z.number().nullable(),
  outputTokensPerSecond: z.number().nullable(),
  /** Moving average of failures and 429s over all outcomes, 0 to 1. */
  errorRate: z.number(),
  samples: z.number().int(),
});
export type DeploymentHealthView = z.infer<typeof DeploymentHealthView>;

/** One deployment of a catalog model: where it runs, what a call on it is charged, how healthy it is. */
export const CatalogDeploymentView = z.object({
  id: z.string(),
  provider: z.string(),
  upstreamModel: z.string(),
  region: z.string().nullable(),
  /** The prices a call is charged at (nano-USD, as settled); null: unpriced, never planned. */
  pricing: Pricing.nullable(),
  /** Added or replaced through the admin API. */
  admin: z.boolean(),
  /** Null: no outcome recorded yet (routing treats it as healthy). */
  health: DeploymentHealthView.nullable(),
});
export type CatalogDeploymentView = z.infer<typeof CatalogDeploymentView>;

export const CatalogModelView = ModelInfo.omit({ pricing: true, qualityTier: true }).extend({
  /** The catalog's tier; a model without one counts as `standard`. */
  qualityTier: z.enum(['frontier', 'standard', 'economy']),
  /** Whether `auto` may choose it for some task. */
  auto: z.boolean(),
  deployments: z.array(CatalogDeploymentView),
});
export type CatalogModelView = z.infer<typeof CatalogModelView>;

/** "The strongest model": what the routing saving of a usage report is measured against. */
export const ReferenceModel = z.object({
  model: z.string(),
  deploymentId: z.string(),
  qualityTier: z.enum(['frontier', 'standard', 'economy']),
  pricing: Pricing,
});
export type ReferenceModel = z.infer<typeof ReferenceModel>;

/** The router's effective catalog (file and admin layer merged) with each deployment's health. */
export const CatalogView = z.object({
  /** The admin layer revision merged in; -1 before any. */
  revision: z.number().int(),
  models: z.array(CatalogModelView),
  /** Null when no priced chat model is on `auto`'s lists. */
  reference: ReferenceModel.nullable(),
});
export type CatalogView = z.infer<typeof CatalogView>;
