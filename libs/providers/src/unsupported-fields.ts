import type { ChatRequest, ContentPart, Deployment } from '@polymux/contracts';

import { anthropicRefusedFields } from './anthropic/anthropic.request';

/**
 * A canonical field a provider may be unable to carry: a request field, `isError`, the flag of a
 * tool message, or `thinking`, the reasoning parts (thinking and redacted thinking) of the
 * conversation's turns; each reported once, however many messages carry it.
 */
export type CanonicalField = keyof ChatRequest | 'isError' | 'thinking';

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
  // The Messages API has no log probabilities, seed, penalties or several choices.
  anthropic: ['logprobs', 'topLogprobs', 'seed', 'presencePenalty', 'frequencyPenalty', 'n'],
};

const isThinking = (part: ContentPart): boolean => part.type === 'thinking' || part.type === 'redacted_thinking';

/** Anthropic takes back only thinking it signed: another provider's (unsigned) reasoning is not sent. */
const unsignedThinking = (request: ChatRequest): CanonicalField[] =>
  request.messages.some((message) => message.content.some((part) => part.type === 'thinking' && !part.signature))
    ? ['thinking']
    : [];

/** Fields a provider has a slot for but refuses in combination with others, given the deployment's output limit. */
const REFUSED_FIELDS: Readonly<Record<string, (request: ChatRequest, maxOutputTokens: number) => CanonicalField[]>> = {
  anthropic: (request, maxOutputTokens) => [
    ...anthropicRefusedFields(request, maxOutputTokens),
    ...unsignedThinking(request),
  ],
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
};

/**
 * Where a call may land: a provider family, or a deployment, whose output limit decides whether
 * some fields are refused (Anthropic's thinking budget is kept below it).
 */
export type DropTarget = string | Pick<Deployment, 'provider' | 'maxOutputTokens'>;

export interface UnsupportedFields {
  /** The request without the fields some candidate cannot carry (but `LEFT_TO_THE_ADAPTER`); the same object when there are none. */
  request: ChatRequest;
  /** Their reported names, in the order of the candidates' rows. */
  dropped: string[];
}

const isSet = (request: ChatRequest, field: CanonicalField): boolean => {
  if (field === 'isError') return request.messages.some((message) => message.isError);
  if (field === 'thinking') return request.messages.some((message) => message.content.some(isThinking));
  return request[field] !== undefined;
};

/**
 * The canonical fields `target` cannot carry in `request`: its provider's row, then what it refuses
 * in this request (a deployment given by its provider alone is taken to allow any output length).
 */
export const unsupportedFields = (target: DropTarget, request: ChatRequest): CanonicalField[] => {
  const { provider, maxOutputTokens = Number.MAX_SAFE_INTEGER } =
    typeof target === 'string' ? { provider: target } : target;
  return [...(UNSUPPORTED_FIELDS[provider] ?? []), ...(REFUSED_FIELDS[provider]?.(request, maxOutputTokens) ?? [])];
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
    if (field === 'isError') kept.messages = request.messages.map(({ isError: _flag, ...message }) => message);
    else delete kept[field];
  }
  return { request: kept as ChatRequest, dropped };
};
