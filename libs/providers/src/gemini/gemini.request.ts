import type { ChatRequest, ContentPart, Message, Reasoning } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type {
  GeminiContent,
  GeminiGenerateContentRequest,
  GeminiGenerationConfig,
  GeminiPart,
  GeminiThinkingConfig,
  GeminiTool,
  GeminiToolConfig,
} from '@polymux/wire';

import { ToolNames } from '../tool-names';
import { GEMINI_TOOL_NAMES } from './gemini.names';
import { EFFORT_BUDGETS } from '../anthropic/anthropic.request';
import { toolInput } from '../request-parts';
import { signatureOf } from '../thought-signature';
import { toGeminiSchema } from './gemini.schema';

/** The tag of Gemini's thought signatures in canonical thinking parts (see `tagSignature`). */
export const GEMINI_SIGNATURE = 'gemini';
/** Google's most stop sequences. */
const MAX_STOP_SEQUENCES = 5;

/** What the adapter sends, and what it needs to read the answer back. */
export interface GeminiCall {
  body: GeminiGenerateContentRequest;
  names: ToolNames;
}

const invalid = (message: string) => new PolymuxException(ErrorCode.InvalidRequest, message);

const DATA_URL = /^data:([^;,]+)(;base64)?,(.*)$/s;
/** URIs Google reads itself: Cloud Storage objects and files uploaded to the Gemini Files API. */
const GOOGLE_URI = /^(gs:\/\/|https:\/\/generativelanguage\.googleapis\.com\/[^?#]*files\/)/;
const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  txt: 'text/plain',
};

/** A data URL as inline data, a Google URI as file data; any other URL is refused (Gemini fetches none). */
const mediaPart = (url: string, mediaType: string | undefined, what: string): GeminiPart => {
  const data = DATA_URL.exec(url);
  if (data) {
    const base64 = data[2] ? data[3] : Buffer.from(decodeURIComponent(data[3]), 'utf8').toString('base64');
    return { inlineData: { mimeType: mediaType ?? data[1], data: base64 } };
  }
  if (GOOGLE_URI.test(url)) {
    const extension = /\.([a-z0-9]+)$/i.exec(url)?.[1]?.toLowerCase();
    const mimeType = mediaType ?? (extension ? MIME_BY_EXTENSION[extension] : undefined);
    return { fileData: mimeType ? { mimeType, fileUri: url } : { fileUri: url } };
  }
  throw invalid(
    `Gemini cannot fetch ${what} URLs: send the ${what} inline as a data: URL, or as a gs:// or Gemini Files API URI`,
  );
};

/** One canonical part of a user turn or tool result; reasoning is never sent (see `modelParts`). */
const userPart = (part: ContentPart): GeminiPart[] => {
  switch (part.type) {
    case 'text':
      return part.text === '' ? [] : [{ text: part.text }];
    case 'image':
      return [mediaPart(part.url, undefined, 'image')];
    case 'document':
      return [mediaPart(part.url, part.mediaType, 'document')];
    case 'thinking':
    case 'redacted_thinking':
      return [];
  }
};

/**
 * An assistant turn as the model's parts: its text, then its function calls. Thought summaries are
 * not sent back (Google does not need them); the thought signatures Gemini wrote are, on the part
 * they came with: the first function call (the next ones for further signatures), else the last
 * text part. Another provider's signatures are dropped.
 */
const modelParts = (message: Message, position: number, names: ToolNames): GeminiPart[] => {
  const signatures = message.content.flatMap((part) => {
    const own = part.type === 'thinking' ? signatureOf(GEMINI_SIGNATURE, part.signature) : undefined;
    return own ? [own] : [];
  });
  const texts: GeminiPart[] = message.content.flatMap((part) =>
    part.type === 'text' && part.text !== '' ? [{ text: part.text }] : [],
  );
  const calls: GeminiPart[] = (message.toolCalls ?? []).map((call, index) => ({
    functionCall: { name: names.name(call.name), args: toolInput(call, `${index} of message ${position}`) },
  }));
  const signed = calls.length > 0 ? calls : texts.slice(-1);
  signed.forEach((part, index) => {
    const signature = signatures[index];
    if (signature !== undefined) part.thoughtSignature = signature;
  });
  return [...texts, ...calls];
};

/** The text of a tool result, under `output` (or `error` when it reports a failure) as Google reads it. */
const functionResponse = (message: Message, name: string): GeminiPart => {
  const text = message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
  return { functionResponse: { name, response: message.isError ? { error: text } : { output: text } } };
};

/**
 * The contents of a conversation: user and tool turns as `user`, assistant turns as `model`,
 * consecutive turns of one role merged (the function responses first, for the calls of the model
 * turn before). Gemini's calls have no ids: a tool result is sent under the name of the call its
 * id answers, in the order the results come.
 */
const contentsOf = (messages: Message[], names: ToolNames): GeminiContent[] => {
  const callNames = new Map<string, string>();
  for (const message of messages) for (const call of message.toolCalls ?? []) callNames.set(call.id, call.name);
  const turns: GeminiContent[] = [];
  const push = (role: 'user' | 'model', parts: GeminiPart[]) => {
    if (parts.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else turns.push({ role, parts });
  };
  messages.forEach((message, position) => {
    switch (message.role) {
      case 'user':
        return push('user', message.content.flatMap(userPart));
      case 'assistant':
        return push('model', modelParts(message, position, names));
      case 'tool': {
        const name = callNames.get(message.toolCallId ?? '');
        if (name === undefined)
          throw invalid(`the tool result of message ${position} answers no tool call of the conversation`);
        const media = message.content.filter((part) => part.type === 'image' || part.type === 'document');
        return push('user', [functionResponse(message, names.name(name)), ...media.flatMap(userPart)]);
      }
      case 'system':
      case 'developer':
        return undefined;
    }
  });
  for (const turn of turns) {
    if (turn.role !== 'user') continue;
    turn.parts = [
      ...turn.parts.filter((part) => part.functionResponse),
      ...turn.parts.filter((part) => !part.functionResponse),
    ];
  }
  return turns;
};

const systemOf = (messages: Message[]): GeminiContent | undefined => {
  const parts = messages
    .filter((message) => message.role === 'system' || message.role === 'developer')
    .flatMap((message) => message.content)
    .flatMap((part) => (part.type === 'text' && part.text !== '' ? [{ text: part.text }] : []));
  return parts.length > 0 ? { parts } : undefined;
};

const toolsOf = (request: ChatRequest, names: ToolNames): GeminiTool[] | undefined => {
  if (!request.tools?.length) return undefined;
  const functionDeclarations = request.tools.map((tool) => {
    const schema = tool.parameters ? toGeminiSchema(tool.parameters).schema : undefined;
    // Google refuses an OBJECT without properties: a function without parameters declares none.
    const parameters = schema && Object.keys(schema.properties ?? {}).length > 0 ? schema : undefined;
    return compact({ name: names.name(tool.name), description: tool.description, parameters });
  });
  return [{ functionDeclarations }];
};

const toolConfigOf = (request: ChatRequest, names: ToolNames): GeminiToolConfig | undefined => {
  const choice = request.toolChoice;
  if (!request.tools?.length || choice === undefined) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [names.name(choice.name)] } };
};

