import type { ChatRequest } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';
import { OpenAiChatChunk, OpenAiChatCompletion } from '@polymux/wire';

import azureError from '../azure/fixtures/error-content-filter.json';
import azureFiltered from '../azure/fixtures/chat-completion-content-filter.json';
import deepseekChunk from '../deepseek/fixtures/reasoner-chunk.json';
import deepseekCompletion from '../deepseek/fixtures/reasoner-completion.json';
import { errorFromStatus } from '../http/upstream-error';
import mistralRequest from '../mistral/fixtures/tool-loop-request.json';
import { toOpenAiRequest } from '../openai/openai.request';
import { toChatChunk, toChatResponse } from '../openai/openai.response';
import openRouterCompletion from '../openrouter/fixtures/reasoning-completion.json';
import { ToolNames } from '../tool-names';
import type { PresetName } from './presets';
import { presetDialect } from './presets';

/*
 * Fixtures: bodies in the shape of each provider's documented examples (Azure's content-filter
 * reference, DeepSeek's thinking-mode guide, Mistral's function-calling guide, OpenRouter's
 * reasoning-tokens guide), with texts shortened.
 */

/** The body the adapter sends for `request` to `provider`, through the preset's dialect. */
const bodyFor = (provider: PresetName, request: ChatRequest, model = 'm') => {
  const dialect = presetDialect(provider);
  const mapped = toOpenAiRequest(request, {
    model,
    maxTokensField: dialect.maxTokensField ?? 'max_tokens',
    names: new ToolNames(dialect.toolNames),
    replayReasoning: dialect.replayReasoning,
    provider,
  });
  return dialect.body ? dialect.body(mapped, request) : mapped;
};

const user = {
  role: 'user' as const,
  content: [{ type: 'text' as const, text: "What's the status of my transaction T1001?" }],
};

describe('Mistral', () => {
  it('writes the documented tool loop: 9-character ids, random_seed, max_tokens, no stream_options', () => {
    const request: ChatRequest = {
      model: 'mistral',
      stream: true,
      seed: 42,
      maxOutputTokens: 256,
      toolChoice: 'auto',
      tools: [
        {
          name: 'retrieve_payment_status',
          description: 'Get payment status of a transaction',
          parameters: mistralRequest.tools[0]!.function.parameters,
        },
      ],
      messages: [
        user,
        {
          role: 'assistant',
          content: [],
          toolCalls: [
            { id: 'call_0fypS1hVXabc', name: 'retrieve_payment_status', arguments: '{"transaction_id": "T1001"}' },
          ],
        },
        { role: 'tool', toolCallId: 'call_0fypS1hVXabc', content: [{ type: 'text', text: '{"status": "Paid"}' }] },
      ],
    };
    const body = bodyFor('mistral', request, 'mistral-large-latest');
    expect(body).not.toHaveProperty('seed');
    expect(body).not.toHaveProperty('stream_options');
    expect(body).toMatchObject({ random_seed: 42, max_tokens: 256, tool_choice: 'auto', tools: mistralRequest.tools });
    const [, assistant, tool] = body.messages;
    const id = assistant?.role === 'assistant' ? assistant.tool_calls?.[0]?.id : undefined;
    expect(id).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(tool).toMatchObject({ role: 'tool', tool_call_id: id });
  });
});

