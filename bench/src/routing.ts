import { loadRoutingSubjects } from './routing-decision';
import type { RoutingLatency } from './routing-latency';
import { measureRoutingLatency } from './routing-latency';
import { MIX } from './routing-mix';
import type { MixedWorkloadSaving } from './routing-saving';
import { mixedWorkloadSaving } from './routing-saving';

/** Unrecorded rounds before the timed ones, for the JIT. */
const WARMUP_ROUNDS = 200;

/** The routing benchmark: in-process classification and routing latency, and the mixed workload's cost. */
export interface RoutingBenchResult {
  latency?: RoutingLatency;
  saving?: MixedWorkloadSaving;
  error?: string;
}

/**
 * Runs in the bench's own process, without a stack, in a few seconds: `npm run bench` runs it
 * before starting any stack (so nothing else of the bench competes for the cores), and
 * `npm run bench:routing` runs it alone.
 */
export const runRoutingBench = (rounds: number): RoutingBenchResult => {
  try {
    const subjects = loadRoutingSubjects();
    return {
      saving: mixedWorkloadSaving(subjects, MIX),
      latency: measureRoutingLatency(subjects, MIX, { rounds, warmupRounds: WARMUP_ROUNDS }),
    };
  } catch (error) {
    return { error: String(error) };
  }
};
