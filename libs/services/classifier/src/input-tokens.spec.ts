import type { ChatRequest } from '@polymux/contracts';
import { estimateTokens, intakeOf } from '@polymux/contracts';
import { countTokens } from 'gpt-tokenizer/cjs/encoding/cl100k_base';

import { countInputTokens } from './input-tokens';

const request = (...turns: Array<[role: 'system' | 'user', text: string]>): ChatRequest => ({
  model: 'auto',
  stream: false,
  messages: turns.map(([role, text]) => ({ role, content: [{ type: 'text', text }] })),
});
const counted = (chat: ChatRequest) => {
  const { sample, signals } = intakeOf(chat);
  return { tokens: countInputTokens(sample, signals), signals };
};

describe('the input tokens the classifier counts', () => {
  it('counts a single short turn exactly with cl100k, plus the edge’s framing', () => {
    const text = 'How much does a Tesla Model 3 cost in Germany, including delivery?';
    const { tokens, signals } = counted(request(['user', text]));
    const framing = signals.estimatedInputTokens - estimateTokens(text.length);
    expect(framing).toBeGreaterThan(0);
    expect(tokens).toBe(countTokens(text) + framing);
  });

  it('counts Chinese at its own ratio, where four characters a token would under-count several times', () => {
    const text = '请把下面这段关于公司季度财务状况的说明翻译成英文，并保留所有数字和专有名词。'.repeat(20);
    const { tokens, signals } = counted(request(['user', text]));
    expect(tokens).toBeGreaterThan(2 * signals.estimatedInputTokens);
    expect(tokens - (signals.estimatedInputTokens - estimateTokens(text.length))).toBe(countTokens(text));
  });

  it('scales a long prompt’s sample to the whole text, within a few percent of the full count', () => {
    const document = Array.from(
      { length: 400 },
      (_, index) => `Section ${index}: the quarterly revenue of region ${index % 7} rose by ${index % 13} percent.`,
    ).join('\n');
    const chat = request(['system', 'You are a careful analyst.'], ['user', `${document}\n\nSummarize the above.`]);
    const { tokens, signals } = counted(chat);
    const full = countTokens(`You are a careful analyst.\n${document}\n\nSummarize the above.`);
    const rest = signals.estimatedInputTokens - estimateTokens(signals.textChars!);
    expect(Math.abs(tokens - rest - full) / full).toBeLessThan(0.05);
  });

  it('falls back to the edge’s estimate from an edge that does not say its text length', () => {
    const { sample, signals } = intakeOf(request(['user', 'hello there']));
    const older = { ...signals, textChars: undefined };
    expect(countInputTokens(sample, older)).toBe(signals.estimatedInputTokens);
  });
});
