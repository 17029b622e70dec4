import Anthropic from '@anthropic-ai/sdk';
import { SIM_AWS_CREDENTIALS } from '@polymux/provider-sim';
import OpenAI from 'openai';

import type { Gateway } from '../support/gateway';

/**
 * What every part of the conformance suite shares within one run mode: the gateway and the SDK
 * clients pointed at it (changed from the vendors' defaults only in base URL, key and retries).
 */
export interface Suite {
  gateway: Gateway;
  openai: OpenAI;
  anthropic: Anthropic;
  /** The `x-request-id` of the last answer either shared client received (tests run one at a time). */
  lastRequestId(): string;
  /** A client with its own options (another key, retries) and a fetch that counts its attempts. */
  openaiWith(options: { apiKey?: string; maxRetries?: number }): Counted<OpenAI>;
  anthropicWith(options: { apiKey?: string; maxRetries?: number }): Counted<Anthropic>;
}

/** A client and the number of HTTP requests it has sent, to prove how often an SDK retried. */
export interface Counted<T> {
  client: T;
  attempts(): number;
}

/** The suite of the current mode, available once its `beforeAll` has run. */
export type SuiteRef = () => Suite;

/** The provider adapters' models, served by the simulator. */
export const GPT = 'gpt-4.1-mini';
export const CLAUDE = 'claude-sonnet-4-5';
export const GEMINI = 'gemini-2.5-flash';
/** Gemini and Claude on Vertex AI (the `vertex` adapter, both publishers). */
export const VERTEX_GEMINI = 'gemini-2.5-pro';
export const VERTEX_CLAUDE = 'claude-opus-4-1';
/** Claude on Bedrock (SigV4-signed) and a Bedrock model of another family (Nova, with an API key). */
export const BEDROCK_CLAUDE = 'bedrock-claude-sonnet-4-5';
export const NOVA = 'nova-pro';
/** OpenAI's model on Azure OpenAI (an `api-key` against the simulator's `/openai/deployments/...`). */
export const AZURE_GPT = 'azure-gpt-4.1-mini';
/** DeepSeek's thinking model (the `deepseek` preset), whose answers carry `reasoning_content`. */
export const DEEPSEEK_REASONER = 'deepseek-reasoner';
/** A generic OpenAI-compatible preset: a self-hosted vLLM server, no key. */
export const VLLM = 'vllm-llama-4-scout';
/**
 * One model per adapter (and per Vertex publisher), two for Bedrock's two model families and ways to
 * authenticate, and the OpenAI-compatible presets.
 */
export const MODELS = [
  GPT,
  CLAUDE,
  GEMINI,
  VERTEX_GEMINI,
  VERTEX_CLAUDE,
  BEDROCK_CLAUDE,
  NOVA,
  AZURE_GPT,
  DEEPSEEK_REASONER,
  VLLM,
] as const;
/** The models whose API reads text only (DeepSeek's), and JSON without a schema. */
export const TEXT_ONLY_MODELS: readonly string[] = [DEEPSEEK_REASONER];
/** The models that take images, documents and a JSON schema. */
export const MULTIMODAL_MODELS = MODELS.filter((model) => !TEXT_ONLY_MODELS.includes(model));
/** The models that think whether asked or not, their reasoning shown as thinking (DeepSeek's, unsigned). */
export const ALWAYS_THINKING_MODELS: readonly string[] = [DEEPSEEK_REASONER];
/** The models that think (Claude: directly, on Vertex AI and on Bedrock). */
export const THINKING_MODELS = [CLAUDE, VERTEX_CLAUDE, BEDROCK_CLAUDE] as const;
/** The name prefix of each adapter's failing models (`<prefix>-rate-limited`, `-overloaded`, …). */
export const ADAPTERS = [
  { adapter: 'openai', prefix: 'gpt' },
  { adapter: 'anthropic', prefix: 'claude' },
  { adapter: 'gemini', prefix: 'gemini' },
  { adapter: 'vertex', prefix: 'vertex' },
  { adapter: 'bedrock', prefix: 'bedrock' },
  { adapter: 'azure', prefix: 'azure' },
  { adapter: 'deepseek', prefix: 'deepseek' },
  { adapter: 'vllm', prefix: 'vllm' },
] as const;

