import { intakeOf } from '../intake';
import { complexityOf } from './complexity';
import type { RequestSignals } from './task';

/** A one-line request's signals, as the edge computes them, with the fields under test replaced. */
const signals = (overrides: Partial<RequestSignals> = {}): RequestSignals => ({
  ...intakeOf({ model: 'auto', stream: false, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] })
    .signals,
  ...overrides,
});

describe('complexityOf', () => {
  it('rates a short confident chat low and a short code request medium', () => {
    expect(complexityOf('chat', signals(), 0.9)).toBe('low');
    expect(complexityOf('code', signals(), 0.9)).toBe('medium');
  });

  it('adds a point for a long input, two for a very long one, and one for a long conversation', () => {
    expect(complexityOf('chat', signals({ estimatedInputTokens: 2_000 }), 0.9)).toBe('medium');
    expect(complexityOf('summarization', signals({ estimatedInputTokens: 16_000 }), 0.9)).toBe('high');
    expect(complexityOf('chat', signals({ messageCount: 8 }), 0.9)).toBe('medium');
    expect(complexityOf('reasoning', signals({ estimatedInputTokens: 3_000 }), 0.9)).toBe('high');
  });

  it('rates a demanding task the model was unsure of high', () => {
    expect(complexityOf('reasoning', signals(), 0.5)).toBe('high');
    expect(complexityOf('chat', signals(), 0.5)).toBe('low');
  });
});
