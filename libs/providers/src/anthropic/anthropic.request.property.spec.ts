import type { ChatRequest, Message } from '@polymux/contracts';
import fc from 'fast-check';

import { toAnthropicRequest } from './anthropic.request';
import { AnthropicMessagesRequest } from '@polymux/wire';
import type { AnthropicContentBlock } from '@polymux/wire';

/** Tool names and ids, valid for Anthropic or not (dots, colons, spaces, over 64 characters). */
const identifier = fc.oneof(
  fc.stringMatching(/^[a-zA-Z0-9_-]{1,20}$/),
  fc.stringMatching(/^[a-z]{1,10}[.: /][a-z]{1,10}$/),
  fc.stringMatching(/^[a-z]{65,80}$/),
);
const words = fc.stringMatching(/^[a-z ]{1,20}$/);
const jsonObject = fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.oneof(fc.integer(), words, fc.boolean()));

/** A conversation turn: a user text, or an assistant tool-call round followed by its results. */
const round = fc.oneof(
  words.map((text): Message[] => [{ role: 'user', content: [{ type: 'text', text }] }]),
  fc
    .uniqueArray(fc.record({ id: identifier, name: identifier, input: jsonObject }), {
      minLength: 1,
      maxLength: 3,
      selector: (call) => call.id,
    })
    .chain((calls) =>
      fc.array(words, { minLength: calls.length, maxLength: calls.length }).map((results): Message[] => [
        {
          role: 'assistant',
          content: [],
          toolCalls: calls.map((call) => ({ id: call.id, name: call.name, arguments: JSON.stringify(call.input) })),
        },
        ...calls.map((call, index): Message => ({
          role: 'tool',
          toolCallId: call.id,
          content: [{ type: 'text', text: results[index] ?? '' }],
        })),
      ]),
    ),
);

const chatRequest = fc
  .record({
    system: fc.option(words, { nil: undefined }),
    rounds: fc.array(round, { minLength: 1, maxLength: 5 }),
    tools: fc.uniqueArray(identifier, { maxLength: 4 }),
  })
  .map(({ system, rounds, tools }): ChatRequest => ({
    model: 'smart',
    stream: false,
    messages: [
      ...(system ? [{ role: 'system' as const, content: [{ type: 'text' as const, text: system }] }] : []),
      ...rounds.flat(),
    ],
    tools: tools.length > 0 ? tools.map((name) => ({ name, parameters: { type: 'object' } })) : undefined,
  }));

/** What a conversation says, role by role, independent of how turns are framed. */
const meaning = (request: ChatRequest) => ({
  system: request.messages.filter((message) => message.role === 'system').flatMap((message) => message.content),
  tools: request.tools?.map((tool) => tool.name) ?? [],
  calls: request.messages.flatMap((message) =>
    (message.toolCalls ?? []).map((call) => ({
      id: call.id,
      name: call.name,
      input: JSON.parse(call.arguments) as unknown,
    })),
  ),
  results: request.messages
    .filter((message) => message.role === 'tool')
    .map((message) => ({ id: message.toolCallId, content: message.content })),
  user: request.messages.filter((message) => message.role === 'user').flatMap((message) => message.content),
});

describe('toAnthropicRequest (property)', () => {
  it('writes a valid Messages body whose decoding keeps messages, tools, tool calls and tool results', () => {
    fc.assert(
      fc.property(chatRequest, (request) => {
        const { body, names } = toAnthropicRequest(request, { model: 'claude-sonnet-4-5', defaultMaxTokens: 1_024 });
        const parsed = AnthropicMessagesRequest.safeParse(body);
        expect(parsed.success).toBe(true);
        for (const [index, turn] of body.messages.entries()) {
          if (index > 0) expect(turn.role).not.toBe(body.messages[index - 1]?.role);
        }
        const blocks = (role: 'user' | 'assistant'): AnthropicContentBlock[] =>
          body.messages
            .filter((turn) => turn.role === role)
            .flatMap((turn) => (typeof turn.content === 'string' ? [] : turn.content));
        const decoded = {
          system:
            typeof body.system === 'string'
              ? []
              : (body.system ?? []).map((block) => ({ type: 'text', text: block.text })),
          tools: body.tools?.map((tool) => names.callerName(tool.name)) ?? [],
          calls: blocks('assistant').flatMap((block) =>
            block.type === 'tool_use'
              ? [{ id: names.callerId(block.id), name: names.callerName(block.name), input: block.input }]
              : [],
          ),
          results: blocks('user').flatMap((block) =>
            block.type === 'tool_result'
              ? [
                  {
                    id: names.callerId(block.tool_use_id),
                    content: typeof block.content === 'string' ? [] : (block.content ?? []),
                  },
                ]
              : [],
          ),
          user: blocks('user').filter((block) => block.type === 'text'),
        };
        expect(decoded).toEqual(meaning(request));
      }),
      { numRuns: 300 },
    );
  });
});
