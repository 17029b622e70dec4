import type { Deployment } from '@polymux/contracts';

/** A catalog deployment served by a running simulator, optionally under a scenario path prefix. */
export const simDeployment = (simUrl: string, scenario?: string): Deployment => ({
  id: 'sim-gpt',
  provider: 'openai',
  model: 'gpt-4.1-mini',
  upstreamModel: 'gpt-4.1-mini',
  baseUrl: scenario ? `${simUrl}/scenario/${scenario}/v1` : `${simUrl}/v1`,
  pricing: { inputPerMTok: '400000000', outputPerMTok: '1600000000' },
  contextWindow: 1_000_000,
  maxOutputTokens: 32_768,
});
