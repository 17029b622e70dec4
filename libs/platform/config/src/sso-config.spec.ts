import { ConfigError, loadConfig } from './config';

const SSO = {
  POLYMUX_SSO_ISSUER: 'https://idp.example.com/realms/acme',
  POLYMUX_SSO_CLIENT_ID: 'polymux',
  POLYMUX_SSO_REDIRECT_URI: 'https://polymux.example.com/admin/v1/sso/callback',
  POLYMUX_SSO_ROLE_MAP: JSON.stringify({
    'pmx-owners': 'owner',
    'pmx-ml': [{ role: 'team_admin', team: 'ml' }, 'viewer'],
  }),
};

const problemsOf = (source: Record<string, string>): string[] => {
  try {
    loadConfig('control', {}, source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('the configuration loaded');
};

describe('SSO configuration', () => {
  it('is off unless configured', () => {
    expect(loadConfig('control', {}, {}).sso).toBeUndefined();
  });

  it('reads the client, claims, role map and lifetimes, with defaults', () => {
    expect(loadConfig('control', {}, SSO).sso).toEqual({
      issuer: 'https://idp.example.com/realms/acme',
      clientId: 'polymux',
      redirectUri: 'https://polymux.example.com/admin/v1/sso/callback',
      scopes: ['openid', 'email', 'profile'],
      orgClaim: 'polymux_org',
      groupsClaim: 'groups',
      roleMap: {
        'pmx-owners': [{ role: 'owner', team: null }],
        'pmx-ml': [
          { role: 'team_admin', team: 'ml' },
          { role: 'viewer', team: null },
        ],
      },
      sessionTtlSeconds: 900,
      maxAgeSeconds: 43_200,
      allowHttp: false,
    });
    const config = loadConfig(
      'control',
      {},
      {
        ...SSO,
        POLYMUX_SSO_CLIENT_SECRET: 'secret',
        POLYMUX_SSO_POST_LOGOUT_REDIRECT_URI: 'https://polymux.example.com/bye',
        POLYMUX_SSO_SCOPES: 'openid email, groups offline_access',
        POLYMUX_SSO_ORG_CLAIM: 'org',
        POLYMUX_SSO_GROUPS_CLAIM: 'realm_access.roles',
        POLYMUX_SSO_SESSION_TTL_SECONDS: '300',
        POLYMUX_SSO_MAX_AGE_SECONDS: '3600',
      },
    );
    expect(config.sso).toMatchObject({
      clientSecret: 'secret',
      postLogoutRedirectUri: 'https://polymux.example.com/bye',
      scopes: ['openid', 'email', 'groups', 'offline_access'],
      orgClaim: 'org',
      groupsClaim: 'realm_access.roles',
      sessionTtlSeconds: 300,
      maxAgeSeconds: 3600,
    });
  });

  it('wants the issuer, client, redirect URI and role map together', () => {
    expect(problemsOf({ POLYMUX_SSO_ISSUER: SSO.POLYMUX_SSO_ISSUER })).toEqual([
      'POLYMUX_SSO_CLIENT_ID, POLYMUX_SSO_REDIRECT_URI, POLYMUX_SSO_ROLE_MAP: set with the other POLYMUX_SSO_* settings',
    ]);
  });

  it('refuses a plain-http issuer unless allowed, lifetimes out of order, and scopes without openid', () => {
    const http = { ...SSO, POLYMUX_SSO_ISSUER: 'http://127.0.0.1:4000' };
    expect(problemsOf(http)).toEqual([expect.stringMatching(/^POLYMUX_SSO_ISSUER: must be https/)]);
    expect(loadConfig('control', {}, { ...http, POLYMUX_SSO_ALLOW_HTTP: 'true' }).sso?.allowHttp).toBe(true);
    const problems = problemsOf({
      ...SSO,
      POLYMUX_SSO_SESSION_TTL_SECONDS: '7200',
      POLYMUX_SSO_MAX_AGE_SECONDS: '3600',
      POLYMUX_SSO_SCOPES: 'email profile',
    });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'POLYMUX_SSO_SESSION_TTL_SECONDS',
      'POLYMUX_SSO_SCOPES',
    ]);
  });

  it.each([
    ['not json', /must be JSON/],
    ['["owner"]', /POLYMUX_SSO_ROLE_MAP/],
    ['{"g": {"role": "team_admin", "team": "ml", "extra": 1}}', /POLYMUX_SSO_ROLE_MAP\.g/],
    ['{"g": []}', /POLYMUX_SSO_ROLE_MAP\.g/],
    ['{"g": ""}', /POLYMUX_SSO_ROLE_MAP\.g/],
  ])('refuses the role map %s, naming the key', (map, message) => {
    const problems = problemsOf({ ...SSO, POLYMUX_SSO_ROLE_MAP: map });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('lists bad SSO keys beside the others', () => {
    const problems = problemsOf({
      ...SSO,
      POLYMUX_SSO_ISSUER: 'not a url',
      POLYMUX_SSO_SESSION_TTL_SECONDS: '5',
      PORT: 'x',
    });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'POLYMUX_SSO_ISSUER',
      'POLYMUX_SSO_SESSION_TTL_SECONDS',
      'PORT',
    ]);
  });
});
