import type { ChatRequest } from '@polymux/contracts';
import type { OpenAiChatRequest } from '@polymux/wire';

import type { RetentionDefault } from '../data-retention';
import type { OpenAiDialect } from '../openai/openai.dialect';
import { OPENAI_TOOL_NAMES } from '../openai/openai.names';
import { invalidRequest } from '../request-parts';
import type { CanonicalField } from '../unsupported-fields';
import { FUNCTION_NAME_RULE, hashed } from '../tool-names';

/**
 * One OpenAI-compatible provider: its documented API root (for docs/providers.md and the catalog;
 * a deployment's `baseUrl` always says where to call), what its wire cannot carry, and how its
 * dialect differs from OpenAI's. A new preset is a row here.
 */
export interface Preset extends Omit<OpenAiDialect, 'provider' | 'toolNames'> {
  defaultBaseUrl: string;
  /** Canonical fields the provider has no slot for: dropped and named in `x-polymux-dropped`. */
  unsupported: readonly CanonicalField[];
  /** Fields refused only by some models (`upstreamModel` matching the pattern). */
  refusedBy?: ReadonlyArray<{ model: RegExp; fields: readonly CanonicalField[] }>;
  /** `n` above 1 is refused (`n: 1` travels). */
  singleChoice?: boolean;
  /** Whether the provider keeps API prompts and completions by default, and where it says so. */
  retention: RetentionDefault;
  /** The API reads text only: a request with an image or a document is refused before the call. */
  textOnly?: boolean;
  toolNames?: OpenAiDialect['toolNames'];
}

type Body = OpenAiChatRequest & Record<string, unknown>;

/** `top_k`, which OpenAI lacks, for servers that take it. */
const withTopK = (body: Body, request: ChatRequest): Body =>
  request.topK === undefined ? body : { ...body, top_k: request.topK };

/** A temperature above the provider's highest is sent as its highest (OpenAI's scale goes to 2). */
const capTemperature =
  (max: number) =>
  (body: Body): Body =>
    typeof body.temperature === 'number' && body.temperature > max ? { ...body, temperature: max } : body;

/** Mistral: `random_seed` instead of `seed`, no `stream_options` (its last chunk always carries usage). */
const mistralBody = (body: Body): Body => {
  const rest: Body = { ...body };
  delete rest.stream_options;
  if (rest.seed == null) return rest;
  rest.random_seed = rest.seed;
  delete rest.seed;
  return rest;
};

/** Qwen on DashScope: thinking is `enable_thinking` (and `thinking_budget`), not `reasoning_effort`. */
const qwenBody = (body: Body, request: ChatRequest): Body => {
  const rest: Body = { ...withTopK(body, request) };
  delete rest.reasoning_effort;
  const reasoning = request.reasoning;
  if (!reasoning) return rest;
  const enabled = reasoning.effort !== 'none' && reasoning.budgetTokens !== 0;
  return {
    ...rest,
    enable_thinking: enabled,
    ...(enabled && reasoning.budgetTokens ? { thinking_budget: reasoning.budgetTokens } : {}),
  };
};

/** OpenRouter: reasoning as its `reasoning` object (an effort, or a token budget). */
const openRouterBody = (body: Body, request: ChatRequest): Body => {
  const { reasoning_effort: effort, ...rest } = withTopK(body, request);
  const budget = request.reasoning?.budgetTokens;
  if (request.reasoning?.effort === undefined && budget !== undefined)
    return { ...rest, reasoning: { max_tokens: budget } };
  return effort ? { ...rest, reasoning: { effort } } : rest;
};

/** OpenRouter's app attribution, from the deployment's `appUrl` and `appName` settings. */
const openRouterHeaders = (settings: Readonly<Record<string, string | number | boolean>>): Record<string, string> => {
  const headers: Record<string, string> = {};
  if (typeof settings.appUrl === 'string') headers['http-referer'] = settings.appUrl;
  if (typeof settings.appName === 'string') headers['x-title'] = settings.appName;
  return headers;
};

