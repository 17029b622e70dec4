import type { CacheControl, ChatRequest, ContentPart, Message } from '@polymux/contracts';
import type {
  BedrockContentBlock,
  BedrockConverseRequest,
  BedrockDocumentFormat,
  BedrockImageFormat,
  BedrockMessage,
  BedrockSystemBlock,
  BedrockTool,
  BedrockToolChoice,
} from '@polymux/wire';
import { BEDROCK_TOOL_NAME, BEDROCK_TOOL_USE_ID } from '@polymux/wire';

import { JSON_TOOL, thinkingOf } from '../anthropic/anthropic.request';
import type { DataUrl } from '../request-parts';
import { compact, dataUrlText, invalidRequest, parseDataUrl, toolInput } from '../request-parts';
import { isTaggedSignature } from '../thought-signature';
import type { ToolNameRules } from '../tool-names';
import { ToolNames, sanitizedWithHash } from '../tool-names';

/** The tool names and ids Bedrock accepts (both at most 64 characters of `[a-zA-Z0-9_-]`). */
export const BEDROCK_TOOL_NAMES: ToolNameRules = {
  name: { valid: BEDROCK_TOOL_NAME, substitute: sanitizedWithHash(() => 64) },
  id: { valid: BEDROCK_TOOL_USE_ID, substitute: sanitizedWithHash(() => 64) },
};

/** Bedrock's highest temperature, for every model family (OpenAI's is 2). */
const MAX_TEMPERATURE = 1;

/**
 * Whether a Bedrock model id (a model, an inference profile such as `us.anthropic.claude-…`, or
 * the ARN of either) is Anthropic's Claude: only Claude takes `top_k`, thinking and tool-result
 * status, and only Claude's signed reasoning may be sent back.
 */
export const isClaudeOnBedrock = (modelId: string): boolean => /anthropic\.claude/.test(modelId);

/** The parts of a request Bedrock only learns from the deployment. */
export interface BedrockRequestOptions {
  model: string;
  /** `maxTokens` when the request sets no limit: the deployment's maximum, which also bounds Claude's thinking. */
  defaultMaxTokens: number;
}

/** What the adapter sends, and what it needs to read the answer back. */
export interface BedrockCall {
  body: BedrockConverseRequest;
  names: ToolNames;
  /** Whether the JSON response-format tool was added (its input is then the answer's content). */
  jsonTool: boolean;
}

const IMAGE_FORMATS: Readonly<Record<string, BedrockImageFormat>> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

const DOCUMENT_FORMATS: Readonly<Record<string, BedrockDocumentFormat>> = {
  'application/pdf': 'pdf',
  'text/csv': 'csv',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/html': 'html',
  'text/plain': 'txt',
  'text/markdown': 'md',
};

const cachePoint = (cacheControl: CacheControl | undefined): BedrockContentBlock[] =>
  cacheControl ? [{ cachePoint: { type: 'default', ...(cacheControl.ttl ? { ttl: cacheControl.ttl } : {}) } }] : [];

/** The inline data of a media part: Bedrock fetches no URL (the executor inlines http(s) URLs first). */
const inline = (url: string, what: string): DataUrl => {
  const data = parseDataUrl(url);
  if (!data) throw invalidRequest(`Bedrock does not fetch ${what} URLs: send the ${what} inline, as a data: URL`);
  return data;
};

const base64Of = (data: DataUrl): string =>
  data.base64 ? data.data : Buffer.from(dataUrlText(data), 'utf8').toString('base64');

/** A document name as Bedrock takes it: letters, digits, single spaces, hyphens, parentheses, brackets. */
export const documentName = (name: string | undefined, position: number): string => {
  const cleaned = (name ?? '')
    .replace(/[^A-Za-z0-9 ()[\]-]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200)
    .trim();
  return cleaned === '' ? `document-${position}` : cleaned;
};

/** Builds one request's blocks: documents are numbered so that their default names differ. */
class BlockWriter {
  private documents = 0;

  constructor(private readonly claude: boolean) {}

