import type { CacheControl, ChatRequest, ContentPart, Message, Reasoning } from '@polymux/contracts';

import { passthrough } from '../passthrough';
import { isTaggedSignature } from '../thought-signature';
import { compact, dataUrlText, invalidRequest as invalid, parseDataUrl, toolInput } from '../request-parts';
import type { ToolNames } from '../tool-names';
import { anthropicToolNames } from './anthropic.names';
import type {
  AnthropicContentBlock,
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicMessagesRequest,
  AnthropicTextBlock,
  AnthropicThinking,
  AnthropicTool,
  AnthropicToolChoice,
  AnthropicToolResultBlock,
} from '@polymux/wire';

/**
 * The tool a JSON response format is emulated with: Anthropic's base API has no `json_schema`, so
 * the schema becomes this tool's input schema, the call is forced to it (unless thinking is on,
 * where Anthropic refuses forced tools and it is only offered) and its input is answered as the
 * content.
 */
export const JSON_TOOL = 'polymux_json_response';

/** Thinking budgets for an OpenAI-style `reasoning.effort` (`none` turns thinking off). */
export const EFFORT_BUDGETS: Readonly<Record<Exclude<Reasoning['effort'], undefined | 'none'>, number>> = {
  minimal: 1_024,
  low: 2_048,
  medium: 8_192,
  high: 24_576,
};
/** Anthropic's highest temperature (OpenAI's is 2). */
const MAX_TEMPERATURE = 1;
/** Anthropic's smallest thinking budget. */
const MIN_BUDGET = 1_024;

/** The parts of a request Anthropic only learns from the deployment. */
export interface AnthropicRequestOptions {
  model: string;
  /** `max_tokens` when the request sets no limit (Anthropic requires one): the deployment's maximum. */
  defaultMaxTokens: number;
}

/** What the adapter sends, and what it needs to read the answer back. */
export interface AnthropicCall {
  body: AnthropicMessagesRequest;
  names: ToolNames;
  /** Whether the JSON response-format tool was added (its input is then the answer's content). */
  jsonTool: boolean;
}

const withCache = <T extends object>(block: T, cacheControl: CacheControl | undefined): T =>
  cacheControl ? { ...block, cache_control: cacheControl } : block;

const imageBlock = (url: string, cacheControl: CacheControl | undefined): AnthropicImageBlock => {
  const data = parseDataUrl(url);
  if (!data) return withCache({ type: 'image', source: { type: 'url', url } }, cacheControl);
  const { mediaType } = data;
  if (
    mediaType !== 'image/jpeg' &&
    mediaType !== 'image/png' &&
    mediaType !== 'image/gif' &&
    mediaType !== 'image/webp'
  )
    throw invalid(`Anthropic reads jpeg, png, gif and webp images, not ${mediaType.slice(0, 40)}`);
  if (!data.base64) throw invalid('an image data URL must be base64-encoded');
  return withCache({ type: 'image', source: { type: 'base64', media_type: mediaType, data: data.data } }, cacheControl);
};

const documentBlock = (part: Extract<ContentPart, { type: 'document' }>): AnthropicContentBlock => {
  const title = part.title ?? part.filename;
  const data = parseDataUrl(part.url);
  const titled = title ? { title } : {};
  if (!data)
    return withCache({ type: 'document', source: { type: 'url', url: part.url }, ...titled }, part.cacheControl);
  if (part.mediaType === 'application/pdf' && data.base64) {
    return withCache(
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: data.data }, ...titled },
      part.cacheControl,
    );
  }
  if (part.mediaType.startsWith('text/')) {
    const text = dataUrlText(data);
    return withCache(
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: text }, ...titled },
      part.cacheControl,
    );
  }
  throw invalid(`Anthropic reads PDF and plain-text documents, not ${part.mediaType.slice(0, 40)}`);
};

/**
 * One canonical part as Anthropic blocks. Empty texts are dropped (Anthropic rejects them); thinking
 * goes back only with the signature Anthropic wrote (an unsigned block, or one signed by another
 * provider, would be refused).
 */
const toBlocks = (part: ContentPart): AnthropicContentBlock[] => {
  switch (part.type) {
    case 'text':
      return part.text === '' ? [] : [withCache({ type: 'text', text: part.text }, part.cacheControl)];
    case 'image':
      return [imageBlock(part.url, part.cacheControl)];
    case 'document':
      return [documentBlock(part)];
    case 'thinking':
      return part.signature && !isTaggedSignature(part.signature)
        ? [{ type: 'thinking', thinking: part.text, signature: part.signature }]
        : [];
    case 'redacted_thinking':
      return [{ type: 'redacted_thinking', data: part.data }];
  }
};

