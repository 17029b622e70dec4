import type { ChatChunk, ChoiceDelta, Usage } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import { upstreamErrorFacts } from '../http/upstream-error';
import { JSON_TOOL } from './anthropic.request';
import type { ReadBack } from './anthropic.response';
import { toFinishReason, toUsage } from './anthropic.response';
import type { AnthropicStreamEvent, AnthropicUsage } from '@polymux/wire';

const PROVIDER = 'anthropic';

/** What an open content block turns into: content, a tool call's arguments, or reasoning. */
type OpenBlock = { kind: 'text' } | { kind: 'json' } | { kind: 'tool'; index: number } | { kind: 'thinking' };

/**
 * An `error` event of the stream as a Polymux failure, by its type only (its message may quote the
 * prompt): `overloaded_error` → overloaded, `rate_limit_error` → rate limited, anything else an
 * upstream error.
 */
export const errorFromAnthropicEvent = (data: string): PolymuxException => {
  const { reasons } = upstreamErrorFacts(data);
  const suffix = reasons.length > 0 ? `: ${reasons.join(', ')}` : '';
  if (reasons.includes('overloaded_error'))
    return new PolymuxException(
      ErrorCode.UpstreamOverloaded,
      `the provider ${PROVIDER} is overloaded mid-stream${suffix}`,
    );
  if (reasons.includes('rate_limit_error'))
    return new PolymuxException(
      ErrorCode.UpstreamRateLimited,
      `the provider ${PROVIDER} rate-limited the stream${suffix}`,
    );
  return new PolymuxException(ErrorCode.UpstreamError, `the provider ${PROVIDER} failed mid-stream${suffix}`);
};

/**
 * Reads one streamed answer's events into canonical chunks. The first chunk (from `message_start`)
 * carries the role and the input usage Anthropic reports up front, whatever block comes first; each
 * delta becomes a chunk (empty texts and fragments are skipped, never emitted); tool calls are
 * indexed by their order among the tool-use blocks, the first chunk of each carrying its id and
 * name; `message_delta` ends the choice with the whole usage (its cumulative counts over those of
 * `message_start`).
 */
export class AnthropicStreamDecoder {
  private id = '';
  private model: string;
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly blocks = new Map<number, OpenBlock>();
  private toolCalls = 0;
  private usage: AnthropicUsage = {};
  private started = false;
  /** Whether `message_stop` arrived: the stream is complete. */
  stopped = false;

  constructor(
    private readonly readBack: ReadBack,
    fallbackModel: string,
  ) {
    this.model = fallbackModel;
  }

  /** The chunk of one event, if it makes one. */
  decode(event: AnthropicStreamEvent, raw: string): ChatChunk | undefined {
    switch (event.type) {
      case 'message_start':
        this.started = true;
        this.id = event.message.id ?? '';
        this.model = event.message.model ?? this.model;
        this.usage = { ...event.message.usage };
        return this.chunk({ index: 0, role: 'assistant' }, toUsage(this.usage));
      case 'content_block_start':
        return this.start(event.index, event.content_block);
      case 'content_block_delta':
        return this.delta(event.index, event.delta);
      case 'content_block_stop':
        this.blocks.delete(event.index);
        return undefined;
      case 'message_delta': {
        this.usage = { ...this.usage, ...definedOf(event.usage ?? {}) };
        const reason = event.delta.stop_reason;
        const json = this.readBack.jsonTool && reason === 'tool_use' && this.toolCalls === 0;
        const delta: ChoiceDelta = { index: 0, finishReason: json ? 'stop' : toFinishReason(reason) };
        if (reason === 'stop_sequence' && event.delta.stop_sequence) delta.stopSequence = event.delta.stop_sequence;
        return this.chunk(delta, toUsage(this.usage));
      }
      case 'message_stop':
        this.stopped = true;
        return undefined;
      case 'ping':
        return undefined;
      case 'error':
        throw errorFromAnthropicEvent(raw);
    }
  }

  private start(
    index: number,
    block: Extract<AnthropicStreamEvent, { type: 'content_block_start' }>['content_block'],
  ): ChatChunk | undefined {
    this.requireStart();
    switch (block.type) {
      case 'text':
        this.blocks.set(index, { kind: 'text' });
        return block.text ? this.chunk({ index: 0, content: block.text }) : undefined;
      case 'tool_use': {
        if (this.readBack.jsonTool && block.name === JSON_TOOL) {
          this.blocks.set(index, { kind: 'json' });
          return undefined;
        }
        const call = { kind: 'tool' as const, index: this.toolCalls };
        this.toolCalls += 1;
        this.blocks.set(index, call);
        const id = this.readBack.names.callerId(block.id);
        const name = this.readBack.names.callerName(block.name);
        return this.chunk({ index: 0, toolCalls: [{ index: call.index, id, name, arguments: '' }] });
      }
      case 'thinking':
        this.blocks.set(index, { kind: 'thinking' });
        return block.thinking ? this.chunk({ index: 0, reasoning: { text: block.thinking } }) : undefined;
      case 'redacted_thinking':
        return this.chunk({ index: 0, reasoning: { redacted: block.data } });
    }
  }

  private delta(
    index: number,
    delta: Extract<AnthropicStreamEvent, { type: 'content_block_delta' }>['delta'],
  ): ChatChunk | undefined {
    this.requireStart();
    const block = this.blocks.get(index);
    if (!block) throw malformed('a delta for a content block that is not open');
    switch (delta.type) {
      case 'text_delta':
        return delta.text ? this.chunk({ index: 0, content: delta.text }) : undefined;
      case 'input_json_delta':
        if (!delta.partial_json) return undefined;
        if (block.kind === 'json') return this.chunk({ index: 0, content: delta.partial_json });
        if (block.kind !== 'tool') throw malformed('tool input for a block that is not a tool use');
        return this.chunk({ index: 0, toolCalls: [{ index: block.index, arguments: delta.partial_json }] });
      case 'thinking_delta':
        return delta.thinking ? this.chunk({ index: 0, reasoning: { text: delta.thinking } }) : undefined;
      case 'signature_delta':
        return delta.signature ? this.chunk({ index: 0, reasoning: { signature: delta.signature } }) : undefined;
    }
  }

  private requireStart(): void {
    if (!this.started) throw malformed('a content block before message_start');
  }

  private chunk(delta: ChoiceDelta, usage?: Usage): ChatChunk {
    const chunk: ChatChunk = { id: this.id, model: this.model, created: this.created, choices: [delta] };
    if (usage) chunk.usage = usage;
    return chunk;
  }
}

const definedOf = (usage: AnthropicUsage): AnthropicUsage =>
  Object.fromEntries(Object.entries(usage).filter(([, value]) => value !== undefined && value !== null));

/** An answer Anthropic would never send. */
export const malformed = (what: string) =>
  new PolymuxException(ErrorCode.UpstreamError, `${PROVIDER} answered ${what}`);
