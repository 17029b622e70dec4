import { INTAKE_SAMPLE_CHARS, TaskType, intakeOf } from '@polymux/contracts';

import { MIX, estimatedInputTokens } from './routing-mix';

describe('the routing benchmark mix', () => {
  it('is 1,000 requests, one kind per task it names, each written for a different task', () => {
    expect(MIX.reduce((sum, kind) => sum + kind.count, 0)).toBe(1_000);
    expect(new Set(MIX.map((kind) => kind.intended)).size).toBe(MIX.length);
    for (const kind of MIX) expect(TaskType.options).toContain(kind.intended);
  });

  it('builds every body to within 10% of the input tokens it is priced at, by the edge estimate', () => {
    for (const kind of MIX) {
      const estimate = estimatedInputTokens(kind.request);
      expect(Math.abs(estimate - kind.inputTokens) / kind.inputTokens).toBeLessThanOrEqual(0.1);
    }
  });

  it('carries the shapes of its kinds: tools, an image, a JSON schema, a document longer than the sample', () => {
    const signals = (name: string) => intakeOf(MIX.find((kind) => kind.kind === name)!.request).signals;
    expect(signals('agent').hasTools).toBe(true);
    expect(signals('vision').hasImages).toBe(true);
    expect(signals('extraction').hasResponseFormat).toBe(true);
    expect(signals('code').hasCodeFence).toBe(true);
    expect(intakeOf(MIX.find((kind) => kind.kind === 'summarization')!.request).sample).toHaveLength(
      INTAKE_SAMPLE_CHARS,
    );
    for (const kind of MIX) expect(kind.request.model).toBe('auto');
  });
});
