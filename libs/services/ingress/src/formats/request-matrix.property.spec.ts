import type { ChatRequest, Message } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';
import {
  JSON_TOOL,
  OPENAI_TOOL_NAMES,
  ToolNames,
  presetDialect,
  toAnthropicRequest,
  toBedrockRequest,
  toGeminiRequest,
  toOpenAiRequest,
} from '@polymux/providers';
import { canonicalRequest } from '@polymux/testing';
import type { GeminiPart, OpenAiChatRequest } from '@polymux/wire';
import { AnthropicMessagesRequest, BedrockConverseRequest, GeminiGenerateContentRequest } from '@polymux/wire';
import fc from 'fast-check';

import { anthropicMessages } from '../anthropic/messages.format';
import { key, deployment } from '../call/testing/call-fixtures';
import { dropDisallowedFields } from '../dropped-fields';
import { chatCompletions } from '../openai/chat-completions.format';
import { responses } from '../openai-responses/responses.format';
import type { InboundFormat } from './inbound-format';
import type { InboundName } from './testing/inbound-bodies';
import { INBOUND_BODIES, MESSAGES_DEFAULT_MAX_TOKENS } from './testing/inbound-bodies';

/*
 * Requests, for every inbound format F × provider family P: a caller's body in F → F.decode → the
 * plan's dropped fields for P's deployment → (the executor's inlining of media, for a family that
 * fetches none) → P's request encoder → P's wire body. (a) The wire body is valid for P
 * (Anthropic: the wire schema, alternating roles, every tool use answered in the next turn; OpenAI:
 * ingress's own Chat Completions decoder, a full validation). (b) Everything P can carry survives:
 * texts, images, documents, system text, tool definitions, tool calls (arguments JSON-equal, ids
 * and names as the caller wrote them once Anthropic's renaming is read back), tool results, max
 * tokens, stop sequences, temperature, response format; (c) every setting F carried that the wire
 * lacks is named by the dropped-field mechanism, and nothing it names reaches the wire.
 *
 * Inherently lossy, and stated here rather than reported: thinking blocks reach only Anthropic, and
 * only from a format that carries them (Chat Completions has none; OpenAI takes none back; Gemini
 * gets back only its own signatures, never thought text); an image's `detail` and a document's file
 * name reach only OpenAI. Gemini, Vertex AI and Bedrock fetch no URL: the executor inlines http(s)
 * media first, and the Gemini and Bedrock encoders refuse any left with `invalid_request` (checked
 * too); Gemini's tool parameters are converted to Google's schema subset (checked in
 * gemini.schema.spec.ts, not here). Bedrock's Converse body is read back here (no inbound format
 * speaks it), for Claude and for Nova, which takes no `top_k`, thinking or tool-result status.
 * DeepSeek is the preset whose wire differs most from OpenAI's: it takes back a tool-call turn's
 * thinking, as `reasoning_content` text (no signature), and nothing else of a turn's reasoning (its
 * API reads text only: its requests here have no media, see presets.spec.ts for the refusal);
 * vLLM stands for the generic presets (OpenAI's wire with `top_k`, no thinking back). Azure OpenAI
 * writes OpenAI's body (`max_completion_tokens`), Vertex AI Anthropic's or Gemini's by its upstream
 * model: each family's row is its deployment, so that its own dropped-field row is what is checked.
 */

const INLINED_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk';

/**
 * The request as the executor hands it to an adapter that fetches no media (Bedrock): http(s)
 * image and document URLs inlined as data URLs (the executor's fetch, here with fixed bytes).
 */
const inlined = (request: ChatRequest): ChatRequest => ({
  ...request,
  messages: request.messages.map((message) => ({
    ...message,
    content: message.content.map((part) =>
      (part.type === 'image' || part.type === 'document') && /^https?:/.test(part.url)
        ? {
            ...part,
            url:
              part.type === 'image' ? `data:image/png;base64,${INLINED_PNG}` : 'data:application/pdf;base64,JVBERi0=',
          }
        : part,
    ),
  })),
});

