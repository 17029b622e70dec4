import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';

import { declaredAdminRoutes } from './support/admin-routes';
import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(300_000);

/*
 * The permission matrix: every admin endpoint called by every role on objects of the caller's own
 * organisation (team roles hold them in the team the objects belong to), each call expected to
 * succeed or be refused as the table below says; then broken-object-level authorisation: an owner
 * of another organisation calls every id-taking endpoint with this organisation's ids and is
 * refused every time, changing nothing. The table is the policy written out by hand, not derived
 * from the code's permission list, so either one changing alone fails here.
 */

type Role = 'owner' | 'admin' | 'billing_admin' | 'team_admin' | 'developer' | 'viewer' | 'auditor';
const ROLES: readonly Role[] = ['owner', 'admin', 'billing_admin', 'team_admin', 'developer', 'viewer', 'auditor'];
const ALL = ROLES;
const NONE: readonly Role[] = [];

interface Call {
  method: string;
  path: string;
  body?: unknown;
}
interface Fixture {
  org: string;
  team: string;
  project: string;
  users: Record<Role, string>;
  budget: string;
  webhook: string;
  /** An agent session of one call in the project. */
  session: string;
}
interface Entry {
  /** `METHOD /admin/v1/...` with `:params`, as the controllers declare it. */
  route: string;
  /** What a distinct case of the route is (when the route appears more than once). */
  note?: string;
  allowed: readonly Role[];
  /** Builds the call, creating what it consumes (a key to revoke, a user to change). */
  make: (f: Fixture, as: Role | 'operator') => Promise<Call> | Call;
  /** Instance-wide objects with made-up ids: the operator passes the permission check, then may meet a 404. */
  operatorOnly?: boolean;
}

