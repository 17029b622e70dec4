import { countTokens } from 'gpt-tokenizer';

import type { ChatRequest } from './canonical/chat';
import { intakeOf } from './intake';
import { INTAKE_SAMPLE_CHARS, Intake } from './messages/plan.message';
import { promptTokensBound } from './tokens/prompt-bound';

const png = (width: number, height: number): string => {
  const bytes = Buffer.alloc(33);
  bytes.writeUInt32BE(0x89504e47, 0);
  bytes.writeUInt32BE(0x0d0a1a0a, 4);
  bytes.write('IHDR', 12, 'latin1');
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return `data:image/png;base64,${bytes.toString('base64')}`;
};

const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'auto',
  stream: false,
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'You are terse.' }] },
    { role: 'user', content: [{ type: 'text', text: 'Translate this to French: good morning' }] },
  ],
  ...overrides,
});

describe('intakeOf', () => {
  it('counts the input tokens with the o200k tokenizer, and extrapolates a very long text from its head', () => {
    const text = 'How much does a Tesla Model 3 cost?';
    const short = intakeOf(request({ messages: [{ role: 'user', content: [{ type: 'text', text }] }] }));
    expect(short.signals.estimatedInputTokens).toBe(countTokens(text) + 8);
    const long = 'The council met on Tuesday. '.repeat(2_000);
    const { signals } = intakeOf(request({ messages: [{ role: 'user', content: [{ type: 'text', text: long }] }] }));
    expect(Math.abs(signals.estimatedInputTokens - (countTokens(long) + 8)) / countTokens(long)).toBeLessThan(0.01);
  });

  it('samples the last user turn, not the system prompt', () => {
    const intake = intakeOf(request());
    expect(intake.sample).toBe('Translate this to French: good morning');
    expect(Intake.parse(intake)).toEqual(intake);
  });

  it('keeps the head and the tail of a long turn within the bound, and the tail of everything without one', () => {
    const long = `HEAD ${'x'.repeat(50_000)} TAIL`;
    const { sample } = intakeOf(request({ messages: [{ role: 'user', content: [{ type: 'text', text: long }] }] }));
    expect(sample.length).toBeLessThanOrEqual(INTAKE_SAMPLE_CHARS);
    expect(sample.startsWith('HEAD ')).toBe(true);
    expect(sample.endsWith(' TAIL')).toBe(true);
    const noUser = intakeOf(request({ messages: [{ role: 'system', content: [{ type: 'text', text: long }] }] }));
    expect(noUser.sample.length).toBeLessThanOrEqual(INTAKE_SAMPLE_CHARS);
    expect(noUser.sample.endsWith(' TAIL')).toBe(true);
  });

  it('carries image sizes and details instead of the images, and the same bound as the request', () => {
    const url = png(640, 480);
    const withImage = request({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', url, detail: 'high' },
            { type: 'image', url: 'https://example.test/cat.png' },
          ],
        },
      ],
      maxOutputTokens: 100,
      n: 2,
    });
    const intake = intakeOf(withImage);
    expect(JSON.stringify(intake)).not.toContain(url.slice(30));
    expect(intake.prompt.images).toEqual([{ detail: 'high', size: { width: 640, height: 480 } }, {}]);
    expect(intake.signals.hasImages).toBe(true);
    expect(intake.signals.inputTokensUpperBound).toBe(promptTokensBound(withImage));
    expect(intake).toMatchObject({ maxOutputTokens: 100, n: 2 });
  });

  it('reads tools, disabled tools, response formats and code fences as signals', () => {
    expect(intakeOf(request({ tools: [{ name: 'f' }] })).signals.hasTools).toBe(true);
    expect(intakeOf(request({ tools: [{ name: 'f' }], toolChoice: 'none' })).signals.hasTools).toBe(false);
    expect(intakeOf(request({ responseFormat: { type: 'json_object' } })).signals.hasResponseFormat).toBe(true);
    const code = request({ messages: [{ role: 'user', content: [{ type: 'text', text: 'fix ```x = 1```' }] }] });
    expect(intakeOf(code).signals.hasCodeFence).toBe(true);
    expect(intakeOf(request()).signals).toMatchObject({ hasCodeFence: false, complexity: 'low', messageCount: 2 });
  });
});
