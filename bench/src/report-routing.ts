import { fmt, table } from './report-format';
import type { RoutingBenchResult } from './routing';
import type { LatencySummary, RoutingLatency } from './routing-latency';
import type { MixedWorkloadSaving } from './routing-saving';
import { savingPercent } from './routing-saving';

/** nano-USD as dollars to four decimals, rounded half up (the exact figures are in latest.json). */
export const usd = (nano: string): string => {
  const tenThousandths = (BigInt(nano) + 50_000n) / 100_000n;
  return `$${tenThousandths / 10_000n}.${(tenThousandths % 10_000n).toString().padStart(4, '0')}`;
};

const ms = (value: number) => fmt(value, ' ms');

const latencyCells = (classify: LatencySummary, route: LatencySummary) => [
  ms(classify.wallP50Ms),
  ms(classify.wallP99Ms),
  ms(route.wallP50Ms),
  ms(route.wallP99Ms),
];

export const latencySection = (latency: RoutingLatency): string[] => {
  const { target } = latency;
  return [
    '## Routing: classification and routing latency',
    '',
    "In the bench's own process, before any stack starts: the classifier service's `classify` (the committed task",
    "model and the language identifier) and the router's routing decision (`Routing.eligible`, the reservation",
    'amount over its bound and `route` for the classified task: what the router computes for a plan besides its',
    'round trips to the classifier, the health store and billing), for each request of the mixed workload below',
    `(intake built once, as ingress builds it), ${latency.rounds} rounds after ${latency.warmupRounds} unrecorded ones, over the`,
    `shipped catalog (${latency.catalogModels} models) with the policy below. Wall time per call.`,
    '',
    ...table(
      ['Request', 'Classified as', 'Model under the policy', 'Classify p50', 'Classify p99', 'Route p50', 'Route p99'],
      [
        ...latency.kinds.map((kind) => [
          kind.label,
          `${kind.task}, ${kind.complexity}`,
          kind.model,
          ...latencyCells(kind.classify, kind.route),
        ]),
        [
          `**all ${latency.kinds.length} requests** (${latency.classify.calls} calls)`,
          '',
          '',
          ...latencyCells(latency.classify, latency.route),
        ],
      ],
    ),
    `Target: classification p99 ≤ ${target.thresholdMs} ms for a typical request — ${ms(target.measuredMs)} over all the requests above` +
      ` (CPU time p99 ${ms(latency.classify.cpuP99Ms)}, slowest call ${ms(latency.classify.wallMaxMs)}): ${target.met ? 'met' : '**not met**'}.`,
    `Load average ${latency.load.average.toFixed(1)} on ${latency.load.cpus} CPUs when the timed rounds ended (above the CPU count, other processes preempt the timed calls).`,
    '',
    `Policy: \`${JSON.stringify(latency.policy)}\``,
    '',
  ];
};

export const savingSection = (saving: MixedWorkloadSaving): string[] => [
  '## Routing: mixed workload, `auto` vs the strongest model',
  '',
  `${saving.requests} requests of ${saving.kinds.length} kinds in fixed proportions (an assumed mix, not measured traffic; the token`,
  "counts are the kinds' representative sizes, and each request is built to that size). Each kind's request is",
  'classified by the classifier and planned by the router\'s routing code with `model: "auto"` over the shipped',
  'catalog and no policy; the first candidate is where the call goes. The baseline sends every request to',
  `**${saving.strongest.model}**, the strongest model by the router's quality tiers: of the models \`auto\` chooses among,`,
  `the one of the highest tier (${saving.strongest.tier}; the cheapest if several were). Both are priced at the catalog's list`,
  "prices for the kind's tokens by `callCost`, the function a settled call is charged with (no prompt caching, no",
  'reasoning tokens).',
  '',
  ...table(
    [
      'Request',
      'Count',
      'Input tokens',
      'Output tokens',
      'Classified as → tier',
      '`auto` sends it to',
      '`auto` cost',
      `${saving.strongest.model} cost`,
      'Saving',
    ],
    [
      ...saving.kinds.map((kind) => [
        kind.label,
        String(kind.count),
        String(kind.inputTokens),
        String(kind.outputTokens),
        `${kind.task}${kind.task === kind.intended ? '' : ` (written as ${kind.intended})`}, ${kind.complexity}${kind.tier ? ` → ${kind.tier}` : ''}`,
        kind.auto.deploymentId,
        usd(kind.auto.costNano),
        usd(kind.strongest.costNano),
        `${fmt(savingPercent(BigInt(kind.auto.costNano), BigInt(kind.strongest.costNano)))} %`,
      ]),
      [
        '**total**',
        String(saving.requests),
        '',
        '',
        '',
        '',
        `**${usd(saving.autoCostNano)}**`,
        `**${usd(saving.strongestCostNano)}**`,
        `**${fmt(saving.savingPercent)} %**`,
      ],
    ],
  ),
];

/** The routing benchmark's sections of latest.md: latency, then the mixed workload. */
export const routingSections = (routing: RoutingBenchResult | undefined): string[] => {
  if (!routing) return [];
  if (routing.error || !routing.latency || !routing.saving)
    return ['## Routing', '', `Not measured: ${routing.error ?? 'no result'}`, ''];
  return [...latencySection(routing.latency), ...savingSection(routing.saving)];
};
