import type { Catalog, CatalogModel } from '@polymux/catalog';
import type {
  AppliedBudgetPressure,
  CandidateReport,
  Complexity,
  Deployment,
  Intake,
  Plan,
  QualityTier,
  RoutingPolicy,
  RoutingStrategy,
  StrategyName,
  TaskType,
} from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import { dataRetentionOf } from '@polymux/providers';

import { refuseAutoEmbeddings } from '../embedding-models';
import { describePressure, pressureStrategy } from './budget-pressure';
import { contextRefusal, incapability } from './capability';
import type { DeploymentHealth } from './deployment-health';
import { deploymentRefusal, modelRefusal } from './policy-filter';
import { aboveTier, lowerTier, meetsTier, requiredTier, strongestTier, tierOf } from './quality-tier';
import type { Option } from './strategies';
import { rank } from './strategies';

/** The request a routing decision is for, and who asks. */
export interface RouteRequest {
  intake: Intake;
  /** The key's model scope; null means any. */
  allowedModels: string[] | null;
  policy: RoutingPolicy;
  requestId: string;
}

/** A decision: the deployments in the order they are tried, and why each considered one is in or out. */
export interface Routed {
  candidates: Deployment[];
  report: CandidateReport[];
  strategy: StrategyName;
  /** The least tier `auto` required. */
  tier?: QualityTier;
  /** The budget whose spend made the policy's budget-pressure downgrade decide. */
  budgetPressure?: AppliedBudgetPressure;
}

/** Which deployments a request may go to, before its task is known. */
export interface Eligible {
  resolvedFrom: Plan['resolvedFrom'];
  /**
   * Orders the candidates once the task, complexity and counted input tokens (and the call's
   * budgets, for budget pressure) are known, keeping out the models whose context window cannot hold
   * the request; NoCapableModel when none is left. Without a count, the edge's estimate is used.
   */
  route(task: TaskType, complexity: Complexity, pressure?: AppliedBudgetPressure, inputTokens?: number): Routed;
  /** Every deployment `route` can return, whatever the task: what the reservation covers. */
  bound: Deployment[];
}

/** A deployment as a report names it: a planned one, or a catalog one of a model kept out whole. */
type Reported = Pick<Deployment, 'id' | 'provider' | 'upstreamModel' | 'retainsData'>;

/** A deployment kept out, and why; reported when the decision is made, health read by then. */
interface Exclusion {
  deployment: Reported;
  model: string;
  reason: string;
}

/** One model examined: the options it offers, or why it or each deployment of it is out. */
interface Examined {
  options: Option[];
  excluded: Exclusion[];
}

const CHEAPEST: RoutingStrategy = { type: 'cheapest-capable' };

const noCapable = (message: string) => new PolymuxException(ErrorCode.NoCapableModel, message, { param: 'model' });

const why = (excluded: readonly Exclusion[]) =>
  excluded.length === 0
    ? ''
    : `: ${excluded
        .slice(0, 5)
        .map((exclusion) => `${exclusion.deployment.id} ${exclusion.reason}`)
        .join('; ')}${excluded.length > 5 ? '; …' : ''}`;

/** A model's options whose context window cannot hold the request moved to its exclusions. */
const withinContext = (entry: Examined, inputTokens: number, maxOutputTokens: number | undefined): Examined => {
  const kept: Option[] = [];
  const excluded = [...entry.excluded];
  for (const option of entry.options) {
    const reason = contextRefusal(option.model, inputTokens, maxOutputTokens);
    if (reason) excluded.push({ deployment: option.deployment, model: option.model.id, reason });
    else kept.push(option);
  }
  return kept.length === entry.options.length ? entry : { options: kept, excluded };
};

/**
 * The routing decision: hard bounds first (capabilities, a price, the key's scope; the context
 * window once the classifier counted the input), then the key's policy (models, providers, retention, regions, price caps), then, for
 * `auto`, the quality tier the task and complexity need, and last the strategy's order. Pure over
 * one catalog and one health reading, so a plan and an explanation decide the same way.
 */
