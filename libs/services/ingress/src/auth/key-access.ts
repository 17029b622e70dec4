import type { ApiKeyRecord, KeyEndpoint, ResolvedKey } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import { addressAllowed } from '@polymux/http';

/** How a refusal names each endpoint of a key's scope. */
const ENDPOINT_ROUTES: Record<KeyEndpoint, string> = {
  'chat.completions': 'POST /v1/chat/completions',
  responses: '/v1/responses',
  messages: '/v1/messages',
  embeddings: 'POST /v1/embeddings',
  models: 'GET /v1/models',
  'routing.explain': 'POST /v1/routing/explain',
};

/**
 * The key a secret resolved to, if it may still be used now, or the 401 saying why not: unknown,
 * revoked, expired, or a previous secret past its rotation's overlap. Expiry and the overlap are
 * checked against the clock here too, since a cached record outlives them.
 */
export const usableKey = (resolved: ResolvedKey, nowMs: number): ApiKeyRecord => {
  const { key, refusal } = resolved;
  const refused = (message: string) => new PolymuxException(ErrorCode.Unauthenticated, message);
  if (!key) {
    switch (refusal?.reason) {
      case undefined:
        throw refused('Incorrect API key provided.');
      case 'revoked':
        throw refused(`This API key was revoked at ${refusal.at}.`);
      case 'expired':
        throw refused(`This API key expired at ${refusal.at}.`);
      case 'rotated':
        throw refused(
          `This API key was rotated: its previous secret stopped working at ${refusal.at}. Use the new secret.`,
        );
    }
  }
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= nowMs)
    throw refused(`This API key expired at ${key.expiresAt}.`);
  if (key.secretExpiresAt !== undefined && Date.parse(key.secretExpiresAt) <= nowMs)
    throw refused(
      `This API key was rotated: its previous secret stopped working at ${key.secretExpiresAt}. Use the new secret.`,
    );
  return key;
};

/**
 * Refuses, with a 403, a call the key's scope does not cover: from an address outside its IP
 * allowlist (the client address, as the trusted proxies report it), or to an endpoint it may not call.
 */
export const checkKeyScope = (key: ApiKeyRecord, address: string, endpoint: KeyEndpoint): void => {
  if (key.ipAllowlist && !addressAllowed(address, key.ipAllowlist)) {
    throw new PolymuxException(
      ErrorCode.AddressNotAllowed,
      `This API key may not be used from ${address}: it is limited to the addresses of its IP allowlist.`,
    );
  }
  if (key.allowedEndpoints && !key.allowedEndpoints.includes(endpoint)) {
    throw new PolymuxException(
      ErrorCode.EndpointNotAllowed,
      `This API key may not call ${ENDPOINT_ROUTES[endpoint]} (endpoint \`${endpoint}\`); its scope allows: ${key.allowedEndpoints.join(', ')}.`,
    );
  }
};
