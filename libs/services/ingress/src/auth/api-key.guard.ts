import type { ApiKeyRecord } from '@polymux/contracts';
import { ErrorCode, PolymuxException, hashApiKey } from '@polymux/contracts';

import type { ApiKeyCache } from './api-key.cache';

/** Authenticates `Authorization: Bearer <key>` (or Anthropic's `x-api-key`) against the key cache. */
export const authenticate = async (
  cache: ApiKeyCache,
  headers: Record<string, string | string[] | undefined>,
  requestId: string,
): Promise<ApiKeyRecord> => {
  const authorization = headers.authorization;
  const bearer = typeof authorization === 'string' ? /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim() : undefined;
  const token = bearer ?? (typeof headers['x-api-key'] === 'string' ? headers['x-api-key'] : undefined);
  if (!token) {
    throw new PolymuxException(
      ErrorCode.Unauthenticated,
      'You didn\'t provide an API key. Send it as "Authorization: Bearer <key>".',
    );
  }
  const key = await cache.resolve(hashApiKey(token), requestId);
  if (!key || (key.expiresAt !== null && Date.parse(key.expiresAt) <= Date.now())) {
    throw new PolymuxException(ErrorCode.Unauthenticated, 'Incorrect API key provided.');
  }
  return key;
};
