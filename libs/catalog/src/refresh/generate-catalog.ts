import type { CatalogPrices } from '../catalog.schema';
import type { CatalogProvider } from './catalog-providers';
import { modelsDevPrices } from './list-prices';
import type { ModelsDevModel, ModelsDevSnapshot } from './models-dev';

/** A provider's list prices for one upstream model id (genai-prices), or undefined when it has none. */
export type PriceLookup = (genaiProvider: string, upstreamModel: string) => CatalogPrices | undefined;

/** A model as the generated data writes it: the input of `CatalogModelSchema`. */
export interface GeneratedModel {
  id: string;
  aliases?: string[];
  contextWindow: number;
  maxOutputTokens: number;
  capabilities: Record<'tools' | 'parallelTools' | 'vision' | 'jsonSchema' | 'reasoning', boolean>;
  qualityTier?: 'frontier' | 'standard' | 'economy';
  deployments: GeneratedDeployment[];
}

export interface GeneratedDeployment {
  id: string;
  provider: string;
  baseUrl: string;
  upstreamModel: string;
  credentialRef?: string;
  region?: string;
  settings?: CatalogProvider['settings'];
  owner?: string;
  pricing?: CatalogPrices;
  unpriced?: true;
}

/**
 * Not chat models, or not callable through the APIs the adapters speak: embeddings (their vector
 * sizes are not in models.dev; the overrides file lists them), speech, realtime, moderation, search
 * and agents, and OpenAI's `-pro` and `codex` models (Responses API only).
 */
const NOT_CHAT =
  /embed|tts|whisper|transcri|realtime|audio|guard|moderation|search|computer-use|deep-research|codex|orpheus|compound|rerank|ocr|(^|[/.])(o\d+|gpt-[\d.]+)-pro/i;

/** A chat model the catalog can serve: released, text in and only text out, with known limits. */
const servable = (upstream: string, model: ModelsDevModel): boolean =>
  model.status !== 'deprecated' &&
  model.status !== 'alpha' &&
  !NOT_CHAT.test(upstream) &&
  !NOT_CHAT.test(model.baseModel ?? '') &&
  (model.modalities?.input ?? []).includes('text') &&
  (model.modalities?.output ?? []).join() === 'text' &&
  (model.limit?.context ?? 0) > 0 &&
  (model.limit?.output ?? 0) > 0;

/** One provider's offer of a model: what it calls it and what models.dev says of it there. */
interface Offer {
  provider: CatalogProvider;
  upstream: string;
  model: ModelsDevModel;
}

/**
 * What makes two offers the same model: what the provider's naming says it is, else the
 * provider-agnostic `base_model` models.dev names, else the model under its creator's namespace (a
 * first-party provider's own), else only this provider's.
 */
const identityOf = ({ provider, upstream, model }: Offer): string =>
  provider.identity?.(upstream) ??
  model.baseModel ??
  (provider.creator ? `${provider.creator}/${upstream}` : `${provider.name}:${upstream}`);

/** Price-derived tier: what the providers charge tracks how capable they rank their models. */
const tierOf = (prices: CatalogPrices | undefined): GeneratedModel['qualityTier'] => {
  if (!prices) return undefined;
  const output = Number(prices.output);
  if (output >= 10) return 'frontier';
  return output >= 1 ? 'standard' : 'economy';
};

const deploymentOf = ({ provider, upstream, model }: Offer, lookup: PriceLookup): GeneratedDeployment => {
  const prices = (provider.genaiPrices && lookup(provider.genaiPrices, upstream)) || modelsDevPrices(model);
  return {
    id: `${provider.name}/${upstream}`,
    provider: provider.name,
    baseUrl: `\${${provider.baseUrlVariable}:-\${PROVIDER_SIM_URL}${provider.simPath}}`,
    upstreamModel: upstream,
    // The simulator needs no key: one is required only once the provider's base URL is set.
    ...(provider.credentialVariable
      ? { credentialRef: `\${${provider.baseUrlVariable}:+env:${provider.credentialVariable}}` }
      : {}),
    ...(provider.region ? { region: provider.region } : {}),
    ...(provider.settings ? { settings: provider.settings } : {}),
    ...(provider.owner ? { owner: provider.owner } : {}),
    ...(prices ? { pricing: prices } : { unpriced: true as const }),
  };
};

/**
 * The catalog id of a group of offers: a first-party provider's own id, else models.dev's
 * provider-agnostic name, else `<provider>/<upstream id>`; undefined when only attach-only providers
 * offer it.
 */
const modelIdOf = ([first]: Offer[]): string | undefined => {
  if (!first || first.provider.role === 'attach') return undefined;
  if (first.provider.role === 'first-party') return first.upstream;
  return first.model.baseModel ?? `${first.provider.name}/${first.upstream}`;
};

/** Every servable offer of the providers, in provider order; one per provider and model (its preferred id). */
const offersByIdentity = (snapshot: ModelsDevSnapshot, providers: readonly CatalogProvider[]): Map<string, Offer[]> => {
  const groups = new Map<string, Offer[]>();
  for (const provider of providers) {
    const chosen = new Map<string, Offer>();
    for (const folder of provider.modelsDev) {
      const models = snapshot.providers[folder]?.models ?? {};
      for (const [upstream, model] of Object.entries(models)) {
        if (!servable(upstream, model) || (provider.accepts && !provider.accepts.test(upstream))) continue;
        const offer = { provider, upstream, model };
        const identity = identityOf(offer);
        const held = chosen.get(identity);
        const rank = (candidate: Offer) => provider.prefer?.(candidate.upstream) ?? 0;
        if (!held || rank(offer) < rank(held)) chosen.set(identity, offer);
      }
    }
    for (const [identity, offer] of chosen) groups.set(identity, [...(groups.get(identity) ?? []), offer]);
  }
  return groups;
};

/**
 * The generated catalog data: one model per provider-agnostic model of the snapshot, its
 * deployments in provider order (first party, clouds, hosts), limits and capabilities from its
 * first offer, prices from genai-prices per deployment (models.dev's cost where genai-prices has
 * none; neither: `unpriced`). Model ids and aliases are unique, or this throws.
 */
export const generateCatalog = (
  snapshot: ModelsDevSnapshot,
  providers: readonly CatalogProvider[],
  lookup: PriceLookup,
): GeneratedModel[] => {
  const models: GeneratedModel[] = [];
  const names = new Set<string>();
  const claim = (name: string) => {
    if (names.has(name)) throw new Error(`generated catalog: ${name} names two models`);
    names.add(name);
  };
  for (const offers of offersByIdentity(snapshot, providers).values()) {
    const id = modelIdOf(offers);
    if (id === undefined) continue;
    const [{ provider, upstream, model }] = offers as [Offer];
    const aliases = provider.role === 'first-party' ? [`${provider.name}/${upstream}`] : [];
    [id, ...aliases].forEach(claim);
    const deployments = offers.map((offer) => deploymentOf(offer, lookup));
    const tier = tierOf(deployments.find((deployment) => deployment.pricing)?.pricing);
    const tools = model.tool_call === true;
    models.push({
      id,
      ...(aliases.length > 0 ? { aliases } : {}),
      contextWindow: model.limit!.context!,
      maxOutputTokens: model.limit!.output!,
      capabilities: {
        tools,
        // Every provider family here takes several tool calls in one answer; the overrides fix exceptions.
        parallelTools: tools,
        vision: (model.modalities?.input ?? []).includes('image'),
        jsonSchema: model.structured_output === true,
        reasoning: model.reasoning === true,
      },
      ...(tier ? { qualityTier: tier } : {}),
      deployments,
    });
  }
  return models;
};