const toolResult = (message: Message, names: ToolNames): AnthropicToolResultBlock => {
  const content = message.content
    .flatMap(toBlocks)
    .filter(
      (block): block is AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock =>
        block.type === 'text' || block.type === 'image' || block.type === 'document',
    );
  return {
    type: 'tool_result',
    tool_use_id: names.id(message.toolCallId ?? ''),
    ...(content.length > 0 ? { content } : {}),
    ...(message.isError ? { is_error: true } : {}),
  };
};

/** The user or assistant turn of one non-system message, or undefined when it carries nothing. */
const toTurn = (message: Message, position: number, names: ToolNames): AnthropicMessage | undefined => {
  switch (message.role) {
    case 'user': {
      const content = message.content.flatMap(toBlocks).filter((block) => block.type !== 'thinking');
      return content.length > 0 ? { role: 'user', content } : undefined;
    }
    case 'tool':
      return { role: 'user', content: [toolResult(message, names)] };
    case 'assistant': {
      const blocks = message.content.flatMap(toBlocks);
      // Anthropic wants the reasoning first, then the answer, then the tool calls.
      const reasoning = blocks.filter((block) => block.type === 'thinking' || block.type === 'redacted_thinking');
      const answer = blocks.filter((block) => block.type !== 'thinking' && block.type !== 'redacted_thinking');
      const calls = (message.toolCalls ?? []).map((call, index): AnthropicContentBlock => ({
        type: 'tool_use',
        id: names.id(call.id),
        name: names.name(call.name),
        input: toolInput(call, `${index} of message ${position}`),
      }));
      const content = [...reasoning, ...answer, ...calls];
      return content.length > 0 ? { role: 'assistant', content } : undefined;
    }
    case 'system':
    case 'developer':
      return undefined;
  }
};

const blocksOf = (message: AnthropicMessage): AnthropicContentBlock[] =>
  typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;

/**
 * Turns merged as Anthropic requires (roles alternate: consecutive same-role messages, such as the
 * results of parallel tool calls, become one turn), tool results first in a user turn.
 */
const alternate = (turns: AnthropicMessage[]): AnthropicMessage[] => {
  const merged: AnthropicMessage[] = [];
  for (const turn of turns) {
    const last = merged.at(-1);
    if (last && last.role === turn.role) last.content = [...blocksOf(last), ...blocksOf(turn)];
    else merged.push({ role: turn.role, content: blocksOf(turn) });
  }
  for (const turn of merged) {
    if (turn.role !== 'user') continue;
    const blocks = blocksOf(turn);
    turn.content = [
      ...blocks.filter((block) => block.type === 'tool_result'),
      ...blocks.filter((block) => block.type !== 'tool_result'),
    ];
  }
  return merged;
};

/** System and developer messages, wherever they stand, as the `system` blocks (text only). */
const systemOf = (messages: Message[]): AnthropicTextBlock[] =>
  messages
    .filter((message) => message.role === 'system' || message.role === 'developer')
    .flatMap((message) => message.content)
    .flatMap((part) =>
      part.type === 'text' && part.text !== ''
        ? [withCache({ type: 'text' as const, text: part.text }, part.cacheControl)]
        : [],
    );

/** Claude's thinking (Anthropic's, or on Bedrock): the budget of `reasoning`, kept below `maxTokens`; undefined when thinking stays off. */
export const thinkingOf = (reasoning: Reasoning | undefined, maxTokens: number): AnthropicThinking | undefined => {
  if (!reasoning) return undefined;
  const asked =
    reasoning.budgetTokens ??
    (reasoning.effort && reasoning.effort !== 'none' ? EFFORT_BUDGETS[reasoning.effort] : undefined);
  if (asked === undefined || asked === 0) return undefined;
  const budget = Math.min(Math.max(asked, MIN_BUDGET), maxTokens - 1);
  return budget >= MIN_BUDGET ? { type: 'enabled', budget_tokens: budget } : undefined;
};

/**
 * Whether the adapter turns thinking on for `request` on a deployment whose output limit is
 * `defaultMaxTokens`: with it Anthropic refuses other sampling settings and forced tools (see
 * `anthropicRefusedFields`), so ingress asks this before the call to drop and name them.
 */
export const anthropicThinks = (request: ChatRequest, defaultMaxTokens: number): boolean =>
  thinkingOf(request.reasoning, request.maxOutputTokens ?? defaultMaxTokens) !== undefined;

