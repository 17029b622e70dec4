import type {
  AnthropicMessagesRequest,
  AnthropicResponse,
  AnthropicResponseBlock,
  AnthropicStopReason,
  AnthropicStreamEvent,
  AnthropicUsage,
} from '@polymux/wire';
import { createHash } from 'node:crypto';

import { fakeObject } from '../fake-json';
import { tokenText } from '../openai/completion';
import type { Scenario } from '../scenario';
import type { SseEvent } from '../sse-writer';

/** The simulated thinking, one word a token. */
export const THINKING_WORDS = ['The', ' caller', ' asks', ' about', ' gateways;', ' answer', ' briefly.'];
/** Tool input JSON is streamed in this many `input_json_delta` fragments (fewer when shorter). */
export const INPUT_FRAGMENTS = 3;

/**
 * The signature of a simulated thinking block: a hash of its text, so that the simulator can
 * refuse, as Anthropic does, a thinking block sent back altered or without its signature.
 */
export const thinkingSignature = (thinking: string): string =>
  createHash('sha256').update(`polymux-sim:${thinking}`).digest('base64');

/** Everything about one answer the simulator decides before it answers. */
export interface MessagePlan {
  id: string;
  model: string;
  thinking?: { text: string[]; signature: string };
  /** The text, one piece a token. */
  text: string[];
  toolUse?: { id: string; name: string; input: Record<string, unknown> };
  stopReason: AnthropicStopReason;
  stopSequence: string | null;
  usage: Required<{ [K in keyof AnthropicUsage]: number }>;
}

/**
 * The tool the answer calls: with tools and a `tool_choice` other than `none`, the named tool or
 * the first one — unless the choice is `auto` and the last turn already brings tool results (so
 * that a tool loop ends with a text answer).
 */
const calledTool = (request: AnthropicMessagesRequest) => {
  const choice = request.tool_choice ?? { type: 'auto' as const };
  if (!request.tools?.length || choice.type === 'none') return undefined;
  if (choice.type === 'tool') return request.tools.find((tool) => tool.name === choice.name) ?? request.tools[0];
  const last = request.messages.at(-1);
  const answered =
    choice.type === 'auto' &&
    last?.role === 'user' &&
    Array.isArray(last.content) &&
    last.content.some((block) => block.type === 'tool_result');
  return answered ? undefined : request.tools[0];
};

/** Up to `tokens` text tokens, cut before the first stop sequence met (Anthropic's and Gemini's answers). */
export const textOf = (tokens: number, stops: string[]): { pieces: string[]; stopSequence?: string } => {
  const pieces: string[] = [];
  let text = '';
  for (let index = 0; index < tokens; index += 1) {
    const candidate = text + tokenText(index);
    for (const stop of stops) {
      const at = candidate.indexOf(stop);
      if (at === -1) continue;
      if (at > text.length) pieces.push(candidate.slice(text.length, at));
      return { pieces, stopSequence: stop };
    }
    pieces.push(tokenText(index));
    text = candidate;
  }
  return { pieces };
};

export const planMessage = (
  request: AnthropicMessagesRequest,
  scenario: Scenario,
  input: { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number },
  id: string,
): MessagePlan => {
  const thinkingWords =
    request.thinking?.type === 'enabled'
      ? THINKING_WORDS.slice(0, Math.min(THINKING_WORDS.length, request.max_tokens))
      : [];
  const thinking =
    thinkingWords.length > 0
      ? { text: thinkingWords, signature: thinkingSignature(thinkingWords.join('')) }
      : undefined;
  const room = request.max_tokens - thinkingWords.length;
  const tool = calledTool(request);
  const base = { id: `msg_${id}`, model: request.model, thinking };
  if (tool) {
    const toolInputValue = fakeObject(tool.input_schema, tool.name);
    const outputTokens = thinkingWords.length + Math.ceil(JSON.stringify(toolInputValue).length / 4);
    return {
      ...base,
      text: [],
      toolUse: { id: `toolu_${id}`, name: tool.name, input: toolInputValue },
      stopReason: 'tool_use',
      stopSequence: null,
      usage: { ...input, output_tokens: outputTokens },
    };
  }
  const wanted = Math.min(scenario.tokens, Math.max(room, 0));
  const { pieces, stopSequence } = textOf(wanted, request.stop_sequences ?? []);
  return {
    ...base,
    text: pieces,
    stopReason: stopSequence ? 'stop_sequence' : wanted < scenario.tokens ? 'max_tokens' : 'end_turn',
    stopSequence: stopSequence ?? null,
    usage: { ...input, output_tokens: thinkingWords.length + pieces.length },
  };
};

