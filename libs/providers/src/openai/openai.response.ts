import type { ChatChunk, ChatResponse, ChoiceDelta, FinishReason, ToolCallDelta, Usage } from '@polymux/contracts';
import type { OpenAiChatChunk, OpenAiChatCompletion, OpenAiToolCallDelta, OpenAiUsage } from '@polymux/wire';

import type { ToolNames } from '../tool-names';

const FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
  error: 'error',
};

/** OpenAI's finish reason as canonical; an unknown reason from a compatible server reads as `stop`. */
export const toFinishReason = (reason: string | null | undefined): FinishReason | null =>
  reason ? (FINISH_REASONS[reason] ?? 'stop') : null;

export const toUsage = (usage: OpenAiUsage): Usage => {
  const result: Usage = { inputTokens: usage.prompt_tokens ?? 0, outputTokens: usage.completion_tokens ?? 0 };
  // DeepSeek counts its cache hits in a field of its own.
  const cached = usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (cached != null) result.cachedInputTokens = cached;
  if (reasoning != null) result.reasoningTokens = reasoning;
  return result;
};

const seconds = () => Math.floor(Date.now() / 1000);

/** A compatible server's visible reasoning, wherever it writes it (`reasoning_content` or OpenRouter's `reasoning`). */
const reasoningText = (source: { reasoning_content?: string | null; reasoning?: string | null }): string | undefined =>
  source.reasoning_content || source.reasoning || undefined;

/** The caller's own tool name and id for the ones the provider answered with. */
const callerName = (names: ToolNames | undefined, upstream: string): string => names?.callerName(upstream) ?? upstream;
const callerId = (names: ToolNames | undefined, upstream: string): string => names?.callerId(upstream) ?? upstream;

/**
 * A non-streaming answer as canonical; `fallbackModel` names the model when the server does not,
 * `names` reads renamed tools back. A compatible server's reasoning becomes the choice's thinking.
 */
export const toChatResponse = (body: OpenAiChatCompletion, fallbackModel: string, names?: ToolNames): ChatResponse => {
  return {
    id: body.id ?? '',
    model: body.model || fallbackModel,
    created: body.created ?? seconds(),
    choices: (body.choices ?? []).map((choice, position) => {
      const thinking = choice.message && reasoningText(choice.message);
      return {
        index: choice.index ?? position,
        content: choice.message?.content ?? null,
        ...(choice.message?.refusal ? { refusal: choice.message.refusal } : {}),
        ...(choice.message?.tool_calls?.length
          ? {
              toolCalls: choice.message.tool_calls.map((call) => ({
                id: callerId(names, call.id),
                name: callerName(names, call.function.name),
                arguments: call.function.arguments,
              })),
            }
          : {}),
        ...(thinking ? { reasoning: [{ type: 'thinking' as const, text: thinking }] } : {}),
        finishReason: toFinishReason(choice.finish_reason),
        ...(choice.logprobs != null ? { logprobs: choice.logprobs } : {}),
      };
    }),
    usage: body.usage ? toUsage(body.usage) : null,
    systemFingerprint: body.system_fingerprint ?? null,
  };
};

const toToolCallDelta = (delta: OpenAiToolCallDelta, position: number, names: ToolNames | undefined): ToolCallDelta => {
  const result: ToolCallDelta = { index: delta.index ?? position };
  if (delta.id) result.id = callerId(names, delta.id);
  if (delta.function?.name) result.name = callerName(names, delta.function.name);
  if (delta.function?.arguments !== undefined) result.arguments = delta.function.arguments;
  return result;
};

/** One streamed chunk as canonical (renamed tools read back through `names`); a usage-only chunk has no choices. */
export const toChatChunk = (chunk: OpenAiChatChunk, fallbackModel: string, names?: ToolNames): ChatChunk => {
  const result: ChatChunk = {
    id: chunk.id ?? '',
    model: chunk.model || fallbackModel,
    created: chunk.created ?? seconds(),
    choices: (chunk.choices ?? []).map((choice, position) => {
      const delta: ChoiceDelta = { index: choice.index ?? position };
      const source = choice.delta ?? {};
      if (source.role === 'assistant') delta.role = 'assistant';
      if (typeof source.content === 'string') delta.content = source.content;
      if (typeof source.refusal === 'string') delta.refusal = source.refusal;
      const thinking = reasoningText(source);
      if (thinking) delta.reasoning = { text: thinking };
      if (source.tool_calls?.length) {
        delta.toolCalls = source.tool_calls.map((call, index) => toToolCallDelta(call, index, names));
      }
      if (choice.finish_reason) delta.finishReason = toFinishReason(choice.finish_reason);
      if (choice.logprobs != null) delta.logprobs = choice.logprobs;
      return delta;
    }),
  };
  if (chunk.usage) result.usage = toUsage(chunk.usage);
  if (chunk.system_fingerprint) result.systemFingerprint = chunk.system_fingerprint;
  return result;
};