  /**
   * One canonical part as Bedrock blocks, a cache point after it when it ends a cached prefix.
   * Empty texts are dropped (Bedrock refuses blank text); reasoning goes back only to Claude, and
   * only with the signature Claude wrote.
   */
  blocks(part: ContentPart): BedrockContentBlock[] {
    switch (part.type) {
      case 'text':
        return part.text === '' ? [] : [{ text: part.text }, ...cachePoint(part.cacheControl)];
      case 'image': {
        const data = inline(part.url, 'image');
        const format = IMAGE_FORMATS[data.mediaType];
        if (!format)
          throw invalidRequest(`Bedrock reads png, jpeg, gif and webp images, not ${data.mediaType.slice(0, 40)}`);
        if (!data.base64) throw invalidRequest('an image data URL must be base64-encoded');
        return [{ image: { format, source: { bytes: data.data } } }, ...cachePoint(part.cacheControl)];
      }
      case 'document': {
        const data = inline(part.url, 'document');
        const format = DOCUMENT_FORMATS[part.mediaType] ?? DOCUMENT_FORMATS[data.mediaType];
        if (!format) throw invalidRequest(`Bedrock does not read ${part.mediaType.slice(0, 60)} documents`);
        this.documents += 1;
        const name = documentName(part.title ?? part.filename, this.documents);
        return [{ document: { format, name, source: { bytes: base64Of(data) } } }, ...cachePoint(part.cacheControl)];
      }
      case 'thinking':
        return this.claude && part.signature && !isTaggedSignature(part.signature)
          ? [{ reasoningContent: { reasoningText: { text: part.text, signature: part.signature } } }]
          : [];
      case 'redacted_thinking':
        return this.claude ? [{ reasoningContent: { redactedContent: part.data } }] : [];
    }
  }
}

/** The blocks a tool result may carry (a result never holds reasoning, tool calls or cache points). */
type InlineBlock = Extract<BedrockContentBlock, { text: string } | { image: unknown } | { document: unknown }>;

const isToolResultContent = (block: BedrockContentBlock): block is InlineBlock =>
  'text' in block || 'image' in block || 'document' in block;

const isReasoning = (block: BedrockContentBlock): boolean => 'reasoningContent' in block;

/** The turn of one non-system message, or undefined when it carries nothing. */
const toTurn = (
  message: Message,
  position: number,
  writer: BlockWriter,
  names: ToolNames,
  claude: boolean,
): BedrockMessage | undefined => {
  switch (message.role) {
    case 'user': {
      const content = message.content.flatMap((part) => writer.blocks(part)).filter((block) => !isReasoning(block));
      return content.length > 0 ? { role: 'user', content } : undefined;
    }
    case 'tool': {
      const content = message.content.flatMap((part) => writer.blocks(part)).filter(isToolResultContent);
      // Only Claude takes a result's status; the flag is dropped and named for other models (bedrockRefusedFields).
      const status = message.isError && claude ? { status: 'error' as const } : {};
      return {
        role: 'user',
        content: [{ toolResult: { toolUseId: names.id(message.toolCallId ?? ''), content, ...status } }],
      };
    }
    case 'assistant': {
      const blocks = message.content.flatMap((part) => writer.blocks(part));
      // Claude wants the reasoning first, then the answer, then the tool calls.
      const calls = (message.toolCalls ?? []).map((call, index): BedrockContentBlock => ({
        toolUse: {
          toolUseId: names.id(call.id),
          name: names.name(call.name),
          input: toolInput(call, `${index} of message ${position}`),
        },
      }));
      const content = [...blocks.filter(isReasoning), ...blocks.filter((block) => !isReasoning(block)), ...calls];
      return content.length > 0 ? { role: 'assistant', content } : undefined;
    }
    case 'system':
    case 'developer':
      return undefined;
  }
};

/**
 * Turns merged as Bedrock requires (roles alternate: consecutive same-role messages, such as the
 * results of parallel tool calls, become one turn), tool results first in a user turn.
 */
const alternate = (turns: BedrockMessage[]): BedrockMessage[] => {
  const merged: BedrockMessage[] = [];
  for (const turn of turns) {
    const last = merged.at(-1);
    if (last && last.role === turn.role) last.content = [...last.content, ...turn.content];
    else merged.push({ role: turn.role, content: [...turn.content] });
  }
  for (const turn of merged) {
    if (turn.role === 'user')
      turn.content = [
        ...turn.content.filter((block) => 'toolResult' in block),
        ...turn.content.filter((block) => !('toolResult' in block)),
      ];
  }
  return merged;
};

/** System and developer messages, wherever they stand, as the `system` blocks (text only). */
const systemOf = (messages: Message[]): BedrockSystemBlock[] =>
  messages
    .filter((message) => message.role === 'system' || message.role === 'developer')
    .flatMap((message) => message.content)
    .flatMap((part): BedrockSystemBlock[] =>
      part.type === 'text' && part.text !== '' ? [{ text: part.text }, ...systemCachePoint(part.cacheControl)] : [],
    );

const systemCachePoint = (cacheControl: CacheControl | undefined): BedrockSystemBlock[] =>
  cachePoint(cacheControl) as BedrockSystemBlock[];

/** The tool names the conversation's tool calls use: Bedrock refuses tool blocks without a tool configuration. */
const namesInHistory = (turns: BedrockMessage[]): string[] => [
  ...new Set(
    turns.flatMap((turn) => turn.content.flatMap((block) => ('toolUse' in block ? [block.toolUse.name] : []))),
  ),
];

