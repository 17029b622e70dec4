import type { ChatChunk, ChoiceDelta, FinishReason, Usage } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { BedrockDelta, BedrockFrame, BedrockStreamEvents } from '@polymux/wire';

import { JSON_TOOL } from '../anthropic/anthropic.request';
import type { ReadBack } from './bedrock.response';
import { toFinishReason, toUsage } from './bedrock.response';

const PROVIDER = 'bedrock';

/** An answer Bedrock would never send. */
export const malformed = (what: string) =>
  new PolymuxException(ErrorCode.UpstreamError, `${PROVIDER} answered ${what}`);

/** What each mid-stream exception is: Bedrock's throttling and unavailability are retryable elsewhere. */
const EXCEPTIONS: Readonly<Record<string, { code: ErrorCode; what: string }>> = {
  throttlingException: { code: ErrorCode.UpstreamRateLimited, what: 'rate-limited the stream' },
  serviceUnavailableException: { code: ErrorCode.UpstreamOverloaded, what: 'is unavailable mid-stream' },
  validationException: { code: ErrorCode.UpstreamBadRequest, what: 'rejected the request mid-stream' },
  modelStreamErrorException: { code: ErrorCode.UpstreamError, what: 'failed mid-stream' },
  internalServerException: { code: ErrorCode.UpstreamError, what: 'failed mid-stream' },
};

/**
 * An exception message of the stream as a Polymux failure, by its type only (its message may quote
 * the prompt); an unknown type, or a stream-level error message, is an upstream error.
 */
export const errorFromBedrockException = (type: string): PolymuxException => {
  const known = Object.hasOwn(EXCEPTIONS, type) ? EXCEPTIONS[type] : undefined;
  const name = /^[A-Za-z]{1,64}$/.test(type) ? type : 'unknown';
  const { code, what } = known ?? { code: ErrorCode.UpstreamError, what: 'failed mid-stream' };
  return new PolymuxException(code, `the provider ${PROVIDER} ${what}: ${name}`);
};

/** What an open content block turns into: content, a tool call's arguments, or reasoning. */
type OpenBlock = { kind: 'text' } | { kind: 'json' } | { kind: 'tool'; index: number } | { kind: 'reasoning' };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * Reads one ConverseStream answer's frames into canonical chunks. `messageStart` gives the role;
 * each delta becomes a chunk (empty ones are skipped); a text or reasoning block opens with its
 * first delta (Bedrock sends `contentBlockStart` only for tool uses, each carrying the call's id and
 * name); tool calls are indexed by their order among the tool-use blocks; `messageStop` holds the
 * stop reason until `metadata` brings the usage, and both end the choice in one chunk.
 */
export class BedrockStreamDecoder {
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly blocks = new Map<number, OpenBlock>();
  private toolCalls = 0;
  private started = false;
  private finish: FinishReason | null | undefined;
  /** Whether `metadata` arrived after `messageStop`: the stream is complete. */
  stopped = false;

  constructor(
    private readonly readBack: ReadBack,
    private readonly model: string,
    /** The answer's id: Converse names none, so the adapter makes one (SDKs key a stream's chunks by it). */
    private readonly id: string,
  ) {}

  /** The chunk of one frame, if it makes one; an exception frame throws. */
  decode(frame: BedrockFrame): ChatChunk | undefined {
    if (frame.kind === 'exception') throw errorFromBedrockException(frame.type);
    if (frame.kind === 'error') throw errorFromBedrockException(frame.code);
    if (!isObject(frame.payload)) throw malformed(`a ${frame.type} event that is not an object`);
    switch (frame.type) {
      case 'messageStart':
        this.started = true;
        return this.chunk({ index: 0, role: 'assistant' });
      case 'contentBlockStart':
        return this.start(frame.payload as unknown as BedrockStreamEvents['contentBlockStart']);
      case 'contentBlockDelta': {
        const { contentBlockIndex, delta } = frame.payload as unknown as BedrockStreamEvents['contentBlockDelta'];
        return this.delta(contentBlockIndex, delta);
      }
      case 'contentBlockStop':
        this.blocks.delete((frame.payload as unknown as BedrockStreamEvents['contentBlockStop']).contentBlockIndex);
        return undefined;
      case 'messageStop': {
        const { stopReason } = frame.payload as unknown as BedrockStreamEvents['messageStop'];
        const json = this.readBack.jsonTool && stopReason === 'tool_use' && this.toolCalls === 0;
        this.finish = json ? 'stop' : toFinishReason(stopReason);
        return undefined;
      }
      case 'metadata': {
        if (this.finish === undefined) throw malformed('metadata before messageStop');
        this.stopped = true;
        const { usage } = frame.payload as unknown as BedrockStreamEvents['metadata'];
        return this.chunk({ index: 0, finishReason: this.finish }, isObject(usage) ? toUsage(usage) : undefined);
      }
      default:
        return undefined;
    }
  }

