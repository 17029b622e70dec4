import type { Catalog, CatalogModel } from '@polymux/catalog';
import type { Complexity, Deployment, QualityTier, TaskType } from '@polymux/contracts';
import { callCost, intakeOf } from '@polymux/contracts';
import { strongestModel, tierOf } from '@polymux/router';

import type { RoutingSubjects } from './routing-decision';
import { decide } from './routing-decision';
import type { RequestKind } from './routing-mix';

/** A kind's requests sent to one deployment, priced at its list prices; money as nano-USD strings (JSON has no bigint). */
export interface PricedRoute {
  model: string;
  deploymentId: string;
  costPerRequestNano: string;
  /** `costPerRequestNano` times the kind's count. */
  costNano: string;
}

export interface PlannedKind {
  kind: string;
  label: string;
  intended: TaskType;
  count: number;
  inputTokens: number;
  outputTokens: number;
  /** What the classifier made of the request, and the least tier `auto` required for it. */
  task: TaskType;
  complexity: Complexity;
  tier?: QualityTier;
  auto: PricedRoute;
  strongest: PricedRoute;
}

export interface MixedWorkloadSaving {
  requests: number;
  /** The baseline: every request to this model. */
  strongest: { model: string; tier: QualityTier };
  kinds: PlannedKind[];
  autoCostNano: string;
  strongestCostNano: string;
  /** `savingPercent` of the totals. */
  savingPercent: number;
}

/** The baseline: the router's strongest model (`strongestModel`); a catalog without one has nothing to compare. */
export const baselineModel = (catalog: Catalog): CatalogModel => {
  const strongest = strongestModel(catalog);
  if (!strongest) throw new Error('the catalog has no priced model for auto to choose');
  return strongest;
};

/** The kind's requests on a deployment, priced by `callCost`, the function ingress settles a call's charge with. */
const priced = (deployment: Deployment, kind: RequestKind): PricedRoute => {
  const perRequest = callCost(deployment.pricing, { inputTokens: kind.inputTokens, outputTokens: kind.outputTokens });
  return {
    model: deployment.model,
    deploymentId: deployment.id,
    costPerRequestNano: perRequest.toString(),
    costNano: (perRequest * BigInt(kind.count)).toString(),
  };
};

/** (strongest − auto) ÷ strongest in percent, rounded down to two decimals (0 when the baseline costs nothing). */
export const savingPercent = (auto: bigint, strongest: bigint): number =>
  strongest === 0n ? 0 : Number(((strongest - auto) * 10_000n) / strongest) / 100;

const sum = (values: readonly string[]): bigint => values.reduce((total, value) => total + BigInt(value), 0n);

/**
 * The mix's cost with `model: "auto"` against every request sent to the strongest model: each kind
 * classified by the real classifier and planned by the router's routing code over the catalog
 * with no policy (the first candidate is where the call goes), then priced at the deployment's
 * list prices for the kind's tokens. Deterministic: the same catalog, model and mix give the same
 * figures, so each kind is planned once and its cost multiplied by its count.
 */
export const mixedWorkloadSaving = (
  { catalog, classifier }: RoutingSubjects,
  mix: readonly RequestKind[],
): MixedWorkloadSaving => {
  const strongest = baselineModel(catalog);
  const kinds = mix.map((kind): PlannedKind => {
    const intake = intakeOf(kind.request);
    const classification = classifier.classify({ sample: intake.sample, signals: intake.signals });
    const routedAuto = decide(catalog, intake, {}, classification).routed;
    const routedStrongest = decide(catalog, { ...intake, model: strongest.id }, {}, classification).routed;
    return {
      kind: kind.kind,
      label: kind.label,
      intended: kind.intended,
      count: kind.count,
      inputTokens: kind.inputTokens,
      outputTokens: kind.outputTokens,
      task: classification.task,
      complexity: classification.complexity ?? intake.signals.complexity,
      ...(routedAuto.tier ? { tier: routedAuto.tier } : {}),
      auto: priced(routedAuto.candidates[0]!, kind),
      strongest: priced(routedStrongest.candidates[0]!, kind),
    };
  });
  const autoCost = sum(kinds.map((kind) => kind.auto.costNano));
  const strongestCost = sum(kinds.map((kind) => kind.strongest.costNano));
  return {
    requests: mix.reduce((total, kind) => total + kind.count, 0),
    strongest: { model: strongest.id, tier: tierOf(strongest) },
    kinds,
    autoCostNano: autoCost.toString(),
    strongestCostNano: strongestCost.toString(),
    savingPercent: savingPercent(autoCost, strongestCost),
  };
};
