import type { SseEvent } from '../inbound-format';
import type { InboundName } from './inbound-bodies';
import type { Answer } from './provider-wire';
import { ANTHROPIC_STOP } from './provider-wire';

/**
 * What an official SDK shows its caller of an answer in each inbound format — text, tool calls
 * (arguments parsed), reasoning, the stop reason in the format's own words, usage in its own
 * convention — from a complete body or from a stream accumulated the way the SDK accumulates it.
 * `expectedView` is the oracle: the same, computed from the canonical answer alone.
 */

export type ProviderName = 'openai' | 'anthropic' | 'bedrock' | 'gemini' | 'deepseek';

export interface View {
  text: string;
  /** A refusal where the format has a slot for one (Messages has none: it is text there). */
  refusal: string;
  calls: Array<{ id: string; name: string; input: unknown }>;
  reasoning: Array<{ text: string; signature: string | undefined }>;
  finish: unknown;
  usage: Record<string, number>;
}

type Json = Record<string, unknown>;
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const obj = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const parse = (value: unknown): unknown => JSON.parse(typeof value === 'string' && value !== '' ? value : '{}');

export const chatView = (completion: unknown): View => {
  const choice = obj(list(obj(completion).choices)[0]);
  const message = obj(choice.message);
  const usage = obj(obj(completion).usage);
  return {
    text: typeof message.content === 'string' ? message.content : '',
    refusal: typeof message.refusal === 'string' ? message.refusal : '',
    calls: list(message.tool_calls).map((call) => ({
      id: String(call.id),
      name: String(obj(call.function).name),
      input: parse(obj(call.function).arguments),
    })),
    reasoning: [],
    finish: choice.finish_reason,
    usage: {
      input: num(usage.prompt_tokens),
      cached: num(obj(usage.prompt_tokens_details).cached_tokens),
      output: num(usage.completion_tokens),
      reasoning: num(obj(usage.completion_tokens_details).reasoning_tokens),
    },
  };
};

export const responsesView = (response: unknown): View => {
  const body = obj(response);
  const output = list(body.output);
  const usage = obj(body.usage);
  const parts = output.filter((item) => item.type === 'message').flatMap((item) => list(item.content));
  return {
    // The SDK's `output_text`: every output_text part of every message, joined.
    text: parts.map((part) => (part.type === 'output_text' ? String(part.text) : '')).join(''),
    refusal: parts.map((part) => (part.type === 'refusal' ? String(part.refusal) : '')).join(''),
    calls: output
      .filter((item) => item.type === 'function_call')
      .map((item) => ({ id: String(item.call_id), name: String(item.name), input: parse(item.arguments) })),
    reasoning: output
      .filter((item) => item.type === 'reasoning')
      .map((item) => ({
        text: list(item.summary)
          .map((part) => String(part.text))
          .join(''),
        signature: typeof item.encrypted_content === 'string' ? item.encrypted_content : undefined,
      })),
    finish: { status: body.status, incomplete: obj(body.incomplete_details).reason },
    usage: {
      input: num(usage.input_tokens),
      cached: num(obj(usage.input_tokens_details).cached_tokens),
      written: num(obj(usage.input_tokens_details).cache_write_tokens),
      output: num(usage.output_tokens),
      reasoning: num(obj(usage.output_tokens_details).reasoning_tokens),
    },
  };
};

export const messagesView = (message: unknown): View => {
  const body = obj(message);
  const content = list(body.content);
  const usage = obj(body.usage);
  // Anthropic never sends an empty text block; its SDK would show one as a blank answer part.
  if (content.some((block) => block.type === 'text' && block.text === '')) throw new Error('empty text block');
  return {
    text: content
      .filter((block) => block.type === 'text')
      .map((block) => String(block.text))
      .join(''),
    refusal: '',
    calls: content
      .filter((block) => block.type === 'tool_use')
      .map((block) => ({ id: String(block.id), name: String(block.name), input: block.input })),
    reasoning: content
      .filter((block) => block.type === 'thinking')
      // An empty signature is none (Anthropic's wire always has the field).
      .map((block) => ({
        text: String(block.thinking),
        signature: block.signature ? String(block.signature) : undefined,
      })),
    finish: { stop: body.stop_reason, sequence: body.stop_sequence ?? null },
    usage: {
      input: num(usage.input_tokens),
      cached: num(usage.cache_read_input_tokens),
      written: num(usage.cache_creation_input_tokens),
      output: num(usage.output_tokens),
    },
  };
};

export const VIEWS: Record<InboundName, (body: unknown) => View> = {
  chat: chatView,
  responses: responsesView,
  messages: messagesView,
};

/**
 * What each provider's wire carries of an answer besides its text, tool calls and finish: its
 * reasoning (`signed` blocks, tagged with the provider's name where it is not Anthropic; `joined`
 * into one unsigned text; or none), cache writes, a reasoning-token count, the stop sequence that
 * matched, and the refusal its adapter writes when a filter stopped the answer before any output.
 */
