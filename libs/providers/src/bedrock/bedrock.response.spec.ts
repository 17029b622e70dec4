import type { BedrockConverseResponse } from '@polymux/wire';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { JSON_TOOL } from '../anthropic/anthropic.request';
import { ToolNames } from '../tool-names';
import { BEDROCK_TOOL_NAMES } from './bedrock.request';
import { toChatResponse, toFinishReason } from './bedrock.response';

const fixture = (name: string): BedrockConverseResponse =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as BedrockConverseResponse;
const plain = { names: new ToolNames(BEDROCK_TOOL_NAMES), jsonTool: false };

describe('toChatResponse (Bedrock)', () => {
  it("reads the User Guide's tool-use answer as a tool call", () => {
    const response = toChatResponse(
      fixture('converse-tool-use.response.json'),
      plain,
      'amazon.nova-pro-v1:0',
      'bedrock-1',
    );
    expect(response).toMatchObject({
      id: 'bedrock-1',
      model: 'amazon.nova-pro-v1:0',
      choices: [
        {
          content: null,
          finishReason: 'tool_calls',
          toolCalls: [{ id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', arguments: '{"sign":"WZPZ"}' }],
        },
      ],
      usage: { inputTokens: 375, outputTokens: 58 },
    });
    expect(response.usage).not.toHaveProperty('cachedInputTokens');
  });

  it('reads signed and redacted reasoning, and counts cache writes in the input', () => {
    const response = toChatResponse(fixture('converse-reasoning-cache.response.json'), plain, 'claude', 'bedrock-1');
    expect(response.choices[0]).toEqual({
      index: 0,
      content: 'The capital of France is Paris.',
      finishReason: 'stop',
      reasoning: [
        {
          type: 'thinking',
          text: 'The user asks for the capital of France, which is Paris.',
          signature: 'ErcBCkgIAhABGAIiQMuHJYKzPzmmiuEAjK5ETdHMrQTbLpYhdHJQp4i3i8Fi',
        },
        { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP' },
      ],
    });
    // totalTokens 5215 = 12 + 200 + 5003: Bedrock's inputTokens leaves the cache out.
    expect(response.usage).toEqual({
      inputTokens: 5_015,
      outputTokens: 200,
      cachedInputTokens: 0,
      cacheWriteTokens: 5_003,
    });
  });

  it('answers the JSON tool input as the content, the caller names of renamed tools otherwise', () => {
    const names = new ToolNames(BEDROCK_TOOL_NAMES);
    const upstream = names.name('ns.lookup');
    const body = (name: string): BedrockConverseResponse => ({
      output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 'tu_1', name, input: { n: 1 } } }] } },
      stopReason: 'tool_use',
      usage: { inputTokens: 1, outputTokens: 1 },
    });
    expect(toChatResponse(body(JSON_TOOL), { names, jsonTool: true }, 'm', 'bedrock-1').choices[0]).toMatchObject({
      content: '{"n":1}',
      finishReason: 'stop',
    });
    expect(toChatResponse(body(upstream), { names, jsonTool: true }, 'm', 'bedrock-1').choices[0]?.toolCalls).toEqual([
      { id: 'tu_1', name: 'ns.lookup', arguments: '{"n":1}' },
    ]);
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['malformed_tool_use', 'error'],
    ['a_new_reason', 'stop'],
  ])('maps the stop reason %s to %s', (reason, expected) => {
    expect(toFinishReason(reason)).toBe(expected);
  });
});
