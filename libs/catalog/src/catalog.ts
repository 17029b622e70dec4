import type { Deployment, ModelInfo, Pricing, TaskType } from '@polymux/contracts';
import { nanoToUsd, usdToNano } from '@polymux/contracts';

import type { CatalogDeployment, CatalogFile, CatalogModel, CatalogPrices } from './catalog.schema';

export interface ResolvedModel {
  model: CatalogModel;
  resolvedFrom: 'model' | 'alias';
}

/** A header value: literal, or a secret the executor reads from its environment. */
export type HeaderValue = string | { credentialRef: string };

/** A provider-specific setting: literal, or a secret the executor reads from its environment. */
export type SettingValue = string | number | boolean | { credentialRef: string };

/** How to reach one deployment: known only to the executor, never sent in a message. */
export interface UpstreamEndpoint {
  baseUrl: string;
  credentialRef?: string;
  headers: Readonly<Record<string, HeaderValue>>;
  region?: string;
  settings: Readonly<Record<string, SettingValue>>;
  /** The deployment's own time limits, in place of the executor's. */
  timeouts?: { connectMs?: number; firstByteMs?: number; totalMs?: number };
  /** Configured through the admin API: every connection to it goes through the SSRF guard. */
  admin?: true;
}

/** A deployment as a plan carries it, plus where and how to call it. */
export interface CatalogEntry {
  deployment: Deployment;
  endpoint: UpstreamEndpoint;
}

/** A catalog price in one spelling whatever the file wrote (`'0.40'` → `'0.4'`). */
const usdDecimal = (usd: string): string => nanoToUsd(usdToNano(usd));

/** OpenAI's reasoning models (o-series, gpt-5), also under a router's `openai/` prefix: they refuse `max_tokens`. */
const OPENAI_REASONING_MODEL = /^(openai\/)?(o\d|gpt-5)/;

/**
 * The deployment's own choice; else `max_completion_tokens` for an OpenAI reasoning model wherever it
 * is served, which refuses `max_tokens`; else none (the adapter decides by host). Not for every model
 * with the reasoning capability: another vendor's server may ignore `max_completion_tokens`, and an
 * uncapped answer could outgrow the reservation — such a deployment names its field.
 */
const maxTokensFieldOf = (deployment: CatalogDeployment): Deployment['maxTokensField'] =>
  deployment.maxTokensField ??
  (OPENAI_REASONING_MODEL.test(deployment.upstreamModel) ? 'max_completion_tokens' : undefined);

/** The catalog's USD decimal prices as a plan's integer nano-USD, optional prices only when given. */
const nano = (usd: string | undefined) => (usd === undefined ? undefined : usdToNano(usd).toString());
const defined = <T extends object>(fields: T): T =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;

const toTokenPrices = (prices: Omit<CatalogPrices, 'perRequest' | 'tiers'>): Omit<Pricing, 'perRequest' | 'tiers'> =>
  defined({
    inputPerMTok: usdToNano(prices.input).toString(),
    outputPerMTok: usdToNano(prices.output).toString(),
    cachedInputPerMTok: nano(prices.cachedInput),
    cacheWritePerMTok: nano(prices.cacheWrite),
    reasoningPerMTok: nano(prices.reasoning),
    imageInputPerMTok: nano(prices.imageInput),
  });

const toPricing = ({ perRequest, tiers, ...prices }: CatalogPrices): Pricing =>
  defined({
    ...toTokenPrices(prices),
    perRequest: nano(perRequest),
    tiers: tiers?.map(({ aboveInputTokens, ...tier }) => ({ aboveInputTokens, ...toTokenPrices(tier) })),
  });

/** The prices `GET /v1/models` shows, in one spelling whatever the file wrote. */
const toListedPrices = ({ tiers, ...prices }: CatalogPrices): NonNullable<ModelInfo['pricing']> => {
  const listed = <T extends object>(kinds: T): T =>
    Object.fromEntries(
      Object.entries(kinds).flatMap(([kind, usd]) =>
        usd === undefined ? [] : [[kind, typeof usd === 'string' ? usdDecimal(usd) : usd]],
      ),
    ) as T;
  return { ...listed(prices), ...(tiers ? { tiers: tiers.map(listed) } : {}) };
};

const toDeployment = (model: CatalogModel, deployment: CatalogDeployment, prices: CatalogPrices): Deployment => ({
  id: deployment.id,
  provider: deployment.provider,
  model: model.id,
  upstreamModel: deployment.upstreamModel,
  pricing: toPricing(prices),
  contextWindow: model.contextWindow,
  maxOutputTokens: model.maxOutputTokens,
  ...(maxTokensFieldOf(deployment) ? { maxTokensField: maxTokensFieldOf(deployment) } : {}),
  ...(deployment.retainsData === undefined ? {} : { retainsData: deployment.retainsData }),
  ...(deployment.weight === undefined ? {} : { weight: deployment.weight }),
});