const CARRIES: Record<
  ProviderName,
  {
    reasoning: 'signed' | 'joined' | 'none';
    signatureTag?: string;
    cacheWrites: boolean;
    reasoningTokens: boolean;
    stopSequence: boolean;
    filterRefusal?: string;
  }
> = {
  openai: { reasoning: 'none', cacheWrites: false, reasoningTokens: true, stopSequence: false },
  deepseek: { reasoning: 'joined', cacheWrites: false, reasoningTokens: true, stopSequence: false },
  anthropic: { reasoning: 'signed', cacheWrites: true, reasoningTokens: false, stopSequence: true },
  bedrock: { reasoning: 'signed', cacheWrites: true, reasoningTokens: false, stopSequence: false },
  gemini: {
    reasoning: 'signed',
    signatureTag: 'gemini',
    cacheWrites: false,
    reasoningTokens: true,
    stopSequence: false,
    filterRefusal: "Gemini's safety filters stopped the answer (SAFETY)",
  },
};

/**
 * The view an SDK of F must show of `answer` after it crossed P. Inherently lossy, stated here (see
 * `CARRIES`): OpenAI's wire has no reasoning blocks (DeepSeek's one unsigned text), no cache-write
 * count (its `prompt_tokens` still includes them, so the input total is exact) and no matched stop
 * sequence; Anthropic's and Bedrock's have no separate reasoning-token count; Bedrock's and
 * Gemini's no matched stop sequence; Gemini's no cache writes and no call ids (the adapter makes
 * them: `callIds`, where given, are what the calls must be named); Chat Completions has no
 * reasoning blocks.
 */
export const expectedView = (
  answer: Answer,
  format: InboundName,
  provider: ProviderName,
  callIds?: readonly string[],
): View => {
  const choice = answer.choices[0]!;
  const carries = CARRIES[provider];
  const { usage } = answer;
  const cached = usage.cachedInputTokens ?? 0;
  const written = carries.cacheWrites ? (usage.cacheWriteTokens ?? 0) : 0;
  const reasoningTokens = carries.reasoningTokens ? (usage.reasoningTokens ?? 0) : 0;
  const stopSequence = carries.stopSequence ? choice.stopSequence : undefined;
  const thoughts = (choice.reasoning ?? []).flatMap((part) => (part.type === 'thinking' ? [part] : []));
  const joined = thoughts.map((part) => part.text).join('');
  const reasoning =
    format === 'chat' || carries.reasoning === 'none'
      ? []
      : carries.reasoning === 'joined'
        ? joined === ''
          ? []
          : [{ text: joined, signature: undefined }]
        : thoughts.map((part) => ({
            text: part.text,
            signature:
              part.signature && carries.signatureTag ? `${carries.signatureTag}:${part.signature}` : part.signature,
          }));
  const filtered =
    choice.finishReason === 'content_filter' && !choice.content && !choice.toolCalls?.length
      ? (carries.filterRefusal ?? '')
      : '';
  const finish =
    format === 'chat'
      ? choice.finishReason
      : format === 'responses'
        ? {
            status:
              choice.finishReason === 'length' || choice.finishReason === 'content_filter' ? 'incomplete' : 'completed',
            incomplete:
              choice.finishReason === 'length'
                ? 'max_output_tokens'
                : choice.finishReason === 'content_filter'
                  ? 'content_filter'
                  : undefined,
          }
        : {
            stop: ANTHROPIC_STOP(choice.finishReason, stopSequence),
            sequence: stopSequence ?? null,
          };
  const usageView: Record<string, number> =
    format === 'chat'
      ? { input: usage.inputTokens, cached, output: usage.outputTokens, reasoning: reasoningTokens }
      : format === 'responses'
        ? { input: usage.inputTokens, cached, written, output: usage.outputTokens, reasoning: reasoningTokens }
        : { input: usage.inputTokens - cached - written, cached, written, output: usage.outputTokens };
  return {
    text: (choice.content ?? '') + (format === 'messages' ? filtered : ''),
    refusal: format === 'messages' ? '' : filtered,
    calls: (choice.toolCalls ?? []).map((call, index) => ({
      id: callIds?.[index] ?? call.id,
      name: call.name,
      input: JSON.parse(call.arguments),
    })),
    reasoning,
    finish,
    usage: usageView,
  };
};

