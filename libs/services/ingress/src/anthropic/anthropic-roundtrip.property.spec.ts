import type { ChatChunk, ChatResponse, Usage } from '@polymux/contracts';
import fc from 'fast-check';

import { deployment } from '../call/testing/call-fixtures';
import type { SseEvent } from '../formats/inbound-format';
import { fromMessagesBody } from './anthropic-request.mapper';
import type { ResponseBlock } from './anthropic-response.mapper';
import { toAnthropicMessage } from './anthropic-response.mapper';
import { AnthropicStreamEncoder } from './anthropic-stream.encoder';
import { parseMessagesBody } from './messages.schema';

/** Round trips: Anthropic request → canonical keeps content and tool ids; a canonical answer streamed or not reads the same. */

const identifier = fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/);
const text = fc.string({ minLength: 1, maxLength: 30 });
const input = fc.dictionary(identifier, fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxKeys: 3 });

type Block = Record<string, unknown> & { type: string };
const userBlocks = fc.array(
  fc.oneof(
    text.map((value): Block => ({ type: 'text', text: value })),
    fc.tuple(identifier, text).map(([id, value]): Block => ({ type: 'tool_result', tool_use_id: id, content: value })),
  ),
  { minLength: 1, maxLength: 4 },
);
const assistantBlocks = fc.array(
  fc.oneof(
    text.map((value): Block => ({ type: 'text', text: value })),
    fc.tuple(text, text).map(([thinking, signature]): Block => ({ type: 'thinking', thinking, signature })),
    fc
      .tuple(identifier, identifier, input)
      .map(([id, name, args]): Block => ({ type: 'tool_use', id, name, input: args })),
  ),
  { minLength: 1, maxLength: 4 },
);
const conversation = fc.array(fc.tuple(userBlocks, assistantBlocks), { minLength: 1, maxLength: 3 }).map((turns) =>
  turns.flatMap(([u, a]) => [
    { role: 'user', content: u },
    { role: 'assistant', content: a },
  ]),
);

describe('Anthropic request → canonical', () => {
  it('keeps every text, thinking signature, tool call and tool result, in order', () => {
    fc.assert(
      fc.property(
        conversation,
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(text, { maxLength: 3 }),
        (messages, maxTokens, stops) => {
          const request = fromMessagesBody(
            parseMessagesBody({
              model: 'm',
              max_tokens: maxTokens,
              messages,
              ...(stops.length ? { stop_sequences: stops } : {}),
            }),
          );
          expect(request.maxOutputTokens).toBe(maxTokens);
          expect(request.stop).toEqual(stops.length ? stops : undefined);
          const blocks = messages.flatMap((message) => message.content);
          const sent = blocks.flatMap((block) =>
            block.type === 'text'
              ? [`text:${String(block.text)}`]
              : block.type === 'thinking'
                ? [`thinking:${String(block.thinking)}:${String(block.signature)}`]
                : block.type === 'tool_result'
                  ? [`result:${String(block.tool_use_id)}:${String(block.content)}`]
                  : [`call:${String(block.id)}:${String(block.name)}:${JSON.stringify(block.input)}`],
          );
          const received = request.messages.flatMap((message) => [
            ...message.content.map((part) =>
              message.role === 'tool' && part.type === 'text'
                ? `result:${message.toolCallId}:${part.text}`
                : part.type === 'text'
                  ? `text:${part.text}`
                  : part.type === 'thinking'
                    ? `thinking:${part.text}:${part.signature}`
                    : part.type,
            ),
            ...(message.toolCalls ?? []).map((call) => `call:${call.id}:${call.name}:${call.arguments}`),
          ]);
          // Within an assistant turn tool calls follow its text; compare as multisets per kind, and order per kind.
          for (const kind of ['text', 'thinking', 'result', 'call']) {
            expect(received.filter((entry) => entry.startsWith(`${kind}:`))).toEqual(
              sent.filter((entry) => entry.startsWith(`${kind}:`)),
            );
          }
        },
      ),
    );
  });
});

