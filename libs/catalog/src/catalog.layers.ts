import { z } from 'zod';

/** Anything with an id, with whichever other fields a layer sets; the merged file is validated whole. */
const Identified = z.looseObject({ id: z.string().min(1) });
type Identified = z.infer<typeof Identified>;

/**
 * One layer of the catalog: the generated data, the YAML overrides on top of it, and whatever a
 * later layer (admin changes) adds. Every field is optional; `mergeCatalogLayers` folds them.
 */
export const CatalogLayerSchema = z.object({
  /** The layer underneath, a path relative to this file (the overrides file names the generated data). */
  extends: z.string().min(1).optional(),
  /**
   * Models to add, or to change by id: fields given replace the lower layer's, `capabilities` per
   * flag, `deployments` per deployment id (a new id is appended).
   */
  models: z.array(Identified.extend({ deployments: z.array(Identified).optional() })).default([]),
  /** Catalog-wide aliases, per name. */
  aliases: z.record(z.string(), z.string()).optional(),
  /** `auto.default` replaces the lower layer's list, `auto.tasks` per task. */
  auto: z
    .object({
      default: z.array(z.string()).optional(),
      tasks: z.record(z.string(), z.array(z.string())).optional(),
    })
    .optional(),
  /** Model or deployment ids a lower layer has that this one drops. */
  exclude: z.array(z.string()).default([]),
});
export type CatalogLayer = z.infer<typeof CatalogLayerSchema>;

/** A catalog as merged so far: still unvalidated, `CatalogFileSchema` checks the result. */
export interface MergedCatalog {
  models: Identified[];
  aliases: Record<string, string>;
  auto: { default?: string[]; tasks: Record<string, string[]> };
}

export const EMPTY_CATALOG: MergedCatalog = { models: [], aliases: {}, auto: { tasks: {} } };

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** Items by id: a known id is merged with `mergeOne`, a new one appended, order kept. */
const mergeById = <T extends Identified>(lower: T[], upper: T[], mergeOne: (lower: T, upper: T) => T): T[] => {
  const merged = new Map(lower.map((item) => [item.id, item]));
  for (const item of upper) {
    const existing = merged.get(item.id);
    merged.set(item.id, existing ? mergeOne(existing, item) : item);
  }
  return [...merged.values()];
};

const mergeModel = (lower: Identified, upper: Identified): Identified => ({
  ...lower,
  ...upper,
  capabilities: { ...record(lower['capabilities']), ...record(upper['capabilities']) },
  deployments: mergeById(
    z.array(Identified).catch([]).parse(lower['deployments']),
    z.array(Identified).catch([]).parse(upper['deployments']),
    (below, above) => ({ ...below, ...above }),
  ),
});

/** Drops excluded models, and excluded deployments from the models that remain. */
const without = (models: Identified[], exclude: readonly string[]): Identified[] => {
  if (exclude.length === 0) return models;
  const dropped = new Set(exclude);
  return models
    .filter((model) => !dropped.has(model.id))
    .map((model) =>
      Array.isArray(model['deployments'])
        ? { ...model, deployments: (model['deployments'] as Identified[]).filter(({ id }) => !dropped.has(id)) }
        : model,
    );
};

/** Puts `layer` on top of `lower`; the caller validates the final result with `CatalogFileSchema`. */
export const mergeCatalogLayers = (lower: MergedCatalog, layer: CatalogLayer): MergedCatalog => {
  const autoDefault = layer.auto?.default ?? lower.auto.default;
  return {
    models: without(mergeById(lower.models, layer.models, mergeModel), layer.exclude),
    aliases: { ...lower.aliases, ...layer.aliases },
    auto: { ...(autoDefault ? { default: autoDefault } : {}), tasks: { ...lower.auto.tasks, ...layer.auto?.tasks } },
  };
};