const hasToolBlocks = (turns: BedrockMessage[]): boolean =>
  turns.some((turn) => turn.content.some((block) => 'toolUse' in block || 'toolResult' in block));

const toolSpec = (
  name: string,
  parameters: Record<string, unknown> | undefined,
  description?: string,
): BedrockTool => ({
  toolSpec: compact({
    name,
    description: description === '' ? undefined : description,
    inputSchema: { json: { type: 'object', ...parameters } },
  }),
});

/**
 * The tool configuration: the request's tools (and `JSON_TOOL` for a JSON response format), plus a
 * bare definition of any tool the history calls but the request no longer declares. Converse has
 * no choice `none`: the request's tools are then left out (the JSON tool alone may remain), unless
 * the history has tool blocks: Bedrock then requires them, and the choice is left to the model.
 */
const toolConfigOf = (
  request: ChatRequest,
  turns: BedrockMessage[],
  names: ToolNames,
  json: boolean,
  thinking: boolean,
): BedrockConverseRequest['toolConfig'] => {
  const choice = request.toolChoice;
  const offered = choice === 'none' && !hasToolBlocks(turns) ? [] : (request.tools ?? []);
  const tools: BedrockTool[] = offered.flatMap((tool) => [
    toolSpec(names.name(tool.name), tool.parameters, tool.description),
    ...(cachePoint(tool.cacheControl) as BedrockTool[]),
  ]);
  const declared = new Set(offered.map((tool) => names.name(tool.name)));
  for (const name of namesInHistory(turns)) if (!declared.has(name)) tools.push(toolSpec(name, undefined));
  const format = request.responseFormat;
  if (json && format && format.type !== 'text') {
    const schema = format.type === 'json_schema' && format.schema ? format.schema : {};
    tools.push(
      toolSpec(JSON_TOOL, schema, 'Answer with this tool: its input is the response, in the required JSON shape.'),
    );
  }
  if (tools.length === 0) return undefined;
  let toolChoice: BedrockToolChoice | undefined;
  if (json && offered.length === 0) toolChoice = thinking ? { auto: {} } : { tool: { name: JSON_TOOL } };
  else if (choice === 'required') toolChoice = { any: {} };
  else if (typeof choice === 'object') toolChoice = { tool: { name: names.name(choice.name) } };
  else if (choice === 'auto') toolChoice = { auto: {} };
  return toolChoice ? { tools, toolChoice } : { tools };
};

/**
 * The Converse body of a canonical request, with the renaming its answer is read back with.
 * `maxTokens` is the request's limit or the deployment's maximum (it bounds Claude's thinking
 * budget). Claude's `top_k` and thinking travel in `additionalModelRequestFields`; other model
 * families have neither (see `bedrockRefusedFields`). A JSON response format is emulated with
 * `JSON_TOOL`, as for Anthropic. Nothing of `extra` travels: Bedrock refuses unknown members.
 */
export const toBedrockRequest = (request: ChatRequest, options: BedrockRequestOptions): BedrockCall => {
  const claude = isClaudeOnBedrock(options.model);
  const names = new ToolNames(BEDROCK_TOOL_NAMES);
  const writer = new BlockWriter(claude);
  const maxTokens = request.maxOutputTokens ?? options.defaultMaxTokens;
  const thinking = claude ? thinkingOf(request.reasoning, maxTokens) : undefined;
  const json = request.responseFormat !== undefined && request.responseFormat.type !== 'text';
  const system = systemOf(request.messages);
  const turns = alternate(
    request.messages
      .map((message, position) => toTurn(message, position, writer, names, claude))
      .filter((turn): turn is BedrockMessage => turn !== undefined),
  );
  const toolConfig = toolConfigOf(request, turns, names, json, thinking !== undefined);
  const additional = compact({ top_k: claude ? request.topK : undefined, thinking });
  const body: BedrockConverseRequest = compact({
    messages: turns,
    system: system.length > 0 ? system : undefined,
    inferenceConfig: compact({
      maxTokens,
      // OpenAI's callers may ask for up to 2; Bedrock refuses anything above its 1, the nearest it takes.
      temperature: request.temperature === undefined ? undefined : Math.min(request.temperature, MAX_TEMPERATURE),
      topP: request.topP,
      stopSequences: request.stop?.length ? request.stop : undefined,
    }),
    toolConfig,
    additionalModelRequestFields: Object.keys(additional).length > 0 ? additional : undefined,
  });
  const jsonTool = json && toolConfig?.tools.some((tool) => 'toolSpec' in tool && tool.toolSpec.name === JSON_TOOL);
  return { body, names, jsonTool: jsonTool === true };
};
