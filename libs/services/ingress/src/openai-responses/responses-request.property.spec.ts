import type { Message, Tool } from '@polymux/contracts';
import fc from 'fast-check';

import { responses } from './responses.format';

/**
 * Property: whatever conversation a caller sends as Responses input items, decoding keeps every
 * message's role and text, every tool and every tool call with its id and arguments, in order.
 * The canonical form is generated first and the items derived from it, so the expectation is exact.
 */

const text = fc.string({ maxLength: 40 });
const id = fc.stringMatching(/^call_[A-Za-z0-9]{1,12}$/);
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/);

const userTurn = fc.record({
  role: fc.constantFrom('user' as const, 'system' as const, 'developer' as const),
  texts: fc.array(text, { minLength: 1, maxLength: 3 }),
});
const assistantTurn = fc.record({
  role: fc.constant('assistant' as const),
  texts: fc.array(text, { maxLength: 2 }),
  calls: fc.array(fc.record({ id, name, arguments: fc.json({ maxDepth: 2 }) }), { maxLength: 3 }),
  outputs: fc.array(text, { maxLength: 3 }),
});
const turns = fc.array(fc.oneof(userTurn, assistantTurn), { minLength: 1, maxLength: 6 });
const tools = fc.array(
  fc.record({
    name,
    description: fc.option(text, { nil: undefined }),
    strict: fc.option(fc.boolean(), { nil: undefined }),
  }),
  { maxLength: 3 },
);

type Turn = typeof userTurn extends fc.Arbitrary<infer U> ? U : never;
type AssistantTurn = typeof assistantTurn extends fc.Arbitrary<infer A> ? A : never;

const asItems = (turn: Turn | AssistantTurn): unknown[] => {
  if (turn.role !== 'assistant') {
    return [{ role: turn.role, content: turn.texts.map((t) => ({ type: 'input_text', text: t })) }];
  }
  const message = turn.texts.length
    ? [
        {
          type: 'message',
          role: 'assistant',
          content: turn.texts.map((t) => ({ type: 'output_text', text: t, annotations: [] })),
        },
      ]
    : [];
  const calls = turn.calls.map((call) => ({
    type: 'function_call',
    call_id: call.id,
    name: call.name,
    arguments: call.arguments,
  }));
  const outputs = turn.calls.map((call, index) => ({
    type: 'function_call_output',
    call_id: call.id,
    output: turn.outputs[index] ?? '',
  }));
  return [...message, ...calls, ...outputs];
};

const asMessages = (turn: Turn | AssistantTurn): Message[] => {
  if (turn.role !== 'assistant')
    return [{ role: turn.role, content: turn.texts.map((t) => ({ type: 'text', text: t })) }];
  if (turn.texts.length === 0 && turn.calls.length === 0) return [];
  const assistant: Message = { role: 'assistant', content: turn.texts.map((t) => ({ type: 'text', text: t })) };
  if (turn.calls.length) assistant.toolCalls = turn.calls;
  return [
    assistant,
    ...turn.calls.map((call, index): Message => ({
      role: 'tool',
      toolCallId: call.id,
      content: [{ type: 'text', text: turn.outputs[index] ?? '' }],
    })),
  ];
};

/** Consecutive assistant turns without tool calls form one turn, as Responses items carry no turn boundary. */
const merged = (messages: Message[]): Message[] =>
  messages.reduce<Message[]>((out, message) => {
    const last = out.at(-1);
    if (last?.role === 'assistant' && message.role === 'assistant' && !last.toolCalls) {
      out[out.length - 1] = { ...message, content: [...last.content, ...message.content] };
      if (!message.toolCalls) delete out[out.length - 1].toolCalls;
    } else out.push(message);
    return out;
  }, []);

describe('Responses input → canonical request (property)', () => {
  it('keeps messages, tools and tool calls', () => {
    fc.assert(
      fc.property(
        turns,
        tools,
        fc.option(
          text.filter((t) => t !== ''),
          { nil: undefined },
        ),
        (conversation, declared, instructions) => {
          const input = conversation.flatMap(asItems);
          fc.pre(input.length > 0);
          const body = {
            model: 'gpt-4.1-mini',
            input,
            instructions,
            tools: declared.map((tool) => ({ type: 'function', parameters: { type: 'object' }, ...tool })),
          };
          const request = responses.decode(body, { dataRetention: false, dropped: [] });
          const expected: Message[] = [
            ...(instructions
              ? [{ role: 'system' as const, content: [{ type: 'text' as const, text: instructions }] }]
              : []),
            ...merged(conversation.flatMap(asMessages)),
          ];
          expect(request.messages).toEqual(expected);
          const expectedTools: Tool[] = declared.map((tool) => ({ ...tool, parameters: { type: 'object' } }));
          expect(request.tools).toEqual(expectedTools);
        },
      ),
      { numRuns: 300 },
    );
  });
});
