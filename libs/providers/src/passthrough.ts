/**
 * Inbound fields without a canonical slot (`ChatRequest.extra`) that a provider family accepts as
 * they are. Anything else is dropped before the call and named in `x-polymux-dropped`. Fields the
 * canonical model carries (e.g. `reasoning_effort`, now `ChatRequest.reasoning`) never arrive here;
 * canonical fields a provider cannot carry are listed in `UNSUPPORTED_FIELDS` (unsupported-fields.ts).
 */
const PASSTHROUGH_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  openai: new Set([
    'audio',
    'logit_bias',
    'metadata',
    'modalities',
    'prediction',
    'prompt_cache_key',
    'prompt_cache_retention',
    'safety_identifier',
    'service_tier',
    'store',
    'verbosity',
    'web_search_options',
  ]),
  // Azure serves OpenAI's own models and takes OpenAI's fields (retention ones stay with the project's choice).
  azure: new Set(['logit_bias', 'metadata', 'prediction', 'store', 'safety_identifier']),
  // Only the inbound `anthropic-beta` header, sent as a header on the adapter's allowlist
  // (ANTHROPIC_BETAS); Anthropic's other extra fields need betas that allowlist leaves out.
  anthropic: new Set(['anthropic_beta']),
};

/**
 * Fields that ask a provider to keep the request or its answer (stored completions, their metadata,
 * extended cache retention, server-side conversation state). Dropped unless the project enables
 * data retention, whatever the provider accepts.
 */
export const RETENTION_FIELDS: ReadonlySet<string> = new Set([
  'store',
  'metadata',
  'prompt_cache_retention',
  'previous_response_id',
  'conversation',
  'background',
]);

export interface Passthrough {
  /** The fields that travel; undefined when none. */
  extra?: Record<string, unknown>;
  /** Names of the fields that do not, in the order of the request. */
  dropped: string[];
}

/** Whether every one of `providers` passes `field` through. */
const acceptedByAll = (field: string, providers: readonly string[]): boolean =>
  providers.every((provider) => PASSTHROUGH_FIELDS[provider]?.has(field) === true);

/**
 * What of `extra` may travel to a call that may land on any of `providers` (the plan's candidates,
 * so the answer is the same whichever deployment serves it): fields all of them accept, retention
 * fields only with `retention`.
 */
export const passthrough = (
  extra: Record<string, unknown> | undefined,
  providers: readonly string[],
  retention: boolean,
): Passthrough => {
  const kept: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [field, value] of Object.entries(extra ?? {})) {
    const allowed = acceptedByAll(field, providers) && (retention || !RETENTION_FIELDS.has(field));
    if (allowed) kept[field] = value;
    else dropped.push(field);
  }
  return Object.keys(kept).length > 0 ? { extra: kept, dropped } : { dropped };
};
