import type { ClientSecretCredentialOptions } from '@azure/identity';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import { z } from 'zod';

import { OpenAiAdapter } from '../openai/openai.adapter';
import type { OpenAiDialect, OpenAiPath, OpenAiTarget } from '../openai/openai.dialect';
import { OPENAI_TOOL_NAMES } from '../openai/openai.names';
import type { EmbedCall, ProviderCall, UpstreamTimeouts } from '../provider-adapter';
import { EntraTokens } from './azure.auth';

/**
 * The `api-version` a deployment gets when its settings name none: the latest generally available
 * Azure OpenAI data-plane version (chat completions with tools, JSON schema, streamed usage).
 */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

const secret = z.string().min(1);
const AzureSettings = z.object({
  apiVersion: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'a version such as 2024-10-21')
    .default(AZURE_DEFAULT_API_VERSION),
  tenantId: secret.optional(),
  clientId: secret.optional(),
  clientSecret: secret.optional(),
  authorityHost: z.url().optional(),
});

const refused = (message: string) => new PolymuxException(ErrorCode.ServiceUnavailable, `azure deployment ${message}`);

const ENTRA = ['tenantId', 'clientId', 'clientSecret'] as const;

/**
 * Azure OpenAI: OpenAI's Chat Completions and Embeddings bodies and answers (the OpenAI adapter's
 * mappers, unchanged), sent to `{baseUrl}/deployments/{upstreamModel}/{path}?api-version=…` — the
 * upstream model is the Azure deployment name — with the key as `api-key`, or an Entra ID bearer
 * token when the settings name a service principal. Content-filter results arrive as OpenAI's
 * `finish_reason: content_filter`, and a filtered prompt as a 400 whose code says so (see
 * `errorFromStatus`).
 */
export class AzureAdapter extends OpenAiAdapter {
  constructor(timeouts: UpstreamTimeouts, entra: { credentialOptions?: ClientSecretCredentialOptions } = {}) {
    super(timeouts, azureDialect(new EntraTokens(entra.credentialOptions)));
  }
}

const azureDialect = (tokens: EntraTokens): OpenAiDialect => ({
  provider: 'azure',
  toolNames: OPENAI_TOOL_NAMES,
  // Azure serves OpenAI's models, reasoning ones included: like api.openai.com, the newer field.
  maxTokensField: 'max_completion_tokens',
  embeddings: true,
  target: (call, path) => azureTarget(call, path, tokens),
});

const azureTarget = async (
  call: ProviderCall | EmbedCall,
  path: OpenAiPath,
  tokens: EntraTokens,
): Promise<OpenAiTarget> => {
  const parsed = AzureSettings.safeParse(call.settings ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw refused(
      `${call.deployment.id} has an invalid setting ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
    );
  }
  const settings = parsed.data;
  const deployment = encodeURIComponent(call.deployment.upstreamModel);
  const url = `${call.baseUrl.replace(/\/+$/, '')}/deployments/${deployment}/${path}?api-version=${settings.apiVersion}`;
  const named = ENTRA.filter((name) => settings[name] !== undefined);
  if (named.length === 0) {
    if (!call.apiKey)
      throw refused(`${call.deployment.id} has neither a credentialRef nor the Entra ID settings ${ENTRA.join(', ')}`);
    return { url, headers: { 'api-key': call.apiKey } };
  }
  const missing = ENTRA.filter((name) => settings[name] === undefined);
  if (missing.length > 0) throw refused(`${call.deployment.id} is missing the Entra ID setting ${missing.join(', ')}`);
  const token = await tokens.token(
    {
      tenantId: settings.tenantId!,
      clientId: settings.clientId!,
      clientSecret: settings.clientSecret!,
      authorityHost: settings.authorityHost,
    },
    call.signal,
  );
  return { url, headers: { authorization: `Bearer ${token}` } };
};