/** What DeepSeek takes back of a conversation's thinking: each tool-call turn's thinking text, joined. */
const replayedThinking = (request: ChatRequest) =>
  request.messages.flatMap((message) => {
    const text = message.content.flatMap((part) => (part.type === 'thinking' ? [part.text] : [])).join('');
    return message.toolCalls?.length && text ? [{ text, signature: undefined }] : [];
  });
const FORMATS: Record<InboundName, InboundFormat> = {
  chat: chatCompletions,
  responses,
  messages: anthropicMessages,
};
const ANTHROPIC_DEFAULT_MAX_TOKENS = 4_096;

/** Top-level fields without a canonical slot each caller adds: they travel only where P and the project allow. */
const EXTRA: Record<InboundName, Record<string, unknown>> = {
  chat: { service_tier: 'auto', metadata: { team: 'a' } },
  responses: { service_tier: 'auto', metadata: { team: 'a' } },
  messages: { service_tier: 'auto' },
};

/** Canonical settings some provider has no slot for, by the field each wire names them with. */
const SETTINGS: ReadonlyArray<{ field: keyof ChatRequest; name: string; formats: InboundName[] }> = [
  { field: 'topK', name: 'top_k', formats: ['chat', 'messages'] },
  { field: 'topP', name: 'top_p', formats: ['chat', 'responses', 'messages'] },
  { field: 'seed', name: 'seed', formats: ['chat'] },
  { field: 'n', name: 'n', formats: ['chat'] },
  { field: 'logprobs', name: 'logprobs', formats: ['chat'] },
  { field: 'topLogprobs', name: 'top_logprobs', formats: ['chat', 'responses'] },
  { field: 'presencePenalty', name: 'presence_penalty', formats: ['chat'] },
  { field: 'frequencyPenalty', name: 'frequency_penalty', formats: ['chat'] },
  { field: 'user', name: 'user', formats: ['chat', 'responses', 'messages'] },
];

/** What a conversation says, kind by kind, independent of how each format frames its turns. */
const digest = (request: ChatRequest) => {
  const parts = (role: string) =>
    request.messages.filter((message) => role.includes(message.role)).flatMap((message) => message.content);
  return {
    system: parts('system developer').flatMap((part) => (part.type === 'text' && part.text ? [part.text] : [])),
    user: parts('user').flatMap((part) =>
      part.type === 'text'
        ? part.text
          ? [`text:${part.text}`]
          : []
        : part.type === 'image' || part.type === 'document'
          ? [`${part.type}:${part.url}`]
          : [],
    ),
    assistant: parts('assistant').flatMap((part) => (part.type === 'text' && part.text ? [part.text] : [])),
    thinking: parts('assistant').flatMap((part) =>
      part.type === 'thinking' ? [{ text: part.text, signature: part.signature }] : [],
    ),
    calls: request.messages.flatMap((message) =>
      (message.toolCalls ?? []).map((call) => ({ id: call.id, name: call.name, input: JSON.parse(call.arguments) })),
    ),
    results: request.messages
      .filter((message) => message.role === 'tool')
      .map((message) => ({
        id: message.toolCallId,
        texts: message.content.flatMap((part) => (part.type === 'text' && part.text ? [part.text] : [])),
      })),
    tools: (request.tools ?? []).map((tool) => ({
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters,
    })),
    stop: request.stop,
    temperature: request.temperature,
  };
};
type Digest = ReturnType<typeof digest>;

/**
 * The digest of the caller's request as far as F and then P can say it; `dropped`: what the plan
 * named as dropped (Anthropic with thinking on refuses a temperature other than 1).
 */
