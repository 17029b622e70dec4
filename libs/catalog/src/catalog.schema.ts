import { TaskType } from '@polymux/contracts';
import { z } from 'zod';

const usd = z.string().regex(/^\d+(\.\d{1,9})?$/, 'a USD amount such as "0.40"');

/** An HTTP header name (RFC 9110 token) and a value without line breaks. */
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'an HTTP header name');
const headerValue = z.string().regex(/^[^\r\n\0]*$/, 'a header value without line breaks');
/**
 * Where the executor reads a secret: its environment (`env:OPENAI_API_KEY`) or a credential stored
 * through the admin API (`credential:<id>`); only the executor resolves it.
 */
const credentialRef = z
  .string()
  .regex(
    /^(env:[A-Za-z_][A-Za-z0-9_]*|credential:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
    'a credentials reference such as env:OPENAI_API_KEY or credential:<id>',
  );

/** A provider-specific setting: a literal, or a secret only the executor reads (`{ credentialRef }`). */
const settingValue = z.union([z.string(), z.number(), z.boolean(), z.strictObject({ credentialRef })]);

const TokenPrices = {
  input: usd,
  output: usd,
  cachedInput: usd.optional(),
  cacheWrite: usd.optional(),
  reasoning: usd.optional(),
  imageInput: usd.optional(),
};

/**
 * USD per million tokens; absent optional prices are the base ones (cache as input, reasoning as
 * output). `tiers`: long-context prices — a call whose input (cache included) is above
 * `aboveInputTokens` pays the tier's prices for all of it (optional ones it leaves out are the base's).
 */
const PricesSchema = z.object({
  ...TokenPrices,
  /** USD per call, on top of its tokens. */
  perRequest: usd.optional(),
  tiers: z
    .array(z.strictObject({ aboveInputTokens: z.number().int().positive(), ...TokenPrices }))
    .refine(
      (tiers) => new Set(tiers.map((tier) => tier.aboveInputTokens)).size === tiers.length,
      'each tier needs a threshold of its own',
    )
    .transform((tiers) => [...tiers].sort((a, b) => a.aboveInputTokens - b.aboveInputTokens))
    .optional(),
});
export type CatalogPrices = z.infer<typeof PricesSchema>;

export const CatalogDeploymentSchema = z
  .object({
    /** Unique across the catalog: the one thing an invoke message names. */
    id: z.string().min(1),
    provider: z.string().min(1),
    baseUrl: z.url(),
    upstreamModel: z.string().min(1),
    /**
     * The API key, sent as a bearer token. Empty (or YAML's null) is none: the generated catalog writes
     * `${OPENAI_BASE_URL:+env:OPENAI_API_KEY}`, a key only for a real provider, none for the simulator.
     */
    credentialRef: credentialRef
      .or(z.literal(''))
      .nullish()
      .transform((reference) => reference || undefined),
    /**
     * Extra request headers (an organisation, an API version, a key in a header of its own); names
     * lower-cased. A secret value is written `{ credentialRef: env:NAME }`, so that only the executor,
     * never the router, needs it in its environment.
     */
    headers: z
      .record(headerName, z.union([headerValue, z.strictObject({ credentialRef })]))
      .default({})
      .transform((headers) =>
        Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
      ),
    /** List prices in USD per million tokens (`perRequest`: USD per call). */
    pricing: PricesSchema.optional(),
    /**
     * Instead of `pricing`: no list price is known. The deployment is listed but never planned until
     * it has one (a missing price is never $0).
     */
    unpriced: z.literal(true).optional(),
    /**
     * Whether the provider keeps prompts and completions (abuse monitoring, caches, training):
     * `false` with the organisation's zero-retention agreement, `true` to be strict. Absent: the
     * provider's documented default (`providerRetainsData` in @polymux/providers, docs/providers.md);
     * null too, so that an admin change can go back to the default.
     */
    retainsData: z
      .boolean()
      .nullish()
      .transform((retains) => retains ?? undefined),
    /** Share of the model's traffic this deployment gets, relative to its siblings' (absent: 1). Without any weight, catalog order. */
    weight: z.number().positive().optional(),
    /** Typical output speed in tokens per second: a seed, until the router has measured the deployment's own. */
    outputTokensPerSecond: z.number().positive().optional(),
    /**
     * Who serves the model here, as `GET /v1/models` names it (`owned_by`), e.g. `deepseek` for a
     * deployment the `openai` adapter calls; defaults to `provider`.
     */
    owner: z.string().min(1).optional(),
    /**
     * OpenAI-compatible deployments: which body field carries the output limit, when the default is
     * wrong for this server (default: `max_completion_tokens` for an OpenAI reasoning model — `o…`,
     * `gpt-5…` — wherever it is served, else by host: `max_completion_tokens` for api.openai.com only).
     */
    maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
    /** Where the deployment runs (a cloud region such as `us-east-1`), when the provider has regions. */
    region: z.string().min(1).optional(),
    /**
     * What the deployment's adapter needs beyond URL, key and headers (an Azure `apiVersion`, a Vertex
     * `project`, AWS credentials as `{ credentialRef }`); each adapter checks its own and names what is wrong.
     */
    /** Time limits of this deployment's calls in place of the executor's (`POLYMUX_UPSTREAM_*_TIMEOUT_MS`). */
    timeouts: z
      .strictObject({
        connectMs: z.number().int().positive().optional(),
        firstByteMs: z.number().int().positive().optional(),
        totalMs: z.number().int().positive().optional(),
      })
      .optional(),
    settings: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a setting name'), settingValue).default({}),
  })
  .refine((deployment) => (deployment.pricing === undefined) === (deployment.unpriced === true), {
    message: 'a deployment has either pricing or `unpriced: true`',
    path: ['pricing'],
  });
export type CatalogDeployment = z.infer<typeof CatalogDeploymentSchema>;

export const CatalogModelSchema = z.object({
  id: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  contextWindow: z.number().int().positive(),
  /** 0 for an embeddings model, which produces no tokens. */
  maxOutputTokens: z.number().int().nonnegative(),
  capabilities: z
    .object({
      tools: z.boolean().default(false),
      /** Several tool calls in one answer. */
      parallelTools: z.boolean().default(false),
      vision: z.boolean().default(false),
      jsonSchema: z.boolean().default(false),
      reasoning: z.boolean().default(false),
      /** An embeddings model: served on `POST /v1/embeddings` only, never for chat. */
      embeddings: z.boolean().default(false),
      /** Answers streamed; absent: every chat model streams, no embeddings model does. */
      streaming: z.boolean().optional(),
    })
    .prefault({}),
  /**
   * How capable the model is, for choosing among candidates: `frontier` (the providers' best),
   * `standard`, `economy` (small and cheap). The generated catalog derives it from the list price.
   */
  qualityTier: z.enum(['frontier', 'standard', 'economy']).optional(),
  /**
   * An embeddings model's vector size: `default` when the caller asks none; with `max`, a caller may
   * ask any size up to it (`dimensions`), without it the size is fixed and `dimensions` is refused.
   */
  dimensions: z
    .object({ default: z.number().int().positive(), max: z.number().int().positive().optional() })
    .optional(),
  deployments: z.array(CatalogDeploymentSchema).min(1),
});
export type CatalogModel = z.infer<typeof CatalogModelSchema>;

/** A chat model must be able to answer; only an embeddings model has no output. */
const answers = (model: Pick<CatalogModel, 'capabilities' | 'maxOutputTokens'>) =>
  model.capabilities.embeddings || model.maxOutputTokens > 0;
const ANSWERS = { message: 'a chat model needs a positive maxOutputTokens', path: ['maxOutputTokens'] };
const CheckedModelSchema = CatalogModelSchema.refine(answers, ANSWERS);
/** A model the admin API adds: its deployments come separately, as admin deployments. */
export const LayerModelSchema = CatalogModelSchema.omit({ deployments: true }).refine(answers, ANSWERS);

export const CatalogFileSchema = z.object({
  models: z.array(CheckedModelSchema).min(1),
  aliases: z.record(z.string(), z.string()).default({}),
  auto: z.object({
    default: z.array(z.string()).min(1),
    tasks: z.partialRecord(TaskType, z.array(z.string()).min(1)).default({}),
  }),
});
export type CatalogFile = z.infer<typeof CatalogFileSchema>;
