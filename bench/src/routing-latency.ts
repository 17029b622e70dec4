import os from 'node:os';

import type { Complexity, Intake, RoutingPolicy, TaskType } from '@polymux/contracts';
import { RoutingPolicy as RoutingPolicySchema, intakeOf } from '@polymux/contracts';

import type { RoutingSubjects } from './routing-decision';
import { decide } from './routing-decision';
import type { RequestKind } from './routing-mix';
import { summarize } from './stats';

/** The routing issue's target: classification p99 of a typical request, in process. */
export const CLASSIFICATION_P99_TARGET_MS = 1;

/**
 * The policy every timed plan follows: the example of docs/routing.md (a filter of each kind, aliases,
 * task rules, a strategy that scores cost, quality and speed) without its allow lists, regions and
 * zero-retention filter, which would leave `auto` no capable model for some of the requests.
 */
export const LATENCY_POLICY: RoutingPolicy = RoutingPolicySchema.parse({
  denyModels: ['gpt-4.1'],
  denyProviders: ['openrouter'],
  aliases: { fast: 'gpt-4.1-nano', smart: ['claude-sonnet-4-5', 'gpt-4.1-mini'] },
  tasks: {
    code: { models: ['claude-sonnet-4-5', 'gpt-4.1-mini'], minTier: 'frontier' },
    chat: { strategy: { type: 'fastest' } },
  },
  strategy: { type: 'balanced', weights: { cost: 2, quality: 1, speed: 1 } },
  maxPricePerMTok: { input: '5', output: '20' },
});

/** Readings of a monotonic wall clock and of this process's CPU time, in milliseconds. */
export interface Clock {
  wallMs(): number;
  cpuMs(): number;
}

export const PROCESS_CLOCK: Clock = {
  wallMs: () => Number(process.hrtime.bigint()) / 1e6,
  cpuMs: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e3;
  },
};

export interface LatencySummary {
  calls: number;
  wallP50Ms: number;
  wallP99Ms: number;
  wallMaxMs: number;
  /** This process's CPU time per call: what a call costs when other processes preempt this one. */
  cpuP50Ms: number;
  cpuP99Ms: number;
}

export interface KindLatency {
  kind: string;
  label: string;
  task: TaskType;
  complexity: Complexity;
  /** The first candidate under the policy. */
  model: string;
  classify: LatencySummary;
  route: LatencySummary;
}

export interface RoutingLatency {
  rounds: number;
  warmupRounds: number;
  catalogModels: number;
  policy: RoutingPolicy;
  kinds: KindLatency[];
  /** Every kind's calls together. */
  classify: LatencySummary;
  route: LatencySummary;
  target: { thresholdMs: number; measuredMs: number; met: boolean };
  /**
   * The machine's 1-minute load average when the timed rounds end, and its CPUs: above the CPU
   * count other processes preempt the timed calls, and the wall-time tail is theirs.
   */
  load: { average: number; cpus: number };
}

interface Times {
  wall: number[];
  cpu: number[];
}

const summary = ({ wall, cpu }: Times): LatencySummary => {
  const wallSummary = summarize(wall);
  const cpuSummary = summarize(cpu);
  return {
    calls: wall.length,
    wallP50Ms: wallSummary.p50,
    wallP99Ms: wallSummary.p99,
    wallMaxMs: wallSummary.max,
    cpuP50Ms: cpuSummary.p50,
    cpuP99Ms: cpuSummary.p99,
  };
};

/** Runs `call`, adding its wall and CPU time to `times` when `record`; the clock reads stay outside the wall time. */
const timed = <T>(clock: Clock, times: Times, record: boolean, call: () => T): T => {
  const cpuStart = clock.cpuMs();
  const start = clock.wallMs();
  const result = call();
  const wall = clock.wallMs() - start;
  const cpu = clock.cpuMs() - cpuStart;
  if (record) {
    times.wall.push(wall);
    times.cpu.push(cpu);
  }
  return result;
};

export interface LatencyOptions {
  rounds: number;
  warmupRounds: number;
  policy?: RoutingPolicy;
  clock?: Clock;
}

/**
 * Times, in this process, the classifier's `classify` and the router's routing decision
 * (`decide`) for each kind of request, round after round (the first `warmupRounds` unrecorded,
 * for the JIT). Each intake is built once, as ingress builds it before planning.
 */
export const measureRoutingLatency = (
  { catalog, classifier }: RoutingSubjects,
  kinds: readonly RequestKind[],
  { rounds, warmupRounds, policy = LATENCY_POLICY, clock = PROCESS_CLOCK }: LatencyOptions,
): RoutingLatency => {
  const intakes: Intake[] = kinds.map((kind) => intakeOf(kind.request));
  const classifyTimes = kinds.map((): Times => ({ wall: [], cpu: [] }));
  const routeTimes = kinds.map((): Times => ({ wall: [], cpu: [] }));
  const last = kinds.map(() => ({ task: 'chat' as TaskType, complexity: 'low' as Complexity, model: '' }));
  for (let round = 0; round < warmupRounds + rounds; round++) {
    const record = round >= warmupRounds;
    intakes.forEach((intake, index) => {
      const request = { sample: intake.sample, signals: intake.signals };
      const classification = timed(clock, classifyTimes[index]!, record, () => classifier.classify(request));
      const { routed } = timed(clock, routeTimes[index]!, record, () =>
        decide(catalog, intake, policy, classification, `bench-${round}`),
      );
      last[index] = {
        task: classification.task,
        complexity: classification.complexity ?? intake.signals.complexity,
        model: routed.candidates[0]!.model,
      };
    });
  }
  const all = (times: Times[]): Times => ({
    wall: times.flatMap((time) => time.wall),
    cpu: times.flatMap((time) => time.cpu),
  });
  const classify = summary(all(classifyTimes));
  return {
    rounds,
    warmupRounds,
    catalogModels: catalog.models().length,
    policy,
    kinds: kinds.map((kind, index) => ({
      kind: kind.kind,
      label: kind.label,
      ...last[index]!,
      classify: summary(classifyTimes[index]!),
      route: summary(routeTimes[index]!),
    })),
    classify,
    route: summary(all(routeTimes)),
    target: {
      thresholdMs: CLASSIFICATION_P99_TARGET_MS,
      measuredMs: classify.wallP99Ms,
      met: classify.wallP99Ms <= CLASSIFICATION_P99_TARGET_MS,
    },
    load: { average: os.loadavg()[0]!, cpus: os.cpus().length },
  };
};
