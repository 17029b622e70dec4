import type { Deployment } from '@polymux/contracts';

/** A catalog deployment as a plan carries it, served by a running simulator (see `simBaseUrl`). */
export const simDeployment = (): Deployment => ({
  id: 'sim-gpt',
  provider: 'openai',
  model: 'gpt-4.1-mini',
  upstreamModel: 'gpt-4.1-mini',
  pricing: { inputPerMTok: '400000000', outputPerMTok: '1600000000' },
  contextWindow: 1_000_000,
  maxOutputTokens: 32_768,
});

/** The OpenAI base URL of a running simulator, optionally under a scenario path prefix. */
export const simBaseUrl = (simUrl: string, scenario?: string): string =>
  scenario ? `${simUrl}/scenario/${scenario}/v1` : `${simUrl}/v1`;
