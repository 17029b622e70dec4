import { ChatRequest } from '@polymux/contracts';

import { UNSUPPORTED_FIELDS, dropUnsupportedFields, unsupportedFields } from './unsupported-fields';

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

  it('is data: every row names canonical request fields, message fields or thinking', () => {
    const canonical = new Set<string>([...ChatRequest.keyof().options, 'isError', 'name', 'thinking']);
    expect(UNSUPPORTED_FIELDS.openai).toEqual(['topK', 'isError', 'thinking']);
    expect(
      Object.values(UNSUPPORTED_FIELDS)
        .flat()
        .every((field) => canonical.has(field)),
    ).toBe(true);
  });
});

describe('the tool result error flag', () => {
  const flagged: ChatRequest = {
    model: 'm',
    messages: [
      { role: 'assistant', content: [], toolCalls: [{ id: 'c1', name: 'f', arguments: '{}' }] },
      { role: 'tool', content: [{ type: 'text', text: 'no such file' }], toolCallId: 'c1', isError: true },
      { role: 'tool', content: [{ type: 'text', text: 'ok' }], toolCallId: 'c2' },
    ],
    stream: false,
  };

  it('is dropped once for an OpenAI candidate, from every message, and named is_error', () => {
    const result = dropUnsupportedFields(flagged, ['openai']);
    expect(result.dropped).toEqual(['is_error']);
    expect(result.request.messages.some((message) => 'isError' in message)).toBe(false);
    expect(result.request.messages[1]).toEqual({
      role: 'tool',
      content: [{ type: 'text', text: 'no such file' }],
      toolCallId: 'c1',
    });
    expect(flagged.messages[1].isError).toBe(true);
  });

  it('travels to Anthropic, and is not reported where no message carries it', () => {
    expect(dropUnsupportedFields(flagged, ['anthropic'])).toEqual({ request: flagged, dropped: [] });
    expect(dropUnsupportedFields({ ...flagged, messages: flagged.messages.slice(2) }, ['openai']).dropped).toEqual([]);
  });
});

describe('the thinking of earlier turns', () => {
  const signed: ChatRequest = {
    model: 'm',
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'why?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'hmm', signature: 'sig' },
          { type: 'redacted_thinking', data: 'xyz' },
          { type: 'text', text: 'because' },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'and?' }] },
    ],
    stream: false,
  };
  const unsigned: ChatRequest = {
    ...signed,
    messages: signed.messages.map((message) =>
      message.role === 'assistant' ? { ...message, content: [{ type: 'thinking', text: 'hmm' }] } : message,
    ),
  };

  it('is named thinking for an OpenAI candidate but left to its adapter, so a Claude fallback still gets it', () => {
    const result = dropUnsupportedFields(signed, ['anthropic', 'openai']);
    expect(result.dropped).toEqual(['thinking']);
    expect(result.request).toBe(signed);
  });

  it('travels to Anthropic when signed; unsigned (another provider reasoning) it is named', () => {
    expect(dropUnsupportedFields(signed, ['anthropic']).dropped).toEqual([]);
    expect(dropUnsupportedFields(unsigned, ['anthropic']).dropped).toEqual(['thinking']);
  });

  it('is named once beside the fields that are removed', () => {
    const result = dropUnsupportedFields({ ...signed, topK: 5 }, ['openai', 'anthropic']);
    expect(result.dropped).toEqual(['top_k', 'thinking']);
    expect(result.request).toEqual(signed);
  });

  it("is named where only the provider's own signature goes back: Gemini, Claude on Bedrock, Bedrock's other models", () => {
    const gemini = { provider: 'gemini', maxOutputTokens: 8_192, upstreamModel: 'gemini-2.5-flash' };
    const geminiSigned: ChatRequest = {
      ...signed,
      messages: signed.messages.map((message) =>
        message.role === 'assistant'
          ? { ...message, content: [{ type: 'thinking', text: '', signature: 'gemini:abc' }] }
          : message,
      ),
    };
    expect(dropUnsupportedFields(unsigned, [gemini]).dropped).toEqual(['thinking']);
    expect(dropUnsupportedFields(signed, [gemini]).dropped).toEqual(['thinking']);
    expect(dropUnsupportedFields(geminiSigned, [gemini]).dropped).toEqual([]);
    expect(dropUnsupportedFields(geminiSigned, ['anthropic']).dropped).toEqual(['thinking']);
    const claude = { provider: 'bedrock', maxOutputTokens: 8_192, upstreamModel: 'us.anthropic.claude-sonnet-4-5' };
    const nova = { provider: 'bedrock', maxOutputTokens: 5_000, upstreamModel: 'amazon.nova-pro-v1:0' };
    expect(dropUnsupportedFields(signed, [claude]).dropped).toEqual([]);
    expect(dropUnsupportedFields(unsigned, [claude]).dropped).toEqual(['thinking']);
    expect(dropUnsupportedFields(signed, [nova]).dropped).toContain('thinking');
  });

  it('travels to Gemini with a Gemini signature only, to Bedrock with Claude’s only', () => {
    const gemini = { provider: 'gemini', maxOutputTokens: 8_192 };
    expect(dropUnsupportedFields(signed, [gemini]).dropped).toEqual(['thinking']);
    const withSignature = (signature: string): ChatRequest => ({
      ...signed,
      messages: signed.messages.map((message) =>
        message.role === 'assistant'
          ? { ...message, content: [{ type: 'thinking', text: 'hmm', signature }] }
          : message,
      ),
    });
    expect(dropUnsupportedFields(withSignature('gemini:c2ln'), [gemini]).dropped).toEqual([]);
    const claude = {
      provider: 'bedrock',
      maxOutputTokens: 8_192,
      upstreamModel: 'us.anthropic.claude-sonnet-4-5-v1:0',
    };
    const nova = { provider: 'bedrock', maxOutputTokens: 5_000, upstreamModel: 'amazon.nova-pro-v1:0' };
    expect(dropUnsupportedFields(signed, [claude]).dropped).toEqual([]);
    expect(dropUnsupportedFields(withSignature('gemini:c2ln'), [claude]).dropped).toEqual(['thinking']);
    expect(dropUnsupportedFields(signed, [nova]).dropped).toEqual(['thinking']);
  });

  it('is not named where no turn carries any', () => {
    expect(dropUnsupportedFields({ ...signed, messages: signed.messages.slice(0, 1) }, ['openai']).dropped).toEqual([]);
  });
});

