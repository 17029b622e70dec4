import type { ChatResponse, FinishReason, Usage } from '@polymux/contracts';
import type { OpenAiChatChunk as OpenAiChunk, OpenAiChatCompletion as OpenAiCompletion } from '@polymux/wire';
import type { AnthropicResponse, AnthropicResponseBlock, AnthropicStreamEvent } from '@polymux/wire';
import type {
  BedrockConverseResponse,
  BedrockResponseBlock,
  BedrockStopReason,
  BedrockStreamEvent,
} from '@polymux/wire';

/**
 * Test-side encoders of a canonical answer into each provider's wire answer, complete and streamed,
 * written from the providers' documentation rather than from the adapters, so that the round-trip
 * properties feed each adapter what the provider itself would send.
 */

export type Answer = ChatResponse & { usage: Usage };

/** How a stream is cut: the pieces of each string, in the order the provider sends them. */
export interface Cuts {
  text: string[];
  thinking: string[][];
  arguments: string[][];
  /** Where pings go, as event positions (Anthropic). */
  pings: number[];
  /** An empty text block the provider opens and closes before anything else (Anthropic does). */
  emptyText: boolean;
  /** Whether `message_delta` repeats the input counts (Anthropic's newer servers do) or gives output only. */
  deltaInput: boolean;
  /**
   * Where Gemini puts the last thought's signature: on the thought itself, on an empty thought part
   * after it, or on the part that follows it (the first text or function call, as Gemini 2.5+ does).
   */
  signature: 'thought' | 'emptyThought' | 'next';
  /** Gemini signs the answer without showing a thought (no `includeThoughts`): see `geminiSays`. */
  bare: boolean;
}

/** The finish reason each provider writes for a canonical one. */
export const OPENAI_FINISH: Record<Exclude<FinishReason, 'error'>, string> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  content_filter: 'content_filter',
};
export const ANTHROPIC_STOP = (reason: FinishReason | null, stopSequence: string | undefined) =>
  reason === 'length'
    ? 'max_tokens'
    : reason === 'tool_calls'
      ? 'tool_use'
      : reason === 'content_filter'
        ? 'refusal'
        : stopSequence !== undefined
          ? 'stop_sequence'
          : 'end_turn';

const choiceOf = (answer: Answer) => answer.choices[0]!;

/**
 * The OpenAI-family dialects whose answers differ: OpenAI's own (Azure's and most presets' alike)
 * and DeepSeek's, whose thinking model shows its reasoning as `reasoning_content` (one unsigned
 * text) and counts its cache hits in `prompt_cache_hit_tokens`.
 */
export type OpenAiDialectName = 'openai' | 'deepseek';

/** OpenAI's usage: `prompt_tokens` counts cached reads and (silently) cache writes; no cache-write field. */
const openAiUsage = (usage: Usage, dialect: OpenAiDialectName) => ({
  prompt_tokens: usage.inputTokens,
  completion_tokens: usage.outputTokens,
  total_tokens: usage.inputTokens + usage.outputTokens,
  ...(dialect === 'deepseek'
    ? {
        prompt_cache_hit_tokens: usage.cachedInputTokens ?? 0,
        prompt_cache_miss_tokens: usage.inputTokens - (usage.cachedInputTokens ?? 0),
      }
    : { prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 } }),
  completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
});

/** The answer's reasoning as DeepSeek writes it: every thinking text, joined; undefined when none. */
const reasoningContent = (answer: Answer, dialect: OpenAiDialectName): string | undefined => {
  if (dialect !== 'deepseek') return undefined;
  const text = (choiceOf(answer).reasoning ?? []).map((part) => (part.type === 'thinking' ? part.text : '')).join('');
  return text === '' ? undefined : text;
};

export const openAiCompletion = (answer: Answer, dialect: OpenAiDialectName = 'openai'): OpenAiCompletion => {
  const choice = choiceOf(answer);
  const reasoning = reasoningContent(answer, dialect);
  return {
    id: `chatcmpl-${answer.id}`,
    model: answer.model,
    created: answer.created,
    choices: [
      {
        index: 0,
        message: {
          ...(reasoning === undefined ? {} : { reasoning_content: reasoning }),
          content: choice.content,
          ...(choice.toolCalls
            ? {
                tool_calls: choice.toolCalls.map((call) => ({
                  id: call.id,
                  type: 'function' as const,
                  function: { name: call.name, arguments: call.arguments },
                })),
              }
            : {}),
        },
        finish_reason: OPENAI_FINISH[choice.finishReason as Exclude<FinishReason, 'error'>],
      },
    ],
    usage: openAiUsage(answer.usage, dialect),
  };
};

/**
 * OpenAI's stream: role first, (DeepSeek: the reasoning pieces,) content pieces, each call's id and
 * name then its fragments by index, the finish, a usage-only chunk.
 */
