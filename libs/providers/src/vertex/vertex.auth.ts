import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type * as GoogleAuth from 'google-auth-library';
import type { JWT as Jwt } from 'google-auth-library';
import { createHash } from 'node:crypto';

import type { ServiceAccountKey } from './vertex.settings';

/** Google's token endpoint, where google-auth-library always sends its JWT-bearer grant. */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** Service accounts whose clients (and cached tokens) are kept; far more than one executor serves. */
const MAX_ACCOUNTS = 256;

/** Which account a key is: its email, key id, token endpoint and a hash of its private key. */
const accountOf = (key: ServiceAccountKey): string =>
  createHash('sha256')
    .update([key.client_email, key.private_key_id ?? '', key.token_uri ?? '', key.private_key].join('\u0000'))
    .digest('hex');

const statusOf = (error: unknown): number | undefined => {
  const response = (error as { response?: { status?: unknown } } | null)?.response;
  return typeof response?.status === 'number' ? response.status : undefined;
};

/**
 * OAuth access tokens of service accounts, by google-auth-library's JWT client: one client per
 * account, which keeps its token and asks for a new one before it expires (five minutes ahead, the
 * library's default), so concurrent calls share one token. The key's `token_uri` decides where the
 * grant goes (the library itself always asks Google's endpoint), so a key can name another issuer,
 * e.g. the provider simulator's.
 */
export class ServiceAccountTokens {
  private readonly clients = new Map<string, Jwt>();

  async token(key: ServiceAccountKey): Promise<string> {
    const client = this.client(key);
    let token: string | null | undefined;
    try {
      token = (await client.getAccessToken()).token;
    } catch (error) {
      const status = statusOf(error);
      throw new PolymuxException(
        ErrorCode.UpstreamError,
        `vertex could not get an access token for ${key.client_email}${status ? ` (HTTP ${status})` : ''}`,
        status ? { upstreamStatus: status } : {},
      );
    }
    if (!token)
      throw new PolymuxException(ErrorCode.UpstreamError, `vertex got no access token for ${key.client_email}`);
    return token;
  }

  private client(key: ServiceAccountKey): Jwt {
    const account = accountOf(key);
    const known = this.clients.get(account);
    if (known) return known;
    // Loaded by the first Vertex call, not by importing the providers lib.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy, synchronous load
    const { JWT } = require('google-auth-library') as typeof GoogleAuth;
    const client = new JWT({
      email: key.client_email,
      key: key.private_key,
      keyId: key.private_key_id,
      scopes: [SCOPE],
      // Node's own fetch, instead of gaxios importing node-fetch on first use.
      transporterOptions: { fetchImplementation: fetch },
    });
    const tokenUri = key.token_uri;
    if (tokenUri && tokenUri !== GOOGLE_TOKEN_URL) {
      client.transporter.interceptors.request.add({
        resolved: (options) => {
          if (String(options.url) === GOOGLE_TOKEN_URL) options.url = new URL(tokenUri);
          return Promise.resolve(options);
        },
      });
    }
    if (this.clients.size >= MAX_ACCOUNTS) this.clients.clear();
    this.clients.set(account, client);
    return client;
  }
}