const blocksOf = (plan: MessagePlan): AnthropicResponseBlock[] => {
  const blocks: AnthropicResponseBlock[] = [];
  if (plan.thinking)
    blocks.push({ type: 'thinking', thinking: plan.thinking.text.join(''), signature: plan.thinking.signature });
  if (plan.text.length > 0) blocks.push({ type: 'text', text: plan.text.join('') });
  if (plan.toolUse) blocks.push({ type: 'tool_use', ...plan.toolUse });
  return blocks;
};

/** The body of a non-streaming answer. */
export const messageBody = (plan: MessagePlan): AnthropicResponse => ({
  id: plan.id,
  type: 'message',
  role: 'assistant',
  model: plan.model,
  content: blocksOf(plan),
  stop_reason: plan.stopReason,
  stop_sequence: plan.stopSequence,
  usage: plan.usage,
});

const event = (data: AnthropicStreamEvent, token = false): SseEvent => ({
  event: data.type,
  data: JSON.stringify(data),
  token,
});

/** `text` in up to `count` consecutive non-empty pieces. */
export const fragments = (text: string, count: number): string[] => {
  const size = Math.max(1, Math.ceil(text.length / count));
  const pieces: string[] = [];
  for (let at = 0; at < text.length; at += size) pieces.push(text.slice(at, at + size));
  return pieces;
};

/**
 * The events of a streamed answer, as Anthropic sends them: `message_start` (with the real input
 * usage and one output token), `ping`, each block's `content_block_start`, deltas and
 * `content_block_stop` (thinking with its `signature_delta`, text one token a delta, tool input in
 * several `input_json_delta` fragments), `message_delta` with the stop reason and the cumulative
 * usage, then `message_stop`.
 */
export function* messageEvents(plan: MessagePlan): Generator<SseEvent> {
  const start: AnthropicResponse = {
    ...messageBody(plan),
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { ...plan.usage, output_tokens: 1 },
  };
  yield event({ type: 'message_start', message: start });
  yield event({ type: 'ping' });
  let index = 0;
  if (plan.thinking) {
    yield event({
      type: 'content_block_start',
      index,
      content_block: { type: 'thinking', thinking: '', signature: '' },
    });
    for (const word of plan.thinking.text)
      yield event({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: word } }, true);
    yield event({
      type: 'content_block_delta',
      index,
      delta: { type: 'signature_delta', signature: plan.thinking.signature },
    });
    yield event({ type: 'content_block_stop', index });
    index += 1;
  }
  if (plan.text.length > 0) {
    yield event({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    for (const piece of plan.text)
      yield event({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }, true);
    yield event({ type: 'content_block_stop', index });
    index += 1;
  }
  if (plan.toolUse) {
    const { id, name, input } = plan.toolUse;
    yield event({ type: 'content_block_start', index, content_block: { type: 'tool_use', id, name, input: {} } });
    for (const piece of fragments(JSON.stringify(input), INPUT_FRAGMENTS))
      yield event(
        { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } },
        true,
      );
    yield event({ type: 'content_block_stop', index });
  }
  yield event({
    type: 'message_delta',
    delta: { stop_reason: plan.stopReason, stop_sequence: plan.stopSequence },
    usage: plan.usage,
  });
  yield event({ type: 'message_stop' });
}
