import { OpenAiChatRequest as ChatCompletionRequest } from '@polymux/wire';

import { describeIssue } from './openai-issue';

const withPart = (part: Record<string, unknown>) => ({
  model: 'gpt-4.1-mini',
  messages: [{ role: 'assistant', content: [part] }],
});

describe('ChatCompletionRequest', () => {
  it.each([
    { type: 'text', text: 'hi' },
    { type: 'refusal', refusal: 'no' },
    { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
    { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=' } },
  ])('accepts OpenAI content part %j', (part) => {
    expect(ChatCompletionRequest.safeParse(withPart(part)).success).toBe(true);
  });

  it('refuses a content part OpenAI does not know, such as another provider’s thinking block', () => {
    const parsed = ChatCompletionRequest.safeParse(withPart({ type: 'thinking', thinking: 'x', signature: 's' }));
    expect(parsed.success).toBe(false);
    expect(describeIssue(parsed.error!).param).toMatch(/^messages\.0\.content/);
  });
});
