import type { ModelInfo } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import { parseBody } from '@polymux/http';
import type { AnthropicModelInfo, AnthropicModelPage } from '@polymux/wire';
import { ANTHROPIC_MODELS_DEFAULT_LIMIT, ANTHROPIC_MODELS_MAX_LIMIT } from '@polymux/wire';
import { z } from 'zod';

import { modelName } from '../openai/request-bounds';

/** The catalog knows no release dates: Anthropic's own answer for an unknown one is the epoch. */
const UNKNOWN_DATE = '1970-01-01T00:00:00Z';

type Headers = Record<string, string | string[] | undefined>;

/**
 * Whether the caller is an Anthropic client, whose SDK reads Anthropic's model list: it names an
 * `anthropic-version`, or authenticates with `x-api-key` rather than a bearer token. OpenAI's
 * SDKs do neither.
 */
export const isAnthropicCaller = (headers: Headers): boolean =>
  headers['anthropic-version'] !== undefined ||
  (headers['x-api-key'] !== undefined && headers.authorization === undefined);

/** A catalog model as Anthropic describes one; the catalog has no display names, so it is the id. */
export const toAnthropicModel = (model: ModelInfo): AnthropicModelInfo => ({
  type: 'model',
  id: model.id,
  display_name: model.id,
  created_at: UNKNOWN_DATE,
  max_input_tokens: model.contextWindow,
  max_tokens: model.maxOutputTokens,
});

const PageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(ANTHROPIC_MODELS_MAX_LIMIT).default(ANTHROPIC_MODELS_DEFAULT_LIMIT),
    after_id: modelName.optional(),
    before_id: modelName.optional(),
  })
  .refine((query) => query.after_id === undefined || query.before_id === undefined, {
    message: 'give after_id or before_id, not both',
    path: ['before_id'],
  });

const positionOf = (models: readonly ModelInfo[], id: string, param: string): number => {
  const position = models.findIndex((model) => model.id === id);
  if (position < 0) {
    throw new PolymuxException(ErrorCode.InvalidRequest, `${param}: no model ${id} in the list`, { param });
  }
  return position;
};

/**
 * One page of `models` by Anthropic's cursors: `limit` models after `after_id` (or from the start),
 * or the `limit` models just before `before_id`.
 */
export const anthropicModelPage = (models: readonly ModelInfo[], query: unknown): AnthropicModelPage => {
  const { limit, after_id: afterId, before_id: beforeId } = parseBody(PageQuery, query ?? {});
  let start: number;
  let end: number;
  let hasMore: boolean;
  if (beforeId !== undefined) {
    end = positionOf(models, beforeId, 'before_id');
    start = Math.max(0, end - limit);
    hasMore = start > 0;
  } else {
    start = afterId === undefined ? 0 : positionOf(models, afterId, 'after_id') + 1;
    end = Math.min(models.length, start + limit);
    hasMore = end < models.length;
  }
  const data = models.slice(start, end).map(toAnthropicModel);
  return { data, has_more: hasMore, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
};