/** Servers run on one's own hardware: `max_tokens`, no key needed, OpenAI's fields mostly. */
const SELF_HOSTED = {
  maxTokensField: 'max_tokens',
  embeddings: true,
  // No provider in between: what the server logs is the operator's own configuration.
  retention: { retainsData: false },
} as const;

/** Every OpenAI-compatible preset, by `Deployment.provider` (see docs/providers.md for each one's quirks). */
export const PRESETS = {
  mistral: {
    defaultBaseUrl: 'https://api.mistral.ai/v1',
    retention: { retainsData: true, source: 'https://docs.mistral.ai/admin/monitor-comply/zero-data-retention' },
    maxTokensField: 'max_tokens',
    embeddings: true,
    unsupported: ['topK', 'logprobs', 'topLogprobs', 'user', 'reasoning', 'isError'],
    // Mistral refuses any tool-call id that is not exactly 9 alphanumerics.
    toolNames: { name: FUNCTION_NAME_RULE, id: { valid: /^[a-zA-Z0-9]{9}$/, substitute: hashed(9) } },
    body: mistralBody,
  },
  deepseek: {
    defaultBaseUrl: 'https://api.deepseek.com',
    retention: { retainsData: true, source: 'https://meetily.ai/llm-privacy/deepseek' },
    maxTokensField: 'max_tokens',
    embeddings: false,
    unsupported: ['topK', 'n', 'seed', 'logprobs', 'topLogprobs', 'isError'],
    // Thinking mode: a tool-call turn's reasoning must go back with it, or DeepSeek answers 400.
    replayReasoning: 'reasoning_content',
    // DeepSeek's chat API takes text parts only (its 400 names the unknown `image_url` or `file` variant).
    textOnly: true,
  },
  qwen: {
    defaultBaseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
    retention: { retainsData: true },
    maxTokensField: 'max_tokens',
    embeddings: true,
    unsupported: ['isError'],
    body: qwenBody,
  },
  moonshot: {
    defaultBaseUrl: 'https://api.moonshot.ai/v1',
    retention: { retainsData: true, source: 'https://www.kimi.com/help/kimi-api/api-data-security' },
    maxTokensField: 'max_tokens',
    embeddings: false,
    unsupported: ['topK', 'isError'],
    replayReasoning: 'reasoning_content',
    body: capTemperature(1),
  },
  zhipu: {
    defaultBaseUrl: 'https://open.bigmodel.cn/api/paas/v4',
    retention: { retainsData: true, source: 'https://infercheck.eu/en/provider/zhipu-ai-coding-plan' },
    maxTokensField: 'max_tokens',
    embeddings: true,
    unsupported: ['topK', 'n', 'logprobs', 'topLogprobs', 'isError'],
    body: capTemperature(1),
  },
  minimax: {
    defaultBaseUrl: 'https://api.minimax.io/v1',
    retention: { retainsData: true },
    maxTokensField: 'max_tokens',
    embeddings: false,
    unsupported: ['topK', 'n', 'seed', 'logprobs', 'topLogprobs', 'presencePenalty', 'frequencyPenalty', 'isError'],
    body: capTemperature(1),
  },
  xai: {
    defaultBaseUrl: 'https://api.x.ai/v1',
    retention: { retainsData: true, source: 'https://docs.x.ai/developers/faq/security' },
    maxTokensField: 'max_tokens',
    embeddings: false,
    unsupported: ['topK', 'isError'],
    // Grok's reasoning models refuse penalties and stop sequences; grok-4 also any reasoning effort.
    refusedBy: [
      { model: /^grok-4/, fields: ['presencePenalty', 'frequencyPenalty', 'stop', 'reasoning'] },
      { model: /^grok-(3-mini|code)/, fields: ['presencePenalty', 'frequencyPenalty', 'stop'] },
    ],
  },
  groq: {
    defaultBaseUrl: 'https://api.groq.com/openai/v1',
    retention: { retainsData: true, source: 'https://console.groq.com/docs/your-data' },
    maxTokensField: 'max_tokens',
    embeddings: false,
    // Groq answers 400 to logprobs, top_logprobs, logit_bias, a message `name`, and `n` other than 1.
    unsupported: ['topK', 'logprobs', 'topLogprobs', 'name', 'isError'],
    singleChoice: true,
  },
  together: {
    defaultBaseUrl: 'https://api.together.xyz/v1',
    retention: { retainsData: true, source: 'https://docs.together.ai/docs/privacy-and-security' },
    maxTokensField: 'max_tokens',
    embeddings: true,
    unsupported: ['isError'],
    body: withTopK,
  },
  fireworks: {
    defaultBaseUrl: 'https://api.fireworks.ai/inference/v1',
    retention: { retainsData: false, source: 'https://docs.fireworks.ai/guides/security_compliance/data_handling' },
    maxTokensField: 'max_tokens',
    embeddings: true,
    unsupported: ['isError'],
    body: withTopK,
  },
  openrouter: {
    defaultBaseUrl: 'https://openrouter.ai/api/v1',
    retention: { retainsData: true, source: 'https://openrouter.ai/docs/features/zdr' },
    maxTokensField: 'max_tokens',
    embeddings: false,
    unsupported: ['isError'],
    replayReasoning: 'reasoning',
    body: openRouterBody,
    headers: openRouterHeaders,
  },
  vllm: { defaultBaseUrl: 'http://localhost:8000/v1', ...SELF_HOSTED, unsupported: ['isError'], body: withTopK },
  ollama: {
    defaultBaseUrl: 'http://localhost:11434/v1',
    ...SELF_HOSTED,
    unsupported: ['topK', 'n', 'logprobs', 'topLogprobs', 'toolChoice', 'user', 'isError'],
  },
  tgi: {
    defaultBaseUrl: 'http://localhost:8080/v1',
    ...SELF_HOSTED,
    embeddings: false,
    unsupported: ['topK', 'n', 'isError'],
  },
  lmstudio: {
    defaultBaseUrl: 'http://localhost:1234/v1',
    ...SELF_HOSTED,
    unsupported: ['n', 'isError'],
    body: withTopK,
  },
} satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/**
 * Whether a preset that sends reasoning back loses some of this conversation's: only the visible
 * thinking of a turn that called tools goes back, never a text turn's nor redacted thinking.
 */