describe.each(MODES)('access control (%s mode)', (mode) => {
  let gateway: Gateway;
  let fixture: Fixture;
  let foreign: { org: string; ownerKey: string };
  const keys = {} as Record<Role, string>;

  const as = (key: string, { method, path, body }: Call) =>
    fetch(`${gateway.stack.controlUrl}/admin/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        'idempotency-key': randomUUID(),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const newKey = async (userId: string | null) =>
    (
      await gateway.admin<{ id: string; key: string }>('POST', `/projects/${fixture.project}/keys`, {
        name: 'matrix',
        ...(userId ? { userId } : {}),
      })
    ).id;
  /** A key of the project the caller may manage: the developer's own personal key for the developer. */
  const serviceKey = () => newKey(null);
  const ownKey = (f: Fixture, role: Role | 'operator') => newKey(role === 'operator' ? null : f.users[role]);
  const newUser = async (f: Fixture) =>
    (await gateway.admin<{ id: string }>('POST', `/orgs/${f.org}/users`, { email: `${randomUUID()}@example.com` })).id;
  const invitation = (f: Fixture) => ({
    email: `${randomUUID()}@example.com`,
    roles: [{ role: 'viewer' }],
    projectId: f.project,
  });
  const newInvitation = async (f: Fixture) =>
    (await gateway.admin<{ id: string }>('POST', `/orgs/${f.org}/invitations`, invitation(f))).id;

  const matrix: Entry[] = [
    {
      route: 'POST /admin/v1/orgs',
      allowed: NONE,
      make: () => ({ method: 'POST', path: '/orgs', body: { name: 'x' } }),
    },
    { route: 'GET /admin/v1/orgs', allowed: ALL, make: () => ({ method: 'GET', path: '/orgs' }) },
    { route: 'GET /admin/v1/me', allowed: ALL, make: () => ({ method: 'GET', path: '/me' }) },
    {
      route: 'POST /admin/v1/orgs/:orgId/teams',
      allowed: ['owner', 'admin'],
      make: (f) => ({ method: 'POST', path: `/orgs/${f.org}/teams`, body: { name: 'new team' } }),
    },
    {
      route: 'GET /admin/v1/orgs/:orgId/teams',
      allowed: ALL,
      make: (f) => ({ method: 'GET', path: `/orgs/${f.org}/teams` }),
    },
    {
      route: 'POST /admin/v1/orgs/:orgId/users',
      allowed: ['owner', 'admin'],
      make: (f) => ({ method: 'POST', path: `/orgs/${f.org}/users`, body: { email: `${randomUUID()}@example.com` } }),
    },
    {
      route: 'GET /admin/v1/orgs/:orgId/users',
      allowed: ['owner', 'admin', 'team_admin', 'viewer', 'auditor'],
      make: (f) => ({ method: 'GET', path: `/orgs/${f.org}/users` }),
    },
    {
      route: 'GET /admin/v1/users/:userId',
      note: 'the developer (a member of the team; themselves for the developer)',
      allowed: ['owner', 'admin', 'team_admin', 'developer', 'viewer', 'auditor'],
      make: (f) => ({ method: 'GET', path: `/users/${f.users.developer}` }),
    },
    {
      route: 'PUT /admin/v1/users/:userId/roles',
      allowed: ['owner', 'admin'],
      make: async (f) => ({
        method: 'PUT',
        path: `/users/${await newUser(f)}/roles`,
        body: { roles: [{ role: 'viewer' }] },
      }),
    },
    {
      route: 'POST /admin/v1/orgs/:orgId/invitations',
      allowed: ['owner', 'admin'],
      make: (f) => ({ method: 'POST', path: `/orgs/${f.org}/invitations`, body: invitation(f) }),
    },
    {
      route: 'GET /admin/v1/orgs/:orgId/invitations',
      allowed: ['owner', 'admin', 'team_admin', 'viewer', 'auditor'],
      make: (f) => ({ method: 'GET', path: `/orgs/${f.org}/invitations` }),
    },
    {
      route: 'DELETE /admin/v1/invitations/:invitationId',
      allowed: ['owner', 'admin'],
      make: async (f) => ({ method: 'DELETE', path: `/invitations/${await newInvitation(f)}` }),
    },
    {
      route: 'POST /admin/v1/orgs/:orgId/projects',
      allowed: ['owner', 'admin', 'team_admin'],
      make: (f) => ({ method: 'POST', path: `/orgs/${f.org}/projects`, body: { name: 'new', teamId: f.team } }),
    },
    {
      route: 'PATCH /admin/v1/projects/:projectId',
      allowed: ['owner', 'admin', 'team_admin'],
      make: (f) => ({ method: 'PATCH', path: `/projects/${f.project}`, body: { dataRetention: false } }),
    },
    {
      route: 'GET /admin/v1/orgs/:orgId/projects',
      allowed: ALL,
      make: (f) => ({ method: 'GET', path: `/orgs/${f.org}/projects` }),
    },
    {
      route: 'POST /admin/v1/projects/:projectId/keys',
      note: 'a service key',
      allowed: ['owner', 'admin', 'team_admin'],
      make: (f) => ({ method: 'POST', path: `/projects/${f.project}/keys`, body: { name: 'svc' } }),
    },
    {
      route: 'POST /admin/v1/projects/:projectId/keys',
      note: "the caller's own personal key",
      allowed: ['owner', 'admin', 'team_admin', 'developer'],
      make: (f, role) => ({
        method: 'POST',
        path: `/projects/${f.project}/keys`,
        body: { name: 'mine', ...(role === 'operator' ? {} : { userId: f.users[role] }) },
      }),
    },
    {
      route: 'GET /admin/v1/projects/:projectId/keys',
      allowed: ['owner', 'admin', 'team_admin', 'developer', 'viewer'],
      make: (f) => ({ method: 'GET', path: `/projects/${f.project}/keys` }),
    },
    {
      route: 'PATCH /admin/v1/keys/:keyId',
      note: 'a service key',
      allowed: ['owner', 'admin', 'team_admin'],
      make: async () => ({ method: 'PATCH', path: `/keys/${await serviceKey()}`, body: { rpm: 100 } }),
    },
    {
      route: 'PATCH /admin/v1/keys/:keyId',
      note: "the caller's own personal key",
      allowed: ['owner', 'admin', 'team_admin', 'developer'],
      make: async (f, role) => ({ method: 'PATCH', path: `/keys/${await ownKey(f, role)}`, body: { rpm: 100 } }),
    },
    {
      route: 'POST /admin/v1/keys/:keyId/rotate',
      note: 'a service key',
      allowed: ['owner', 'admin', 'team_admin'],
      make: async () => ({ method: 'POST', path: `/keys/${await serviceKey()}/rotate`, body: { overlapSeconds: 0 } }),
    },
    {
      route: 'POST /admin/v1/keys/:keyId/rotate',
      note: "the caller's own personal key",
      allowed: ['owner', 'admin', 'team_admin', 'developer'],
      make: async (f, role) => ({
        method: 'POST',
        path: `/keys/${await ownKey(f, role)}/rotate`,
        body: { overlapSeconds: 0 },
      }),
    },
    {
      route: 'DELETE /admin/v1/keys/:keyId',
      note: 'a service key',
      allowed: ['owner', 'admin', 'team_admin'],
      make: async () => ({ method: 'DELETE', path: `/keys/${await serviceKey()}` }),
    },
    {
      route: 'DELETE /admin/v1/keys/:keyId',
      note: "the caller's own personal key",
      allowed: ['owner', 'admin', 'team_admin', 'developer'],
      make: async (f, role) => ({ method: 'DELETE', path: `/keys/${await ownKey(f, role)}` }),
    },
    {
      route: 'POST /admin/v1/projects/:projectId/credits',
      allowed: NONE,
      make: (f) => ({ method: 'POST', path: `/projects/${f.project}/credits`, body: { amountUsd: '1.00' } }),
    },
    {
      route: 'POST /admin/v1/projects/:projectId/grants',
      allowed: NONE,
      make: (f) => ({
        method: 'POST',
        path: `/projects/${f.project}/grants`,
        body: { amountUsd: '1.00', reason: 'promo' },
      }),
    },
    {
      route: 'POST /admin/v1/projects/:projectId/refunds',
      allowed: NONE,
      operatorOnly: true,
      make: (f) => ({
        method: 'POST',
        path: `/projects/${f.project}/refunds`,
        body: { requestId: randomUUID(), amountUsd: '1.00', reason: 'error' },
      }),
    },
    {
      route: 'POST /admin/v1/projects/:projectId/adjustments',
      allowed: NONE,
      make: (f) => ({
        method: 'POST',
        path: `/projects/${f.project}/adjustments`,
        body: { amountUsd: '1.00', reason: 'fix' },
      }),
    },
    ...(['balance', 'ledger'] as const).map((what): Entry => ({
      route: `GET /admin/v1/projects/:projectId/${what}`,
      allowed: ['owner', 'admin', 'billing_admin', 'team_admin', 'auditor'],
      make: (f) => ({ method: 'GET', path: `/projects/${f.project}/${what}` }),
    })),
    { route: 'GET /admin/v1/audit', allowed: ['owner', 'auditor'], make: () => ({ method: 'GET', path: '/audit' }) },
    {
      route: 'GET /admin/v1/audit/export',
      allowed: ['owner', 'auditor'],
      make: (f) => ({ method: 'GET', path: `/audit/export?format=csv&orgId=${f.org}` }),
    },
    {
      route: 'GET /admin/v1/audit/verify',
      allowed: ['owner', 'auditor'],
      make: (f) => ({ method: 'GET', path: `/audit/verify?orgId=${f.org}` }),
    },
    ...catalogEntries(),
    ...scopedEntries('routing-policies', { denyModels: ['nothing'] }),
    ...scopedEntries('rate-limits', { rpm: 1000 }),
    {
      route: 'POST /admin/v1/budgets',
      note: "on a key of the team's project (one budget per scope and period)",
      allowed: ['owner', 'admin', 'billing_admin', 'team_admin'],
      make: async () => ({
        method: 'POST',
        path: '/budgets',
        body: { scope: 'key', scopeId: await serviceKey(), period: 'monthly', amountUsd: '100.00' },
      }),
    },
    {
      route: 'GET /admin/v1/budgets',
      allowed: ['owner', 'admin', 'billing_admin', 'team_admin', 'viewer', 'auditor'],
      make: (f) => ({ method: 'GET', path: `/budgets?orgId=${f.org}` }),
    },
    {
      route: 'GET /admin/v1/budgets/:budgetId',
      allowed: ['owner', 'admin', 'billing_admin', 'team_admin', 'viewer', 'auditor'],
      make: (f) => ({ method: 'GET', path: `/budgets/${f.budget}` }),
    },
    {
      route: 'PATCH /admin/v1/budgets/:budgetId',
      allowed: ['owner', 'admin', 'billing_admin', 'team_admin'],
      make: (f) => ({ method: 'PATCH', path: `/budgets/${f.budget}`, body: { amountUsd: '100.00' } }),
    },
    {
      route: 'DELETE /admin/v1/budgets/:budgetId',
      allowed: ['owner', 'admin', 'billing_admin', 'team_admin'],
      make: async () => {
        const budget = await gateway.admin<{ id: string }>('POST', '/budgets', {
          scope: 'key',
          scopeId: await serviceKey(),
          period: 'daily',
          amountUsd: '1.00',
        });
        return { method: 'DELETE', path: `/budgets/${budget.id}` };
      },
    },
    ...webhookEntries(),
    {
      route: 'PUT /admin/v1/orgs/:orgId/plan',
      allowed: NONE,
      make: (f) => ({ method: 'PUT', path: `/orgs/${f.org}/plan`, body: { plan: 'payg' } }),
    },
    {
      route: 'GET /admin/v1/orgs/:orgId/plan',
      allowed: ['owner', 'admin', 'billing_admin', 'auditor'],
      make: (f) => ({ method: 'GET', path: `/orgs/${f.org}/plan` }),
    },
    {
      route: 'GET /admin/v1/orgs/:orgId/statement',
      allowed: ['owner', 'admin', 'billing_admin', 'auditor'],
      make: (f) => ({ method: 'GET', path: `/orgs/${f.org}/statement?period=2026-01` }),
    },
    {
      route: 'GET /admin/v1/sessions/:sessionId',
      note: 'org-wide usage readers only (a session has no team filter)',
      allowed: ['owner', 'admin', 'billing_admin', 'viewer', 'auditor'],
      make: (f) => ({ method: 'GET', path: `/sessions/${f.session}?orgId=${f.org}` }),
    },
    ...(['usage', 'usage/calls'] as const).flatMap((what): Entry[] => [
      {
        route: `GET /admin/v1/${what}`,
        note: 'the whole org',
        allowed: ['owner', 'admin', 'billing_admin', 'viewer', 'auditor'],
        make: (f) => ({ method: 'GET', path: `/${what}?orgId=${f.org}` }),
      },
      {
        route: `GET /admin/v1/${what}`,
        note: 'one team',
        allowed: ['owner', 'admin', 'billing_admin', 'team_admin', 'viewer', 'auditor'],
        make: (f) => ({ method: 'GET', path: `/${what}?orgId=${f.org}&teamId=${f.team}` }),
      },
    ]),
    {
      route: 'GET /admin/v1/usage',
      note: 'with the routing saving (savings=true)',
      allowed: ['owner', 'admin', 'billing_admin', 'viewer', 'auditor'],
      make: (f) => ({ method: 'GET', path: `/usage?orgId=${f.org}&savings=true` }),
    },
  ];

  function catalogEntries(): Entry[] {
    const write = (method: string, path: string, body?: unknown): Entry => ({
      route: `${method} /admin/v1/${path.replace(/\/must-not-exist$/, `/:${path.split('/')[0]!.replace(/s$/, '')}Id`)}`,
      allowed: NONE,
      operatorOnly: true,
      make: () => ({ method, path: `/${path}`, ...(body === undefined ? {} : { body }) }),
    });
    return [
      write('POST', 'credentials', { name: `c-${randomUUID()}`, value: 'sk-matrix' }),
      write('GET', 'credentials'),
      write('PATCH', 'credentials/must-not-exist', { value: 'sk-y' }),
      write('DELETE', 'credentials/must-not-exist'),
      write('POST', 'models', { id: 'must-not-exist' }),
      { route: 'GET /admin/v1/models', allowed: ALL, make: () => ({ method: 'GET', path: '/models' }) },
      write('PATCH', 'models/must-not-exist', { contextWindow: 10 }),
      write('DELETE', 'models/must-not-exist'),
      write('POST', 'deployments', { id: 'must-not-exist', model: 'm', baseUrl: 'https://x' }),
      { route: 'GET /admin/v1/deployments', allowed: ALL, make: () => ({ method: 'GET', path: '/deployments' }) },
      { route: 'GET /admin/v1/catalog', allowed: ALL, make: () => ({ method: 'GET', path: '/catalog' }) },
      write('PATCH', 'deployments/must-not-exist', { upstreamModel: 'x' }),
      write('DELETE', 'deployments/must-not-exist'),
    ];
  }

  function scopedEntries(kind: 'routing-policies' | 'rate-limits', body: unknown): Entry[] {
    const readers: readonly Role[] = ['owner', 'admin', 'team_admin', 'developer', 'viewer', 'auditor'];
    const writers: readonly Role[] = ['owner', 'admin', 'team_admin'];
    const at = (f: Fixture) => `/${kind}/project/${f.project}`;
    return [
      ...(kind === 'routing-policies'
        ? [
            {
              route: 'GET /admin/v1/routing-policies',
              allowed: readers,
              make: () => ({ method: 'GET', path: '/routing-policies' }),
            },
          ]
        : []),
      {
        route: `PUT /admin/v1/${kind}/:scope/:scopeId`,
        allowed: writers,
        make: (f) => ({ method: 'PUT', path: at(f), body }),
      },
      {
        route: `GET /admin/v1/${kind}/:scope/:scopeId`,
        allowed: readers,
        make: async (f) => {
          await gateway.admin('PUT', at(f), body);
          return { method: 'GET', path: at(f) };
        },
      },
      {
        route: `DELETE /admin/v1/${kind}/:scope/:scopeId`,
        allowed: writers,
        make: async (f) => {
          await gateway.admin('PUT', at(f), body);
          return { method: 'DELETE', path: at(f) };
        },
      },
    ];
  }

  function webhookEntries(): Entry[] {
    const roles: readonly Role[] = ['owner', 'admin', 'billing_admin'];
    const created = async (f: Fixture) =>
      (await gateway.admin<{ id: string }>('POST', '/webhooks', { orgId: f.org, url: 'http://127.0.0.1:9/hook' })).id;
    return [
      {
        route: 'POST /admin/v1/webhooks',
        allowed: roles,
        make: (f) => ({ method: 'POST', path: '/webhooks', body: { orgId: f.org, url: 'http://127.0.0.1:9/hook' } }),
      },
      {
        route: 'GET /admin/v1/webhooks',
        allowed: roles,
        make: (f) => ({ method: 'GET', path: `/webhooks?orgId=${f.org}` }),
      },
      {
        route: 'GET /admin/v1/webhooks/:endpointId',
        allowed: roles,
        make: (f) => ({ method: 'GET', path: `/webhooks/${f.webhook}` }),
      },
      {
        route: 'PATCH /admin/v1/webhooks/:endpointId',
        allowed: roles,
        make: (f) => ({ method: 'PATCH', path: `/webhooks/${f.webhook}`, body: { enabled: true } }),
      },
      {
        route: 'POST /admin/v1/webhooks/:endpointId/rotate-secret',
        allowed: roles,
        make: async (f) => ({ method: 'POST', path: `/webhooks/${await created(f)}/rotate-secret` }),
      },
      {
        route: 'DELETE /admin/v1/webhooks/:endpointId',
        allowed: roles,
        make: async (f) => ({ method: 'DELETE', path: `/webhooks/${await created(f)}` }),
      },
      {
        route: 'GET /admin/v1/webhooks/:endpointId/deliveries',
        allowed: roles,
        make: (f) => ({ method: 'GET', path: `/webhooks/${f.webhook}/deliveries` }),
      },
    ];
  }

  /** An org with two teams, a project in the first, and a user (with a personal key) per role. */
  const organisation = async (name: string): Promise<{ fixture: Fixture; keys: Record<Role, string> }> => {
    const org = (await gateway.admin<{ id: string }>('POST', '/orgs', { name })).id;
    const team = (await gateway.admin<{ id: string }>('POST', `/orgs/${org}/teams`, { name: 'first' })).id;
    await gateway.admin('POST', `/orgs/${org}/teams`, { name: 'second' });
    const project = (
      await gateway.admin<{ id: string }>('POST', `/orgs/${org}/projects`, { name: 'app', teamId: team })
    ).id;
    const users = {} as Record<Role, string>;
    const roleKeys = {} as Record<Role, string>;
    for (const role of ROLES) {
      const teamRole = role === 'team_admin' || role === 'developer';
      const user = await gateway.admin<{ id: string }>('POST', `/orgs/${org}/users`, {
        email: `${role}-${randomUUID()}@example.com`,
        roles: [{ role, ...(teamRole ? { teamId: team } : {}) }],
      });
      users[role] = user.id;
      roleKeys[role] = (
        await gateway.admin<{ key: string }>('POST', `/projects/${project}/keys`, { name: role, userId: user.id })
      ).key;
    }
    const budget = (
      await gateway.admin<{ id: string }>('POST', '/budgets', {
        scope: 'project',
        scopeId: project,
        period: 'monthly',
        amountUsd: '50.00',
      })
    ).id;
    const webhook = (
      await gateway.admin<{ id: string }>('POST', '/webhooks', { orgId: org, url: 'http://127.0.0.1:9/hook' })
    ).id;
    const session = `matrix-${randomUUID()}`;
    await gateway.admin('POST', `/projects/${project}/credits`, { amountUsd: '5.00' }, { 'idempotency-key': session });
    const call = await fetch(`${gateway.stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${roleKeys.developer}`,
        'content-type': 'application/json',
        'x-polymux-session-id': session,
      },
      body: JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Say hi.' }], max_tokens: 5 }),
    });
    expect(call.status).toBe(200);
    await pollUntil(
      () =>
        fetch(`${gateway.stack.controlUrl}/admin/v1/sessions/${session}`, {
          headers: { authorization: `Bearer ${gateway.adminKey}` },
        }),
      (response) => response.status === 200,
      { timeoutMs: 15_000 },
    );
    return { fixture: { org, team, project, users, budget, webhook, session }, keys: roleKeys };
  };

  beforeAll(async () => {
    gateway = await startGateway({
      mode,
      label: 'access',
      catalogFile: join(__dirname, 'catalog.yaml'),
      env: { POLYMUX_WEBHOOKS_ALLOW_LOOPBACK_HTTP: 'true' },
    });
    const own = await organisation(`access-a-${mode}`);
    fixture = own.fixture;
    Object.assign(keys, own.keys);
    const other = await organisation(`access-b-${mode}`);
    foreign = { org: other.fixture.org, ownerKey: other.keys.owner };
  });
  afterAll(() => gateway?.stop());

  it('lists every admin route the controllers declare', () => {
    expect([...new Set(matrix.map((entry) => entry.route))].sort()).toEqual(declaredAdminRoutes());
  });

  it.each(ROLES)('lets %s do exactly what the matrix says', async (role) => {
    const outcomes: string[] = [];
    for (const entry of matrix) {
      const response = await as(keys[role], await entry.make(fixture, role));
      const allowed = entry.allowed.includes(role);
      const ok = allowed ? response.status < 300 : response.status === 403 || response.status === 404;
      if (!ok) outcomes.push(`${entry.route} ${entry.note ?? ''}: ${response.status} ${await response.text()}`);
      else if (!allowed) {
        const { error } = (await response.json()) as { error: { type: string; code: string } };
        expect(error.code).toMatch(/^(forbidden|not_found)$/);
      }
    }
    expect(outcomes).toEqual([]);
  });

  it('lets the operator past every permission check', async () => {
    const refused: string[] = [];
    for (const entry of matrix) {
      const response = await as(gateway.adminKey, await entry.make(fixture, 'operator'));
      const ok = entry.operatorOnly ? ![401, 403].includes(response.status) : response.status < 300;
      if (!ok) refused.push(`${entry.route} ${entry.note ?? ''}: ${response.status} ${await response.text()}`);
    }
    expect(refused).toEqual([]);
  });

  it("keeps a team's roles inside the team: other teams' projects, keys, usage and budgets stay unseen", async () => {
    const teams = await gateway.admin<{ data: Array<{ id: string; name: string }> }>(
      'GET',
      `/orgs/${fixture.org}/teams`,
    );
    const second = teams.data.find((team) => team.name === 'second')!.id;
    const other = (
      await gateway.admin<{ id: string }>('POST', `/orgs/${fixture.org}/projects`, { name: 'other', teamId: second })
    ).id;
    await gateway.admin('POST', `/projects/${other}/keys`, { name: 'other team key' });
    const otherBudget = (
      await gateway.admin<{ id: string }>('POST', '/budgets', {
        scope: 'project',
        scopeId: other,
        period: 'weekly',
        amountUsd: '5.00',
      })
    ).id;
    const get = (role: Role, path: string) => as(keys[role], { method: 'GET', path });

    expect((await get('team_admin', `/projects/${other}/keys`)).status).toBe(404);
    expect((await get('team_admin', `/budgets/${otherBudget}`)).status).toBe(404);
    expect((await get('team_admin', `/usage?orgId=${fixture.org}&teamId=${second}`)).status).toBe(403);
    const projects = (await (await get('team_admin', `/orgs/${fixture.org}/projects`)).json()) as {
      data: Array<{ id: string }>;
    };
    expect(projects.data.map((project) => project.id)).toContain(fixture.project);
    expect(projects.data.map((project) => project.id)).not.toContain(other);
    const budgets = (await (await get('team_admin', `/budgets?orgId=${fixture.org}`)).json()) as {
      data: Array<{ id: string }>;
    };
    expect(budgets.data.map((budget) => budget.id)).not.toContain(otherBudget);
    expect((await get('owner', `/projects/${other}/keys`)).status).toBe(200);

    // A developer lists only their own keys.
    const listed = (await (await get('developer', `/projects/${fixture.project}/keys`)).json()) as {
      data: Array<{ userId: string | null }>;
    };
    expect(listed.data.length).toBeGreaterThan(0);
    expect(new Set(listed.data.map((key) => key.userId))).toEqual(new Set([fixture.users.developer]));
  });

  it('lets only an owner make an owner, and only the operator make an operator key', async () => {
    const user = await newUser(fixture);
    const makeOwner = { method: 'PUT', path: `/users/${user}/roles`, body: { roles: [{ role: 'owner' }] } };
    const refused = await as(keys.admin, makeOwner);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'forbidden', param: 'roles' } });
    expect((await as(keys.owner, makeOwner)).status).toBe(200);
    const demote = await as(keys.admin, { method: 'PUT', path: `/users/${user}/roles`, body: { roles: [] } });
    expect(demote.status).toBe(403);

    const teamRoleOrgWide = await as(keys.owner, {
      method: 'PUT',
      path: `/users/${user}/roles`,
      body: { roles: [{ role: 'team_admin' }] },
    });
    expect(teamRoleOrgWide.status).toBe(400);
    const operatorKey = await as(keys.owner, {
      method: 'POST',
      path: `/projects/${fixture.project}/keys`,
      body: { name: 'root', admin: true },
    });
    expect(operatorKey.status).toBe(403);
    expect(await operatorKey.json()).toMatchObject({ error: { param: 'admin' } });
  });

  it("holds a key's IP allowlist on the admin API too", async () => {
    const fenced = await gateway.admin<{ id: string; key: string }>('POST', `/projects/${fixture.project}/keys`, {
      name: 'fenced',
      userId: fixture.users.owner,
      ipAllowlist: ['10.0.0.0/8'],
    });
    const refused = await as(fenced.key, { method: 'GET', path: '/me' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'address_not_allowed' } });
    await gateway.admin('PATCH', `/keys/${fenced.id}`, { ipAllowlist: ['127.0.0.0/8', '::1/128'] });
    expect((await as(fenced.key, { method: 'GET', path: '/me' })).status).toBe(200);
  });

  /** What the foreign owner could change: org A's tenancy, invitations, keys, roles, budgets, webhooks, policies, limits. */
  const snapshot = async () => {
    const get = (path: string) => gateway.admin<unknown>('GET', path);
    const f = fixture;
    return JSON.stringify(
      await Promise.all([
        get(`/orgs/${f.org}/teams`),
        get(`/orgs/${f.org}/projects`),
        get(`/orgs/${f.org}/users`),
        get(`/orgs/${f.org}/invitations`),
        get(`/projects/${f.project}/keys`),
        get(`/budgets/${f.budget}`),
        get(`/webhooks?orgId=${f.org}`),
        get(`/routing-policies`),
        get(`/rate-limits/project/${f.project}`).catch(() => null),
        get(`/projects/${f.project}/balance`),
      ]),
    );
  };

  it("refuses another org's owner every endpoint that takes this org's ids, and changes nothing", async () => {
    const ids = [
      fixture.org,
      fixture.team,
      fixture.project,
      ...Object.values(fixture.users),
      fixture.budget,
      fixture.webhook,
    ];
    const calls: Call[] = [];
    for (const entry of matrix) calls.push(await entry.make(fixture, 'owner'));
    // The calls' own objects (a key to revoke, a budget to delete) exist before the snapshot.
    const before = await snapshot();
    const leaked: string[] = [];
    let tried = 0;
    for (const call of calls) {
      const named =
        ids.some((id) => JSON.stringify(call).includes(id)) ||
        /\/(keys|users|budgets|webhooks|invitations)\//.test(call.path);
      if (!named) continue;
      tried += 1;
      const response = await as(foreign.ownerKey, call);
      if (response.status !== 403 && response.status !== 404)
        leaked.push(`${call.method} ${call.path}: ${response.status}`);
    }
    expect(leaked).toEqual([]);
    expect(tried).toBeGreaterThan(40);
    expect(await snapshot()).toEqual(before);
    const orgs = await as(foreign.ownerKey, { method: 'GET', path: '/orgs' });
    expect(((await orgs.json()) as { data: Array<{ id: string }> }).data.map((org) => org.id)).toEqual([foreign.org]);
  });
});
