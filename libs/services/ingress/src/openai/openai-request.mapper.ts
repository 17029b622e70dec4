import type { ChatRequest, ContentPart, Message } from '@polymux/contracts';

import type { ChatCompletionBody, OpenAiMessage } from './chat-completion.schema';
import { KNOWN_FIELDS, dataUrlMediaType } from './chat-completion.schema';

type UserContent = Extract<OpenAiMessage, { role: 'user' }>['content'];
type AssistantContent = Extract<OpenAiMessage, { role: 'assistant' }>['content'];

/** User parts; the schema refused audio parts and files that are not inline. */
const userParts = (content: UserContent): ContentPart[] => {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.flatMap((part): ContentPart[] => {
    switch (part.type) {
      case 'text':
        return [{ type: 'text', text: part.text }];
      case 'image_url':
        return [{ type: 'image', url: part.image_url.url, detail: part.image_url.detail }];
      case 'file': {
        // The schema refused a part without file_data.
        const { file_data: url = '', filename } = part.file;
        return [{ type: 'document', url, mediaType: dataUrlMediaType(url) ?? 'application/octet-stream', filename }];
      }
      case 'input_audio':
        return [];
    }
  });
};

/**
 * An assistant turn's text; an earlier refusal (the `refusal` field or a refusal part) is what the
 * model said, so it is sent back as text — the canonical message has no refusal slot.
 */
const assistantParts = (content: AssistantContent, refusal: string | null | undefined): ContentPart[] => {
  const texts =
    content === null || content === undefined
      ? []
      : typeof content === 'string'
        ? [content]
        : content.map((part) => (part.type === 'text' ? part.text : part.refusal));
  if (refusal) texts.push(refusal);
  return texts.map((text) => ({ type: 'text', text }));
};

const textParts = (content: string | Array<{ text: string }>): ContentPart[] =>
  typeof content === 'string' ? [{ type: 'text', text: content }] : content.map(({ text }) => ({ type: 'text', text }));

const toMessage = (message: OpenAiMessage): Message => {
  switch (message.role) {
    case 'assistant':
      return {
        role: 'assistant',
        content: assistantParts(message.content, message.refusal),
        name: message.name,
        toolCalls: message.tool_calls?.map((call) => ({
          id: call.id,
          name: call.function.name,
          arguments: call.function.arguments,
        })),
      };
    case 'tool':
      return { role: 'tool', content: textParts(message.content), toolCallId: message.tool_call_id };
    case 'system':
    case 'developer':
      return { role: message.role, content: textParts(message.content), name: message.name };
    case 'user':
      return { role: 'user', content: userParts(message.content), name: message.name };
  }
};

const undefinedIfNull = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

/**
 * OpenAI Chat Completions body → canonical request. `max_completion_tokens` wins over `max_tokens`
 * when both are given; `top_k` (a compatible servers' extension) becomes `topK`.
 */
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
    topK: undefinedIfNull(body.top_k),
    reasoning: body.reasoning_effort ? { effort: body.reasoning_effort } : undefined,
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