const expected = (request: ChatRequest, format: InboundName, family: Family, dropped: readonly string[]): Digest => {
  const all = digest(family.inlined ? inlined(request) : request);
  // A Messages caller cannot say a temperature above 1.
  const said = format === 'messages' && (request.temperature ?? 0) > 1 ? undefined : all.temperature;
  if (family.wire === 'gemini')
    return { ...all, thinking: [], stop: format === 'responses' ? undefined : all.stop, temperature: said };
  // Converse has no tool choice `none`: no tools are sent, unless the history's tool blocks need them.
  const history = request.messages.some((message) => message.role === 'tool' || message.toolCalls?.length);
  const toolless = family.wire === 'bedrock' && request.toolChoice === 'none' && !history;
  const thinking =
    format === 'chat'
      ? []
      : family.thinking === 'claude'
        ? all.thinking
        : family.thinking === 'toolTurns'
          ? replayedThinking(request)
          : [];
  return {
    ...all,
    tools: toolless ? [] : all.tools,
    thinking,
    stop: format === 'responses' ? undefined : all.stop,
    // A temperature above the family's highest is sent as its highest (OpenAI's scale goes to 2).
    temperature:
      said === undefined || dropped.includes('temperature')
        ? undefined
        : family.maxTemperature !== undefined
          ? Math.min(said, family.maxTemperature)
          : said,
  };
};

interface Sent {
  /** P's wire body, through JSON as on the wire. */
  wire: Record<string, unknown>;
  /** What the wire says, read back with the caller's tool names and ids (through an inbound decoder where one speaks the wire). */
  digest: Digest;
  maxTokens: number | undefined;
  /** Whether the wire asks for JSON (OpenAI's response_format, Anthropic's emulating tool). */
  json: boolean;
}

const overJson = (value: unknown): Record<string, unknown> =>
  JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

/** The request as the caller wrote it: tool names and ids read back through the call's renaming. */
const withCallerNames = (decoded: ChatRequest, names: ToolNames): ChatRequest => ({
  ...decoded,
  messages: decoded.messages.map((message) => ({
    ...message,
    ...(message.toolCalls
      ? {
          toolCalls: message.toolCalls.map((call) => ({
            ...call,
            id: names.callerId(call.id),
            name: names.callerName(call.name),
          })),
        }
      : {}),
    ...(message.toolCallId ? { toolCallId: names.callerId(message.toolCallId) } : {}),
  })),
  ...(decoded.tools ? { tools: decoded.tools.map((tool) => ({ ...tool, name: names.callerName(tool.name) })) } : {}),
});

/**
 * An OpenAI-family body: OpenAI's own (`max_tokens`, or Azure's `max_completion_tokens`), or a
 * preset's through its dialect (DeepSeek's tool-call turns' thinking read back from `reasoning_content`).
 */
const sendOpenAi = (
  request: ChatRequest,
  options: { preset?: 'deepseek' | 'vllm'; maxTokensField?: 'max_tokens' | 'max_completion_tokens' } = {},
): Sent => {
  const dialect = options.preset ? presetDialect(options.preset) : undefined;
  const names = new ToolNames(dialect?.toolNames ?? OPENAI_TOOL_NAMES);
  const mapped = toOpenAiRequest(request, {
    model: options.preset ? `${options.preset}-model` : 'gpt-x',
    maxTokensField: options.maxTokensField ?? dialect?.maxTokensField ?? 'max_tokens',
    names,
    replayReasoning: dialect?.replayReasoning,
    provider: options.preset ?? 'openai',
  });
  const body = dialect?.body ? dialect.body(mapped, request) : mapped;
  const wire = overJson(body);
  // (a) Ingress's Chat Completions decoder validates the whole body: it throws on anything invalid;
  // every tool name and id is one OpenAI accepts.
  const decoded = chatCompletions.decode(wire, { dataRetention: false, dropped: [] });
  for (const name of [
    ...(decoded.tools ?? []).map((tool) => tool.name),
    ...decoded.messages.flatMap((message) => (message.toolCalls ?? []).map((call) => call.name)),
  ]) {
    expect(name).toMatch(OPENAI_TOOL_NAMES.name.valid);
  }
  for (const id of decoded.messages.flatMap((message) => [
    ...(message.toolCalls ?? []).map((call) => call.id),
    ...(message.toolCallId ? [message.toolCallId] : []),
  ])) {
    expect(id).toMatch(OPENAI_TOOL_NAMES.id.valid);
  }
  const readBack = withCallerNames(decoded, names);
  const replayed = (
    body.messages as Array<OpenAiChatRequest['messages'][number] & { reasoning_content?: string }>
  ).flatMap((message) =>
    message.reasoning_content ? [{ text: message.reasoning_content, signature: undefined }] : [],
  );
  return {
    wire,
    digest: { ...digest(readBack), thinking: replayed },
    maxTokens: readBack.maxOutputTokens,
    json: readBack.responseFormat !== undefined && readBack.responseFormat.type !== 'text',
  };
};

