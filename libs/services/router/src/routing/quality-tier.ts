import type { CatalogModel } from '@polymux/catalog';
import type { Complexity, QualityTier, TaskType } from '@polymux/contracts';

const RANK: Record<QualityTier, number> = { economy: 0, standard: 1, frontier: 2 };

/** A model without a tier in the catalog counts as `standard`. */
export const tierOf = (model: CatalogModel): QualityTier => model.qualityTier ?? 'standard';

/** 0 for economy, 0.5 standard, 1 frontier: quality as a score. */
export const qualityScore = (model: CatalogModel): number => RANK[tierOf(model)] / 2;

export const meetsTier = (model: CatalogModel, tier: QualityTier): boolean => RANK[tierOf(model)] >= RANK[tier];

export const aboveTier = (model: CatalogModel, tier: QualityTier): boolean => RANK[tierOf(model)] > RANK[tier];

/** The weaker of two tiers. */
export const lowerTier = (a: QualityTier, b: QualityTier): QualityTier => (RANK[a] <= RANK[b] ? a : b);

/**
 * The least tier `auto` accepts for a task at a complexity: light tasks start at economy, code,
 * reasoning and agent work at standard, and harder requests need stronger models.
 */
const TIERS: Record<TaskType, Record<Complexity, QualityTier>> = {
  chat: { low: 'economy', medium: 'economy', high: 'standard' },
  translation: { low: 'economy', medium: 'standard', high: 'standard' },
  summarization: { low: 'economy', medium: 'standard', high: 'standard' },
  extraction: { low: 'economy', medium: 'standard', high: 'standard' },
  creative: { low: 'economy', medium: 'standard', high: 'frontier' },
  vision: { low: 'economy', medium: 'standard', high: 'frontier' },
  agent: { low: 'standard', medium: 'standard', high: 'frontier' },
  code: { low: 'standard', medium: 'frontier', high: 'frontier' },
  reasoning: { low: 'standard', medium: 'frontier', high: 'frontier' },
};

export const requiredTier = (task: TaskType, complexity: Complexity): QualityTier => TIERS[task][complexity];

/** The highest tier among the models, undefined for none. */
export const strongestTier = (models: readonly CatalogModel[]): QualityTier | undefined =>
  models
    .map(tierOf)
    .reduce<QualityTier | undefined>((best, tier) => (best && RANK[best] >= RANK[tier] ? best : tier), undefined);
