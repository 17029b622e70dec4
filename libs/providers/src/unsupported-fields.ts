import type { ChatRequest, Deployment } from '@polymux/contracts';

import { anthropicRefusedFields } from './anthropic/anthropic.request';
import { bedrockRefusedFields } from './bedrock/bedrock.refused';

/**
 * A canonical field a provider may be unable to carry: a request field, or `isError`, the flag of a
 * tool message (reported once, however many messages carry it).
 */
export type CanonicalField = keyof ChatRequest | 'isError';

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
  // Chat Completions has no top-k sampling, and a tool message no error flag.
  openai: ['topK', 'isError'],
  // The Messages API has no log probabilities, seed, penalties or several choices.
  anthropic: ['logprobs', 'topLogprobs', 'seed', 'presencePenalty', 'frequencyPenalty', 'n'],
  // Converse has no log probabilities, seed, penalties, several choices, end-user id or parallel-call switch.
  bedrock: ['logprobs', 'topLogprobs', 'seed', 'presencePenalty', 'frequencyPenalty', 'n', 'user', 'parallelToolCalls'],
};

/**
 * Fields a provider has a slot for but refuses in combination with others, given the deployment's
 * output limit, or for some of its models (undefined when the target names none: then those of any model).
 */
const REFUSED_FIELDS: Readonly<
  Record<string, (request: ChatRequest, maxOutputTokens: number, upstreamModel?: string) => CanonicalField[]>
> = {
  anthropic: anthropicRefusedFields,
  bedrock: bedrockRefusedFields,
};

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
  reasoning: 'reasoning',
};

/**
 * Where a call may land: a provider family, or a deployment, whose output limit decides whether
 * some fields are refused (Anthropic's thinking budget is kept below it), as may its model (Bedrock's families).
 */
export type DropTarget =
  string | (Pick<Deployment, 'provider' | 'maxOutputTokens'> & Partial<Pick<Deployment, 'upstreamModel'>>);

export interface UnsupportedFields {
  /** The request without the fields some candidate cannot carry; the same object when there are none. */
  request: ChatRequest;
  /** Their reported names, in the order of the candidates' rows. */
  dropped: string[];
}

const isSet = (request: ChatRequest, field: CanonicalField): boolean =>
  field === 'isError' ? request.messages.some((message) => message.isError) : request[field] !== undefined;

/**
 * The canonical fields `target` cannot carry in `request`: its provider's row, then what it refuses
 * in this request (a deployment given by its provider alone is taken to allow any output length).
 */
export const unsupportedFields = (target: DropTarget, request: ChatRequest): CanonicalField[] => {
  const {
    provider,
    maxOutputTokens = Number.MAX_SAFE_INTEGER,
    upstreamModel,
  } = typeof target === 'string' ? { provider: target, upstreamModel: undefined } : target;
  return [
    ...(UNSUPPORTED_FIELDS[provider] ?? []),
    ...(REFUSED_FIELDS[provider]?.(request, maxOutputTokens, upstreamModel) ?? []),
  ];
};

/**
 * Removes from `request` the canonical fields that any of `targets` (the plan's candidates, so that
 * every fallback sends the same request) cannot carry.
 */
export const dropUnsupportedFields = (request: ChatRequest, targets: readonly DropTarget[]): UnsupportedFields => {
  const unsupported = new Set(targets.flatMap((target) => unsupportedFields(target, request)));
  const fields = [...unsupported].filter((field) => isSet(request, field));
  if (fields.length === 0) return { request, dropped: [] };
  const kept: Record<string, unknown> = { ...request };
  for (const field of fields) {
    if (field === 'isError') kept.messages = request.messages.map(({ isError: _flag, ...message }) => message);
    else delete kept[field];
  }
  return { request: kept as ChatRequest, dropped: fields.map((field) => REPORTED_NAME[field] ?? field) };
};
