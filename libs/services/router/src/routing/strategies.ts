import { createHash } from 'node:crypto';

import type { CatalogModel } from '@polymux/catalog';
import type { Deployment, RoutingStrategy } from '@polymux/contracts';
import { nanoToUsd } from '@polymux/contracts';

import type { DeploymentHealth } from './deployment-health';
import { qualityScore, tierOf } from './quality-tier';

/** A deployment that passed every bound and filter, with what strategies rank it by. */
export interface Option {
  deployment: Deployment;
  model: CatalogModel;
  /** The catalog's typical output speed, tokens per second: the seed until the deployment is measured. */
  outputTokensPerSecond?: number;
}

export interface Ranked extends Option {
  score: number;
  reason: string;
}

/** Input plus output list price per million tokens, nano-USD: what cost ranks by. */
const priceOf = ({ pricing }: Deployment): bigint => BigInt(pricing.inputPerMTok) + BigInt(pricing.outputPerMTok);
const priceText = (deployment: Deployment) =>
  `$${nanoToUsd(BigInt(deployment.pricing.inputPerMTok))}/$${nanoToUsd(BigInt(deployment.pricing.outputPerMTok))} per MTok`;

/** 1 for the cheapest option, less for dearer ones in proportion. */
const costScores = (options: readonly Option[]): number[] => {
  const prices = options.map((option) => Number(priceOf(option.deployment)));
  const least = Math.min(...prices);
  return prices.map((price) => (price === 0 ? 1 : least / price));
};

/**
 * 1 for the fastest option. By output speed, tokens per second: the deployment's measured speed
 * where the health source has one, else the catalog's typical speed (a seed), unknown 0. When no
 * option has either, by live latency where the health source measured any option (unmeasured 0).
 */
const speedScores = (options: readonly Option[], health: DeploymentHealth): { scores: number[]; texts: string[] } => {
  const measured = options.map((option) => health.outputTokensPerSecond(option.deployment.id));
  const speeds = options.map((option, index) => measured[index] ?? option.outputTokensPerSecond);
  if (speeds.some((speed) => speed !== undefined)) {
    const most = Math.max(...speeds.map((speed) => speed ?? 0));
    return {
      scores: speeds.map((speed) => (speed === undefined || most === 0 ? 0 : speed / most)),
      texts: speeds.map((speed, index) => {
        if (speed === undefined) return 'speed unknown';
        return measured[index] === undefined
          ? `typically ${speed} tokens/s (catalog)`
          : `measured ${Math.round(speed)} tokens/s`;
      }),
    };
  }
  const latencies = options.map((option) => health.latencyMs(option.deployment.id));
  if (latencies.every((latency) => latency === undefined))
    return { scores: options.map(() => 0), texts: options.map(() => 'speed unknown') };
  const least = Math.min(...latencies.filter((latency): latency is number => latency !== undefined));
  return {
    scores: latencies.map((latency) => (latency === undefined ? 0 : latency === 0 ? 1 : least / latency)),
    texts: latencies.map((latency) =>
      latency === undefined ? 'latency unmeasured' : `latency ${Math.round(latency)} ms`,
    ),
  };
};

/** A number in [0, 1) from the request id, the same for every replica: where a split request lands. */
const draw = (requestId: string): number => createHash('sha256').update(requestId).digest().readUInt32BE(0) / 2 ** 32;

/** The weight a split gives an option: its deployment's, else its model's, else none. */
const weightOf = (weights: Record<string, number>, option: Option): number =>
  weights[option.deployment.id] ?? weights[option.model.id] ?? 0;

/** The index in `order` that names the option's deployment or model; past the end when none does. */
const positionOf = (order: readonly string[], option: Option): number => {
  const index = order.findIndex((name) => name === option.deployment.id || name === option.model.id);
  return index === -1 ? order.length : index;
};

const score = (options: readonly Option[], strategy: RoutingStrategy, health: DeploymentHealth, requestId: string) => {
  const cost = costScores(options);
  // Ties in the strategy's own criterion go to the cheaper option.
  const tieBreak = (index: number) => cost[index]! / 1_000;
  switch (strategy.type) {
    case 'cheapest-capable':
      return options.map((option, index) => ({ score: cost[index]!, reason: priceText(option.deployment) }));
    case 'best-quality':
      return options.map((option, index) => ({
        score: qualityScore(option.model) + tieBreak(index),
        reason: `${tierOf(option.model)} tier, ${priceText(option.deployment)}`,
      }));
    case 'fastest': {
      const speed = speedScores(options, health);
      return options.map((_, index) => ({
        score: speed.scores[index]! + tieBreak(index),
        reason: speed.texts[index]!,
      }));
    }
    case 'balanced': {
      const { cost: wCost, quality: wQuality, speed: wSpeed } = strategy.weights;
      const total = wCost + wQuality + wSpeed || 1;
      const speed = speedScores(options, health);
      return options.map((option, index) => ({
        score: (wCost * cost[index]! + wQuality * qualityScore(option.model) + wSpeed * speed.scores[index]!) / total,
        reason: `${priceText(option.deployment)}, ${tierOf(option.model)} tier, ${speed.texts[index]!}`,
      }));
    }
    case 'ordered': {
      const order = strategy.order ?? [];
      // Named ones by their position, the others after them in the order they came (catalog order).
      return options.map((option, index) => {
        const position = positionOf(order, option);
        return {
          score: 1 - (position * options.length + index) / ((order.length + 1) * options.length),
          reason: position < order.length ? `position ${position + 1} in the policy's order` : 'catalog order',
        };
      });
    }
    case 'weighted-split': {
      const weights = options.map((option) => weightOf(strategy.weights, option));
      const total = weights.reduce((sum, weight) => sum + weight, 0);
      let point = draw(requestId) * total;
      const chosen = total === 0 ? -1 : weights.findIndex((weight) => (point -= weight) < 0);
      return options.map((_, index) => ({
        score: index === chosen ? 1 : total === 0 ? 0 : (weights[index]! / total) * 0.999,
        reason:
          index === chosen
            ? `drawn by the split (weight ${weights[index]} of ${total})`
            : `weight ${weights[index]} of ${total}`,
      }));
    }
  }
};

/**
 * Orders the options by the strategy, best first (equal scores keep their incoming order), with
 * the options the health source holds unavailable after all the others.
 */
export const rank = (
  options: readonly Option[],
  strategy: RoutingStrategy,
  health: DeploymentHealth,
  requestId: string,
): Ranked[] => {
  if (options.length === 0) return [];
  const scored = score(options, strategy, health, requestId);
  return options
    .map((option, index) => {
      const available = health.available(option.deployment.id);
      const { score, reason } = scored[index]!;
      return {
        ...option,
        score,
        reason: available ? reason : `${reason}; unavailable now, tried last`,
        available,
        index,
      };
    })
    .sort((a, b) => Number(b.available) - Number(a.available) || b.score - a.score || a.index - b.index)
    .map(({ available: _available, index: _index, ...ranked }) => ranked);
};
