import type { ChatChunk, ChatRequest, ChoiceDelta, FinishReason, ToolCallDelta } from '@polymux/contracts';

import type { SseEvent, StreamContext, StreamEncoder } from '../formats/inbound-format';
import {
  functionCallItem,
  outputText,
  reasoningItem,
  responseEnvelope,
  responseIds,
  statusOf,
} from './responses-response.mapper';

/** The item being streamed that is not a function call: a message's text or refusal, or a reasoning summary. */
type OpenItem =
  | { kind: 'message'; index: number; id: string; parts: Array<{ type: 'output_text' | 'refusal'; text: string }> }
  | { kind: 'reasoning'; index: number; id: string; text: string };

interface OpenCall {
  index: number;
  id: string;
  callId: string;
  name: string;
  arguments: string;
}

/**
 * Choice 0's chunks as Responses stream events: `response.created` and `response.in_progress` on the
 * first chunk, then per output item `response.output_item.added`, its deltas and its `.done` events,
 * and `response.completed` (or `response.incomplete`) with the full response and usage once it is
 * durable. Every event's `event:` name is its `type`; `sequence_number` counts from 0.
 *
 * Messages and reasoning items close as soon as anything else starts; function calls stay open until
 * the end, so that an argument fragment is never lost whatever order the provider interleaves them in.
 * Thinking streams as a reasoning summary (its signature in `encrypted_content`); redacted thinking is
 * not streamed, having no Responses form.
 */
