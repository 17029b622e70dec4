import { Injectable } from '@nestjs/common';
import type { ApiKeyRecord, KeyEndpoint } from '@polymux/contracts';
import { ErrorCode, PolymuxException, hashApiKey } from '@polymux/contracts';
import type { FastifyRequest } from 'fastify';

import { ApiKeyCache } from './api-key.cache';
import { FailedAuthThrottle } from './failed-auth.throttle';
import { checkKeyScope, usableKey } from './key-access';
import { KeyUseTracker } from './key-use.tracker';

/**
 * Authenticates `Authorization: Bearer <key>` (or Anthropic's `x-api-key`) against the key cache,
 * after checking that the source address is not throttled for failed key checks — for a key the
 * cache does not hold as valid, which is every guess: the calls of known keys, nearly all traffic,
 * cost no throttle round trip. Then the key's scope: its IP allowlist and the endpoints it may call.
 * An accepted call is noted as the key's latest use (in memory, reported to control in batches).
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly cache: ApiKeyCache,
    private readonly throttle: FailedAuthThrottle,
    private readonly uses: KeyUseTracker,
  ) {}

  async authenticate(
    request: Pick<FastifyRequest, 'headers' | 'ip'>,
    requestId: string,
    endpoint: KeyEndpoint,
  ): Promise<ApiKeyRecord> {
    const { headers } = request;
    const authorization = headers.authorization;
    const bearer = typeof authorization === 'string' ? /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim() : undefined;
    const token = bearer ?? (typeof headers['x-api-key'] === 'string' ? headers['x-api-key'] : undefined);
    if (!token) {
      throw new PolymuxException(
        ErrorCode.Unauthenticated,
        'You didn\'t provide an API key. Send it as "Authorization: Bearer <key>".',
      );
    }
    const keyHash = hashApiKey(token);
    if (!this.cache.holdsValid(keyHash)) await this.throttle.check(request.ip);
    const resolved = await this.cache.resolve(keyHash, requestId);
    const now = Date.now();
    let key: ApiKeyRecord;
    try {
      key = usableKey(resolved, now);
    } catch (error) {
      // Wrong, revoked, expired or rotated out: a failed key check of this address.
      await this.throttle.failed(request.ip);
      throw error;
    }
    checkKeyScope(key, request.ip, endpoint);
    // Only an accepted call is a use: a refused secret or a call outside the key's scope is not.
    this.uses.used(key.id, now);
    return key;
  }
}