/**
 * The model catalog in memory: lookups by id or alias, auto lists by task, deployments priced in
 * nano-USD, and each deployment's upstream endpoint by deployment id. An unpriced deployment is
 * listed but never planned, nor found by id; a model without a priced deployment is unpriced.
 */
export class Catalog {
  private readonly byName = new Map<string, ResolvedModel>();
  private readonly byDeploymentId = new Map<string, CatalogEntry>();
  private readonly planned = new Map<CatalogModel, Deployment[]>();
  private readonly specs = new Map<string, CatalogDeployment>();

  /** `adminDeployments`: ids of the deployments the admin layer added or replaced. */
  constructor(
    readonly file: CatalogFile,
    adminDeployments: ReadonlySet<string> = new Set(),
  ) {
    const ids = new Set<string>();
    for (const model of file.models) {
      this.byName.set(model.id, { model, resolvedFrom: 'model' });
      for (const alias of model.aliases) this.byName.set(alias, { model, resolvedFrom: 'alias' });
      const planned: Deployment[] = [];
      for (const deployment of model.deployments) {
        if (ids.has(deployment.id)) throw new Error(`catalog deployment ${deployment.id} is not unique`);
        ids.add(deployment.id);
        this.specs.set(deployment.id, deployment);
        const prices = deployment.pricing;
        if (!prices) continue;
        const { baseUrl, credentialRef, headers, region, settings, timeouts } = deployment;
        const entry = {
          deployment: toDeployment(model, deployment, prices),
          endpoint: {
            baseUrl,
            credentialRef,
            headers,
            settings,
            ...(region === undefined ? {} : { region }),
            ...(timeouts === undefined ? {} : { timeouts }),
            ...(adminDeployments.has(deployment.id) ? { admin: true as const } : {}),
          },
        };
        this.byDeploymentId.set(deployment.id, entry);
        planned.push(entry.deployment);
      }
      this.planned.set(model, planned);
    }
    for (const [alias, target] of Object.entries(file.aliases)) {
      const resolved = this.byName.get(target);
      if (!resolved) throw new Error(`catalog alias ${alias} points at unknown model ${target}`);
      this.byName.set(alias, { model: resolved.model, resolvedFrom: 'alias' });
    }
    for (const name of [...file.auto.default, ...Object.values(file.auto.tasks).flat()]) {
      const resolved = this.byName.get(name);
      if (!resolved) throw new Error(`catalog auto list names unknown model ${name}`);
      // `auto` plans chat calls: an embeddings model there could be chosen for one.
      if (resolved.model.capabilities.embeddings) throw new Error(`catalog auto list names embeddings model ${name}`);
    }
  }

  resolve(name: string): ResolvedModel | undefined {
    return this.byName.get(name);
  }

  /** A deployment by its id; undefined for an id this catalog does not name. */
  entry(deploymentId: string): CatalogEntry | undefined {
    return this.byDeploymentId.get(deploymentId);
  }

  /** A deployment as the catalog spells it (speed, region, retention), priced or not. */
  spec(deploymentId: string): CatalogDeployment | undefined {
    return this.specs.get(deploymentId);
  }

  /** Models `auto` may choose for a task (the router picks among them by tier and strategy). */
  autoModels(task: TaskType): CatalogModel[] {
    const names = this.file.auto.tasks[task] ?? this.file.auto.default;
    return names.map((name) => this.byName.get(name)!.model);
  }

  /** Every model `auto` may pick for some task: what a bound taken before classification covers. */
  autoModelsOfAnyTask(): CatalogModel[] {
    const names = new Set([
      ...Object.values(this.file.auto.tasks).flatMap((list) => list ?? []),
      ...this.file.auto.default,
    ]);
    return [...names].map((name) => this.byName.get(name)!.model);
  }

  /** Every model in catalog order with the names that resolve to it (its own and catalog-level aliases). */
  models(): ModelInfo[] {
    const aliases = new Map<CatalogModel, string[]>(this.file.models.map((model) => [model, []]));
    for (const [name, { model }] of this.byName) if (name !== model.id) aliases.get(model)?.push(name);
    return this.file.models.map((model) => {
      const [first] = model.deployments;
      const prices = model.deployments.find((deployment) => deployment.pricing)?.pricing;
      const { streaming, ...capabilities } = model.capabilities;
      return {
        id: model.id,
        ownedBy: first.owner ?? first.provider,
        aliases: aliases.get(model) ?? [],
        contextWindow: model.contextWindow,
        maxOutputTokens: model.maxOutputTokens,
        capabilities: { ...capabilities, streaming: streaming ?? !capabilities.embeddings },
        ...(model.qualityTier ? { qualityTier: model.qualityTier } : {}),
        pricing: prices ? toListedPrices(prices) : null,
      };
    });
  }

  /** A model's priced deployments in catalog order, as a plan carries them: no URL, no credentials. */
  deployments(model: CatalogModel): Deployment[] {
    return this.planned.get(model) ?? [];
  }

  /** A model with no priced deployment cannot be billed, so it is never planned. */
  isPriced(model: CatalogModel): boolean {
    return this.deployments(model).length > 0;
  }
}