export class Routing {
  constructor(
    private readonly catalog: Catalog,
    private readonly health: DeploymentHealth,
  ) {}

  eligible({ intake, allowedModels, policy, requestId }: RouteRequest): Eligible {
    const scoped = (model: CatalogModel, name: string) =>
      allowedModels === null || allowedModels.includes(model.id) || allowedModels.includes(name);
    const examine = (model: CatalogModel, name: string): Examined => {
      // A key learns nothing of the models outside its scope, not even why they are out.
      if (!scoped(model, name)) return { options: [], excluded: [] };
      const refusal =
        modelRefusal(this.catalog, policy, model) ??
        (this.catalog.isPriced(model) ? null : 'has no price in the catalog, so it cannot be billed') ??
        incapability(model, intake);
      // Every deployment of a model kept out as a whole, priced or not, with the one reason.
      if (refusal)
        return {
          options: [],
          excluded: model.deployments.map((deployment) => ({ deployment, model: model.id, reason: refusal })),
        };
      const examined: Examined = { options: [], excluded: [] };
      for (const deployment of this.catalog.deployments(model)) {
        const reason = deploymentRefusal(this.catalog, policy, deployment);
        if (reason) examined.excluded.push({ deployment, model: model.id, reason });
        else {
          const speed = this.catalog.spec(deployment.id)?.outputTokensPerSecond;
          examined.options.push({
            deployment,
            model,
            ...(speed === undefined ? {} : { outputTokensPerSecond: speed }),
          });
        }
      }
      return examined;
    };
    const fitting = (entries: Examined[], inputTokens = intake.signals.estimatedInputTokens): Examined[] =>
      intake.endpoint === 'embeddings'
        ? entries
        : entries.map((entry) => withinContext(entry, inputTokens, intake.maxOutputTokens));
    const decide = (
      examined: Examined[],
      strategy: RoutingStrategy,
      tier?: QualityTier,
      pressure?: AppliedBudgetPressure,
    ): Routed => {
      const options = examined.flatMap((entry) => entry.options);
      const ranked = rank(options, strategy, this.health, requestId);
      return {
        candidates: ranked.map((option) => option.deployment),
        report: [
          ...ranked.map((option) => ({
            ...this.report({ deployment: option.deployment, model: option.model.id, reason: option.reason }, true),
            score: option.score,
          })),
          ...examined.flatMap((entry) => entry.excluded.map((exclusion) => this.report(exclusion))),
        ],
        strategy: strategy.type,
        ...(tier ? { tier } : {}),
        ...(pressure ? { budgetPressure: pressure } : {}),
      };
    };

    if (intake.model === 'auto') {
      if (intake.endpoint === 'embeddings') refuseAutoEmbeddings();
      return this.auto(policy, examine, fitting, decide);
    }
    const aliased = policy.aliases?.[intake.model];
    if (aliased !== undefined) {
      const targets = (typeof aliased === 'string' ? [aliased] : aliased).flatMap((target) => {
        const resolved = this.catalog.resolve(target);
        return resolved ? [resolved.model] : [];
      });
      // As for a named model: a key that may use neither the alias nor any model it names is refused as such.
      if (!targets.some((model) => scoped(model, intake.model)))
        throw new PolymuxException(ErrorCode.ModelNotAllowed, `this key may not use the model \`${intake.model}\``, {
          param: 'model',
        });
      const examined = targets.map((model) => examine(model, intake.model));
      const bound = examined.flatMap((entry) => entry.options.map((option) => option.deployment));
      if (bound.length === 0)
        throw noCapable(
          `no model the alias \`${intake.model}\` names can serve this request${why(examined.flatMap((entry) => entry.excluded))}`,
        );
      const strategy = policy.strategy ?? { type: 'ordered', order: targets.map((model) => model.id) };
      // Ordered when routed, not now: by then the plan's health snapshot has been read.
      return {
        resolvedFrom: 'alias',
        bound,
        route: (_task, _complexity, pressure, inputTokens) => {
          const fit = fitting(examined, inputTokens);
          const routed = pressure
            ? decide(this.capped(fit, policy, pressure), pressureStrategy(policy), undefined, pressure)
            : decide(fit, strategy);
          if (routed.candidates.length === 0)
            throw noCapable(
              `no model the alias \`${intake.model}\` names can serve this request${why(fit.flatMap((entry) => entry.excluded))}`,
            );
          return routed;
        },
      };
    }
    return this.named(intake, policy, scoped, examine, fitting, decide);
  }