/** Chat Completions chunks accumulated as the `openai` SDK's `ChatCompletionStream` does: strings appended, tool calls by index. */
export const accumulateChat = (events: SseEvent[]): unknown => {
  let content = '';
  let refusal = '';
  const calls: Array<{ id: string; function: { name: string; arguments: string } }> = [];
  let finish: unknown = null;
  let usage: unknown = null;
  for (const { data } of events) {
    if (data === '[DONE]') continue;
    const chunk = obj(data);
    if (chunk.usage) usage = chunk.usage;
    for (const choice of list(chunk.choices)) {
      const delta = obj(choice.delta);
      if (typeof delta.content === 'string') content += delta.content;
      if (typeof delta.refusal === 'string') refusal += delta.refusal;
      for (const call of list(delta.tool_calls)) {
        const index = num(call.index);
        const known = (calls[index] ??= { id: '', function: { name: '', arguments: '' } });
        if (typeof call.id === 'string') known.id = call.id;
        const fn = obj(call.function);
        if (typeof fn.name === 'string') known.function.name += fn.name;
        if (typeof fn.arguments === 'string') known.function.arguments += fn.arguments;
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  const message = { content, ...(refusal ? { refusal } : {}), ...(calls.length ? { tool_calls: calls } : {}) };
  return { choices: [{ message, finish_reason: finish }], usage };
};

/**
 * Responses events accumulated as the `openai` SDK's `ResponseStream` snapshot is: items as added,
 * parts as added, deltas appended; the final status and usage from `response.completed`. A done
 * item only adds what arrives nowhere else (a reasoning item's `encrypted_content`).
 */
export const accumulateResponses = (events: SseEvent[]): { snapshot: unknown; completed: unknown } => {
  const output: Json[] = [];
  let completed: Json = {};
  for (const { data } of events) {
    const event = obj(data);
    const item = output[num(event.output_index)];
    switch (event.type) {
      case 'response.output_item.added':
        output[num(event.output_index)] = structuredClone(obj(event.item));
        break;
      case 'response.content_part.added':
        if (item) (item.content as Json[])[num(event.content_index)] = structuredClone(obj(event.part));
        break;
      case 'response.output_text.delta': {
        const part = list(item?.content)[num(event.content_index)];
        if (part) part.text = `${String(part.text)}${String(event.delta)}`;
        break;
      }
      case 'response.refusal.delta': {
        const part = list(item?.content)[num(event.content_index)];
        if (part) part.refusal = `${String(part.refusal)}${String(event.delta)}`;
        break;
      }
      case 'response.function_call_arguments.delta':
        if (item) item.arguments = `${String(item.arguments)}${String(event.delta)}`;
        break;
      case 'response.reasoning_summary_part.added':
        if (item) (item.summary as Json[])[num(event.summary_index)] = structuredClone(obj(event.part));
        break;
      case 'response.reasoning_summary_text.delta': {
        const part = list(item?.summary)[num(event.summary_index)];
        if (part) part.text = `${String(part.text)}${String(event.delta)}`;
        break;
      }
      case 'response.output_item.done': {
        const done = obj(event.item);
        if (item && done.encrypted_content !== undefined) item.encrypted_content = done.encrypted_content;
        break;
      }
      case 'response.completed':
      case 'response.incomplete':
        completed = obj(event.response);
        break;
    }
  }
  return { snapshot: { ...completed, output }, completed };
};

/** Messages events accumulated as `@anthropic-ai/sdk`'s `MessageStream` does. */
export const accumulateMessages = (events: SseEvent[]): unknown => {
  let message: Json = {};
  const json = new Map<number, string>();
  for (const { data } of events) {
    const event = obj(data);
    const content = list(message.content);
    const block = content[num(event.index)];
    const delta = obj(event.delta);
    switch (event.type) {
      case 'message_start':
        message = structuredClone(obj(event.message));
        break;
      case 'content_block_start':
        (message.content as Json[])[num(event.index)] = structuredClone(obj(event.content_block));
        break;
      case 'content_block_delta':
        if (!block) throw new Error('a delta before its block started');
        if (delta.type === 'text_delta') block.text = `${String(block.text)}${String(delta.text)}`;
        if (delta.type === 'thinking_delta') block.thinking = `${String(block.thinking)}${String(delta.thinking)}`;
        if (delta.type === 'signature_delta') block.signature = delta.signature;
        if (delta.type === 'input_json_delta')
          json.set(num(event.index), `${json.get(num(event.index)) ?? ''}${String(delta.partial_json)}`);
        break;
      case 'content_block_stop':
        if (json.has(num(event.index)) && block) block.input = JSON.parse(json.get(num(event.index))!);
        break;
      case 'message_delta': {
        message.stop_reason = delta.stop_reason;
        message.stop_sequence = delta.stop_sequence;
        const usage = obj(message.usage);
        for (const [field, value] of Object.entries(obj(event.usage))) if (value != null) usage[field] = value;
        message.usage = usage;
        break;
      }
    }
  }
  return message;
};

export const ACCUMULATE: Record<InboundName, (events: SseEvent[]) => unknown[]> = {
  chat: (events) => [accumulateChat(events)],
  responses: (events) => {
    const { snapshot, completed } = accumulateResponses(events);
    return [snapshot, completed];
  },
  messages: (events) => [accumulateMessages(events)],
};
