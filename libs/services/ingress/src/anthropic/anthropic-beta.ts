import type { ChatRequest } from '@polymux/contracts';

/** The header Anthropic SDK callers name beta features in, comma-separated. */
export const ANTHROPIC_BETA_HEADER = 'anthropic-beta';

/**
 * The request with the caller's `anthropic-beta` header as `extra.anthropic_beta`, beside any the
 * body named. Not filtered here: the Anthropic adapter keeps only its allowlist (`ANTHROPIC_BETAS`),
 * and a candidate of another provider has it dropped and named in `x-polymux-dropped` (`passthrough`).
 */
export const withAnthropicBeta = (request: ChatRequest, header: string | undefined): ChatRequest => {
  const betas = (header ?? '')
    .split(',')
    .map((beta) => beta.trim())
    .filter((beta) => beta !== '');
  if (betas.length === 0) return request;
  const fromBody = request.extra?.anthropic_beta;
  const anthropicBeta = fromBody === undefined ? betas.join(',') : [fromBody, ...betas].flat();
  return { ...request, extra: { ...request.extra, anthropic_beta: anthropicBeta } };
};