/** The thinking budget of `reasoning`: an effort as Anthropic's budgets, `none` as 0 (thinking off). */
const thinkingOf = (reasoning: Reasoning | undefined): GeminiThinkingConfig | undefined => {
  if (!reasoning) return undefined;
  if (reasoning.budgetTokens === 0 || reasoning.effort === 'none') return { thinkingBudget: 0 };
  const budget = reasoning.budgetTokens ?? (reasoning.effort ? EFFORT_BUDGETS[reasoning.effort] : undefined);
  return budget === undefined ? undefined : { thinkingBudget: budget, includeThoughts: true };
};

const generationConfigOf = (request: ChatRequest): GeminiGenerationConfig | undefined => {
  if ((request.stop?.length ?? 0) > MAX_STOP_SEQUENCES)
    throw invalid(`Gemini takes at most ${MAX_STOP_SEQUENCES} stop sequences`);
  const format = request.responseFormat;
  const json = format !== undefined && format.type !== 'text';
  const schema = format?.type === 'json_schema' && format.schema ? toGeminiSchema(format.schema).schema : undefined;
  const config: GeminiGenerationConfig = compact({
    stopSequences: request.stop?.length ? request.stop : undefined,
    responseMimeType: json ? 'application/json' : undefined,
    responseSchema: schema,
    candidateCount: request.n,
    maxOutputTokens: request.maxOutputTokens,
    temperature: request.temperature,
    topP: request.topP,
    topK: request.topK,
    seed: request.seed,
    presencePenalty: request.presencePenalty,
    frequencyPenalty: request.frequencyPenalty,
    thinkingConfig: thinkingOf(request.reasoning),
  });
  return Object.keys(config).length > 0 ? config : undefined;
};

/** Drops keys whose value is undefined, so that they do not travel. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

/**
 * The `generateContent` body of a canonical request (the model is in the URL), with the renaming
 * its answer is read back with. Gemini cannot fetch media URLs: images and documents must come as
 * data URLs (the executor inlines http(s) ones, see `fetchesMediaUrls`) or Google URIs. `maxOutputTokens`
 * includes the thinking budget on Gemini as in the canonical model. What Gemini has no slot for
 * (`UNSUPPORTED_FIELDS.gemini`) was dropped and named by ingress and is not read here.
 */
export const toGeminiRequest = (request: ChatRequest): GeminiCall => {
  const names = new ToolNames(GEMINI_TOOL_NAMES);
  const body: GeminiGenerateContentRequest = compact({
    contents: contentsOf(request.messages, names),
    systemInstruction: systemOf(request.messages),
    tools: toolsOf(request, names),
    toolConfig: toolConfigOf(request, names),
    generationConfig: generationConfigOf(request),
  });
  if (body.contents.length === 0) throw invalid('Gemini needs at least one user or assistant message with content');
  return { body, names };
};