export const openAiChunks = (answer: Answer, cuts: Cuts, dialect: OpenAiDialectName = 'openai'): OpenAiChunk[] => {
  const choice = choiceOf(answer);
  const reasoning = reasoningContent(answer, dialect) === undefined ? [] : cuts.thinking.flat();
  const head = { id: `chatcmpl-${answer.id}`, model: answer.model, created: answer.created };
  const delta = (
    fields: NonNullable<NonNullable<OpenAiChunk['choices']>[number]['delta']>,
    finish: string | null = null,
  ) => ({
    ...head,
    choices: [{ index: 0, delta: fields, finish_reason: finish }],
  });
  return [
    delta({ role: 'assistant', content: '' }),
    ...reasoning.map((piece) => delta({ reasoning_content: piece })),
    ...cuts.text.map((piece) => delta({ content: piece })),
    ...(choice.toolCalls ?? []).flatMap((call, index) => [
      delta({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }),
      ...(cuts.arguments[index] ?? []).map((piece) =>
        delta({ tool_calls: [{ index, function: { arguments: piece } }] }),
      ),
    ]),
    delta({}, OPENAI_FINISH[choice.finishReason as Exclude<FinishReason, 'error'>]),
    { ...head, choices: [], usage: openAiUsage(answer.usage, dialect) },
  ];
};

/** Anthropic's usage: `input_tokens` leaves out cache reads and writes, reported on their own. */
const anthropicUsage = (usage: Usage) => ({
  input_tokens: usage.inputTokens - (usage.cachedInputTokens ?? 0) - (usage.cacheWriteTokens ?? 0),
  output_tokens: usage.outputTokens,
  cache_read_input_tokens: usage.cachedInputTokens ?? 0,
  cache_creation_input_tokens: usage.cacheWriteTokens ?? 0,
});

/** `upstreamName` maps the caller's tool name to the one the request gave Anthropic. */
export const anthropicMessage = (answer: Answer, upstreamName: (name: string) => string): AnthropicResponse => {
  const choice = choiceOf(answer);
  const content: AnthropicResponseBlock[] = [
    ...(choice.reasoning ?? []).map((part) =>
      part.type === 'thinking'
        ? { type: 'thinking' as const, thinking: part.text, signature: part.signature ?? '' }
        : { type: 'redacted_thinking' as const, data: part.data },
    ),
    ...(choice.content ? [{ type: 'text' as const, text: choice.content }] : []),
    ...(choice.toolCalls ?? []).map((call) => ({
      type: 'tool_use' as const,
      id: call.id,
      name: upstreamName(call.name),
      input: JSON.parse(call.arguments) as unknown,
    })),
  ];
  const stop = ANTHROPIC_STOP(choice.finishReason, choice.stopSequence);
  return {
    id: `msg_${answer.id}`,
    type: 'message',
    role: 'assistant',
    model: answer.model,
    content,
    stop_reason: stop,
    stop_sequence: stop === 'stop_sequence' ? (choice.stopSequence ?? null) : null,
    usage: anthropicUsage(answer.usage),
  };
};

/** Anthropic's stream of the same message: `message_start`, each block opened, fragmented and closed, `message_delta`, `message_stop`. */
export const anthropicEvents = (
  answer: Answer,
  upstreamName: (name: string) => string,
  cuts: Cuts,
): AnthropicStreamEvent[] => {
  const message = anthropicMessage(answer, upstreamName);
  const usage = anthropicUsage(answer.usage);
  const events: AnthropicStreamEvent[] = [
    {
      type: 'message_start',
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    },
  ];
  let index = 0;
  const block = (start: AnthropicResponseBlock, deltas: AnthropicStreamEvent[]) => {
    events.push({ type: 'content_block_start', index, content_block: start }, ...deltas, {
      type: 'content_block_stop',
      index,
    });
    index += 1;
  };
  if (cuts.emptyText) block({ type: 'text', text: '' }, []);
  let thinking = 0;
  let call = 0;
  for (const content of message.content) {
    const at = index;
    switch (content.type) {
      case 'thinking':
        block({ type: 'thinking', thinking: '', signature: '' }, [
          ...(cuts.thinking[thinking++] ?? []).map((piece): AnthropicStreamEvent => ({
            type: 'content_block_delta',
            index: at,
            delta: { type: 'thinking_delta', thinking: piece },
          })),
          { type: 'content_block_delta', index: at, delta: { type: 'signature_delta', signature: content.signature } },
        ]);
        break;
      case 'redacted_thinking':
        block(content, []);
        break;
      case 'text':
        block(
          { type: 'text', text: '' },
          cuts.text.map((piece) => ({
            type: 'content_block_delta',
            index: at,
            delta: { type: 'text_delta', text: piece },
          })),
        );
        break;
      case 'tool_use':
        block(
          { ...content, input: {} },
          (cuts.arguments[call++] ?? []).map((piece) => ({
            type: 'content_block_delta',
            index: at,
            delta: { type: 'input_json_delta', partial_json: piece },
          })),
        );
        break;
    }
  }
  events.push(
    {
      type: 'message_delta',
      delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence },
      usage: cuts.deltaInput ? usage : { output_tokens: usage.output_tokens },
    },
    { type: 'message_stop' },
  );
  for (const position of cuts.pings) events.splice(1 + (position % (events.length - 1)), 0, { type: 'ping' });
  return events;
};

