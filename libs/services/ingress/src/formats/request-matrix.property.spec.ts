import type { ChatRequest } from '@polymux/contracts';
import { JSON_TOOL, toAnthropicRequest, toBedrockRequest, toOpenAiRequest } from '@polymux/providers';
import { canonicalRequest } from '@polymux/testing';
import { AnthropicMessagesRequest, BedrockConverseRequest } from '@polymux/wire';
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
 * Requests, for every inbound format F × provider P: a caller's body in F → F.decode → the plan's
 * dropped fields for P → P's request encoder → P's wire body. (a) The wire body is valid for P
 * (Anthropic: the wire schema, alternating roles, every tool use answered in the next turn; OpenAI:
 * ingress's own Chat Completions decoder, a full validation). (b) Everything P can carry survives:
 * texts, images, documents, system text, tool definitions, tool calls (arguments JSON-equal, ids
 * and names as the caller wrote them once Anthropic's renaming is read back), tool results, max
 * tokens, stop sequences, temperature, response format; (c) every setting F carried that the wire
 * lacks is named by the dropped-field mechanism, and nothing it names reaches the wire.
 *
 * Bedrock is Claude on Bedrock: its Converse body is read back here, since no inbound format speaks it.
 *
 * Inherently lossy, and stated here rather than reported: thinking blocks reach only Claude
 * (Anthropic's or Bedrock's), and only from a format that carries them (Chat Completions has none;
 * OpenAI takes none back); an image's `detail` and a document's file name reach only OpenAI.
 */

type ProviderName = 'openai' | 'anthropic' | 'bedrock';
/** Claude on Bedrock, so that thinking, `top_k` and tool-result status travel. */
const BEDROCK_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const thinks = (provider: ProviderName): boolean => provider !== 'openai';

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
const INLINED_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk';
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
const expected = (
  request: ChatRequest,
  format: InboundName,
  provider: ProviderName,
  dropped: readonly string[],
): Digest => {
  const all = digest(provider === 'bedrock' ? inlined(request) : request);
  const thinking = format !== 'chat' && thinks(provider);
  // Converse has no tool choice `none`: no tools are sent, unless the history's tool blocks need them.
  const history = request.messages.some((message) => message.role === 'tool' || message.toolCalls?.length);
  const toolless = provider === 'bedrock' && request.toolChoice === 'none' && !history;
  return {
    ...all,
    tools: toolless ? [] : all.tools,
    thinking: thinking ? all.thinking : [],
    stop: format === 'responses' ? undefined : all.stop,
    // A temperature above Anthropic's 1 is sent as 1 (OpenAI's scale goes to 2; a Messages caller cannot say more).
    temperature:
      (format === 'messages' && (request.temperature ?? 0) > 1) || dropped.includes('temperature')
        ? undefined
        : thinks(provider) && all.temperature !== undefined
          ? Math.min(all.temperature, 1)
          : all.temperature,
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

const sendOpenAi = (request: ChatRequest): Sent => {
  const wire = overJson(toOpenAiRequest(request, { model: 'gpt-x', maxTokensField: 'max_tokens' }));
  // (a) Ingress's Chat Completions decoder validates the whole body: it throws on anything invalid.
  const readBack = chatCompletions.decode(wire, { dataRetention: false, dropped: [] });
  return {
    wire,
    digest: digest(readBack),
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
  const readBack: ChatRequest = {
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
    tools: decoded.tools
      ?.filter((tool) => tool.name !== JSON_TOOL)
      .map((tool) => ({ ...tool, name: names.callerName(tool.name) })),
  };
  if (readBack.tools?.length === 0) delete readBack.tools;
  return {
    wire,
    digest: digest(readBack),
    maxTokens: parsed.max_tokens,
    json: decoded.tools?.some((tool) => tool.name === JSON_TOOL) === true,
  };
};

type BedrockBlock = BedrockConverseRequest['messages'][number]['content'][number];

/** The digest of a Converse body, the caller's tool names and ids read back through the call's renaming. */
const sendBedrock = (request: ChatRequest): Sent => {
  const { body, names, jsonTool } = toBedrockRequest(request, {
    model: BEDROCK_MODEL,
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
  const sent = {
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

/** Whether P's wire carries a canonical setting (Anthropic takes the end user as `metadata.user_id`). */
const carries = (wire: Record<string, unknown>, provider: ProviderName, name: string): boolean => {
  if (provider === 'bedrock') {
    const inference = wire.inferenceConfig as Record<string, unknown> | undefined;
    const additional = wire.additionalModelRequestFields as Record<string, unknown> | undefined;
    if (name === 'top_p') return inference?.topP !== undefined;
    return name === 'top_k' && additional?.top_k !== undefined;
  }
  return provider === 'anthropic' && name === 'user'
    ? (wire.metadata as { user_id?: unknown } | undefined)?.user_id !== undefined
    : wire[name] !== undefined;
};

const SENDERS: Record<ProviderName, (request: ChatRequest) => Sent> = {
  openai: sendOpenAi,
  anthropic: sendAnthropic,
  bedrock: sendBedrock,
};

const PAIRS = (['chat', 'responses', 'messages'] as const).flatMap((format) =>
  (['openai', 'anthropic', 'bedrock'] as const).map((provider) => [format, provider] as const),
);

describe.each(PAIRS)('request %s → %s (property)', (format, provider) => {
  it('sends a valid body that keeps what the provider carries and names what it drops', () => {
    fc.assert(
      fc.property(canonicalRequest, (original) => {
        const body = INBOUND_BODIES[format](original, EXTRA[format]);
        const decodeDropped: string[] = [];
        const call = { key, request: FORMATS[format].decode(body, { dataRetention: false, dropped: decodeDropped }) };
        const target = deployment('d', { provider, upstreamModel: provider === 'bedrock' ? BEDROCK_MODEL : 'gpt-4o' });
        const planDropped = dropDisallowedFields(call, { candidates: [target] });
        const sent = SENDERS[provider](provider === 'bedrock' ? inlined(call.request) : call.request);

        // (b) What the provider carries survives, exactly.
        expect(sent.digest).toEqual(expected(original, format, provider, planDropped));
        const asked =
          format === 'messages' ? (original.maxOutputTokens ?? MESSAGES_DEFAULT_MAX_TOKENS) : original.maxOutputTokens;
        expect(sent.maxTokens).toBe(asked ?? (thinks(provider) ? ANTHROPIC_DEFAULT_MAX_TOKENS : undefined));
        const askedJson =
          original.responseFormat !== undefined &&
          (format === 'messages'
            ? original.responseFormat.type === 'json_schema'
            : original.responseFormat.type !== 'text');
        expect(sent.json).toBe(askedJson);

        // (c) Never silently lost: a setting the caller sent is on the wire or named, never both.
        const dropped = [...decodeDropped, ...planDropped];
        for (const { field, name, formats } of SETTINGS) {
          if (!formats.includes(format) || original[field] === undefined) continue;
          if (field === 'topLogprobs' && !original.logprobs) continue;
          expect({ name, sent: carries(sent.wire, provider, name), named: dropped.includes(name) }).toEqual({
            name,
            sent: !dropped.includes(name),
            named: !carries(sent.wire, provider, name),
          });
        }
        for (const [name, value] of Object.entries(EXTRA[format])) {
          const travelled = JSON.stringify(sent.wire[name]) === JSON.stringify(value);
          expect({ name, sent: travelled }).toEqual({ name, sent: !dropped.includes(name) });
        }
      }),
      { numRuns: 100 },
    );
  });
});
