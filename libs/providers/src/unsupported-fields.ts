import type { ChatRequest, ContentPart, Deployment } from '@polymux/contracts';

import { anthropicRefusedFields } from './anthropic/anthropic.request';
import { bedrockRefusedFields } from './bedrock/bedrock.refused';
import { isClaudeOnBedrock } from './bedrock/bedrock.request';
import type { PresetName } from './openai-compatible/presets';
import { PRESETS, PRESET_NAMES, presetRefusedFields } from './openai-compatible/presets';
import { isTaggedSignature, signatureOf } from './thought-signature';
import { vertexFamily } from './vertex/vertex.publisher';

/** The message fields a provider may be unable to carry: a tool result's error flag, a participant's name. */
type MessageField = 'isError' | 'name';
const MESSAGE_FIELDS: ReadonlySet<string> = new Set<MessageField>(['isError', 'name']);

/**
 * A canonical field a provider may be unable to carry: a request field, a message field (`isError`,
 * the flag of a tool message; `name`, a message's participant name), or `thinking`, the reasoning
 * parts (thinking and redacted thinking) of the conversation's turns; each reported once, however
 * many messages carry it.
 */
export type CanonicalField = keyof ChatRequest | MessageField | 'thinking';

/**
 * Canonical request fields a provider family's wire format has no slot for. Where a call may land
 * on such a provider, the field is removed before the call and named in `x-polymux-dropped` (by the
 * name below: the snake_case name the OpenAI and Anthropic wire formats share), exactly like an
 * `extra` field the provider does not pass through (see `passthrough`).
 *
 * Data, not code: a provider folder adds its row here. A field absent from a provider's row is one
 * its adapter carries (or deliberately maps to the nearest equivalent, e.g. a reasoning budget to an
 * effort); a provider without a row carries every canonical field. What a provider refuses only in
 * some requests is in `REFUSED_FIELDS`.
 */
export const UNSUPPORTED_FIELDS: Readonly<Record<string, ReadonlyArray<CanonicalField>>> = {
  // Chat Completions has no top-k sampling, a tool message no error flag, an assistant turn no reasoning.
  openai: ['topK', 'isError', 'thinking'],
  azure: ['topK', 'isError', 'thinking'],
  // The Messages API has no log probabilities, seed, penalties or several choices.
  anthropic: ['logprobs', 'topLogprobs', 'seed', 'presencePenalty', 'frequencyPenalty', 'n'],
  // The OpenAI-compatible presets' rows live with the rest of each preset (openai-compatible/presets.ts).
  // A preset that sends no reasoning back (no `replayReasoning`) cannot carry a turn's thinking either.
  ...Object.fromEntries(
    PRESET_NAMES.map((name) => {
      const preset: { unsupported: readonly CanonicalField[]; replayReasoning?: string } = PRESETS[name];
      return [name, preset.replayReasoning ? preset.unsupported : [...preset.unsupported, 'thinking']];
    }),
  ),
  // generateContent has no end-user id or parallel-call switch; its log probabilities are not read.
  gemini: ['logprobs', 'topLogprobs', 'parallelToolCalls', 'user'],
  // Converse has no log probabilities, seed, penalties, several choices, end-user id or parallel-call switch.
  bedrock: ['logprobs', 'topLogprobs', 'seed', 'presencePenalty', 'frequencyPenalty', 'n', 'user', 'parallelToolCalls'],
};

/**
 * Providers that speak another family's wire format, by deployment: Vertex AI serves Claude with
 * Anthropic's Messages body and Gemini with `generateContent`, so its deployments take that row.
 */
const FAMILY_OF: Readonly<Record<string, (upstreamModel: string) => string>> = {
  vertex: vertexFamily,
};

const isThinking = (part: ContentPart): boolean => part.type === 'thinking' || part.type === 'redacted_thinking';

/**
 * A provider takes back only thinking it signed itself (Anthropic's signatures untagged, another's
 * tagged `<provider>:`, see thought-signature.ts): unsigned reasoning, or another provider's, is not sent.
 */
const foreignThinking =
  (owns: (signature: string) => boolean) =>
  (request: ChatRequest): CanonicalField[] =>
    request.messages.some((message) =>
      message.content.some((part) => part.type === 'thinking' && !(part.signature && owns(part.signature))),
    )
      ? ['thinking']
      : [];
const unsignedThinking = foreignThinking((signature) => !isTaggedSignature(signature));
const nonGeminiThinking = foreignThinking((signature) => signatureOf('gemini', signature) !== undefined);

type Refusal = (
  request: ChatRequest,
  deployment: { maxOutputTokens: number; upstreamModel?: string },
) => CanonicalField[];

