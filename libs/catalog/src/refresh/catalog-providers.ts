/**
 * The providers the generated catalog covers: where each one's models are in models.dev, where its
 * prices are in `@pydantic/genai-prices`, and how a deployment reaches it (base URL from an
 * environment variable, the simulator by default; the key; the settings its adapter takes).
 */
export interface CatalogProvider {
  /** `Deployment.provider`: the adapter that calls it. */
  name: string;
  /** models.dev provider folders (`providers/<id>/models/**.toml`). */
  modelsDev: string[];
  /** genai-prices provider id; absent when it has none (models.dev's cost is used). */
  genaiPrices?: string;
  /**
   * How the provider's own models join the catalog: `first-party` under their own id (the creator's
   * API, which names models as everyone else refers to them), `own` as `<provider>/<id>`, `attach`
   * only as one more deployment of a model another provider lists.
   */
  role: 'first-party' | 'own' | 'attach';
  /** The models.dev creator namespace of a first-party provider's models (`base_model = "<creator>/<id>"`). */
  creator?: string;
  /** `baseUrl`: the variable that holds the real URL, and the simulator path used when it is unset. */
  baseUrlVariable: string;
  simPath: string;
  /** The provider's documented root, for the docs and the variable's value. */
  realBaseUrl: string;
  credentialVariable: string;
  /** Who serves the models, as `GET /v1/models` says (`owned_by`), when not the provider name. */
  owner?: string;
  /** Adapter settings, `${VAR:-default}` interpolated at load. */
  settings?: Record<string, string | { credentialRef: string }>;
  region?: string;
  /** Upstream ids to prefer when the provider lists one model several ways (Bedrock's inference profiles). */
  prefer?: (upstream: string) => number;
  /**
   * The provider-agnostic `<creator>/<id>` an upstream id names, when the provider's naming tells
   * (Bedrock's `us.anthropic.claude-…-v1:0`); preferred over models.dev's `base_model`, which Bedrock
   * files give unevenly.
   */
  identity?: (upstream: string) => string;
  /** Only these upstream ids (Azure: OpenAI's models; the others are served by another API). */
  accepts?: RegExp;
}

/** Bedrock's geography prefixes of cross-region inference profiles (`us.anthropic.…`). */
const GEOGRAPHY = /^(us|us-gov|eu|apac|au|ca|jp|global)\./;

/** Bedrock lists a model bare, per geography and `global.`: the US profile first (the default region's), then bare. */
const bedrockPreference = (upstream: string): number => {
  const geography = GEOGRAPHY.exec(upstream)?.[1];
  if (geography === 'us') return 0;
  if (geography === undefined) return 1;
  return geography === 'global' ? 2 : 3;
};

/** Bedrock's model-id vendors under the creator namespaces the first-party providers use. */
const BEDROCK_VENDORS: Record<string, string> = { moonshot: 'moonshotai', qwen: 'alibaba', zai: 'zhipuai' };

/** `us.anthropic.claude-sonnet-4-5-20250929-v1:0` → `anthropic/claude-sonnet-4-5-20250929`. */
const bedrockIdentity = (upstream: string): string => {
  const bare = upstream.replace(GEOGRAPHY, '').replace(/-v?\d+:\d+$|-v\d+$/, '');
  const dot = bare.indexOf('.');
  const vendor = bare.slice(0, dot);
  return `${BEDROCK_VENDORS[vendor] ?? vendor}/${bare.slice(dot + 1)}`;
};

const preset = (
  name: string,
  modelsDev: string,
  realBaseUrl: string,
  credentialVariable: string,
  extra: Partial<CatalogProvider> = {},
): CatalogProvider => ({
  name,
  modelsDev: [modelsDev],
  genaiPrices: modelsDev,
  role: 'first-party',
  creator: modelsDev,
  baseUrlVariable: `${name.toUpperCase()}_BASE_URL`,
  simPath: '/v1',
  realBaseUrl,
  credentialVariable,
  ...extra,
});