const sendAnthropic = (request: ChatRequest): Sent => {
  const { body, names } = toAnthropicRequest(request, {
    model: 'claude-x',
    defaultMaxTokens: ANTHROPIC_DEFAULT_MAX_TOKENS,
  });
  const wire = overJson(body);
  // (a) The wire schema, then the rules it cannot say: roles alternate from a user turn, and each
  // tool use is answered in the very next turn.
  const parsed = AnthropicMessagesRequest.parse(wire);
  parsed.messages.forEach((turn, index) => {
    expect(turn.role).toBe(index % 2 === 0 ? 'user' : 'assistant');
    const blocks = typeof turn.content === 'string' ? [] : turn.content;
    const uses = blocks.flatMap((block) => (block.type === 'tool_use' ? [block.id] : []));
    if (uses.length === 0) return;
    const next = parsed.messages[index + 1]?.content;
    const answered = (typeof next === 'string' ? [] : (next ?? [])).flatMap((block) =>
      block.type === 'tool_result' ? [block.tool_use_id] : [],
    );
    expect(answered).toEqual(expect.arrayContaining(uses));
  });
  const decoded = anthropicMessages.decode(wire, { dataRetention: false, dropped: [] });
  const readBack = withCallerNames(
    { ...decoded, tools: decoded.tools?.filter((tool) => tool.name !== JSON_TOOL) },
    names,
  );
  if (!readBack.tools?.length) delete readBack.tools;
  return {
    wire,
    digest: digest(readBack),
    maxTokens: parsed.max_tokens,
    json: decoded.tools?.some((tool) => tool.name === JSON_TOOL) === true,
  };
};