/** Fields a provider has a slot for but refuses in combination with others, or on some models, given the deployment. */
const REFUSED_FIELDS: Readonly<Record<string, Refusal>> = {
  anthropic: (request, { maxOutputTokens }) => [
    ...anthropicRefusedFields(request, maxOutputTokens),
    ...unsignedThinking(request),
  ],
  // Claude on Bedrock takes back the thinking Claude signed; the other families take none.
  bedrock: (request, { maxOutputTokens, upstreamModel }) => [
    ...bedrockRefusedFields(request, maxOutputTokens, upstreamModel),
    ...(upstreamModel !== undefined && isClaudeOnBedrock(upstreamModel)
      ? unsignedThinking(request)
      : ['thinking' as const]),
  ],
  // Gemini takes back its own signatures only, never the thought text.
  gemini: nonGeminiThinking,
  ...Object.fromEntries(
    PRESET_NAMES.map((name: PresetName): [string, Refusal] => [
      name,
      (request, { upstreamModel }) => presetRefusedFields(name, request, upstreamModel),
    ]),
  ),
};

/**
 * Fields named where a candidate cannot carry them but left in the request: the adapter that cannot
 * carry them leaves them out itself. Removing a conversation's thinking for every candidate would
 * break a Claude candidate, which needs its signed thinking back before a tool call when it thinks.
 */
const LEFT_TO_THE_ADAPTER: ReadonlySet<CanonicalField> = new Set(['thinking']);

/** The name a dropped canonical field is reported by; a field not listed is reported by its canonical name. */
const REPORTED_NAME: Partial<Record<CanonicalField, string>> = {
  topK: 'top_k',
  topP: 'top_p',
  logprobs: 'logprobs',
  topLogprobs: 'top_logprobs',
  seed: 'seed',
  presencePenalty: 'presence_penalty',
  frequencyPenalty: 'frequency_penalty',
  n: 'n',
  parallelToolCalls: 'parallel_tool_calls',
  user: 'user',
  temperature: 'temperature',
  toolChoice: 'tool_choice',
  isError: 'is_error',
  name: 'messages[].name',
  reasoning: 'reasoning',
};

/**
 * Where a call may land: a provider family, or a deployment, whose output limit and model decide
 * whether some fields are refused (Anthropic's thinking budget is kept below the limit; Grok's
 * reasoning models refuse penalties), and whose upstream model picks the family of a provider that
 * speaks several (`FAMILY_OF`).
 */
export type DropTarget =
  string | (Pick<Deployment, 'provider' | 'maxOutputTokens'> & Partial<Pick<Deployment, 'upstreamModel'>>);

export interface UnsupportedFields {
  /** The request without the fields some candidate cannot carry (but `LEFT_TO_THE_ADAPTER`); the same object when there are none. */
  request: ChatRequest;
  /** Their reported names, in the order of the candidates' rows. */
  dropped: string[];
}

const isMessageField = (field: CanonicalField): field is MessageField => MESSAGE_FIELDS.has(field);

const isSet = (request: ChatRequest, field: CanonicalField): boolean => {
  if (field === 'thinking') return request.messages.some((message) => message.content.some(isThinking));
  return isMessageField(field)
    ? request.messages.some((message) => message[field] !== undefined)
    : request[field] !== undefined;
};

/**
 * The canonical fields `target` cannot carry in `request`: its provider's row, then what it refuses
 * in this request (a deployment given by its provider alone is taken to allow any output length).
 */
export const unsupportedFields = (target: DropTarget, request: ChatRequest): CanonicalField[] => {
  const {
    provider: name,
    maxOutputTokens = Number.MAX_SAFE_INTEGER,
    upstreamModel,
  } = typeof target === 'string' ? { provider: target, upstreamModel: undefined } : target;
  const provider = FAMILY_OF[name]?.(upstreamModel ?? '') ?? name;
  const refused = REFUSED_FIELDS[provider]?.(request, { maxOutputTokens, upstreamModel }) ?? [];
  return [...(UNSUPPORTED_FIELDS[provider] ?? []), ...refused];
};

/**
 * Removes from `request` the canonical fields that any of `targets` (the plan's candidates, so that
 * every fallback sends the same request) cannot carry.
 */
export const dropUnsupportedFields = (request: ChatRequest, targets: readonly DropTarget[]): UnsupportedFields => {
  const unsupported = new Set(targets.flatMap((target) => unsupportedFields(target, request)));
  const fields = [...unsupported].filter((field) => isSet(request, field));
  const dropped = fields.map((field) => REPORTED_NAME[field] ?? field);
  const removed = fields.filter((field) => !LEFT_TO_THE_ADAPTER.has(field));
  if (removed.length === 0) return { request, dropped };
  const kept: Record<string, unknown> = { ...request };
  for (const field of removed) {
    if (!isMessageField(field)) delete kept[field];
    else {
      kept.messages = (kept.messages as ChatRequest['messages']).map((message) => {
        const rest = { ...message };
        delete rest[field];
        return rest;
      });
    }
  }
  return { request: kept as ChatRequest, dropped };
};
