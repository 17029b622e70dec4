import type { PresetName } from './openai-compatible/presets';
import { PRESETS, PRESET_NAMES } from './openai-compatible/presets';

/**
 * Whether a provider keeps API prompts and completions by default (abuse monitoring logs, caches,
 * training), and the provider's page that says so (docs/providers.md, "Data retention", cites it).
 * `true` where the provider keeps them or its policy leaves it unclear: the safe answer. A
 * zero-retention agreement is the deployment's own `retainsData: false`, not a default.
 */
export interface RetentionDefault {
  /** A rule by upstream model where the provider's own rule depends on the model. */
  retainsData: boolean | ((upstreamModel: string) => boolean);
  /** Absent: the provider published no policy for its API (so `true`), or the server is one's own. */
  source?: string;
}

/** Bedrock's models that keep data (OpenAI's other than gpt-oss, Anthropic's covered models), with or without a geography prefix. */
const BEDROCK_RETAINING = /(^|\.)(openai\.(?!gpt-oss)|anthropic\.claude-(fable|mythos))/;

/** The native families' defaults; the OpenAI-compatible presets' live with the rest of each preset. */
const NATIVE = {
  openai: { retainsData: true, source: 'https://developers.openai.com/api/docs/guides/your-data' },
  anthropic: {
    retainsData: true,
    source: 'https://platform.claude.com/docs/en/build-with-claude/api-and-data-retention',
  },
  azure: {
    retainsData: true,
    source: 'https://learn.microsoft.com/en-sg/answers/questions/2181252/azure-openai-data-retention-privacy-2025',
  },
  gemini: { retainsData: true, source: 'https://ai.google.dev/gemini-api/docs/zdr' },
  vertex: {
    retainsData: true,
    source: 'https://docs.cloud.google.com/gemini-enterprise-agent-platform/resources/zero-data-retention',
  },
  bedrock: {
    retainsData: (upstreamModel: string) => BEDROCK_RETAINING.test(upstreamModel),
    source: 'https://docs.aws.amazon.com/bedrock/latest/userguide/abuse-detection.html',
  },
} satisfies Record<string, RetentionDefault>;

/** Every provider family's default, by `Deployment.provider`; a provider missing here retains. */
export const RETENTION_DEFAULTS: Readonly<Record<string, RetentionDefault>> = {
  ...NATIVE,
  ...Object.fromEntries(PRESET_NAMES.map((name: PresetName) => [name, PRESETS[name].retention])),
};

/** A deployment's retention: its own `retainsData` when the catalog sets one, else its provider's default. */
export interface DataRetention {
  retainsData: boolean;
  from: 'deployment' | 'provider';
}

/** Whether `provider` keeps prompts and completions of `upstreamModel` by default. */
export const providerRetainsData = (provider: string, upstreamModel: string): boolean => {
  const rule = RETENTION_DEFAULTS[provider]?.retainsData ?? true;
  return typeof rule === 'function' ? rule(upstreamModel) : rule;
};

/** The retention of a deployment as the catalog (or an admin) spells it. */
export const dataRetentionOf = (deployment: {
  provider: string;
  upstreamModel: string;
  retainsData?: boolean;
}): DataRetention =>
  deployment.retainsData === undefined
    ? { retainsData: providerRetainsData(deployment.provider, deployment.upstreamModel), from: 'provider' }
    : { retainsData: deployment.retainsData, from: 'deployment' };
