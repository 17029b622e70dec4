import type { ChatResponse, Choice, FinishReason, Usage } from '@polymux/contracts';

/** Anthropic's `stop_reason`s the gateway can produce. */
export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

/** An Anthropic response content block. */
export type ResponseBlock =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/**
 * Canonical → Anthropic stop reason. A natural end is `end_turn` unless a stop sequence ended it;
 * an `error` finish (a provider that gave up) reads as `end_turn`, since the content is all there is.
 */
export const toStopReason = (reason: FinishReason | null | undefined, stopSequence: string | undefined): StopReason => {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    case 'stop':
    case 'error':
    case null:
    case undefined:
      return stopSequence === undefined ? 'end_turn' : 'stop_sequence';
  }
};

/**
 * Canonical usage (OpenAI's convention: input includes cached reads and cache writes) → Anthropic's,
 * whose `input_tokens` counts neither. Never negative, even when a provider's parts exceed its total.
 */
export const toAnthropicUsage = (usage: Usage): AnthropicUsage => {
  const cacheRead = usage.cachedInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  return {
    input_tokens: Math.max(0, usage.inputTokens - cacheRead - cacheWrite),
    output_tokens: usage.outputTokens,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
};

/**
 * A tool call's JSON arguments as Anthropic's `input` object. Arguments that are not a JSON object
 * (a model that produced broken JSON, or a bare value) cannot be an `input`: they are kept whole
 * under `_raw`, so the caller sees what the model said instead of an empty call, and nothing throws.
 */
export const toToolInput = (json: string): Record<string, unknown> => {
  if (json.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Falls through: kept raw below.
  }
  return { _raw: json };
};

/** Reasoning, then text (never an empty block), then tool calls: the order Anthropic answers in. */
export const toContentBlocks = (choice: Choice | undefined): ResponseBlock[] => {
  if (!choice) return [];
  const blocks: ResponseBlock[] = [];
  for (const part of choice.reasoning ?? []) {
    if (part.type === 'thinking')
      blocks.push({ type: 'thinking', thinking: part.text, signature: part.signature ?? '' });
    else blocks.push({ type: 'redacted_thinking', data: part.data });
  }
  const text = choice.content ?? choice.refusal ?? '';
  if (text !== '') blocks.push({ type: 'text', text });
  for (const call of choice.toolCalls ?? []) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: toToolInput(call.arguments) });
  }
  return blocks;
};

/** Anthropic message ids start with `msg_`; a provider's own id is kept after the prefix. */
export const toMessageId = (id: string): string => (id.startsWith('msg_') ? id : `msg_${id}`);

/** Canonical response → Anthropic `message`. Only choice 0: the Messages API has one answer. */
export const toAnthropicMessage = (response: ChatResponse & { usage: Usage }) => {
  const choice = response.choices.find((candidate) => candidate.index === 0) ?? response.choices[0];
  const stopReason = toStopReason(choice?.finishReason, choice?.stopSequence);
  return {
    id: toMessageId(response.id),
    type: 'message' as const,
    role: 'assistant' as const,
    model: response.model,
    content: toContentBlocks(choice),
    stop_reason: stopReason,
    stop_sequence: stopReason === 'stop_sequence' ? (choice?.stopSequence ?? null) : null,
    usage: toAnthropicUsage(response.usage),
  };
};