const losesThinking = (request: ChatRequest): boolean =>
  request.messages.some((message) =>
    message.content.some(
      (part) => part.type === 'redacted_thinking' || (part.type === 'thinking' && !message.toolCalls?.length),
    ),
  );

/**
 * What `provider`'s models refuse in `request`: fields only some models refuse, `n` above 1 where
 * only one choice is made, thinking a preset that sends reasoning back cannot place.
 */
export const presetRefusedFields = (
  provider: PresetName,
  request: ChatRequest,
  upstreamModel = '',
): CanonicalField[] => {
  const preset: Preset = PRESETS[provider];
  const refused: CanonicalField[] = [
    ...((preset.refusedBy ?? []).find(({ model }) => model.test(upstreamModel))?.fields ?? []),
  ];
  if (preset.singleChoice && (request.n ?? 1) > 1) refused.push('n');
  if (preset.replayReasoning && losesThinking(request)) refused.push('thinking');
  return refused;
};

/**
 * `body`, refusing first (as `invalid_request`, in the caller's format) a request with an image or
 * a document anywhere, which a text-only provider would answer with its own 400.
 */
const textOnly =
  (provider: string, body: Preset['body']) =>
  (mapped: Body, request: ChatRequest): OpenAiChatRequest => {
    const media = request.messages
      .flatMap((message) => message.content)
      .find((part) => part.type === 'image' || part.type === 'document');
    if (media) throw invalidRequest(`${provider} reads text only: send the request without its ${media.type}`);
    return body ? body(mapped, request) : mapped;
  };

/** The dialect the OpenAI adapter speaks to `provider`'s servers. */
export const presetDialect = (provider: PresetName): OpenAiDialect => {
  const preset: Preset = PRESETS[provider];
  return {
    provider,
    toolNames: preset.toolNames ?? OPENAI_TOOL_NAMES,
    maxTokensField: preset.maxTokensField,
    replayReasoning: preset.replayReasoning,
    embeddings: preset.embeddings,
    body: preset.textOnly ? textOnly(provider, preset.body) : preset.body,
    headers: preset.headers,
  };
};
