import type { ApiKeyRecord } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';

import { checkKeyScope, usableKey } from './key-access';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
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
const failure = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as { code: ErrorCode; message: string };
  }
  throw new Error('nothing was refused');
};

describe('usableKey', () => {
  it('answers a key that may be used', () => {
    expect(usableKey({ key: record() }, NOW)).toEqual(record());
    const inOverlap = record({ secretExpiresAt: '2026-03-01T12:00:01.000Z', expiresAt: '2027-01-01T00:00:00.000Z' });
    expect(usableKey({ key: inOverlap }, NOW)).toBe(inOverlap);
  });

  it.each([
    [{ key: null }, 'Incorrect API key provided.'],
    [
      { key: null, refusal: { reason: 'revoked', at: '2026-02-01T00:00:00.000Z' } },
      /revoked at 2026-02-01T00:00:00.000Z/,
    ],
    [
      { key: null, refusal: { reason: 'expired', at: '2026-02-02T00:00:00.000Z' } },
      /expired at 2026-02-02T00:00:00.000Z/,
    ],
    [
      { key: null, refusal: { reason: 'rotated', at: '2026-02-03T00:00:00.000Z' } },
      /rotated: its previous secret stopped working at 2026-02-03T00:00:00.000Z\. Use the new secret\./,
    ],
    [{ key: record({ expiresAt: '2026-03-01T12:00:00.000Z' }) }, /expired at 2026-03-01T12:00:00.000Z/],
    [
      { key: record({ secretExpiresAt: '2026-03-01T11:59:59.999Z' }) },
      /previous secret stopped working at 2026-03-01T11:59:59.999Z/,
    ],
  ] as const)('refuses %j with a 401 saying why', (resolved, message) => {
    const refused = failure(() => usableKey(resolved, NOW));
    expect(refused.code).toBe(ErrorCode.Unauthenticated);
    expect(refused.message).toMatch(message);
  });
});

describe('checkKeyScope', () => {
  it('lets any address call any endpoint when the key names none', () => {
    expect(() => checkKeyScope(record(), '198.51.100.1', 'embeddings')).not.toThrow();
  });

  it('refuses an address outside the allowlist, naming it', () => {
    const key = record({ ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'] });
    expect(() => checkKeyScope(key, '203.0.113.77', 'chat.completions')).not.toThrow();
    expect(() => checkKeyScope(key, '::ffff:203.0.113.77', 'chat.completions')).not.toThrow();
    expect(() => checkKeyScope(key, '2001:db8::1', 'chat.completions')).not.toThrow();
    expect(failure(() => checkKeyScope(key, '198.51.100.1', 'chat.completions'))).toMatchObject({
      code: ErrorCode.AddressNotAllowed,
      message: expect.stringMatching(/may not be used from 198\.51\.100\.1/),
    });
  });

  it('refuses an endpoint outside the scope, naming it and what the key may call', () => {
    const key = record({ allowedEndpoints: ['chat.completions', 'models'] });
    expect(() => checkKeyScope(key, '127.0.0.1', 'models')).not.toThrow();
    expect(failure(() => checkKeyScope(key, '127.0.0.1', 'messages'))).toEqual(
      expect.objectContaining({
        code: ErrorCode.EndpointNotAllowed,
        message:
          'This API key may not call /v1/messages (endpoint `messages`); its scope allows: chat.completions, models.',
      }),
    );
  });

  it('checks the address before the endpoint', () => {
    const key = record({ ipAllowlist: ['10.0.0.0/8'], allowedEndpoints: ['embeddings'] });
    expect(failure(() => checkKeyScope(key, '192.0.2.1', 'messages')).code).toBe(ErrorCode.AddressNotAllowed);
  });
});
