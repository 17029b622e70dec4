import type { KeyRow } from './key-resolution';
import { resolutionOf } from './key-resolution';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const CURRENT = 'c'.repeat(64);
const PREVIOUS = 'p'.repeat(64);
const at = (iso: string) => new Date(iso);
const row = (overrides: Partial<KeyRow> = {}): KeyRow => ({
  id: 'key-1',
  org_id: 'org-1',
  team_id: 'team-1',
  project_id: 'project-1',
  user_id: null,
  name: 'app',
  key_hash: CURRENT,
  key_prefix: 'pmx-abcdef',
  admin: false,
  allowed_models: ['fast'],
  allowed_endpoints: ['chat.completions'],
  ip_allowlist: ['203.0.113.0/24'],
  expires_at: null,
  previous_key_hash: null,
  previous_key_expires_at: null,
  rotated_at: null,
  revoked_at: null,
  last_used_at: null,
  created_at: at('2026-01-01T00:00:00.000Z'),
  data_retention: false,
  ...overrides,
});

describe('resolutionOf', () => {
  it('answers a usable key with its scopes, and nothing for an unknown secret', () => {
    expect(resolutionOf(undefined, CURRENT, NOW)).toEqual({ key: null });
    expect(resolutionOf(row(), CURRENT, NOW)).toEqual({
      key: {
        id: 'key-1',
        orgId: 'org-1',
        teamId: 'team-1',
        projectId: 'project-1',
        userId: null,
        accountId: 'project:project-1',
        admin: false,
        allowedModels: ['fast'],
        allowedEndpoints: ['chat.completions'],
        ipAllowlist: ['203.0.113.0/24'],
        expiresAt: null,
        dataRetention: false,
      },
    });
  });

  it('says a revoked or expired key is, and since when, whichever of its secrets is presented', () => {
    const revoked = row({ revoked_at: at('2026-02-01T00:00:00.000Z'), previous_key_hash: PREVIOUS });
    expect(resolutionOf(revoked, PREVIOUS, NOW)).toEqual({
      key: null,
      refusal: { reason: 'revoked', at: '2026-02-01T00:00:00.000Z' },
    });
    expect(resolutionOf(row({ expires_at: at('2026-03-01T12:00:00.000Z') }), CURRENT, NOW)).toEqual({
      key: null,
      refusal: { reason: 'expired', at: '2026-03-01T12:00:00.000Z' },
    });
    expect(resolutionOf(row({ expires_at: at('2026-03-01T12:00:01.000Z') }), CURRENT, NOW).key?.expiresAt).toBe(
      '2026-03-01T12:00:01.000Z',
    );
  });

  it('serves the previous secret as the same key until its overlap ends, then says it was rotated', () => {
    const rotated = (endsAt: string) =>
      row({
        previous_key_hash: PREVIOUS,
        previous_key_expires_at: at(endsAt),
        rotated_at: at('2026-03-01T11:00:00.000Z'),
      });
    const inOverlap = resolutionOf(rotated('2026-03-01T12:00:00.001Z'), PREVIOUS, NOW);
    expect(inOverlap.key).toMatchObject({ id: 'key-1', secretExpiresAt: '2026-03-01T12:00:00.001Z' });
    expect(resolutionOf(rotated('2026-03-01T12:00:00.000Z'), PREVIOUS, NOW)).toEqual({
      key: null,
      refusal: { reason: 'rotated', at: '2026-03-01T12:00:00.000Z' },
    });
    // The new secret has no end of its own.
    expect(resolutionOf(rotated('2026-03-01T12:00:00.000Z'), CURRENT, NOW).key).not.toHaveProperty('secretExpiresAt');
  });
});
