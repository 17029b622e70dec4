export type { SimStats } from './exchange';
export { DEFAULT_DIMENSIONS, LARGE_DIMENSIONS, embeddingVector } from './openai/embeddings';
export { embeddingTokens, promptTokens } from './openai/prompt-tokens';
export { generatedText, planCompletion } from './openai/completion';
/** Kept under its old name for the specs that parse what the adapter wrote. */
export { OpenAiChatRequest as ChatCompletionRequest } from '@polymux/wire';
export type { ProviderSim, ProviderSimOptions } from './provider-sim.server';
export { SCENARIO_HEADER, startProviderSim } from './provider-sim.server';
export type { Scenario } from './scenario';
export { DEFAULT_TOKENS, ScenarioError, parseScenario } from './scenario';
export { countPrompt } from './anthropic/anthropic-tokens';
export { thinkingSignature } from './anthropic/message';
export {
  simBaseUrl,
  simBedrockBaseUrl,
  simBedrockDeployment,
  simClaudeDeployment,
  simDeployment,
  simGeminiDeployment,
  simGoogleBaseUrl,
} from './sim-deployment';
export { GEMINI_MEDIA_TOKENS, geminiPromptTokens, geminiSignature } from './gemini/generate';
export { SIM_SERVICE_ACCOUNT_EMAIL, simServiceAccount } from './vertex/sim-service-account';
export { SIM_AWS_CREDENTIALS } from './bedrock/bedrock-auth';
export { countConverse } from './bedrock/bedrock-tokens';