/** The canonical request a Gemini body says, ids put back by position (Gemini's calls have none). */
const readGemini = (
  request: ChatRequest,
  wire: Record<string, unknown>,
  names: ReturnType<typeof toGeminiRequest>['names'],
) => {
  const body = GeminiGenerateContentRequest.parse(wire);
  const originalCalls = request.messages.flatMap((message) => message.toolCalls ?? []);
  let nextCall = 0;
  const texts = (parts: GeminiPart[]) =>
    parts.flatMap((part) => (part.text ? [{ type: 'text' as const, text: part.text }] : []));
  const messages: Message[] = [];
  if (body.systemInstruction) messages.push({ role: 'system', content: texts(body.systemInstruction.parts) });
  let lastCalls: Array<{ id: string; name: string }> = [];
  for (const content of body.contents) {
    if (content.role === 'model') {
      const calls = content.parts.flatMap((part) => (part.functionCall ? [part.functionCall] : []));
      lastCalls = calls.map((call) => ({ id: originalCalls[nextCall++]?.id ?? '', name: call.name }));
      const toolCalls = calls.map((call, index) => ({
        id: lastCalls[index]!.id,
        name: names.callerName(call.name),
        arguments: JSON.stringify(call.args ?? {}),
      }));
      messages.push({ role: 'assistant', content: texts(content.parts), ...(toolCalls.length ? { toolCalls } : {}) });
      continue;
    }
    // Function responses answer the calls of the model turn before, by name and in order.
    const pending = [...lastCalls];
    for (const part of content.parts) {
      if (!part.functionResponse) continue;
      const at = pending.findIndex((call) => call.name === part.functionResponse!.name);
      const [call] = pending.splice(at, 1);
      const response = part.functionResponse.response;
      const text = String(response.output ?? response.error ?? '');
      messages.push({ role: 'tool', toolCallId: call?.id, content: text ? [{ type: 'text', text }] : [] });
    }
    const media = content.parts.flatMap((part): Message['content'] => {
      if (part.inlineData) {
        const url = `data:${part.inlineData.mimeType};base64,${part.inlineData.data}`;
        return [
          part.inlineData.mimeType.startsWith('image/')
            ? { type: 'image', url }
            : { type: 'document', url, mediaType: part.inlineData.mimeType },
        ];
      }
      return part.text ? [{ type: 'text', text: part.text }] : [];
    });
    if (media.length > 0) messages.push({ role: 'user', content: media });
  }
  return { body, messages };
};

const sendGemini = (request: ChatRequest): Sent => {
  const { body, names } = toGeminiRequest(request);
  const wire = overJson(body);
  // (a) The wire schema, and what it cannot say: roles alternate, each user turn answering the calls
  // of the model turn before with as many function responses.
  const { body: parsed, messages } = readGemini(request, wire, names);
  parsed.contents.forEach((content, index) => {
    expect(content.role).not.toBe(parsed.contents[index - 1]?.role);
    const responses = content.parts.filter((part) => part.functionResponse).length;
    const before = parsed.contents[index - 1]?.parts.filter((part) => part.functionCall).length ?? 0;
    if (responses > 0) expect(responses).toBe(before);
  });
  const config = parsed.generationConfig ?? {};
  const readBack: ChatRequest = {
    ...request,
    messages,
    // Converted to Google's schema subset: the names and descriptions are what must survive here.
    tools: parsed.tools?.[0]?.functionDeclarations?.map((declaration) => {
      const original = request.tools?.find((tool) => tool.name === names.callerName(declaration.name));
      return {
        name: names.callerName(declaration.name),
        description: declaration.description,
        parameters: original?.parameters,
      };
    }),
    stop: config.stopSequences,
    temperature: config.temperature,
  };
  if (!readBack.tools) delete readBack.tools;
  return {
    wire,
    digest: digest(readBack),
    maxTokens: config.maxOutputTokens,
    json: config.responseMimeType === 'application/json',
  };
};

type BedrockBlock = BedrockConverseRequest['messages'][number]['content'][number];

