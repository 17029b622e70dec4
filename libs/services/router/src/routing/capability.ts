import type { CatalogModel } from '@polymux/catalog';
import type { Intake } from '@polymux/contracts';

import { embeddingIncapability } from '../embedding-models';

/** Why a model cannot serve a chat request (a hard bound besides its context window), or null when it can. */
const chatIncapability = (model: CatalogModel, { signals }: Intake): string | null => {
  if (model.capabilities.embeddings) return 'is an embeddings model: call it on POST /v1/embeddings';
  if (signals.hasTools && !model.capabilities.tools) return 'does not support tool calling';
  if (signals.hasImages && !model.capabilities.vision) return 'does not accept images';
  if (signals.hasResponseFormat && !model.capabilities.jsonSchema) return 'does not support structured output';
  return null;
};

/**
 * Why a model's context window cannot hold a chat request's `inputTokens` (the classifier's count)
 * and the output it asks for, or null when it can. Checked once the request is classified, since
 * the count comes with the classification (the edge's size-only guess misjudges some languages).
 */
export const contextRefusal = (
  model: CatalogModel,
  inputTokens: number,
  maxOutputTokens: number | undefined,
): string | null =>
  inputTokens + Math.min(maxOutputTokens ?? 0, model.maxOutputTokens) > model.contextWindow
    ? `has a ${model.contextWindow}-token context window, too small for this request`
    : null;

/** Why a model cannot serve a request at all, whatever the policy, or null when it can. */
export const incapability = (model: CatalogModel, intake: Intake): string | null =>
  intake.endpoint === 'embeddings' ? embeddingIncapability(model, intake) : chatIncapability(model, intake);