/** In deployment order: a model's first-party deployment first, then the clouds, then the hosts. */
export const CATALOG_PROVIDERS: CatalogProvider[] = [
  preset('openai', 'openai', 'https://api.openai.com/v1', 'OPENAI_API_KEY'),
  preset('anthropic', 'anthropic', 'https://api.anthropic.com/v1', 'ANTHROPIC_API_KEY'),
  preset('gemini', 'google', 'https://generativelanguage.googleapis.com/v1beta', 'GEMINI_API_KEY', {
    genaiPrices: 'google',
    simPath: '/v1beta',
    owner: 'google',
  }),
  preset('mistral', 'mistral', 'https://api.mistral.ai/v1', 'MISTRAL_API_KEY'),
  preset('deepseek', 'deepseek', 'https://api.deepseek.com/v1', 'DEEPSEEK_API_KEY'),
  preset('qwen', 'alibaba', 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', 'DASHSCOPE_API_KEY', {
    genaiPrices: undefined,
  }),
  preset('moonshot', 'moonshotai', 'https://api.moonshot.ai/v1', 'MOONSHOT_API_KEY'),
  preset('zhipu', 'zhipuai', 'https://open.bigmodel.cn/api/paas/v4', 'ZHIPU_API_KEY'),
  preset('minimax', 'minimax', 'https://api.minimax.io/v1', 'MINIMAX_API_KEY'),
  preset('xai', 'xai', 'https://api.x.ai/v1', 'XAI_API_KEY', { genaiPrices: 'x-ai' }),
  {
    name: 'vertex',
    modelsDev: ['google-vertex', 'google-vertex-anthropic'],
    genaiPrices: 'google',
    role: 'attach',
    creator: 'google',
    baseUrlVariable: 'VERTEX_BASE_URL',
    simPath: '/v1',
    realBaseUrl: 'https://us-east5-aiplatform.googleapis.com/v1',
    credentialVariable: '',
    settings: {
      project: '${VERTEX_PROJECT:-polymux-sim}',
      location: '${VERTEX_LOCATION:-global}',
      serviceAccount: { credentialRef: 'env:VERTEX_SERVICE_ACCOUNT' },
    },
  },
  {
    name: 'bedrock',
    modelsDev: ['amazon-bedrock'],
    genaiPrices: 'aws',
    role: 'own',
    baseUrlVariable: 'BEDROCK_BASE_URL',
    simPath: '',
    realBaseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com',
    credentialVariable: 'AWS_BEARER_TOKEN_BEDROCK',
    region: '${AWS_REGION:-us-east-1}',
    prefer: bedrockPreference,
    identity: bedrockIdentity,
  },
  {
    name: 'azure',
    modelsDev: ['azure'],
    genaiPrices: 'azure',
    role: 'attach',
    creator: 'openai',
    baseUrlVariable: 'AZURE_OPENAI_BASE_URL',
    simPath: '/openai',
    realBaseUrl: 'https://<resource>.openai.azure.com/openai',
    credentialVariable: 'AZURE_OPENAI_API_KEY',
    settings: { apiVersion: '${AZURE_OPENAI_API_VERSION:-2024-10-21}' },
    accepts: /^(gpt-|o\d)/,
  },
  { ...preset('groq', 'groq', 'https://api.groq.com/openai/v1', 'GROQ_API_KEY'), role: 'own', creator: undefined },
  {
    ...preset('together', 'togetherai', 'https://api.together.xyz/v1', 'TOGETHER_API_KEY'),
    genaiPrices: 'together',
    role: 'own',
    creator: undefined,
  },
  {
    ...preset('fireworks', 'fireworks-ai', 'https://api.fireworks.ai/inference/v1', 'FIREWORKS_API_KEY'),
    genaiPrices: 'fireworks',
    role: 'own',
    creator: undefined,
  },
  {
    ...preset('openrouter', 'openrouter', 'https://openrouter.ai/api/v1', 'OPENROUTER_API_KEY'),
    role: 'attach',
    creator: undefined,
  },
];
