import type { ChatChunk, ChatResponse, Usage } from '@polymux/contracts';

const toUsage = (usage: Usage) => ({
  prompt_tokens: usage.inputTokens,
  completion_tokens: usage.outputTokens,
  total_tokens: usage.inputTokens + usage.outputTokens,
  prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
  completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
});

/** Canonical response → OpenAI `chat.completion`. */
export const toChatCompletion = (response: ChatResponse & { usage: Usage }) => ({
  id: response.id,
  object: 'chat.completion' as const,
  created: response.created,
  model: response.model,
  system_fingerprint: response.systemFingerprint ?? null,
  choices: response.choices.map((choice) => ({
    index: choice.index,
    message: {
      role: 'assistant' as const,
      content: choice.content,
      refusal: choice.refusal ?? null,
      ...(choice.toolCalls?.length
        ? {
            tool_calls: choice.toolCalls.map((call) => ({
              id: call.id,
              type: 'function' as const,
              function: { name: call.name, arguments: call.arguments },
            })),
          }
        : {}),
    },
    logprobs: choice.logprobs ?? null,
    finish_reason: choice.finishReason,
  })),
  usage: toUsage(response.usage),
});

/** Canonical chunk → OpenAI `chat.completion.chunk`; usage travels in its own closing chunk. */
export const toChatCompletionChunk = (chunk: ChatChunk, includeUsage: boolean) => ({
  id: chunk.id,
  object: 'chat.completion.chunk' as const,
  created: chunk.created,
  model: chunk.model,
  system_fingerprint: chunk.systemFingerprint ?? null,
  choices: chunk.choices.map((choice) => ({
    index: choice.index,
    delta: {
      ...(choice.role ? { role: choice.role } : {}),
      ...(choice.content !== undefined ? { content: choice.content } : {}),
      ...(choice.refusal !== undefined ? { refusal: choice.refusal } : {}),
      ...(choice.toolCalls
        ? {
            tool_calls: choice.toolCalls.map((call) => ({
              index: call.index,
              ...(call.id ? { id: call.id, type: 'function' as const } : {}),
              function: {
                ...(call.name ? { name: call.name } : {}),
                ...(call.arguments !== undefined ? { arguments: call.arguments } : {}),
              },
            })),
          }
        : {}),
    },
    logprobs: choice.logprobs ?? null,
    finish_reason: choice.finishReason ?? null,
  })),
  ...(includeUsage ? { usage: null } : {}),
});

/** The closing usage chunk OpenAI sends when `stream_options.include_usage` is set. */
export const toUsageChunk = (
  template: Pick<ChatChunk, 'id' | 'created' | 'model' | 'systemFingerprint'>,
  usage: Usage,
) => ({
  id: template.id,
  object: 'chat.completion.chunk' as const,
  created: template.created,
  model: template.model,
  system_fingerprint: template.systemFingerprint ?? null,
  choices: [],
  usage: toUsage(usage),
});
