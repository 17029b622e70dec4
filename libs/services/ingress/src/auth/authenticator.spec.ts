import type { ApiKeyRecord, ResolvedKey } from '@polymux/contracts';
import { ErrorCode, hashApiKey } from '@polymux/contracts';

import type { ApiKeyCache } from './api-key.cache';
import { Authenticator } from './authenticator';
import type { FailedAuthThrottle } from './failed-auth.throttle';
import type { KeyUseTracker } from './key-use.tracker';

const SECRET = 'pmx-secret';
const record = (overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id: 'key-1',
  orgId: 'org-1',
  teamId: null,
  projectId: 'project-1',
  accountId: 'project:project-1',
  admin: false,
  allowedModels: null,
  expiresAt: null,
  ...overrides,
});

/** An authenticator over a cache that answers `resolved` for the secret, recording the uses noted. */
const authenticatorFor = (resolved: ResolvedKey) => {
  const used: Array<[string, number]> = [];
  const cache = {
    holdsValid: () => resolved.key !== null,
    resolve: (keyHash: string) => Promise.resolve(keyHash === hashApiKey(SECRET) ? resolved : { key: null }),
  };
  const throttle = { check: () => Promise.resolve(), failed: () => Promise.resolve() };
  const uses = { used: (keyId: string, at: number) => used.push([keyId, at]) };
  const authenticator = new Authenticator(
    cache as unknown as ApiKeyCache,
    throttle as unknown as FailedAuthThrottle,
    uses as unknown as KeyUseTracker,
  );
  const call = (address = '203.0.113.7') =>
    authenticator.authenticate(
      { headers: { authorization: `Bearer ${SECRET}` }, ip: address },
      'r1',
      'chat.completions',
    );
  return { used, call };
};

describe('Authenticator', () => {
  it('notes an accepted call as a use of its key, at the time it was accepted', async () => {
    const { used, call } = authenticatorFor({ key: record() });
    const before = Date.now();
    await expect(call()).resolves.toMatchObject({ id: 'key-1' });
    expect(used).toEqual([['key-1', expect.any(Number)]]);
    expect(used[0]![1]).toBeGreaterThanOrEqual(before);
    expect(used[0]![1]).toBeLessThanOrEqual(Date.now());
  });

  it('notes no use for a refused secret or a call outside the key scope', async () => {
    const revoked = authenticatorFor({ key: null, refusal: { reason: 'revoked', at: '2030-01-01T00:00:00.000Z' } });
    await expect(revoked.call()).rejects.toMatchObject({ code: ErrorCode.Unauthenticated });
    const expired = authenticatorFor({ key: record({ expiresAt: '2000-01-01T00:00:00.000Z' }) });
    await expect(expired.call()).rejects.toMatchObject({ code: ErrorCode.Unauthenticated });
    const outside = authenticatorFor({ key: record({ ipAllowlist: ['198.51.100.0/24'] }) });
    await expect(outside.call()).rejects.toMatchObject({ code: ErrorCode.AddressNotAllowed });
    expect([...revoked.used, ...expired.used, ...outside.used]).toEqual([]);
  });
});