  /**
   * What is left once the body ended: the finish without usage if `metadata` never came (ingress
   * then counts the tokens); a stream without `messageStop` is cut.
   */
  end(): ChatChunk | undefined {
    if (this.stopped) return undefined;
    if (this.finish === undefined) throw malformed('a stream that ended before messageStop');
    this.stopped = true;
    return this.chunk({ index: 0, finishReason: this.finish });
  }

  private start({ contentBlockIndex, start }: BedrockStreamEvents['contentBlockStart']): ChatChunk | undefined {
    this.requireStart();
    const toolUse = isObject(start) ? start.toolUse : undefined;
    if (!toolUse) return undefined;
    if (this.readBack.jsonTool && toolUse.name === JSON_TOOL) {
      this.blocks.set(contentBlockIndex, { kind: 'json' });
      return undefined;
    }
    const call = { kind: 'tool' as const, index: this.toolCalls };
    this.toolCalls += 1;
    this.blocks.set(contentBlockIndex, call);
    const id = this.readBack.names.callerId(toolUse.toolUseId);
    const name = this.readBack.names.callerName(toolUse.name);
    return this.chunk({ index: 0, toolCalls: [{ index: call.index, id, name, arguments: '' }] });
  }

  private delta(index: number, delta: BedrockDelta): ChatChunk | undefined {
    this.requireStart();
    if (!isObject(delta)) throw malformed('a delta that is not an object');
    const block = this.blocks.get(index);
    if ('text' in delta) {
      this.open(index, block, 'text');
      return delta.text ? this.chunk({ index: 0, content: delta.text }) : undefined;
    }
    if ('toolUse' in delta) {
      const input = delta.toolUse.input;
      if (block?.kind === 'json') return input ? this.chunk({ index: 0, content: input }) : undefined;
      if (block?.kind !== 'tool') throw malformed('tool input for a block that is not a tool use');
      return input ? this.chunk({ index: 0, toolCalls: [{ index: block.index, arguments: input }] }) : undefined;
    }
    if ('reasoningContent' in delta) {
      this.open(index, block, 'reasoning');
      const part = delta.reasoningContent;
      if ('text' in part) return part.text ? this.chunk({ index: 0, reasoning: { text: part.text } }) : undefined;
      if ('signature' in part)
        return part.signature ? this.chunk({ index: 0, reasoning: { signature: part.signature } }) : undefined;
      return this.chunk({ index: 0, reasoning: { redacted: part.redactedContent } });
    }
    return undefined;
  }

  /** Opens a text or reasoning block on its first delta; a delta of another kind for an open block is malformed. */
  private open(index: number, block: OpenBlock | undefined, kind: 'text' | 'reasoning'): void {
    if (!block) this.blocks.set(index, { kind });
    else if (block.kind !== kind) throw malformed(`a ${kind} delta for a block of another kind`);
  }

  private requireStart(): void {
    if (!this.started) throw malformed('a content block before messageStart');
  }

  private chunk(delta: ChoiceDelta, usage?: Usage): ChatChunk {
    const chunk: ChatChunk = { id: this.id, model: this.model, created: this.created, choices: [delta] };
    if (usage) chunk.usage = usage;
    return chunk;
  }
}