  /** A model named by id or catalog alias: refused outright when the model itself cannot be used. */
  private named(
    intake: Intake,
    policy: RoutingPolicy,
    scoped: (model: CatalogModel, name: string) => boolean,
    examine: (model: CatalogModel, name: string) => Examined,
    fitting: (entries: Examined[], inputTokens?: number) => Examined[],
    decide: (
      examined: Examined[],
      strategy: RoutingStrategy,
      tier?: QualityTier,
      pressure?: AppliedBudgetPressure,
    ) => Routed,
  ): Eligible {
    const resolved = this.catalog.resolve(intake.model);
    if (!resolved) {
      throw new PolymuxException(ErrorCode.ModelNotFound, `The model \`${intake.model}\` does not exist`, {
        param: 'model',
      });
    }
    const { model } = resolved;
    const forbidden = scoped(model, intake.model) ? modelRefusal(this.catalog, policy, model) : 'this key';
    if (forbidden) {
      const by = forbidden === 'this key' ? 'this key' : 'the routing policy of this key';
      throw new PolymuxException(ErrorCode.ModelNotAllowed, `${by} may not use the model \`${intake.model}\``, {
        param: 'model',
      });
    }
    const reason = incapability(model, intake);
    if (reason) throw noCapable(`the model \`${intake.model}\` ${reason}`);
    if (!this.catalog.isPriced(model)) {
      throw noCapable(
        `the model \`${intake.model}\` has no price in this gateway's catalog yet, so its calls cannot be billed; ask the platform team to price it`,
      );
    }
    const examined = examine(model, intake.model);
    if (examined.options.length === 0)
      throw noCapable(`no deployment of \`${intake.model}\` meets the routing policy${why(examined.excluded)}`);
    const strategy = policy.strategy ?? { type: 'ordered' };
    // Ordered when routed, not now: by then the plan's health snapshot has been read. A model the
    // caller named stays that model under budget pressure: only its deployments' order changes.
    return {
      resolvedFrom: resolved.resolvedFrom,
      bound: examined.options.map((option) => option.deployment),
      route: (_task, _complexity, pressure, inputTokens) => {
        const [fit] = fitting([examined], inputTokens);
        if (fit.options.length === 0) throw noCapable(`the model \`${intake.model}\` ${fit.excluded.at(-1)!.reason}`);
        return decide([fit], pressure ? pressureStrategy(policy) : strategy, undefined, pressure);
      },
    };
  }

