import { z } from 'zod';

export const ListModelsRequest = z.object({
  /** Models the key may use; null means any. */
  allowedModels: z.array(z.string()).nullable(),
});

const ListedTokenPrices = {
  input: z.string(),
  output: z.string(),
  cachedInput: z.string().optional(),
  cacheWrite: z.string().optional(),
  reasoning: z.string().optional(),
  imageInput: z.string().optional(),
};

/** A catalog model as `GET /v1/models` describes it: what it is, who serves it, what it can do and costs. */
export const ModelInfo = z.object({
  id: z.string(),
  /** The organisation that serves the model's first deployment (not the adapter family). */
  ownedBy: z.string(),
  /** The aliases the key may call the model by. */
  aliases: z.array(z.string()),
  contextWindow: z.number().int().positive(),
  maxOutputTokens: z.number().int().nonnegative(),
  capabilities: z.object({
    tools: z.boolean(),
    parallelTools: z.boolean(),
    vision: z.boolean(),
    jsonSchema: z.boolean(),
    reasoning: z.boolean(),
    embeddings: z.boolean(),
    streaming: z.boolean(),
  }),
  qualityTier: z.enum(['frontier', 'standard', 'economy']).optional(),
  /**
   * List prices of the first priced deployment, USD per million tokens as decimal strings
   * (`perRequest`: USD per call); null for an unpriced model, which cannot be called until priced.
   */
  pricing: z
    .object({
      ...ListedTokenPrices,
      perRequest: z.string().optional(),
      /** Long-context prices: above `aboveInputTokens` of input, the whole call at these. */
      tiers: z.array(z.object({ aboveInputTokens: z.number().int(), ...ListedTokenPrices })).optional(),
    })
    .nullable(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

/** The models a key may call by their own id; aliases are listed on their model. */
export const ModelList = z.object({ models: z.array(ModelInfo) });
export type ModelList = z.infer<typeof ModelList>;