describe('what Anthropic refuses with thinking on', () => {
  const thinking: ChatRequest = {
    model: 'claude',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    stream: false,
    reasoning: { budgetTokens: 2_048 },
    temperature: 0.5,
    topK: 10,
    topP: 0.5,
    toolChoice: { name: 'f' },
  };
  const claude = { provider: 'anthropic', maxOutputTokens: 8_192 };

  it('names temperature, top_k, a low top_p and a forced tool choice, and removes them', () => {
    expect(unsupportedFields(claude, thinking)).toEqual([
      ...UNSUPPORTED_FIELDS.anthropic,
      'temperature',
      'topK',
      'topP',
      'toolChoice',
    ]);
    const result = dropUnsupportedFields(thinking, [claude]);
    expect(result.dropped).toEqual(['temperature', 'top_k', 'top_p', 'tool_choice']);
    expect(result.request).toEqual({
      model: 'claude',
      messages: thinking.messages,
      stream: false,
      reasoning: { budgetTokens: 2_048 },
    });
  });

  it('keeps what Anthropic accepts with thinking: temperature 1, top_p from 0.95, auto and none', () => {
    for (const toolChoice of ['auto', 'none'] as const) {
      const accepted = { ...thinking, temperature: 1, topK: undefined, topP: 0.95, toolChoice };
      expect(dropUnsupportedFields(accepted, [claude]).dropped).toEqual([]);
    }
    expect(unsupportedFields(claude, { ...thinking, toolChoice: 'required' })).toContain('toolChoice');
  });

  it('keeps them all when thinking stays off: no reasoning, effort none, or no room for the smallest budget', () => {
    expect(dropUnsupportedFields({ ...thinking, reasoning: undefined }, [claude]).dropped).toEqual([]);
    expect(dropUnsupportedFields({ ...thinking, reasoning: { effort: 'none' } }, [claude]).dropped).toEqual([]);
    expect(dropUnsupportedFields(thinking, [{ provider: 'anthropic', maxOutputTokens: 1_000 }]).dropped).toEqual([]);
    expect(dropUnsupportedFields({ ...thinking, reasoning: { effort: 'low' } }, ['anthropic']).dropped).toHaveLength(4);
  });

  it('drops them for every candidate when one is a thinking Claude, so fallbacks send the same request', () => {
    expect(dropUnsupportedFields(thinking, ['openai', claude]).dropped).toEqual([
      'top_k',
      'temperature',
      'top_p',
      'tool_choice',
    ]);
  });

  it('drops for a Bedrock model what its family refuses: Claude thinking refuses a temperature, Nova top_k and reasoning', () => {
    const thinking: ChatRequest = { ...request, temperature: 0.3, reasoning: { budgetTokens: 2_000 }, user: 'u1' };
    const claude = {
      provider: 'bedrock',
      maxOutputTokens: 8_192,
      upstreamModel: 'us.anthropic.claude-sonnet-4-5-v1:0',
    };
    const nova = { provider: 'bedrock', maxOutputTokens: 8_192, upstreamModel: 'amazon.nova-pro-v1:0' };
    expect(dropUnsupportedFields(thinking, [claude]).dropped).toEqual(['seed', 'user', 'temperature', 'top_k']);
    expect(dropUnsupportedFields(thinking, [nova]).dropped).toEqual(['seed', 'user', 'top_k', 'reasoning']);
    expect(dropUnsupportedFields({ ...request, topK: undefined }, [claude]).dropped).toEqual(['seed']);
  });
});

describe('the OpenAI-compatible presets', () => {
  const request: ChatRequest = {
    model: 'm',
    messages: [{ role: 'user', name: 'ada', content: [{ type: 'text', text: 'hi' }] }],
    n: 2,
    seed: 7,
    logprobs: true,
    presencePenalty: 0.5,
    stop: ['END'],
    stream: false,
  };

  it('drops and names what a preset has no slot for, message names included', () => {
    const { request: kept, dropped } = dropUnsupportedFields(request, ['groq']);
    expect(dropped).toEqual(['logprobs', 'messages[].name', 'n']);
    expect(kept.messages[0]).not.toHaveProperty('name');
    expect(kept).toMatchObject({ seed: 7, presencePenalty: 0.5 });
  });

  it('lets Groq keep n = 1, refusing only several choices', () => {
    expect(dropUnsupportedFields({ ...request, n: 1, logprobs: undefined }, ['groq']).dropped).toEqual([
      'messages[].name',
    ]);
  });

  it("drops what only some models refuse (Grok's reasoning models: penalties and stop)", () => {
    const grok = (upstreamModel: string) => ({ provider: 'xai', maxOutputTokens: 8_192, upstreamModel });
    expect(dropUnsupportedFields(request, [grok('grok-3-mini')]).dropped).toEqual(['presence_penalty', 'stop']);
    expect(dropUnsupportedFields(request, [grok('grok-2-1212')]).dropped).toEqual([]);
  });
});
