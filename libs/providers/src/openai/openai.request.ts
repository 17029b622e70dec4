import type {
  ChatRequest,
  ContentPart,
  Deployment,
  Message,
  ResponseFormat,
  Tool,
  ToolChoice,
} from '@polymux/contracts';
import type {
  OpenAiChatRequest,
  OpenAiMessage,
  OpenAiResponseFormat,
  OpenAiTool,
  OpenAiToolChoice,
  OpenAiContentPart,
} from '@polymux/wire';

import { passthrough } from '../passthrough';
import { ToolNames } from '../tool-names';
import { reasoningEffortOf } from './openai.reasoning';
import { OPENAI_TOOL_NAMES } from './openai.names';

/**
 * Which field carries the output limit: OpenAI's own API wants `max_completion_tokens` (required by
 * its reasoning models), while other OpenAI-compatible servers widely understand only `max_tokens`.
 */
export type MaxTokensField = NonNullable<Deployment['maxTokensField']>;

/**
 * The deployment's field as the catalog decided it (its own option, or `max_completion_tokens` for a
 * reasoning model wherever it is served); failing that, by host.
 */
export const maxTokensFieldFor = (baseUrl: string, deployment?: Pick<Deployment, 'maxTokensField'>): MaxTokensField =>
  deployment?.maxTokensField ??
  (new URL(baseUrl).hostname === 'api.openai.com' ? 'max_completion_tokens' : 'max_tokens');

/** Reasoning blocks are another provider's (or OpenAI's own hidden) state: Chat Completions takes none back. */
const toPart = (part: ContentPart): OpenAiContentPart[] => {
  switch (part.type) {
    case 'text':
      return [{ type: 'text', text: part.text }];
    case 'image':
      return [
        { type: 'image_url', image_url: part.detail ? { url: part.url, detail: part.detail } : { url: part.url } },
      ];
    case 'document':
      return [{ type: 'file', file: { file_data: part.url, ...(part.filename ? { filename: part.filename } : {}) } }];
    case 'thinking':
    case 'redacted_thinking':
      return [];
  }
};

/** One text part travels as a plain string, anything else as parts. */
const toContent = (all: ContentPart[]): string | OpenAiContentPart[] => {
  const parts = all.filter((part) => part.type !== 'thinking' && part.type !== 'redacted_thinking');
  if (parts.length === 0) return '';
  const [only] = parts;
  return parts.length === 1 && only?.type === 'text' ? only.text : parts.flatMap(toPart);
};

const withName = <T extends object>(message: T, name: string | undefined): T =>
  name === undefined ? message : { ...message, name };

/** The message field a compatible server reads an assistant turn's reasoning back from. */
export type ReplayedReasoning = 'reasoning_content' | 'reasoning';

/** How one call writes its messages: the renaming of tool names and ids, and where reasoning goes back. */
interface Writing {
  names: ToolNames;
  replay?: ReplayedReasoning;
}

/** The turn's visible reasoning, for a server that wants it back with the tool calls it led to. */
const reasoningOf = (content: ContentPart[]): string =>
  content.flatMap((part) => (part.type === 'thinking' ? [part.text] : [])).join('');

const toMessage = (message: Message, writing: Writing): OpenAiMessage => {
  const { names } = writing;
  switch (message.role) {
    case 'system':
    case 'developer':
    case 'user':
      return withName({ role: message.role, content: toContent(message.content) }, message.name);
    case 'assistant': {
      const toolCalls = message.toolCalls?.map((call) => ({
        id: names.id(call.id),
        type: 'function' as const,
        function: { name: names.name(call.name), arguments: call.arguments },
      }));
      const content = message.content.length === 0 && toolCalls?.length ? null : toContent(message.content);
      const reasoning = writing.replay && toolCalls?.length ? reasoningOf(message.content) : '';
      return withName(
        {
          role: 'assistant',
          content,
          ...(toolCalls?.length ? { tool_calls: toolCalls } : {}),
          ...(reasoning && writing.replay ? { [writing.replay]: reasoning } : {}),
        },
        message.name,
      );
    }
    case 'tool':
      return { role: 'tool', content: toContent(message.content), tool_call_id: names.id(message.toolCallId ?? '') };
  }
};

const toTool = (tool: Tool, names: ToolNames): OpenAiTool => ({
  type: 'function',
  function: compact({
    name: names.name(tool.name),
    description: tool.description,
    parameters: tool.parameters,
    strict: tool.strict,
  }),
});

const toToolChoice = (choice: ToolChoice, names: ToolNames): OpenAiToolChoice =>
  typeof choice === 'string' ? choice : { type: 'function', function: { name: names.name(choice.name) } };

const toResponseFormat = (format: ResponseFormat): OpenAiResponseFormat =>
  format.type === 'json_schema'
    ? { type: 'json_schema', json_schema: compact({ name: format.name, schema: format.schema, strict: format.strict }) }
    : format;

/** Drops keys whose value is undefined, so that they neither travel nor override `extra`. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

/** What the body of one call depends on beyond the request. */
export interface OpenAiRequestOptions {
  model: string;
  maxTokensField: MaxTokensField;
  /** The call's renaming of tool names and ids, kept to read the answer back (default: OpenAI's rules, not kept). */
  names?: ToolNames;
  /** Where an assistant tool-call turn's reasoning goes back, for a server that requires it; absent: nowhere. */
  replayReasoning?: ReplayedReasoning;
  /** The provider whose passthrough fields travel (default `openai`). */
  provider?: string;
}

/**
 * The OpenAI Chat Completions body of a canonical request. The `extra` fields the provider accepts
 * are merged as they are, under the mapped ones (ingress already dropped retention fields the project
 * does not allow; the rest is dropped here too, whoever published the call); a streamed call always
 * asks for usage so that it can be billed. `topK` has no slot here: ingress dropped and named it
 * (`UNSUPPORTED_FIELDS`), and it is not sent whoever published the call. Tool names and ids the
 * provider refuses are renamed through `options.names`.
 */
export const toOpenAiRequest = (request: ChatRequest, options: OpenAiRequestOptions): OpenAiChatRequest => {
  const writing: Writing = {
    names: options.names ?? new ToolNames(OPENAI_TOOL_NAMES),
    replay: options.replayReasoning,
  };
  const mapped: OpenAiChatRequest = compact({
    model: options.model,
    messages: request.messages.map((message) => toMessage(message, writing)),
    tools: request.tools?.map((tool) => toTool(tool, writing.names)),
    tool_choice: request.toolChoice && toToolChoice(request.toolChoice, writing.names),
    parallel_tool_calls: request.parallelToolCalls,
    response_format: request.responseFormat && toResponseFormat(request.responseFormat),
    [options.maxTokensField]: request.maxOutputTokens,
    temperature: request.temperature,
    top_p: request.topP,
    reasoning_effort: reasoningEffortOf(request.reasoning),
    stop: request.stop,
    seed: request.seed,
    n: request.n,
    logprobs: request.logprobs,
    top_logprobs: request.topLogprobs,
    presence_penalty: request.presencePenalty,
    frequency_penalty: request.frequencyPenalty,
    user: request.user,
  });
  const { extra } = passthrough(request.extra, [options.provider ?? 'openai'], true);
  if (!request.stream) return { ...extra, ...mapped };
  return { ...extra, ...mapped, stream: true, stream_options: { include_usage: true } };
};