/** The digest of a Converse body, the caller's tool names and ids read back through the call's renaming. */
const sendBedrock = (request: ChatRequest, model: string): Sent => {
  const { body, names, jsonTool } = toBedrockRequest(request, {
    model,
    defaultMaxTokens: ANTHROPIC_DEFAULT_MAX_TOKENS,
  });
  const wire = overJson(body);
  // (a) The wire schema (strict, as Bedrock is), roles alternating from a user turn, and each tool
  // use answered in the very next turn.
  const parsed = BedrockConverseRequest.parse(wire);
  parsed.messages.forEach((turn, index) => {
    expect(turn.role).toBe(index % 2 === 0 ? 'user' : 'assistant');
    const uses = turn.content.flatMap((block) => ('toolUse' in block ? [block.toolUse.toolUseId] : []));
    if (uses.length === 0) return;
    const answered = (parsed.messages[index + 1]?.content ?? []).flatMap((block) =>
      'toolResult' in block ? [block.toolResult.toolUseId] : [],
    );
    expect(answered).toEqual(expect.arrayContaining(uses));
  });
  const blocks = (role: string): BedrockBlock[] =>
    parsed.messages.filter((turn) => turn.role === role).flatMap((turn) => turn.content);
  const media = (block: BedrockBlock): string[] => {
    if ('text' in block) return [`text:${block.text}`];
    if ('image' in block) return [`image:data:image/${block.image.format};base64,${block.image.source.bytes}`];
    if ('document' in block) return [`document:data:application/pdf;base64,${block.document.source.bytes}`];
    return [];
  };
  const specs = (parsed.toolConfig?.tools ?? []).flatMap((tool) => ('toolSpec' in tool ? [tool.toolSpec] : []));
  const declared = specs.filter((tool) => tool.name !== JSON_TOOL).slice(0, request.tools?.length ?? 0);
  // Past the declared tools: bare definitions of tools the history calls, and the JSON tool.
  for (const extra of specs.slice(declared.length))
    expect(extra.name === JSON_TOOL || extra.description === undefined).toBe(true);
  const sent: Digest = {
    system: (parsed.system ?? []).flatMap((block) => ('text' in block ? [block.text] : [])),
    user: blocks('user').flatMap(media),
    assistant: blocks('assistant').flatMap((block) => ('text' in block ? [block.text] : [])),
    thinking: blocks('assistant').flatMap((block) =>
      'reasoningContent' in block && 'reasoningText' in block.reasoningContent
        ? [
            {
              text: block.reasoningContent.reasoningText.text,
              signature: block.reasoningContent.reasoningText.signature,
            },
          ]
        : [],
    ),
    calls: blocks('assistant').flatMap((block) =>
      'toolUse' in block
        ? [
            {
              id: names.callerId(block.toolUse.toolUseId),
              name: names.callerName(block.toolUse.name),
              input: block.toolUse.input,
            },
          ]
        : [],
    ),
    results: blocks('user').flatMap((block) =>
      'toolResult' in block
        ? [
            {
              id: names.callerId(block.toolResult.toolUseId),
              texts: block.toolResult.content.flatMap((part) => ('text' in part ? [part.text] : [])),
            },
          ]
        : [],
    ),
    tools: declared.map((tool) => ({
      name: names.callerName(tool.name),
      description: tool.description,
      parameters: tool.inputSchema.json,
    })),
    stop: parsed.inferenceConfig?.stopSequences,
    temperature: parsed.inferenceConfig?.temperature,
  };
  return { wire, digest: sent, maxTokens: parsed.inferenceConfig?.maxTokens, json: jsonTool };
};

/** Where Gemini's generationConfig carries each canonical setting the SETTINGS table names. */
const GEMINI_SETTING: Record<string, string> = {
  top_k: 'topK',
  top_p: 'topP',
  seed: 'seed',
  n: 'candidateCount',
  presence_penalty: 'presencePenalty',
  frequency_penalty: 'frequencyPenalty',
};

/** Where Converse carries a canonical setting: `top_p` in `inferenceConfig`, Claude's `top_k` beside it. */
const bedrockCarries = (wire: Record<string, unknown>, name: string): boolean => {
  const inference = wire.inferenceConfig as Record<string, unknown> | undefined;
  const additional = wire.additionalModelRequestFields as Record<string, unknown> | undefined;
  if (name === 'top_p') return inference?.topP !== undefined;
  return name === 'top_k' && additional?.top_k !== undefined;
};

/** Whether P's wire carries a canonical setting (Anthropic takes the end user as `metadata.user_id`). */
const carries = (wire: Record<string, unknown>, family: Family, name: string): boolean =>
  family.wire === 'bedrock'
    ? bedrockCarries(wire, name)
    : family.wire === 'gemini'
      ? GEMINI_SETTING[name] !== undefined &&
        (wire.generationConfig as Record<string, unknown> | undefined)?.[GEMINI_SETTING[name]] !== undefined
      : family.wire === 'anthropic' && name === 'user'
        ? (wire.metadata as { user_id?: unknown } | undefined)?.user_id !== undefined
        : wire[name] !== undefined;

