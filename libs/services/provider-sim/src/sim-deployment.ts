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

/** A Claude deployment served by a running simulator's Anthropic routes (same base URL, see `simBaseUrl`). */
export const simClaudeDeployment = (): Deployment => ({
  id: 'sim-claude',
  provider: 'anthropic',
  model: 'claude-sonnet-4-5',
  upstreamModel: 'claude-sonnet-4-5',
  pricing: { inputPerMTok: '3000000000', outputPerMTok: '15000000000' },
  contextWindow: 200_000,
  maxOutputTokens: 64_000,
});

/** A Gemini deployment served by a running simulator's Gemini API routes (base URL: `simGoogleBaseUrl`). */
export const simGeminiDeployment = (): Deployment => ({
  id: 'sim-gemini',
  provider: 'gemini',
  model: 'gemini-2.5-flash',
  upstreamModel: 'gemini-2.5-flash',
  pricing: { inputPerMTok: '300000000', outputPerMTok: '2500000000' },
  contextWindow: 1_048_576,
  maxOutputTokens: 65_536,
});

/**
 * The Gemini API (`/v1beta`) or Vertex AI (`/v1`) base URL of a running simulator, optionally under
 * a scenario path prefix.
 */
export const simGoogleBaseUrl = (simUrl: string, api: 'gemini' | 'vertex', scenario?: string): string =>
  `${simUrl}${scenario ? `/scenario/${scenario}` : ''}/${api === 'gemini' ? 'v1beta' : 'v1'}`;
/** A Claude-on-Bedrock deployment (an inference profile id) served by a running simulator's Bedrock routes (see `simBedrockBaseUrl`). */
export const simBedrockDeployment = (upstreamModel = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'): Deployment => ({
  id: 'sim-bedrock',
  provider: 'bedrock',
  model: 'claude-sonnet-4-5',
  upstreamModel,
  pricing: { inputPerMTok: '3000000000', outputPerMTok: '15000000000' },
  contextWindow: 200_000,
  maxOutputTokens: 64_000,
});

/** The Bedrock base URL of a running simulator (Bedrock's paths start at the root), optionally under a scenario prefix. */
export const simBedrockBaseUrl = (simUrl: string, scenario?: string): string =>
  scenario ? `${simUrl}/scenario/${scenario}` : simUrl;