/** What the SDK's stream accumulation makes of the events: one block per index, deltas appended. */
const accumulate = (events: SseEvent[]): ResponseBlock[] => {
  const blocks: Array<Record<string, unknown>> = [];
  const json = new Map<number, string>();
  for (const { data } of events) {
    const event = data as {
      type: string;
      index: number;
      content_block?: Record<string, unknown>;
      delta?: Record<string, string>;
    };
    if (event.type === 'content_block_start') blocks[event.index] = { ...event.content_block };
    if (event.type !== 'content_block_delta' || !event.delta) continue;
    const block = blocks[event.index];
    const { delta } = event;
    if (delta.type === 'text_delta') block.text = `${String(block.text)}${delta.text}`;
    if (delta.type === 'thinking_delta') block.thinking = `${String(block.thinking)}${delta.thinking}`;
    if (delta.type === 'signature_delta') block.signature = delta.signature;
    if (delta.type === 'input_json_delta') json.set(event.index, `${json.get(event.index) ?? ''}${delta.partial_json}`);
  }
  json.forEach((value, index) => (blocks[index].input = JSON.parse(value)));
  return blocks as ResponseBlock[];
};

/** Splits a string into consecutive pieces at the given cut points. */
const split = (value: string, cuts: number[]): string[] => {
  const points = [...new Set(cuts.map((cut) => cut % (value.length + 1)))].sort((a, b) => a - b);
  return [0, ...points, value.length]
    .slice(1)
    .map((end, i, ends) => value.slice(i === 0 ? 0 : ends[i - 1], end))
    .filter(Boolean);
};

describe('canonical answer → Anthropic, streamed and not', () => {
  const answer = fc.record({
    thinking: fc.option(fc.tuple(text, text), { nil: undefined }),
    content: fc.option(text, { nil: undefined }),
    calls: fc.array(fc.tuple(identifier, identifier, input), { maxLength: 3 }),
    cuts: fc.array(fc.nat(), { maxLength: 5 }),
    usage: fc.record({ inputTokens: fc.nat(), outputTokens: fc.nat() }),
  });

  it('reads the same: blocks, stop reason and usage, message_start first and no empty block', () => {
    fc.assert(
      fc.property(answer, ({ thinking, content, calls, cuts, usage }) => {
        const toolCalls = calls.map(([id, name, args]) => ({
          id: `call_${id}`,
          name,
          arguments: JSON.stringify(args),
        }));
        const finishReason = toolCalls.length > 0 ? 'tool_calls' : 'stop';
        const response: ChatResponse & { usage: Usage } = {
          id: 'r',
          model: 'gpt-4o',
          created: 1,
          usage,
          choices: [
            {
              index: 0,
              content: content ?? null,
              reasoning: thinking ? [{ type: 'thinking', text: thinking[0], signature: thinking[1] }] : undefined,
              toolCalls: toolCalls.length > 0 ? toolCalls : undefined,
              finishReason,
            },
          ],
        };
        const chunk = (delta: ChatChunk['choices'][number]): ChatChunk => ({
          id: 'r',
          model: 'gpt-4o',
          created: 1,
          choices: [delta],
        });
        const chunks: ChatChunk[] = [
          ...(thinking
            ? [
                ...split(thinking[0], cuts).map((piece) => chunk({ index: 0, reasoning: { text: piece } })),
                chunk({ index: 0, reasoning: { signature: thinking[1] } }),
              ]
            : []),
          ...split(content ?? '', cuts).map((piece) => chunk({ index: 0, content: piece })),
          ...toolCalls.flatMap((call, index) => [
            chunk({ index: 0, toolCalls: [{ index, id: call.id, name: call.name }] }),
            ...split(call.arguments, cuts).map((piece) =>
              chunk({ index: 0, toolCalls: [{ index, arguments: piece }] }),
            ),
          ]),
          chunk({ index: 0, finishReason }),
        ];
        const encoder = new AnthropicStreamEncoder(
          { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'q' }] }], stream: true },
          { requestId: 'req', deployment: deployment() },
        );
        const events = [...chunks.flatMap((next) => encoder.chunk(next)), ...encoder.end(usage)];
        const message = toAnthropicMessage(response);
        expect(events[0].event).toBe('message_start');
        expect(accumulate(events)).toEqual(message.content);
        expect(message.content.some((block) => block.type === 'text' && block.text === '')).toBe(false);
        const delta = events.at(-2)?.data as { delta: { stop_reason: string }; usage: unknown };
        expect(delta.delta.stop_reason).toBe(message.stop_reason);
        expect(delta.usage).toEqual(message.usage);
        expect(events.at(-1)?.event).toBe('message_stop');
      }),
    );
  });
});