/** One provider family: the deployment a plan names, and the body its adapter writes. */
interface Family {
  /** The plan's candidate: its provider and upstream model pick the dropped-field rows. */
  deployment: { provider: string; upstreamModel: string };
  wire: 'openai' | 'anthropic' | 'gemini' | 'bedrock';
  /** Its adapter fetches no media URL (`fetchesMediaUrls: false`): the executor inlines them first. */
  inlined: boolean;
  /** Its encoder refuses an http(s) media URL left in the request. */
  refusesUrls: boolean;
  /** The thinking it takes back: Claude's signed blocks, each tool-call turn's text, or none. */
  thinking: 'claude' | 'toolTurns' | 'none';
  /** Its highest temperature, where lower than OpenAI's 2. */
  maxTemperature?: number;
  send(request: ChatRequest): Sent;
}

const CLAUDE_ON_BEDROCK = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const NOVA = 'amazon.nova-pro-v1:0';
const OPENAI_FAMILY = { wire: 'openai', inlined: false, refusesUrls: false, thinking: 'none' } as const;
const CLAUDE_FAMILY = { wire: 'anthropic', thinking: 'claude', maxTemperature: 1, send: sendAnthropic } as const;
const GEMINI_FAMILY = { wire: 'gemini', inlined: true, refusesUrls: true, thinking: 'none', send: sendGemini } as const;

const FAMILIES: Record<string, Family> = {
  openai: { ...OPENAI_FAMILY, deployment: { provider: 'openai', upstreamModel: 'gpt-4o' }, send: sendOpenAi },
  // As AzureAdapter writes it: OpenAI's body, the output limit as `max_completion_tokens`.
  azure: {
    ...OPENAI_FAMILY,
    deployment: { provider: 'azure', upstreamModel: 'my-gpt-4o' },
    send: (request) => sendOpenAi(request, { maxTokensField: 'max_completion_tokens' }),
  },
  deepseek: {
    ...OPENAI_FAMILY,
    deployment: { provider: 'deepseek', upstreamModel: 'deepseek-reasoner' },
    thinking: 'toolTurns',
    send: (request) => sendOpenAi(request, { preset: 'deepseek' }),
  },
  vllm: {
    ...OPENAI_FAMILY,
    deployment: { provider: 'vllm', upstreamModel: 'meta-llama/Llama-4-Scout-17B-16E-Instruct' },
    send: (request) => sendOpenAi(request, { preset: 'vllm' }),
  },
  anthropic: {
    ...CLAUDE_FAMILY,
    deployment: { provider: 'anthropic', upstreamModel: 'claude-x' },
    inlined: false,
    refusesUrls: false,
  },
  // Anthropic's body on rawPredict (the adapter moves `model` into the URL); Vertex inlines media for both publishers.
  'vertex (Claude)': {
    ...CLAUDE_FAMILY,
    deployment: { provider: 'vertex', upstreamModel: 'claude-opus-4-1' },
    inlined: true,
    refusesUrls: false,
  },
  gemini: { ...GEMINI_FAMILY, deployment: { provider: 'gemini', upstreamModel: 'gemini-2.5-flash' } },
  'vertex (Gemini)': { ...GEMINI_FAMILY, deployment: { provider: 'vertex', upstreamModel: 'gemini-2.5-pro' } },
  'bedrock (Claude)': {
    deployment: { provider: 'bedrock', upstreamModel: CLAUDE_ON_BEDROCK },
    wire: 'bedrock',
    inlined: true,
    refusesUrls: true,
    thinking: 'claude',
    maxTemperature: 1,
    send: (request) => sendBedrock(request, CLAUDE_ON_BEDROCK),
  },
  'bedrock (Nova)': {
    deployment: { provider: 'bedrock', upstreamModel: NOVA },
    wire: 'bedrock',
    inlined: true,
    refusesUrls: true,
    thinking: 'none',
    maxTemperature: 1,
    send: (request) => sendBedrock(request, NOVA),
  },
};