/** Anthropic's lowest `top_p` with thinking on. */
const MIN_THINKING_TOP_P = 0.95;

/**
 * The canonical fields Anthropic refuses for this very request: with thinking on, `temperature`
 * other than 1, `top_k`, `top_p` below 0.95 and a forced tool choice (`required` or a named tool).
 * Not sent, but dropped and reported by ingress (`unsupportedFields`), since Anthropic would answer 400.
 */
export const anthropicRefusedFields = (request: ChatRequest, defaultMaxTokens: number): Array<keyof ChatRequest> => {
  if (!anthropicThinks(request, defaultMaxTokens)) return [];
  const refused: Array<keyof ChatRequest> = [];
  if (request.temperature !== undefined && request.temperature !== 1) refused.push('temperature');
  if (request.topK !== undefined) refused.push('topK');
  if (request.topP !== undefined && request.topP < MIN_THINKING_TOP_P) refused.push('topP');
  if (request.toolChoice === 'required' || typeof request.toolChoice === 'object') refused.push('toolChoice');
  return refused;
};

const toolChoiceOf = (
  request: ChatRequest,
  names: ToolNames,
  json: boolean,
  thinking: boolean,
): AnthropicToolChoice | undefined => {
  const parallel = request.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  const choice = request.toolChoice;
  if (json && !request.tools?.length) return thinking ? { type: 'auto' } : { type: 'tool', name: JSON_TOOL };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...parallel };
  if (typeof choice === 'object') return { type: 'tool', name: names.name(choice.name), ...parallel };
  if (choice === 'auto' || request.parallelToolCalls === false) return { type: 'auto', ...parallel };
  return undefined;
};

const toolsOf = (request: ChatRequest, names: ToolNames, json: boolean): AnthropicTool[] | undefined => {
  const tools: AnthropicTool[] = (request.tools ?? []).map((tool) =>
    withCache(
      compact({
        name: names.name(tool.name),
        description: tool.description,
        input_schema: { type: 'object' as const, ...tool.parameters },
      }),
      tool.cacheControl,
    ),
  );
  const format = request.responseFormat;
  if (json && format && format.type !== 'text') {
    const schema = format.type === 'json_schema' && format.schema ? format.schema : {};
    tools.push({
      name: JSON_TOOL,
      description: 'Answer with this tool: its input is the response, in the required JSON shape.',
      input_schema: { ...schema, type: 'object' },
    });
  }
  return tools.length > 0 ? tools : undefined;
};

/**
 * The Anthropic Messages body of a canonical request, with the renaming its answer is read back
 * with. `max_tokens` is the request's limit or the deployment's maximum (Anthropic requires one and
 * it includes the thinking budget, as OpenAI's `max_completion_tokens` includes reasoning). A JSON
 * response format is emulated with `JSON_TOOL`: forced when the request has no tools of its own,
 * offered beside them otherwise. `extra.anthropic_beta` travels as a header, not in the body.
 */
export const toAnthropicRequest = (request: ChatRequest, options: AnthropicRequestOptions): AnthropicCall => {
  const names = anthropicToolNames();
  const maxTokens = request.maxOutputTokens ?? options.defaultMaxTokens;
  const thinking = thinkingOf(request.reasoning, maxTokens);
  const json = request.responseFormat !== undefined && request.responseFormat.type !== 'text';
  const system = systemOf(request.messages);
  const turns = request.messages
    .map((message, position) => toTurn(message, position, names))
    .filter((turn): turn is AnthropicMessage => turn !== undefined);
  const tools = toolsOf(request, names, json);
  const mapped: AnthropicMessagesRequest = compact({
    model: options.model,
    messages: alternate(turns),
    system: system.length > 0 ? system : undefined,
    max_tokens: maxTokens,
    stop_sequences: request.stop?.length ? request.stop : undefined,
    // OpenAI's callers may ask for up to 2; Anthropic refuses anything above its 1, the nearest it takes.
    temperature: request.temperature === undefined ? undefined : Math.min(request.temperature, MAX_TEMPERATURE),
    top_p: request.topP,
    top_k: request.topK,
    tools,
    tool_choice: tools ? toolChoiceOf(request, names, json, thinking !== undefined) : undefined,
    thinking,
    metadata: request.user ? { user_id: request.user } : undefined,
  });
  const { extra } = passthrough(request.extra, ['anthropic'], true);
  const body = { ...extra, ...mapped };
  delete body.anthropic_beta;
  if (request.stream) body.stream = true;
  return { body, names, jsonTool: json && tools?.some((tool) => tool.name === JSON_TOOL) === true };
};
