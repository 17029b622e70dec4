/**
 * Anthropic's Models API (`GET /v1/models`, `GET /v1/models/{model_id}`), defined once: what the
 * official SDK's `models.list()` and `models.retrieve()` read.
 */

/** One model. `created_at` is RFC 3339; Anthropic answers an epoch value when the date is unknown. */
export interface AnthropicModelInfo {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
  /** The context window, in tokens. */
  max_input_tokens?: number | null;
  /** The largest `max_tokens` the model takes. */
  max_tokens?: number | null;
}

/**
 * A page of the list. `has_more` says whether more models lie in the direction paged (after
 * `last_id`, or before `first_id` when the request named `before_id`).
 */
export interface AnthropicModelPage {
  data: AnthropicModelInfo[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

/** The paging parameters of the list: Anthropic's default `limit` is 20, at most 1,000. */
export const ANTHROPIC_MODELS_DEFAULT_LIMIT = 20;
export const ANTHROPIC_MODELS_MAX_LIMIT = 1000;
