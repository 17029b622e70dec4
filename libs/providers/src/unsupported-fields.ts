import type { ChatRequest } from '@polymux/contracts';

/**
 * Canonical request fields a provider family's wire format has no slot for. Where a call may land
 * on such a provider, the field is removed before the call and named in `x-polymux-dropped` (by the
 * name below: the snake_case name the OpenAI and Anthropic wire formats share), exactly like an
 * `extra` field the provider does not pass through (see `passthrough`).
 *
 * Data, not code: a provider folder adds its row here. A field absent from a provider's row is one
 * its adapter carries (or deliberately maps to the nearest equivalent, e.g. a reasoning budget to an
 * effort); a provider without a row carries every canonical field.
 */
export const UNSUPPORTED_FIELDS: Readonly<Record<string, ReadonlyArray<keyof ChatRequest>>> = {
  // Chat Completions has no top-k sampling.
  openai: ['topK'],
  // The Messages API has no log probabilities, seed, penalties or several choices.
  anthropic: ['logprobs', 'topLogprobs', 'seed', 'presencePenalty', 'frequencyPenalty', 'n'],
};

/** The name a dropped canonical field is reported by; a field not listed is reported by its canonical name. */
const REPORTED_NAME: Partial<Record<keyof ChatRequest, string>> = {
  topK: 'top_k',
  logprobs: 'logprobs',
  topLogprobs: 'top_logprobs',
  seed: 'seed',
  presencePenalty: 'presence_penalty',
  frequencyPenalty: 'frequency_penalty',
  n: 'n',
  parallelToolCalls: 'parallel_tool_calls',
  user: 'user',
};

export interface UnsupportedFields {
  /** The request without the fields some candidate cannot carry; the same object when there are none. */
  request: ChatRequest;
  /** Their reported names, in the order of the candidates' rows. */
  dropped: string[];
}

/**
 * Removes from `request` the canonical fields that any of `providers` (the plan's candidates, so that
 * every fallback sends the same request) cannot carry.
 */
export const dropUnsupportedFields = (request: ChatRequest, providers: readonly string[]): UnsupportedFields => {
  const unsupported = new Set(providers.flatMap((provider) => UNSUPPORTED_FIELDS[provider] ?? []));
  const fields = [...unsupported].filter((field) => request[field] !== undefined);
  if (fields.length === 0) return { request, dropped: [] };
  const kept: Record<string, unknown> = { ...request };
  for (const field of fields) delete kept[field];
  return { request: kept as ChatRequest, dropped: fields.map((field) => REPORTED_NAME[field] ?? field) };
};
