import { ChatRequest } from '@polymux/contracts';

import { UNSUPPORTED_FIELDS, dropUnsupportedFields } from './unsupported-fields';

const request: ChatRequest = {
  model: 'm',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: false,
  topK: 40,
  seed: 7,
};

describe('dropUnsupportedFields', () => {
  it('removes top_k for an OpenAI candidate and names it by its wire name', () => {
    const result = dropUnsupportedFields(request, ['openai']);
    expect(result.dropped).toEqual(['top_k']);
    expect(result.request).not.toHaveProperty('topK');
    expect(result.request.seed).toBe(7);
    expect(request.topK).toBe(40);
  });

  it('drops what any candidate cannot carry, so that every fallback sends the same request', () => {
    expect(dropUnsupportedFields(request, ['no-row', 'openai']).dropped).toEqual(['top_k']);
  });

  it('returns the same request when nothing is unsupported or the field is unset', () => {
    expect(dropUnsupportedFields(request, ['no-row']).request).toBe(request);
    const plain: ChatRequest = { ...request, topK: undefined };
    expect(dropUnsupportedFields(plain, ['openai'])).toEqual({ request: plain, dropped: [] });
  });

  it('names what Anthropic cannot carry by the OpenAI names a caller sent them with', () => {
    const full: ChatRequest = {
      ...request,
      logprobs: true,
      topLogprobs: 2,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      n: 2,
      temperature: 0.5,
    };
    const result = dropUnsupportedFields(full, ['anthropic']);
    expect(result.dropped).toEqual(['logprobs', 'top_logprobs', 'seed', 'presence_penalty', 'frequency_penalty', 'n']);
    expect(result.request).toMatchObject({ topK: 40, temperature: 0.5 });
    expect(dropUnsupportedFields(full, ['openai', 'anthropic']).dropped).toHaveLength(7);
  });

  it('is data: every row names canonical request fields', () => {
    const canonical = new Set(ChatRequest.keyof().options);
    expect(UNSUPPORTED_FIELDS.openai).toEqual(['topK']);
    expect(
      Object.values(UNSUPPORTED_FIELDS)
        .flat()
        .every((field) => canonical.has(field)),
    ).toBe(true);
  });
});