/** What the executor reads the keyed deployments' credentials from (Bedrock's: the simulator's test credentials). */
export const CREDENTIALS_ENV: Record<string, string> = {
  GEMINI_SIM_API_KEY: 'gemini-sim-key',
  SIM_AWS_ACCESS_KEY_ID: SIM_AWS_CREDENTIALS.accessKeyId,
  SIM_AWS_SECRET_ACCESS_KEY: SIM_AWS_CREDENTIALS.secretAccessKey,
  SIM_BEDROCK_API_KEY: 'bedrock-api-key-of-the-conformance-suite',
  AZURE_SIM_API_KEY: 'azure-api-key-of-the-conformance-suite',
  DEEPSEEK_SIM_API_KEY: 'deepseek-api-key-of-the-conformance-suite',
};

/** Nano-USD per token: the catalog's USD per million tokens × 1000. */
const PRICES: Record<string, { input: bigint; output: bigint }> = {
  [GPT]: { input: 400n, output: 1_600n },
  [CLAUDE]: { input: 3_000n, output: 15_000n },
  [GEMINI]: { input: 300n, output: 2_500n },
  [VERTEX_GEMINI]: { input: 1_250n, output: 10_000n },
  [VERTEX_CLAUDE]: { input: 15_000n, output: 75_000n },
  [BEDROCK_CLAUDE]: { input: 3_000n, output: 15_000n },
  [NOVA]: { input: 800n, output: 3_200n },
  [AZURE_GPT]: { input: 400n, output: 1_600n },
  [DEEPSEEK_REASONER]: { input: 550n, output: 2_190n },
  [VLLM]: { input: 100n, output: 300n },
};

/** A 1×1 PNG, base64. */
export const PIXEL_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
export const PIXEL = `data:image/png;base64,${PIXEL_BASE64}`;
/** A one-page PDF with no content, base64. */
export const PDF_BASE64 = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
).toString('base64');

/** The JSON schema of the structured-output tests. */
export const CITY_SCHEMA = {
  type: 'object',
  properties: { name: { type: 'string' }, population: { type: 'integer' } },
  required: ['name', 'population'],
  additionalProperties: false,
};

/** Checks `value` is JSON text of an object satisfying `CITY_SCHEMA`. */
export const expectCity = (value: string | null | undefined): void => {
  const parsed = JSON.parse(value ?? '') as Record<string, unknown>;
  expect(typeof parsed.name).toBe('string');
  expect(Number.isInteger(parsed.population)).toBe(true);
};

/**
 * Checks that `requestId` was charged once, exactly its tokens at `model`'s prices: what the caller
 * was told it used is what it pays.
 */
export const expectCharged = async (
  suite: Suite,
  requestId: string,
  model: string,
  usage: { input: number; output: number },
): Promise<void> => {
  const price = PRICES[model];
  const expected = BigInt(usage.input) * price.input + BigInt(usage.output) * price.output;
  expect(usage.input).toBeGreaterThan(0);
  expect(usage.output).toBeGreaterThan(0);
  expect(await suite.gateway.charges(requestId)).toEqual([
    expect.objectContaining({ kind: 'charge', amountNanoUsd: (-expected).toString() }),
  ]);
};

/** Builds the suite's clients on a started gateway. */
export const createSuite = (gateway: Gateway): Suite => {
  let lastRequestId: string | null = null;
  const recording: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    lastRequestId = response.headers.get('x-request-id');
    return response;
  };
  const counting = () => {
    let attempts = 0;
    const counted: typeof fetch = (input, init) => {
      attempts += 1;
      return fetch(input, init);
    };
    return { fetch: counted, attempts: () => attempts };
  };
  const openAiUrl = `${gateway.stack.ingressUrl}/v1`;
  return {
    gateway,
    openai: new OpenAI({ apiKey: gateway.apiKey, baseURL: openAiUrl, maxRetries: 0, fetch: recording }),
    anthropic: new Anthropic({
      apiKey: gateway.apiKey,
      baseURL: gateway.stack.ingressUrl,
      maxRetries: 0,
      fetch: recording,
    }),
    lastRequestId: () => {
      if (!lastRequestId) throw new Error('no answer received yet');
      return lastRequestId;
    },
    openaiWith: ({ apiKey = gateway.apiKey, maxRetries = 0 }) => {
      const { fetch: counted, attempts } = counting();
      return { client: new OpenAI({ apiKey, baseURL: openAiUrl, maxRetries, fetch: counted }), attempts };
    },
    anthropicWith: ({ apiKey = gateway.apiKey, maxRetries = 0 }) => {
      const { fetch: counted, attempts } = counting();
      return {
        client: new Anthropic({ apiKey, baseURL: gateway.stack.ingressUrl, maxRetries, fetch: counted }),
        attempts,
      };
    },
  };
};