/** Bedrock's stop reason for a canonical one (Converse names no matched stop sequence). */
const BEDROCK_STOP = (reason: FinishReason | null, stopSequence: string | undefined): BedrockStopReason =>
  reason === 'length'
    ? 'max_tokens'
    : reason === 'tool_calls'
      ? 'tool_use'
      : reason === 'content_filter'
        ? 'content_filtered'
        : stopSequence !== undefined
          ? 'stop_sequence'
          : 'end_turn';

/** Bedrock's usage: `inputTokens` leaves out cache reads and writes, `totalTokens` counts them. */
const bedrockUsage = (usage: Usage) => {
  const input = usage.inputTokens - (usage.cachedInputTokens ?? 0) - (usage.cacheWriteTokens ?? 0);
  return {
    inputTokens: input,
    outputTokens: usage.outputTokens,
    totalTokens: usage.inputTokens + usage.outputTokens,
    cacheReadInputTokens: usage.cachedInputTokens ?? 0,
    cacheWriteInputTokens: usage.cacheWriteTokens ?? 0,
  };
};

/** `upstreamName` maps the caller's tool name to the one the request gave Bedrock. */
export const bedrockConverse = (answer: Answer, upstreamName: (name: string) => string): BedrockConverseResponse => {
  const choice = choiceOf(answer);
  const content: BedrockResponseBlock[] = [
    ...(choice.reasoning ?? []).map((part): BedrockResponseBlock => ({
      reasoningContent:
        part.type === 'thinking'
          ? { reasoningText: { text: part.text, ...(part.signature ? { signature: part.signature } : {}) } }
          : { redactedContent: part.data },
    })),
    ...(choice.content ? [{ text: choice.content }] : []),
    ...(choice.toolCalls ?? []).map((call) => ({
      toolUse: { toolUseId: call.id, name: upstreamName(call.name), input: JSON.parse(call.arguments) as unknown },
    })),
  ];
  return {
    output: { message: { role: 'assistant', content } },
    stopReason: BEDROCK_STOP(choice.finishReason, choice.stopSequence),
    usage: bedrockUsage(answer.usage),
    metrics: { latencyMs: 120 },
  };
};

/**
 * Bedrock's ConverseStream of the same answer: `messageStart`; reasoning and text as deltas of
 * blocks Bedrock opens without `contentBlockStart`; each tool use's `contentBlockStart`, then its
 * input in fragments; each block's `contentBlockStop`; `messageStop`; `metadata` with the usage.
 */
export const bedrockEvents = (
  answer: Answer,
  upstreamName: (name: string) => string,
  cuts: Cuts,
): BedrockStreamEvent[] => {
  const message = bedrockConverse(answer, upstreamName);
  const events: BedrockStreamEvent[] = [{ type: 'messageStart', payload: { role: 'assistant' } }];
  let index = 0;
  const block = (deltas: BedrockStreamEvent[]) => {
    events.push(...deltas, { type: 'contentBlockStop', payload: { contentBlockIndex: index } });
    index += 1;
  };
  const delta = (
    at: number,
    value: Extract<BedrockStreamEvent, { type: 'contentBlockDelta' }>['payload']['delta'],
  ) => ({
    type: 'contentBlockDelta' as const,
    payload: { contentBlockIndex: at, delta: value },
  });
  if (cuts.emptyText) block([delta(index, { text: '' })]);
  let thinking = 0;
  let call = 0;
  for (const content of message.output.message.content) {
    const at = index;
    if ('reasoningContent' in content) {
      const part = content.reasoningContent;
      if ('redactedContent' in part)
        block([delta(at, { reasoningContent: { redactedContent: part.redactedContent } })]);
      else
        block([
          ...(cuts.thinking[thinking++] ?? []).map((piece) => delta(at, { reasoningContent: { text: piece } })),
          ...(part.reasoningText.signature
            ? [delta(at, { reasoningContent: { signature: part.reasoningText.signature } })]
            : []),
        ]);
    } else if ('text' in content) {
      block(cuts.text.map((piece) => delta(at, { text: piece })));
    } else {
      const { toolUseId, name } = content.toolUse;
      block([
        { type: 'contentBlockStart', payload: { contentBlockIndex: at, start: { toolUse: { toolUseId, name } } } },
        ...(cuts.arguments[call++] ?? []).map((piece) => delta(at, { toolUse: { input: piece } })),
      ]);
    }
  }
  events.push(
    { type: 'messageStop', payload: { stopReason: message.stopReason } },
    { type: 'metadata', payload: { usage: message.usage, metrics: { latencyMs: 120 } } },
  );
  return events;
};