describe('DeepSeek', () => {
  it('reads the thinking-mode answer: reasoning_content as thinking, reasoning and cache tokens', () => {
    const response = toChatResponse(OpenAiChatCompletion.parse(deepseekCompletion), 'deepseek-reasoner');
    expect(response.choices[0]).toMatchObject({
      content: '9.8 is greater than 9.11.',
      reasoning: [{ type: 'thinking', text: deepseekCompletion.choices[0]!.message.reasoning_content }],
    });
    expect(response.usage).toEqual({ inputTokens: 18, outputTokens: 70, cachedInputTokens: 0, reasoningTokens: 58 });
    const chunk = toChatChunk(OpenAiChatChunk.parse(deepseekChunk), 'deepseek-reasoner');
    expect(chunk.choices[0]?.reasoning).toEqual({ text: 'Compare' });
    expect(chunk.choices[0]).not.toHaveProperty('content');
  });

  it('sends the reasoning of a tool-call turn back, as thinking mode requires', () => {
    const body = bodyFor('deepseek', {
      model: 'd',
      stream: false,
      messages: [
        user,
        {
          role: 'assistant',
          content: [{ type: 'thinking', text: 'Look the transaction up.' }],
          toolCalls: [{ id: 'call_1', name: 'status', arguments: '{}' }],
        },
        { role: 'tool', toolCallId: 'call_1', content: [{ type: 'text', text: 'Paid' }] },
      ],
    });
    expect(body.messages[1]).toMatchObject({ reasoning_content: 'Look the transaction up.' });
  });

  it('refuses an image or a document anywhere before the call: its API reads text only', () => {
    const withPart = (part: ChatRequest['messages'][number]['content'][number]): ChatRequest => ({
      model: 'd',
      stream: false,
      messages: [
        user,
        { role: 'assistant', content: [{ type: 'text', text: 'Send it.' }] },
        { role: 'user', content: [part] },
      ],
    });
    const image = withPart({ type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=' });
    const document = withPart({
      type: 'document',
      url: 'data:application/pdf;base64,JVBERi0=',
      mediaType: 'application/pdf',
    });
    expect(() => bodyFor('deepseek', image)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidRequest, message: expect.stringContaining('its image') }),
    );
    expect(() => bodyFor('deepseek', document)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidRequest, message: expect.stringContaining('its document') }),
    );
    // A preset whose models may see (vLLM's) sends both.
    expect(bodyFor('vllm', image).messages).toHaveLength(3);
    expect(bodyFor('deepseek', { model: 'd', stream: false, messages: [user] }).messages).toHaveLength(1);
  });
});

describe('OpenRouter', () => {
  it('reads its reasoning field as thinking and writes reasoning as its own object', () => {
    const response = toChatResponse(OpenAiChatCompletion.parse(openRouterCompletion), 'x');
    expect(response.choices[0]?.reasoning).toEqual([
      { type: 'thinking', text: openRouterCompletion.choices[0]!.message.reasoning },
    ]);
    const effort = bodyFor('openrouter', {
      model: 'o',
      stream: false,
      messages: [user],
      reasoning: { effort: 'high' },
    });
    expect(effort).toMatchObject({ reasoning: { effort: 'high' } });
    expect(effort).not.toHaveProperty('reasoning_effort');
    const budget = bodyFor('openrouter', {
      model: 'o',
      stream: false,
      messages: [user],
      reasoning: { budgetTokens: 2_000 },
    });
    expect(budget).toMatchObject({ reasoning: { max_tokens: 2_000 } });
    expect(presetDialect('openrouter').headers?.({ appUrl: 'https://app.example', appName: 'Example' })).toEqual({
      'http-referer': 'https://app.example',
      'x-title': 'Example',
    });
  });
});

describe('the other presets', () => {
  it('Qwen: thinking as enable_thinking and thinking_budget; top_k carried', () => {
    const body = bodyFor('qwen', {
      model: 'q',
      stream: false,
      messages: [user],
      topK: 20,
      reasoning: { budgetTokens: 500 },
    });
    expect(body).toMatchObject({ enable_thinking: true, thinking_budget: 500, top_k: 20 });
    expect(body).not.toHaveProperty('reasoning_effort');
    expect(
      bodyFor('qwen', { model: 'q', stream: false, messages: [user], reasoning: { effort: 'none' } }),
    ).toMatchObject({
      enable_thinking: false,
    });
  });

  it('Moonshot, Zhipu and MiniMax: a temperature above 1 is sent as 1', () => {
    for (const provider of ['moonshot', 'zhipu', 'minimax'] as const) {
      expect(bodyFor(provider, { model: 'k', stream: false, messages: [user], temperature: 1.6 }).temperature).toBe(1);
    }
  });
});

describe('Azure', () => {
  it('reads a filtered completion as content_filter, without content', () => {
    const response = toChatResponse(OpenAiChatCompletion.parse(azureFiltered), 'my-deployment');
    expect(response.choices[0]).toMatchObject({ content: null, finishReason: 'content_filter' });
  });

  it('reports a filtered prompt as a 400 naming the filter, never quoting its message', () => {
    const failure = errorFromStatus('azure', 400, {}, JSON.stringify(azureError));
    expect(failure.code).toBe(ErrorCode.UpstreamBadRequest);
    expect(failure.message).toBe("the provider azure filtered the request's content (HTTP 400): content_filter");
  });
});
