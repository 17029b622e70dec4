import type { ChatRequest } from '@polymux/contracts';
import { ANTHROPIC_BETAS } from '@polymux/providers';

/** The header Anthropic SDK callers name beta features in, comma-separated. */
export const ANTHROPIC_BETA_HEADER = 'anthropic-beta';

/** The name an ignored beta is reported by in `x-polymux-dropped`: the extra field betas travel in. */
const DROPPED_NAME = 'anthropic_beta';

/**
 * The request with the betas of the caller's `anthropic-beta` header as `extra.anthropic_beta`,
 * beside any the body named. Only betas of the Anthropic adapter's allowlist (`ANTHROPIC_BETAS`)
 * are kept; when the header names others they are ignored, not refused, and `anthropic_beta` is
 * added to `dropped` (for `x-polymux-dropped`). Every endpoint of the Messages API reads the header
 * through here, so `/v1/messages` and `/v1/messages/count_tokens` honour the same betas. A candidate
 * of another provider has the kept betas dropped and named too (`passthrough`).
 */
export const withAnthropicBeta = (request: ChatRequest, header: string | undefined, dropped: string[]): ChatRequest => {
  const named = (header ?? '')
    .split(',')
    .map((beta) => beta.trim())
    .filter((beta) => beta !== '');
  const betas = named.filter((beta) => ANTHROPIC_BETAS.has(beta));
  if (betas.length < named.length) dropped.push(DROPPED_NAME);
  if (betas.length === 0) return request;
  const fromBody = request.extra?.anthropic_beta;
  const anthropicBeta = fromBody === undefined ? betas.join(',') : [fromBody, ...betas].flat();
  return { ...request, extra: { ...request.extra, anthropic_beta: anthropicBeta } };
};
