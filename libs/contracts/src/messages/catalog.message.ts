import { z } from 'zod';

/**
 * The admin layer of the model catalog: what the admin API stored on top of the catalog file. The
 * specs are catalog entries as the file spells them (`@polymux/catalog` validates them when it
 * merges the layer), secrets only ever as references (`credential:<id>`, `env:<NAME>`).
 */
export const LayerDeployment = z.object({
  /** The catalog model it serves: a model of the file or of the layer. */
  model: z.string(),
  /** A catalog deployment (`id`, `provider`, `baseUrl`, `upstreamModel`, `pricing`, …). */
  spec: z.record(z.string(), z.json()),
});
export type LayerDeployment = z.infer<typeof LayerDeployment>;

/** A model the file does not have: a catalog model without its deployments, which the layer's deployments supply. */
export const LayerModel = z.object({ spec: z.record(z.string(), z.json()) });
export type LayerModel = z.infer<typeof LayerModel>;

export const CatalogLayerEntries = z.object({
  models: z.array(LayerModel),
  deployments: z.array(LayerDeployment),
});
export type CatalogLayerEntries = z.infer<typeof CatalogLayerEntries>;

/** The whole layer at one revision; a replica applies a revision newer than the one it holds only. */
export const CatalogLayer = CatalogLayerEntries.extend({ revision: z.number().int().nonnegative() });
export type CatalogLayer = z.infer<typeof CatalogLayer>;

export const CatalogLayerRequest = z.object({});

/** What a router finds wrong with a proposed layer merged over its catalog file; empty when it merges cleanly. */
export const CatalogLayerProblems = z.object({ problems: z.array(z.string()) });

/** The layer changed: every router and executor replica fetches it again. */
export const CatalogChanged = z.object({ revision: z.number().int().nonnegative() });

/** Stored provider credentials, sealed (AES-256-GCM): only an executor, which holds the key, opens them. */
export const SealedCredentials = z.object({
  credentials: z.array(z.object({ id: z.string(), sealed: z.string() })),
});
export type SealedCredentials = z.infer<typeof SealedCredentials>;
