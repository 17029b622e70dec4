import type { CatalogModel } from '@polymux/catalog';
import type { Intake } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

/**
 * Why an embeddings model cannot serve an embeddings intake, or null when it can: the model must
 * be an embeddings model, and a `dimensions` it asks for must be one the catalog entry allows.
 */
export const embeddingIncapability = (model: CatalogModel, intake: Intake): string | null => {
  if (!model.capabilities.embeddings) return 'is not an embeddings model: call it on POST /v1/chat/completions';
  const { dimensions } = intake;
  if (dimensions === undefined || dimensions === model.dimensions?.default) return null;
  const max = model.dimensions?.max;
  if (max === undefined) return 'has a fixed vector size and does not take `dimensions`';
  if (dimensions > max) return `has at most ${max} dimensions`;
  return null;
};

/** `auto` chooses among chat models by task; an embeddings call names its model. */
export const refuseAutoEmbeddings = (): never => {
  throw new PolymuxException(
    ErrorCode.NoCapableModel,
    '`auto` chooses chat models; name an embeddings model for POST /v1/embeddings',
    { param: 'model' },
  );
};