const PAIRS = (['chat', 'responses', 'messages'] as const).flatMap((format) =>
  Object.keys(FAMILIES).map((family) => [format, family] as const),
);

/** Whether the request has an image or a document its provider would have to fetch. */
const hasUrlMedia = (request: ChatRequest): boolean =>
  request.messages.some((message) =>
    message.content.some((part) => (part.type === 'image' || part.type === 'document') && /^https?:/.test(part.url)),
  );

/** The request without images and documents, for a provider whose API reads text only. */
/** The request without images and documents; a turn that held nothing else keeps a word of text, as a turn needs content. */
const textOnly = (request: ChatRequest): ChatRequest => ({
  ...request,
  messages: request.messages.map((message) => {
    const content = message.content.filter((part) => part.type !== 'image' && part.type !== 'document');
    const emptied = content.length === 0 && message.content.length > 0;
    return { ...message, content: emptied ? [{ type: 'text' as const, text: 'attachment' }] : content };
  }),
});

describe.each(PAIRS)('request %s → %s (property)', (format, name) => {
  const family = FAMILIES[name]!;
  it('sends a valid body that keeps what the provider carries and names what it drops', () => {
    fc.assert(
      fc.property(canonicalRequest, (generated) => {
        const original = name === 'deepseek' ? textOnly(generated) : generated;
        const body = INBOUND_BODIES[format](original, EXTRA[format]);
        const decodeDropped: string[] = [];
        const call = { key, request: FORMATS[format].decode(body, { dataRetention: false, dropped: decodeDropped }) };
        const planDropped = dropDisallowedFields(call, { candidates: [deployment('d', family.deployment)] });
        if (family.refusesUrls && hasUrlMedia(call.request)) {
          // What the executor's inlining is for: the encoder refuses a URL its provider cannot fetch.
          expect(() => family.send(call.request)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidRequest }));
        }
        const sent = family.send(family.inlined ? inlined(call.request) : call.request);

        // (b) What the provider carries survives, exactly.
        expect(sent.digest).toEqual(expected(original, format, family, planDropped));
        const asked =
          format === 'messages' ? (original.maxOutputTokens ?? MESSAGES_DEFAULT_MAX_TOKENS) : original.maxOutputTokens;
        const required = family.wire === 'anthropic' || family.wire === 'bedrock';
        expect(sent.maxTokens).toBe(asked ?? (required ? ANTHROPIC_DEFAULT_MAX_TOKENS : undefined));
        const askedJson =
          original.responseFormat !== undefined &&
          (format === 'messages'
            ? original.responseFormat.type === 'json_schema'
            : original.responseFormat.type !== 'text');
        expect(sent.json).toBe(askedJson);

        // (c) Never silently lost: a setting the caller sent is on the wire or named, never both.
        const dropped = [...decodeDropped, ...planDropped];
        for (const { field, name: setting, formats } of SETTINGS) {
          if (!formats.includes(format) || original[field] === undefined) continue;
          if (field === 'topLogprobs' && !original.logprobs) continue;
          const onWire = carries(sent.wire, family, setting);
          expect({ setting, sent: onWire, named: dropped.includes(setting) }).toEqual({
            setting,
            sent: !dropped.includes(setting),
            named: !onWire,
          });
        }
        for (const [extra, value] of Object.entries(family.wire === 'gemini' ? {} : EXTRA[format])) {
          const travelled = JSON.stringify(sent.wire[extra]) === JSON.stringify(value);
          expect({ extra, sent: travelled }).toEqual({ extra, sent: !dropped.includes(extra) });
        }
      }),
      { numRuns: 100 },
    );
  });
});
