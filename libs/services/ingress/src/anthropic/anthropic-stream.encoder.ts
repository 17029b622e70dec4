import type { ChatChunk, ChatRequest, ChoiceDelta, Usage } from '@polymux/contracts';
import { countInputTokens } from '@polymux/contracts';
import { toAnthropicError } from '@polymux/http';

import type { SseEvent, StreamContext, StreamEncoder } from '../formats/inbound-format';
import type { StopReason } from './anthropic-response.mapper';
import { toAnthropicUsage, toMessageId, toStopReason } from './anthropic-response.mapper';

type OpenBlock = { kind: 'thinking' | 'text'; index: number } | { kind: 'tool_use'; index: number; call: number };

const event = (type: string, data: Record<string, unknown>): SseEvent => ({ event: type, data: { type, ...data } });

/**
 * One call's canonical chunks as Anthropic's stream: `message_start` first (whatever the first delta
 * is) with the input usage the provider sent up front or, failing that, the gateway's own count,
 * then `ping`; content blocks that open and close as the kind of delta changes (thinking → text →
 * tool_use, a new tool call index a new block, a redacted thinking block on its own); `message_delta`
 * with the stop reason and the charged usage, then `message_stop`. Only choice 0: the Messages API
 * has one answer. A fragment of a tool call whose block was already closed (a provider interleaving
 * parallel calls) is still relayed, to that block's index, rather than dropped.
 */
export class AnthropicStreamEncoder implements StreamEncoder {
  private started = false;
  private open: OpenBlock | undefined;
  private nextIndex = 0;
  /** Block index of each tool call index seen. */
  private readonly toolBlocks = new Map<number, number>();
  private finish: ChoiceDelta['finishReason'];
  private stopSequence: string | undefined;

  constructor(
    private readonly request: ChatRequest,
    private readonly context: StreamContext,
  ) {}

  chunk(chunk: ChatChunk): SseEvent[] {
    const events = this.start(chunk);
    for (const choice of chunk.choices) {
      if (choice.index === 0) this.delta(choice, events);
    }
    return events;
  }

  end(usage: Usage): SseEvent[] {
    const events = this.start(undefined);
    this.close(events);
    const stopReason: StopReason = toStopReason(this.finish, this.stopSequence);
    events.push(
      event('message_delta', {
        delta: { stop_reason: stopReason, stop_sequence: stopReason === 'stop_sequence' ? this.stopSequence : null },
        usage: toAnthropicUsage(usage),
      }),
      event('message_stop', {}),
    );
    return events;
  }

  /** Anthropic sends the error event alone, open blocks and all: its SDK raises it as an API error. */
  error(payload: Parameters<StreamEncoder['error']>[0]): SseEvent[] {
    return [{ event: 'error', data: toAnthropicError(payload) }];
  }

  private start(chunk: ChatChunk | undefined): SseEvent[] {
    if (this.started) return [];
    this.started = true;
    const usage: Usage = chunk?.usage ?? {
      inputTokens: countInputTokens(this.request, this.context.deployment.upstreamModel),
      outputTokens: 0,
    };
    const message = {
      id: toMessageId(chunk?.id ?? this.context.requestId),
      type: 'message',
      role: 'assistant',
      model: chunk?.model ?? this.context.deployment.upstreamModel,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: toAnthropicUsage(usage),
    };
    return [event('message_start', { message }), event('ping', {})];
  }

  private delta(choice: ChoiceDelta, events: SseEvent[]): void {
    const { reasoning } = choice;
    if (reasoning?.redacted !== undefined) {
      this.close(events);
      const index = this.nextIndex++;
      events.push(
        event('content_block_start', { index, content_block: { type: 'redacted_thinking', data: reasoning.redacted } }),
        event('content_block_stop', { index }),
      );
    }
    if (reasoning?.text) {
      const index = this.ensure('thinking', events);
      events.push(event('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: reasoning.text } }));
    }
    if (reasoning?.signature) {
      // The signature ends its thinking block: the next thinking text starts a new one.
      const index = this.ensure('thinking', events);
      events.push(
        event('content_block_delta', { index, delta: { type: 'signature_delta', signature: reasoning.signature } }),
      );
      this.close(events);
    }
    const text = `${choice.content ?? ''}${choice.refusal ?? ''}`;
    if (text !== '') {
      const index = this.ensure('text', events);
      events.push(event('content_block_delta', { index, delta: { type: 'text_delta', text } }));
    }
    for (const call of choice.toolCalls ?? []) this.toolCall(call, events);
    if (choice.finishReason) this.finish = choice.finishReason;
    if (choice.stopSequence !== undefined) this.stopSequence = choice.stopSequence;
  }

  private toolCall(call: NonNullable<ChoiceDelta['toolCalls']>[number], events: SseEvent[]): void {
    let index = this.toolBlocks.get(call.index);
    if (index === undefined) {
      this.close(events);
      index = this.nextIndex++;
      this.toolBlocks.set(call.index, index);
      this.open = { kind: 'tool_use', index, call: call.index };
      const id = call.id ?? `toolu_${this.context.requestId}_${call.index}`;
      events.push(
        event('content_block_start', {
          index,
          content_block: { type: 'tool_use', id, name: call.name ?? '', input: {} },
        }),
      );
    }
    if (call.arguments) {
      events.push(
        event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: call.arguments } }),
      );
    }
  }

  /** The index of the open block of `kind`, opening one (and closing any other) when needed. */
  private ensure(kind: 'thinking' | 'text', events: SseEvent[]): number {
    if (this.open?.kind === kind) return this.open.index;
    this.close(events);
    const index = this.nextIndex++;
    this.open = { kind, index };
    const block = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
    events.push(event('content_block_start', { index, content_block: block }));
    return index;
  }

  private close(events: SseEvent[]): void {
    if (this.open === undefined) return;
    events.push(event('content_block_stop', { index: this.open.index }));
    this.open = undefined;
  }
}
