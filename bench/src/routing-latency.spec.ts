import type { ClassifyRequest } from '@polymux/contracts';

import type { RoutingSubjects } from './routing-decision';
import { loadRoutingSubjects } from './routing-decision';
import type { Clock } from './routing-latency';
import { CLASSIFICATION_P99_TARGET_MS, LATENCY_POLICY, measureRoutingLatency } from './routing-latency';
import { MIX } from './routing-mix';

describe('measureRoutingLatency', () => {
  const real = loadRoutingSubjects();
  const chat = MIX.find((kind) => kind.kind === 'chat')!;
  const document = MIX.find((kind) => kind.kind === 'summarization')!;

  /** The real classifier on a fake clock that only its calls move: `msFor` per call, by the request's sample. */
  const fakeTime = (msFor: (request: ClassifyRequest) => number) => {
    let now = 0;
    let calls = 0;
    const clock: Clock = { wallMs: () => now, cpuMs: () => now / 2 };
    const subjects: RoutingSubjects = {
      catalog: real.catalog,
      classifier: {
        classify: (request) => {
          calls++;
          now += msFor(request);
          return real.classifier.classify(request);
        },
      },
    };
    return { clock, subjects, calls: () => calls };
  };
  const slowDocument = (request: ClassifyRequest) => (request.sample.length > 1_000 ? 2 : 0.25);

  it('records each kind the asked rounds after the unrecorded ones, classification and routing apart', () => {
    const { clock, subjects, calls } = fakeTime(slowDocument);
    const latency = measureRoutingLatency(subjects, [chat, document], { rounds: 40, warmupRounds: 5, clock });
    expect(calls()).toBe(2 * 45);
    expect(latency.kinds.map((kind) => [kind.kind, kind.classify.calls, kind.route.calls])).toEqual([
      ['chat', 40, 40],
      ['summarization', 40, 40],
    ]);
    expect(latency.kinds[0]!.classify).toMatchObject({ wallP50Ms: 0.25, wallP99Ms: 0.25, cpuP99Ms: 0.125 });
    expect(latency.kinds[1]!.classify).toMatchObject({ wallP50Ms: 2, wallP99Ms: 2, wallMaxMs: 2 });
    // Only classification moves the clock: routing between the reads takes none of it.
    expect(latency.route).toMatchObject({ calls: 80, wallP50Ms: 0, wallP99Ms: 0 });
    expect(latency.classify).toMatchObject({ calls: 80, wallP50Ms: 0.25, wallP99Ms: 2 });
  });

  it('judges the target on the p99 over every request', () => {
    const slow = fakeTime(slowDocument);
    expect(
      measureRoutingLatency(slow.subjects, [chat, document], { rounds: 10, warmupRounds: 0, clock: slow.clock }).target,
    ).toEqual({ thresholdMs: CLASSIFICATION_P99_TARGET_MS, measuredMs: 2, met: false });
    const fast = fakeTime(() => CLASSIFICATION_P99_TARGET_MS);
    expect(
      measureRoutingLatency(fast.subjects, [chat, document], { rounds: 10, warmupRounds: 0, clock: fast.clock }).target,
    ).toEqual({ thresholdMs: CLASSIFICATION_P99_TARGET_MS, measuredMs: CLASSIFICATION_P99_TARGET_MS, met: true });
  });

  it('plans under the policy over the shipped catalog, with what the classifier made of each request', () => {
    const latency = measureRoutingLatency(real, MIX, { rounds: 3, warmupRounds: 1 });
    expect(latency.catalogModels).toBe(real.catalog.models().length);
    expect(latency.load.cpus).toBeGreaterThan(0);
    expect(latency.load.average).toBeGreaterThanOrEqual(0);
    expect(latency.policy).toEqual(LATENCY_POLICY);
    for (const kind of latency.kinds) {
      // The policy denies gpt-4.1 and asks for a frontier model for code.
      expect(kind.model).not.toBe('gpt-4.1');
      for (const summary of [kind.classify, kind.route]) {
        expect(summary.calls).toBe(3);
        expect(summary.wallP50Ms).toBeLessThanOrEqual(summary.wallP99Ms);
        expect(summary.wallP99Ms).toBeLessThanOrEqual(summary.wallMaxMs);
      }
    }
    const code = latency.kinds.find((kind) => kind.kind === 'code')!;
    expect(code.task).toBe('code');
    expect(code.model).toBe('claude-sonnet-4-5');
    expect(latency.kinds.find((kind) => kind.kind === 'reasoning')!.model).toBe('claude-sonnet-4-5');
    expect(latency.kinds.find((kind) => kind.kind === 'agent')!.task).toBe('agent');
  });
});