  /**
   * `auto`: the models of the task's list (the policy's task rule, else the catalog's auto list)
   * that meet the tier the task and complexity need, cheapest first unless a strategy says
   * otherwise. When none meets the tier, the strongest tier present is taken instead of refusing.
   * Under budget pressure the pressure's strategy orders them and its `maxTier` caps the tier asked
   * (over a task rule's `minTier` too) and keeps stronger models out while a model within it can serve.
   */
  private auto(
    policy: RoutingPolicy,
    examine: (model: CatalogModel, name: string) => Examined,
    fitting: (entries: Examined[], inputTokens?: number) => Examined[],
    decide: (
      examined: Examined[],
      strategy: RoutingStrategy,
      tier?: QualityTier,
      pressure?: AppliedBudgetPressure,
    ) => Routed,
  ): Eligible {
    const resolveAll = (list: readonly string[]) =>
      list.flatMap((name) => {
        const resolved = this.catalog.resolve(name);
        return resolved ? [resolved.model] : [];
      });
    const pool = (task: TaskType): CatalogModel[] => {
      const listed = policy.tasks?.[task]?.models;
      // An alias in an auto list does not admit its model past the key's scope: examined by the model's id.
      return [...new Set(listed ? resolveAll(listed) : this.catalog.autoModels(task))];
    };
    const anyTask = new Set([
      ...this.catalog.autoModelsOfAnyTask(),
      ...Object.values(policy.tasks ?? {}).flatMap((rule) => resolveAll(rule?.models ?? [])),
    ]);
    const examined = new Map<CatalogModel, Examined>();
    const examineOnce = (model: CatalogModel) => {
      const known = examined.get(model) ?? examine(model, model.id);
      examined.set(model, known);
      return known;
    };
    const bound = [...anyTask].flatMap((model) => examineOnce(model).options.map((option) => option.deployment));
    return {
      resolvedFrom: 'auto',
      bound,
      route: (task, complexity, pressure, inputTokens) => {
        const rule = policy.tasks?.[task];
        const cap = pressure ? policy.budgetPressure?.maxTier : undefined;
        const wanted = rule?.minTier ?? requiredTier(task, complexity);
        const tier = cap ? lowerTier(wanted, cap) : wanted;
        const models = pool(task);
        const fit = new Map(models.map((model) => [model, fitting([examineOnce(model)], inputTokens)[0]]));
        const usable = models.filter((model) => fit.get(model)!.options.length > 0);
        const best = usable.some((model) => meetsTier(model, tier)) ? tier : strongestTier(usable);
        const entries = models.map((model): Examined => {
          const entry = fit.get(model)!;
          if (entry.options.length === 0 || best === undefined || meetsTier(model, best)) return entry;
          const reason = `is ${tierOf(model)} tier, below the ${tier} tier auto needs for ${task} at ${complexity} complexity`;
          return {
            options: [],
            excluded: [
              ...entry.options.map((option) => ({ deployment: option.deployment, model: model.id, reason })),
              ...entry.excluded,
            ],
          };
        });
        const routed = pressure
          ? decide(this.capped(entries, policy, pressure), pressureStrategy(policy), tier, pressure)
          : decide(entries, rule?.strategy ?? policy.strategy ?? CHEAPEST, tier);
        if (routed.candidates.length === 0)
          throw noCapable(
            `no model this key may use can serve this ${task} request${why(entries.flatMap((entry) => entry.excluded))}`,
          );
        return routed;
      },
    };
  }

  /**
   * Budget pressure's tier cap over several models: those above it are kept out, with the reason,
   * unless no model within it can serve the request (then nothing changes).
   */
  private capped(entries: Examined[], policy: RoutingPolicy, pressure: AppliedBudgetPressure): Examined[] {
    const cap = policy.budgetPressure?.maxTier;
    if (!cap) return entries;
    const above = (entry: Examined) => entry.options.some((option) => aboveTier(option.model, cap));
    if (!entries.some((entry) => entry.options.length > 0 && !above(entry))) return entries;
    return entries.map((entry) =>
      above(entry)
        ? {
            options: [],
            excluded: [
              ...entry.options.map((option) => ({
                deployment: option.deployment,
                model: option.model.id,
                reason: `is ${tierOf(option.model)} tier, above the ${cap} tier budget pressure allows (${describePressure(pressure)})`,
              })),
              ...entry.excluded,
            ],
          }
        : entry,
    );
  }

  /** A considered deployment with the decision, its retention, and its speed as seeded and as measured. */
  private report({ deployment, model, reason }: Exclusion, kept = false): CandidateReport {
    const seeded = this.catalog.spec(deployment.id)?.outputTokensPerSecond;
    const measured = this.health.outputTokensPerSecond(deployment.id);
    return {
      deploymentId: deployment.id,
      model,
      provider: deployment.provider,
      kept,
      reason,
      retainsData: dataRetentionOf(deployment).retainsData,
      ...(seeded === undefined ? {} : { outputTokensPerSecond: seeded }),
      ...(measured === undefined ? {} : { measuredOutputTokensPerSecond: measured }),
    };
  }
}
