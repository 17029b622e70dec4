import type { ChatRequest, ContentPart, Message } from '@polymux/contracts';

import type { ChatCompletionBody, OpenAiMessage } from './chat-completion.schema';
import { KNOWN_FIELDS } from './chat-completion.schema';

const parts = (content: OpenAiMessage['content']): ContentPart[] => {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part) =>
    part.type === 'text'
      ? { type: 'text', text: part.text }
      : { type: 'image', url: part.image_url.url, detail: part.image_url.detail },
  );
};

const toMessage = (message: OpenAiMessage): Message => {
  switch (message.role) {
    case 'assistant':
      return {
        role: 'assistant',
        content: parts(message.content),
        name: message.name,
        toolCalls: message.tool_calls?.map((call) => ({
          id: call.id,
          name: call.function.name,
          arguments: call.function.arguments,
        })),
      };
    case 'tool':
      return { role: 'tool', content: parts(message.content), toolCallId: message.tool_call_id };
    case 'system':
    case 'developer':
    case 'user':
      return { role: message.role, content: parts(message.content), name: message.name };
  }
};

const undefinedIfNull = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

/** OpenAI Chat Completions body → canonical request. */
export const fromChatCompletionBody = (body: ChatCompletionBody): ChatRequest => {
  const extra = Object.fromEntries(Object.entries(body).filter(([key]) => !KNOWN_FIELDS.has(key)));
  const toolChoice = body.tool_choice;
  const format = body.response_format;
  return {
    model: body.model,
    messages: body.messages.map(toMessage),
    tools: body.tools?.map(({ function: fn }) => ({
      name: fn.name,
      description: fn.description,
      parameters: fn.parameters,
      strict: undefinedIfNull(fn.strict),
    })),
    toolChoice:
      toolChoice === undefined
        ? undefined
        : typeof toolChoice === 'string'
          ? toolChoice
          : { name: toolChoice.function.name },
    parallelToolCalls: body.parallel_tool_calls,
    responseFormat:
      format === undefined
        ? undefined
        : format.type === 'json_schema'
          ? {
              type: 'json_schema',
              name: format.json_schema.name,
              schema: format.json_schema.schema,
              strict: undefinedIfNull(format.json_schema.strict),
            }
          : { type: format.type },
    maxOutputTokens: undefinedIfNull(body.max_completion_tokens ?? body.max_tokens),
    temperature: undefinedIfNull(body.temperature),
    topP: undefinedIfNull(body.top_p),
    stop:
      body.stop === null || body.stop === undefined
        ? undefined
        : typeof body.stop === 'string'
          ? [body.stop]
          : body.stop,
    seed: undefinedIfNull(body.seed),
    n: undefinedIfNull(body.n),
    logprobs: undefinedIfNull(body.logprobs),
    topLogprobs: undefinedIfNull(body.top_logprobs),
    presencePenalty: undefinedIfNull(body.presence_penalty),
    frequencyPenalty: undefinedIfNull(body.frequency_penalty),
    user: body.user,
    stream: body.stream === true,
    includeUsage: body.stream_options?.include_usage === true,
    extra: Object.keys(extra).length > 0 ? extra : undefined,
  };
};
