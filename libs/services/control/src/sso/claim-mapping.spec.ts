import type { SsoConfig } from '@polymux/config';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import { claimAt, mapClaims, resolveTeams, roleMapProblems } from './claim-mapping';

const sso: Pick<SsoConfig, 'orgClaim' | 'groupsClaim' | 'roleMap'> = {
  orgClaim: 'polymux_org',
  groupsClaim: 'groups',
  roleMap: {
    'pmx-owners': [{ role: 'owner', team: null }],
    'pmx-ml-admins': [
      { role: 'team_admin', team: 'ml' },
      { role: 'viewer', team: null },
    ],
    'pmx-viewers': [{ role: 'viewer', team: null }],
  },
};

const alice = {
  sub: 'alice-sub',
  email: 'alice@example.com',
  email_verified: true,
  name: 'Alice',
  polymux_org: 'acme',
  groups: ['pmx-ml-admins', 'unmapped', 'pmx-viewers'],
};

const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PolymuxException);
    expect((error as PolymuxException).code).toBe(ErrorCode.Forbidden);
    return (error as Error).message;
  }
  throw new Error('the claims were accepted');
};

describe('mapClaims', () => {
  it('reads the identity and org, and maps mapped groups to grants once each', () => {
    expect(mapClaims(alice, sso)).toEqual({
      subject: 'alice-sub',
      email: 'alice@example.com',
      emailVerified: true,
      name: 'Alice',
      org: 'acme',
      grants: [
        { role: 'team_admin', team: 'ml' },
        { role: 'viewer', team: null },
      ],
    });
  });

  it('takes a single group as a string and holds no grants for unmapped or malformed groups', () => {
    expect(mapClaims({ ...alice, groups: 'pmx-owners' }, sso).grants).toEqual([{ role: 'owner', team: null }]);
    expect(mapClaims({ ...alice, groups: ['nobody', 7, null] }, sso).grants).toEqual([]);
    expect(mapClaims({ ...alice, groups: { 'pmx-owners': true } }, sso).grants).toEqual([]);
    expect(mapClaims({ ...alice, groups: ['constructor', 'toString'] }, sso).grants).toEqual([]);
    expect(mapClaims({ ...alice, email_verified: 'true', name: undefined }, sso)).toMatchObject({
      emailVerified: false,
      name: null,
    });
  });

  it('refuses claims without a subject, an email or an org, naming what is missing', () => {
    expect(refusal(() => mapClaims({ ...alice, sub: '' }, sso))).toMatch(/no subject/);
    expect(refusal(() => mapClaims({ ...alice, email: undefined }, sso))).toMatch(/no email claim/);
    expect(refusal(() => mapClaims({ ...alice, polymux_org: ['acme'] }, sso))).toMatch(/no polymux_org claim/);
  });

  it('finds claims by their whole name first, then by a dotted path', () => {
    const claims = { 'https://example.com/groups': ['a'], realm_access: { roles: ['b'] }, 'a.b': 1, a: { b: 2 } };
    expect(claimAt(claims, 'https://example.com/groups')).toEqual(['a']);
    expect(claimAt(claims, 'realm_access.roles')).toEqual(['b']);
    expect(claimAt(claims, 'a.b')).toBe(1);
    expect(claimAt(claims, 'realm_access.roles.0')).toBeUndefined();
    expect(claimAt(claims, 'missing.path')).toBeUndefined();
    const keycloak = { ...alice, groups: undefined, realm_access: { roles: ['pmx-owners'] } };
    expect(mapClaims(keycloak, { ...sso, groupsClaim: 'realm_access.roles' }).grants).toEqual([
      { role: 'owner', team: null },
    ]);
  });
});

describe('roleMapProblems', () => {
  it('accepts org roles org-wide and team roles with a team', () => {
    expect(roleMapProblems(sso.roleMap)).toEqual([]);
    expect(
      roleMapProblems({
        devs: [
          { role: 'developer', team: 'ml' },
          { role: 'developer', team: null },
        ],
      }),
    ).toEqual([]);
  });

  it('names unknown roles, team roles without a team and org roles with one', () => {
    const problems = roleMapProblems({
      a: [{ role: 'superuser', team: null }],
      b: [{ role: 'team_admin', team: null }],
      c: [{ role: 'auditor', team: 'ml' }],
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/group "a": unknown role superuser/);
    expect(problems[1]).toMatch(/group "b": team_admin is a team role/);
    expect(problems[2]).toMatch(/group "c": auditor is an org-wide role/);
  });
});

describe('resolveTeams', () => {
  it('resolves team names to ids, the oldest of a duplicated name, and drops grants of unknown teams', () => {
    const teams = [
      { id: 't-ml', name: 'ml' },
      { id: 't-ml-2', name: 'ml' },
      { id: 't-web', name: 'web' },
    ];
    expect(
      resolveTeams(
        [
          { role: 'team_admin', team: 'ml' },
          { role: 'viewer', team: null },
          { role: 'developer', team: 'gone' },
        ],
        teams,
      ),
    ).toEqual({
      grants: [
        { role: 'team_admin', teamId: 't-ml' },
        { role: 'viewer', teamId: null },
      ],
      unknownTeams: ['gone'],
    });
  });
});
