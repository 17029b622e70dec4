import type * as Identity from '@azure/identity';
import type { ClientSecretCredentialOptions, TokenCredential } from '@azure/identity';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

/** The scope of an Entra ID token for Azure OpenAI. */
export const AZURE_OPENAI_SCOPE = 'https://cognitiveservices.azure.com/.default';

/** A service principal's client-credentials settings. */
export interface EntraSettings {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  authorityHost?: string;
}

/**
 * Entra ID tokens for Azure OpenAI through `@azure/identity`'s `ClientSecretCredential`, one per
 * service principal, each caching and refreshing its own token (MSAL's cache). The library is
 * loaded on the first Entra call, so a process that never calls Azure with Entra never loads it.
 */
export class EntraTokens {
  private readonly credentials = new Map<string, TokenCredential>();

  /** `options` reach every credential: the tests' transport (MSAL insists on an https authority). */
  constructor(private readonly options: ClientSecretCredentialOptions = {}) {}

  async token(settings: EntraSettings, signal: AbortSignal): Promise<string> {
    const credential = this.credentialFor(settings);
    try {
      const token = await credential.getToken(AZURE_OPENAI_SCOPE, { abortSignal: signal });
      if (token) return token.token;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      // The library's message may quote the token endpoint's answer: only its class name travels.
      const name = error instanceof Error ? error.name : 'an error';
      throw new PolymuxException(ErrorCode.UpstreamError, `azure could not get an Entra ID token (${name})`);
    }
    throw new PolymuxException(ErrorCode.UpstreamError, 'azure could not get an Entra ID token (none issued)');
  }

  private credentialFor(settings: EntraSettings): TokenCredential {
    const key = JSON.stringify([settings.tenantId, settings.clientId, settings.clientSecret, settings.authorityHost]);
    let credential = this.credentials.get(key);
    if (!credential) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: only Entra deployments pay for the library
      const { ClientSecretCredential } = require('@azure/identity') as typeof Identity;
      credential = new ClientSecretCredential(settings.tenantId, settings.clientId, settings.clientSecret, {
        ...this.options,
        ...(settings.authorityHost ? { authorityHost: settings.authorityHost } : {}),
      });
      this.credentials.set(key, credential);
    }
    return credential;
  }
}