export const responsesStream = (request: ChatRequest, context: StreamContext): StreamEncoder => {
  let sequence = 0;
  let head: { id: string; model: string; created: number } | undefined;
  let ids: ReturnType<typeof responseIds> | undefined;
  let finishReason: FinishReason | null | undefined;
  /** Every output item, done or not, by output index: what `response.completed` lists. */
  const output: unknown[] = [];
  let open: OpenItem | undefined;
  const calls = new Map<number, OpenCall>();
  let messages = 0;
  let reasonings = 0;

  const event = (type: string, fields: Record<string, unknown>): SseEvent => ({
    event: type,
    data: { type, sequence_number: sequence++, ...fields },
  });
  const envelope = (
    status: 'in_progress' | 'completed' | 'incomplete',
    usage: Parameters<typeof responseEnvelope>[2]['usage'],
  ) =>
    responseEnvelope(request, head!, {
      status,
      incomplete_details: status === 'incomplete' ? statusOf(finishReason).incomplete_details : null,
      output: status === 'in_progress' ? [] : output,
      usage,
    });

  const closeOpen = (): SseEvent[] => {
    const item = open;
    if (!item) return [];
    open = undefined;
    const at = { item_id: item.id, output_index: item.index };
    if (item.kind === 'reasoning') {
      const done = reasoningItem(item.id, item.text, undefined);
      output[item.index] = done;
      const summary = { type: 'summary_text', text: item.text };
      return [
        event('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: item.text }),
        event('response.reasoning_summary_part.done', { ...at, summary_index: 0, part: summary }),
        event('response.output_item.done', { output_index: item.index, item: done }),
      ];
    }
    const content = item.parts.map((part) =>
      part.type === 'output_text' ? outputText(part.text) : { type: 'refusal' as const, refusal: part.text },
    );
    const done = { id: item.id, type: 'message', status: 'completed', role: 'assistant', content };
    output[item.index] = done;
    const events = item.parts.flatMap((part, contentIndex) => [
      part.type === 'output_text'
        ? event('response.output_text.done', { ...at, content_index: contentIndex, text: part.text, logprobs: [] })
        : event('response.refusal.done', { ...at, content_index: contentIndex, refusal: part.text }),
      event('response.content_part.done', { ...at, content_index: contentIndex, part: content[contentIndex] }),
    ]);
    return [...events, event('response.output_item.done', { output_index: item.index, item: done })];
  };

  const reasoningDelta = (reasoning: NonNullable<ChoiceDelta['reasoning']>): SseEvent[] => {
    const events: SseEvent[] = [];
    if (reasoning.text !== undefined && reasoning.text !== '') {
      if (open?.kind !== 'reasoning') {
        events.push(...closeOpen());
        open = { kind: 'reasoning', index: output.length, id: ids!.reasoning(reasonings++), text: '' };
        output.push(reasoningItem(open.id, undefined, undefined));
        const at = { item_id: open.id, output_index: open.index };
        events.push(
          event('response.output_item.added', { output_index: open.index, item: output[open.index] }),
          event('response.reasoning_summary_part.added', {
            ...at,
            summary_index: 0,
            part: { type: 'summary_text', text: '' },
          }),
        );
      }
      open.text += reasoning.text;
      events.push(
        event('response.reasoning_summary_text.delta', {
          item_id: open.id,
          output_index: open.index,
          summary_index: 0,
          delta: reasoning.text,
        }),
      );
    }
    if (reasoning.signature !== undefined && open?.kind === 'reasoning') {
      const { index, id, text } = open;
      open = undefined;
      const done = reasoningItem(id, text, reasoning.signature);
      output[index] = done;
      const at = { item_id: id, output_index: index };
      events.push(
        event('response.reasoning_summary_text.done', { ...at, summary_index: 0, text }),
        event('response.reasoning_summary_part.done', {
          ...at,
          summary_index: 0,
          part: { type: 'summary_text', text },
        }),
        event('response.output_item.done', { output_index: index, item: done }),
      );
    } else if (reasoning.signature !== undefined) {
      // A signature that closes no summary (Gemini signs answers it shows no thought of): an item of its own.
      events.push(...closeOpen());
      const index = output.length;
      const id = ids!.reasoning(reasonings++);
      const done = reasoningItem(id, undefined, reasoning.signature);
      output.push(done);
      events.push(
        event('response.output_item.added', { output_index: index, item: reasoningItem(id, undefined, undefined) }),
        event('response.output_item.done', { output_index: index, item: done }),
      );
    }
    return events;
  };

  const messageDelta = (type: 'output_text' | 'refusal', text: string): SseEvent[] => {
    const events: SseEvent[] = [];
    if (open?.kind !== 'message') {
      events.push(...closeOpen());
      open = { kind: 'message', index: output.length, id: ids!.message(messages++), parts: [] };
      output.push({ id: open.id, type: 'message', status: 'in_progress', role: 'assistant', content: [] });
      events.push(event('response.output_item.added', { output_index: open.index, item: output[open.index] }));
    }
    const at = { item_id: open.id, output_index: open.index };
    if (open.parts.at(-1)?.type !== type) {
      open.parts.push({ type, text: '' });
      const part = type === 'output_text' ? outputText('') : { type, refusal: '' };
      events.push(event('response.content_part.added', { ...at, content_index: open.parts.length - 1, part }));
    }
    const current = open.parts[open.parts.length - 1];
    current.text += text;
    const contentIndex = open.parts.length - 1;
    if (text === '') return events;
    events.push(
      type === 'output_text'
        ? event('response.output_text.delta', { ...at, content_index: contentIndex, delta: text, logprobs: [] })
        : event('response.refusal.delta', { ...at, content_index: contentIndex, delta: text }),
    );
    return events;
  };

  const toolCallDelta = (delta: ToolCallDelta): SseEvent[] => {
    const events: SseEvent[] = [];
    let call = calls.get(delta.index);
    if (!call) {
      if (open) events.push(...closeOpen());
      call = {
        index: output.length,
        id: ids!.functionCall(calls.size),
        callId: delta.id ?? `call_${delta.index}`,
        name: delta.name ?? '',
        arguments: '',
      };
      calls.set(delta.index, call);
      output.push(functionCallItem(call.id, { id: call.callId, name: call.name, arguments: '' }, 'in_progress'));
      events.push(event('response.output_item.added', { output_index: call.index, item: output[call.index] }));
    }
    if (delta.arguments) {
      call.arguments += delta.arguments;
      events.push(
        event('response.function_call_arguments.delta', {
          item_id: call.id,
          output_index: call.index,
          delta: delta.arguments,
        }),
      );
    }
    return events;
  };

  const closeCalls = (): SseEvent[] =>
    [...calls.values()].flatMap((call) => {
      const done = functionCallItem(
        call.id,
        { id: call.callId, name: call.name, arguments: call.arguments },
        'completed',
      );
      output[call.index] = done;
      return [
        event('response.function_call_arguments.done', {
          item_id: call.id,
          output_index: call.index,
          name: call.name,
          arguments: call.arguments,
        }),
        event('response.output_item.done', { output_index: call.index, item: done }),
      ];
    });

  const start = (chunk: ChatChunk): SseEvent[] => {
    if (head) return [];
    ids = responseIds(chunk.id);
    head = { id: ids.response, model: chunk.model, created: chunk.created };
    return [
      event('response.created', { response: envelope('in_progress', null) }),
      event('response.in_progress', { response: envelope('in_progress', null) }),
    ];
  };

  return {
    chunk(chunk) {
      const choice = chunk.choices.find((candidate) => candidate.index === 0);
      const events = start(chunk);
      if (!choice) return events;
      if (choice.reasoning) events.push(...reasoningDelta(choice.reasoning));
      if (choice.content) events.push(...messageDelta('output_text', choice.content));
      if (choice.refusal) events.push(...messageDelta('refusal', choice.refusal));
      for (const call of choice.toolCalls ?? []) events.push(...toolCallDelta(call));
      if (choice.finishReason) finishReason = choice.finishReason;
      return events;
    },
    end(usage) {
      // A stream that carried no chunk still describes one (empty) response.
      const created = Math.floor(Date.now() / 1000);
      const events = head
        ? []
        : start({ id: context.requestId, model: context.deployment.model, created, choices: [] });
      if (output.length === 0) events.push(...messageDelta('output_text', ''));
      events.push(...closeOpen(), ...closeCalls());
      const { status } = statusOf(finishReason);
      const type = status === 'incomplete' ? 'response.incomplete' : 'response.completed';
      return [...events, event(type, { response: envelope(status, usage) })];
    },
    error(payload) {
      return [event('error', { code: payload.code, message: payload.message, param: payload.param ?? null })];
    },
  };
};
