import { z } from 'zod';

import { TaskType } from '../canonical/task';

/** How capable a model is (the catalog's `qualityTier`), weakest first. */
export const QualityTier = z.enum(['economy', 'standard', 'frontier']);
export type QualityTier = z.infer<typeof QualityTier>;

/** A model id, catalog alias, deployment id, provider or region as the catalog spells it. */
const name = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
const names = z.array(name).max(1000);
const usdPerMTok = z.string().regex(/^\d+(\.\d{1,9})?$/, 'a USD amount per million tokens such as "2.50"');

/** How much each criterion counts in a `balanced` score (relative weights, 0 leaves it out). */
export const BalancedWeights = z.strictObject({
  cost: z.number().min(0).max(100).default(1),
  quality: z.number().min(0).max(100).default(1),
  speed: z.number().min(0).max(100).default(1),
});

/** How the capable candidates that remain are ordered; the first is tried first. */
export const RoutingStrategy = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('cheapest-capable') }),
  z.strictObject({ type: z.literal('best-quality') }),
  /** Live latency when the health source has it, else the catalog's typical output speed. */
  z.strictObject({ type: z.literal('fastest') }),
  z.strictObject({ type: z.literal('balanced'), weights: BalancedWeights.prefault({}) }),
  /** The models or deployments named first, in this order; the others after them in catalog order. */
  z.strictObject({ type: z.literal('ordered'), order: names.optional() }),
  /** A/B split: the first candidate drawn by weight (per request id), the others after by weight. */
  z.strictObject({
    type: z.literal('weighted-split'),
    weights: z.record(name, z.number().positive().max(1_000_000)).refine((weights) => Object.keys(weights).length > 0, {
      message: 'name at least one model or deployment',
    }),
  }),
]);
export type RoutingStrategy = z.infer<typeof RoutingStrategy>;
export type StrategyName = RoutingStrategy['type'];

/** What `auto` does for one task: the models it chooses among, their order, the least tier it accepts. */
export const TaskRule = z.strictObject({
  models: names.min(1).optional(),
  strategy: RoutingStrategy.optional(),
  minTier: QualityTier.optional(),
});
export type TaskRule = z.infer<typeof TaskRule>;

/**
 * Budget-pressure downgrade: once any budget the call counts against has spent `atPercent` of its
 * amount in the current period, the candidates are ordered by `strategy` (cheapest first unless
 * said otherwise) and, with `maxTier`, models above that tier go only where no model within it can
 * serve the request (`auto` then also asks no more than that tier).
 */
export const BudgetPressure = z.strictObject({
  atPercent: z.number().positive().max(1000),
  strategy: RoutingStrategy.optional(),
  maxTier: QualityTier.optional(),
});
export type BudgetPressure = z.infer<typeof BudgetPressure>;

/** The budget that put a call under pressure, as the plan, `x-polymux-route` and explain report it. */
export const AppliedBudgetPressure = z.object({
  budgetId: z.string(),
  scope: z.string(),
  /** Its period spend in percent of its amount, to two decimals. */
  usedPercent: z.number(),
  /** The policy's threshold that it reached. */
  atPercent: z.number(),
});
export type AppliedBudgetPressure = z.infer<typeof AppliedBudgetPressure>;

/**
 * A routing policy as attached to an organisation, team, project or key (`mergePolicies` combines
 * them into the one a key's calls follow). Every field is optional: absent means no restriction,
 * or the router's default.
 */
export const RoutingPolicy = z.strictObject({
  /** Only these models (ids or catalog aliases) may be planned. */
  allowModels: names.optional(),
  denyModels: names.optional(),
  /** Only deployments of these providers (a deployment's `provider`, as in the catalog). */
  allowProviders: names.optional(),
  denyProviders: names.optional(),
  /** Names a caller may send as `model`, each for one model or several (tried by the strategy). */
  aliases: z.record(name, z.union([name, names.min(1)])).optional(),
  /** Per task, what `auto` chooses among and how. */
  tasks: z.partialRecord(TaskType, TaskRule).optional(),
  strategy: RoutingStrategy.optional(),
  /** USD per million tokens a deployment's list price may not exceed. */
  maxPricePerMTok: z.strictObject({ input: usdPerMTok.optional(), output: usdPerMTok.optional() }).optional(),
  /** Only deployments with a zero-retention agreement (`retainsData: false` in the catalog). */
  zeroRetentionOnly: z.boolean().optional(),
  /** Only deployments in these regions; a deployment without a region is then excluded. */
  regions: names.min(1).optional(),
  /** Cheaper capable models once a budget of the call is this far spent. */
  budgetPressure: BudgetPressure.optional(),
});
export type RoutingPolicy = z.infer<typeof RoutingPolicy>;

/** Where a policy is attached, broadest first: the order `mergePolicies` expects its levels in. */
export const PolicyScope = z.enum(['org', 'team', 'project', 'key']);
export type PolicyScope = z.infer<typeof PolicyScope>;

const intersect = (a: string[] | undefined, b: string[] | undefined) =>
  a === undefined ? b : b === undefined ? a : a.filter((item) => b.includes(item));
const union = (a: string[] | undefined, b: string[] | undefined) =>
  a === undefined ? b : b === undefined ? a : [...new Set([...a, ...b])];
const lower = (a: string | undefined, b: string | undefined) =>
  a === undefined ? b : b === undefined ? a : Number(a) <= Number(b) ? a : b;
const defined = <T extends object>(object: T): T =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;

/**
 * Combines the policies of a key's levels, broadest first (org, team, project, key), field by
 * field. Restrictions accumulate, so a narrower level can tighten but never loosen what a broader
 * one set: allow lists and regions intersect, deny lists unite, `zeroRetentionOnly` holds once any
 * level sets it, each price cap takes the lowest. Preferences follow the most specific level that
 * sets them: `strategy`, `budgetPressure`, each alias by name, each task's rule field by field.
 */
export const mergePolicies = (levels: readonly RoutingPolicy[]): RoutingPolicy =>
  levels.reduce<RoutingPolicy>((broad, narrow) => {
    const tasks = { ...broad.tasks };
    for (const [task, rule] of Object.entries(narrow.tasks ?? {}) as Array<[TaskType, TaskRule]>)
      tasks[task] = { ...tasks[task], ...defined(rule) };
    const maxPrice = defined({
      input: lower(broad.maxPricePerMTok?.input, narrow.maxPricePerMTok?.input),
      output: lower(broad.maxPricePerMTok?.output, narrow.maxPricePerMTok?.output),
    });
    return defined({
      allowModels: intersect(broad.allowModels, narrow.allowModels),
      denyModels: union(broad.denyModels, narrow.denyModels),
      allowProviders: intersect(broad.allowProviders, narrow.allowProviders),
      denyProviders: union(broad.denyProviders, narrow.denyProviders),
      aliases: broad.aliases || narrow.aliases ? { ...broad.aliases, ...narrow.aliases } : undefined,
      tasks: Object.keys(tasks).length > 0 ? tasks : undefined,
      strategy: narrow.strategy ?? broad.strategy,
      maxPricePerMTok: Object.keys(maxPrice).length > 0 ? maxPrice : undefined,
      zeroRetentionOnly: broad.zeroRetentionOnly || narrow.zeroRetentionOnly ? true : undefined,
      regions: intersect(broad.regions, narrow.regions),
      budgetPressure: narrow.budgetPressure ?? broad.budgetPressure,
    });
  }, {});
