export type { SimStats } from './exchange';
export { embeddingTokens, promptTokens } from './openai/prompt-tokens';
export { generatedText, planCompletion } from './openai/completion';
export { ChatCompletionRequest } from './openai/openai.schema';
export type { ProviderSim, ProviderSimOptions } from './provider-sim.server';
export { SCENARIO_HEADER, startProviderSim } from './provider-sim.server';
export type { Scenario } from './scenario';
export { DEFAULT_TOKENS, ScenarioError, parseScenario } from './scenario';
export { simBaseUrl, simDeployment } from './sim-deployment';
