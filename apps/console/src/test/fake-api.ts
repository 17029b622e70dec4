import { vi } from 'vitest';

import type { Me } from '../api/types';

export interface Recorded {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  body: unknown;
}

type Handler = (request: Recorded) => { status?: number; body: unknown } | { text: string; type: string } | unknown;

/**
 * Replaces `fetch` with the admin API's answers, by `METHOD /path`; records every request. An
 * unlisted route answers 404 in the API's error shape; `{text, type}` answers that text as is (CSV).
 */
export const fakeApi = (routes: Record<string, Handler>) => {
  const requests: Recorded[] = [];
  vi.stubGlobal('fetch', async (input: Request) => {
    const url = new URL(input.url);
    const text = await input.text();
    const request: Recorded = {
      method: input.method,
      path: url.pathname,
      search: url.search,
      headers: input.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    requests.push(request);
    const handler = routes[`${input.method} ${url.pathname}`];
    const answer = handler
      ? handler(request)
      : { status: 404, body: { error: { message: `no ${url.pathname}`, type: 'not_found', param: null, code: null } } };
    if (answer && typeof answer === 'object' && 'text' in answer) {
      const { text: raw, type } = answer as { text: string; type: string };
      return new Response(raw, { status: 200, headers: { 'content-type': type } });
    }
    const { status = 200, body } =
      answer && typeof answer === 'object' && 'body' in answer
        ? (answer as { status?: number; body: unknown })
        : { body: answer };
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  });
  return requests;
};

const ALL = [
  'org.read',
  'project.read',
  'team.read',
  'team.write',
  'member.read',
  'member.write',
  'project.write',
  'key.read',
  'key.write',
  'credits.read',
  'credits.write',
  'plan.read',
  'plan.write',
  'budget.read',
  'budget.write',
  'webhook.read',
  'webhook.write',
  'policy.read',
  'policy.write',
  'usage.read',
  'audit.read',
];

export const OPERATOR: Me = {
  operator: true,
  keyId: 'key-op',
  user: null,
  org: null,
  roles: [],
  permissions: ALL.map((permission) => ({ permission, teamId: null, ownOnly: false })),
};

export const VIEWER: Me = {
  operator: false,
  keyId: 'key-viewer',
  user: { id: 'user-v', email: 'viewer@example.com', name: 'Vera Viewer' },
  org: { id: 'org-1', name: 'Acme' },
  roles: [{ role: 'viewer', teamId: null, team: null }],
  permissions: ['org.read', 'project.read', 'key.read'].map((permission) => ({
    permission,
    teamId: null,
    ownOnly: false,
  })),
};

export const DEVELOPER: Me = {
  ...VIEWER,
  user: { id: 'user-d', email: 'dev@example.com', name: 'Dev' },
  roles: [{ role: 'developer', teamId: null, team: null }],
  permissions: [
    { permission: 'project.read', teamId: null, ownOnly: false },
    { permission: 'key.read', teamId: null, ownOnly: true },
    { permission: 'key.write', teamId: null, ownOnly: true },
  ],
};

/** Reads credits, plans, budgets, policies, usage and the audit trail; changes nothing. */
export const AUDITOR: Me = {
  ...VIEWER,
  user: { id: 'user-a', email: 'auditor@example.com', name: 'Ada Auditor' },
  roles: [{ role: 'auditor', teamId: null, team: null }],
  permissions: [
    'org.read',
    'project.read',
    'team.read',
    'credits.read',
    'plan.read',
    'budget.read',
    'policy.read',
    'usage.read',
    'audit.read',
  ].map((permission) => ({ permission, teamId: null, ownOnly: false })),
};

/** Owns the org's money short of moving credit: budgets and webhooks, no top-up, no plan change. */
export const BILLING_ADMIN: Me = {
  ...VIEWER,
  user: { id: 'user-b', email: 'billing@example.com', name: 'Bill Admin' },
  roles: [{ role: 'billing_admin', teamId: null, team: null }],
  permissions: [
    'org.read',
    'project.read',
    'team.read',
    'credits.read',
    'plan.read',
    'budget.read',
    'budget.write',
    'webhook.read',
    'webhook.write',
  ].map((permission) => ({ permission, teamId: null, ownOnly: false })),
};

export const CONFIG = {
  object: 'console.config',
  mode: 'embedded',
  sso: false,
  publicUrl: null,
  dataPlanePort: 8080,
  jaeger: null,
};
export const ORGS = { data: [{ id: 'org-1', name: 'Acme' }], nextCursor: null };
export const PROJECTS = {
  data: [
    {
      id: 'proj-1',
      name: 'app',
      org_id: 'org-1',
      team_id: null,
      data_retention: false,
      created_at: '2026-01-01T00:00:00.000Z',
    },
    {
      id: 'proj-2',
      name: 'batch',
      org_id: 'org-1',
      team_id: null,
      data_retention: false,
      created_at: '2026-01-01T00:00:00.000Z',
    },
  ],
  nextCursor: null,
};

export const keyOf = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  name: `key ${id}`,
  prefix: `pmx-${id}`,
  projectId: 'proj-1',
  userId: null,
  admin: false,
  allowedModels: null,
  allowedEndpoints: null,
  ipAllowlist: null,
  expiresAt: null,
  rotatedAt: null,
  previousSecretExpiresAt: null,
  rpm: null,
  tpm: null,
  maxConcurrent: null,
  revokedAt: null,
  lastUsedAt: null,
  createdAt: '2026-01-02T03:04:05.000Z',
  ...overrides,
});

/** The routes every signed-in page reads. */
export const baseRoutes = (me: Me) => ({
  'GET /admin/v1/console/config': () => CONFIG,
  'GET /admin/v1/me': () => me,
  'GET /admin/v1/orgs': () => ORGS,
  'GET /admin/v1/orgs/org-1/projects': () => PROJECTS,
  'GET /admin/v1/projects/proj-1/balance': () => ({
    balanceUsd: '10',
    reservedUsd: '0',
    balanceNanoUsd: '10000000000',
    reservedNanoUsd: '0',
  }),
});
