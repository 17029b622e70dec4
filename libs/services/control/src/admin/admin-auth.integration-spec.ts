import { randomUUID } from 'node:crypto';

import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { deleteNatsNamespace, isolatedServiceEnv } from '@polymux/testing';

import { AuditController } from '../audit/audit.controller';
import { CatalogLayerController } from '../catalog/catalog-layer.controller';
import { KeyController } from '../keys/key.controller';
import { ControlModule } from '../control.module';
import { RoutingPolicyController } from '../policies/routing-policy.controller';
import { RateLimitController } from '../rate-limits/rate-limit.controller';
import { AdminController } from './admin.controller';

jest.setTimeout(60_000);

const namespace = `it_adminauth_${randomUUID().slice(0, 8)}`;
const env = isolatedServiceEnv(namespace);
const adminKey = `pmx-test-admin-${randomUUID()}`;

let service: RunningService;
let ids: { org: string; project: string; key: string; credential: string; user: string };
const keys: Record<'member' | 'revoked' | 'expired' | 'rotated', string> = {
  member: '',
  revoked: '',
  expired: '',
  rotated: '',
};

const call = (method: string, path: string, authorization?: string, body?: unknown) =>
  fetch(`${service.url}${path}`, {
    method,
    headers: {
      ...(authorization === undefined ? {} : { authorization }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      'idempotency-key': 'auth-test',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const createKey = async (body: Record<string, unknown>) => {
  const response = await call('POST', `/admin/v1/projects/${ids.project}/keys`, `Bearer ${adminKey}`, {
    name: `auth-test-${randomUUID()}`,
    ...body,
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; key: string };
};

beforeAll(async () => {
  service = await startService(
    { name: 'control', modules: [ControlModule], httpPort: () => 0 },
    { ...env, POLYMUX_BOOTSTRAP_KEY: adminKey },
  );
  const orgs = (await (await call('GET', '/admin/v1/orgs', `Bearer ${adminKey}`)).json()) as {
    data: Array<{ id: string; name: string }>;
  };
  const org = orgs.data.find((item) => item.name === 'default')!;
  const projects = (await (await call('GET', `/admin/v1/orgs/${org.id}/projects`, `Bearer ${adminKey}`)).json()) as {
    data: Array<{ id: string; name: string }>;
  };
  ids = {
    org: org.id,
    project: projects.data.find((item) => item.name === 'default')!.id,
    key: '',
    credential: randomUUID(),
    user: randomUUID(),
  };
  const member = await createKey({ admin: false });
  keys.member = member.key;
  ids.key = member.id;
  const revoked = await createKey({ admin: true });
  expect((await call('DELETE', `/admin/v1/keys/${revoked.id}`, `Bearer ${adminKey}`)).status).toBe(200);
  keys.revoked = revoked.key;
  keys.expired = (await createKey({ admin: true, expiresAt: '2020-01-01T00:00:00Z' })).key;
  const rotated = await createKey({ admin: true });
  const rotation = await call('POST', `/admin/v1/keys/${rotated.id}/rotate`, `Bearer ${adminKey}`, {
    overlapSeconds: 0,
  });
  expect(rotation.status).toBe(200);
  keys.rotated = rotated.key;
});

afterAll(async () => {
  await service?.close();
  await deleteNatsNamespace(env.NATS_URL, namespace);
});

/** Every admin endpoint with real ids, so that only the guard stands between a caller and the action. */
const endpoints = (): Array<{ method: string; path: string; body?: unknown }> => [
  { method: 'POST', path: '/admin/v1/orgs', body: { name: 'must-not-exist' } },
  { method: 'GET', path: '/admin/v1/orgs' },
  { method: 'POST', path: `/admin/v1/orgs/${ids.org}/teams`, body: { name: 'must-not-exist' } },
  { method: 'GET', path: `/admin/v1/orgs/${ids.org}/teams` },
  { method: 'POST', path: `/admin/v1/orgs/${ids.org}/projects`, body: { name: 'must-not-exist' } },
  { method: 'GET', path: `/admin/v1/orgs/${ids.org}/projects` },
  { method: 'POST', path: `/admin/v1/orgs/${ids.org}/users`, body: { email: 'must-not-exist@example.com' } },
  { method: 'GET', path: `/admin/v1/orgs/${ids.org}/users` },
  { method: 'GET', path: `/admin/v1/users/${ids.user}` },
  { method: 'PUT', path: `/admin/v1/users/${ids.user}/roles`, body: { roles: [{ role: 'owner' }] } },
  { method: 'POST', path: `/admin/v1/projects/${ids.project}/keys`, body: { name: 'must-not-exist', admin: true } },
  { method: 'GET', path: `/admin/v1/projects/${ids.project}/keys` },
  { method: 'PATCH', path: `/admin/v1/keys/${ids.key}`, body: { rpm: 1 } },
  { method: 'POST', path: `/admin/v1/keys/${ids.key}/rotate`, body: { overlapSeconds: 0 } },
  { method: 'DELETE', path: `/admin/v1/keys/${ids.key}` },
  { method: 'POST', path: `/admin/v1/projects/${ids.project}/credits`, body: { amountUsd: '1000.00' } },
  { method: 'PATCH', path: `/admin/v1/projects/${ids.project}`, body: { dataRetention: true } },
  { method: 'GET', path: `/admin/v1/projects/${ids.project}/balance` },
  { method: 'GET', path: `/admin/v1/projects/${ids.project}/ledger` },
  { method: 'GET', path: '/admin/v1/audit' },
  { method: 'GET', path: '/admin/v1/audit/export' },
  { method: 'GET', path: '/admin/v1/audit/verify' },
  { method: 'POST', path: '/admin/v1/credentials', body: { name: 'must-not-exist', value: 'sk-x' } },
  { method: 'GET', path: '/admin/v1/credentials' },
  { method: 'PATCH', path: `/admin/v1/credentials/${ids.credential}`, body: { value: 'sk-y' } },
  { method: 'DELETE', path: `/admin/v1/credentials/${ids.credential}` },
  { method: 'POST', path: '/admin/v1/models', body: { id: 'must-not-exist' } },
  { method: 'GET', path: '/admin/v1/models' },
  { method: 'PATCH', path: '/admin/v1/models/must-not-exist', body: { contextWindow: 10 } },
  { method: 'DELETE', path: '/admin/v1/models/must-not-exist' },
  { method: 'POST', path: '/admin/v1/deployments', body: { id: 'must-not-exist', model: 'm', baseUrl: 'https://x' } },
  { method: 'GET', path: '/admin/v1/deployments' },
  { method: 'PATCH', path: '/admin/v1/deployments/must-not-exist', body: { upstreamModel: 'x' } },
  { method: 'DELETE', path: '/admin/v1/deployments/must-not-exist' },
  { method: 'GET', path: '/admin/v1/routing-policies' },
  { method: 'PUT', path: `/admin/v1/routing-policies/project/${ids.project}`, body: { denyModels: ['x'] } },
  { method: 'GET', path: `/admin/v1/routing-policies/project/${ids.project}` },
  { method: 'DELETE', path: `/admin/v1/routing-policies/project/${ids.project}` },
  { method: 'PUT', path: `/admin/v1/rate-limits/project/${ids.project}`, body: { rpm: 1 } },
  { method: 'GET', path: `/admin/v1/rate-limits/project/${ids.project}` },
  { method: 'DELETE', path: `/admin/v1/rate-limits/project/${ids.project}` },
];

/** `METHOD /path/:param` of every route the admin controllers declare. */
const declaredRoutes = (): string[] =>
  [
    AdminController,
    AuditController,
    KeyController,
    CatalogLayerController,
    RoutingPolicyController,
    RateLimitController,
  ]
    .flatMap(routesOf)
    .sort();

const routesOf = (
  controller:
    | typeof AdminController
    | typeof KeyController
    | typeof AuditController
    | typeof CatalogLayerController
    | typeof RoutingPolicyController
    | typeof RateLimitController,
): string[] => {
  const prefix = Reflect.getMetadata(PATH_METADATA, controller) as string;
  const prototype = controller.prototype as unknown as Record<string, object>;
  return Object.getOwnPropertyNames(controller.prototype)
    .filter((name) => name !== 'constructor' && Reflect.hasMetadata(PATH_METADATA, prototype[name]))
    .map((name) => {
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, prototype[name]) as RequestMethod];
      return `${method} /${prefix}/${Reflect.getMetadata(PATH_METADATA, prototype[name]) as string}`;
    });
};

const expectOpenAiError = async (
  response: Response,
  status: number,
  type: 'authentication_error' | 'permission_error',
  code: 'unauthenticated' | 'forbidden',
) => {
  expect(response.status).toBe(status);
  expect(response.headers.get('x-request-id')).toBeTruthy();
  expect(await response.json()).toEqual({ error: { message: expect.any(String), type, param: null, code } });
};

describe('admin API authorisation', () => {
  it('tests every route the admin controller declares', () => {
    const tested = endpoints()
      .map(({ method, path }) =>
        `${method} ${path}`
          .replace(ids.org, ':orgId')
          .replace(ids.project, ':projectId')
          .replace(ids.key, ':keyId')
          .replace(ids.credential, ':credentialId')
          .replace(ids.user, ':userId')
          .replace('models/must-not-exist', 'models/:modelId')
          .replace('deployments/must-not-exist', 'deployments/:deploymentId')
          .replace('routing-policies/project', 'routing-policies/:scope')
          .replace('rate-limits/project', 'rate-limits/:scope')
          .replace(`:scope/:projectId`, ':scope/:scopeId'),
      )
      .sort();
    expect(tested).toEqual(declaredRoutes());
  });

  it('serves an admin key (the checks below fail for the credentials, not the route)', async () => {
    expect((await call('GET', '/admin/v1/orgs', `Bearer ${adminKey}`)).status).toBe(200);
    expect((await call('GET', `/admin/v1/projects/${ids.project}/keys`, `Bearer ${adminKey}`)).status).toBe(200);
  });

  const unauthenticated: Array<[string, () => string | undefined]> = [
    ['no Authorization header', () => undefined],
    ['an empty bearer', () => 'Bearer '],
    ['another scheme', () => `Basic ${Buffer.from(`admin:${adminKey}`).toString('base64')}`],
    ['a key that does not exist', () => `Bearer pmx-${randomUUID()}`],
    ['a revoked admin key', () => `Bearer ${keys.revoked}`],
    ['an expired admin key', () => `Bearer ${keys.expired}`],
    ['an admin key’s secret rotated out', () => `Bearer ${keys.rotated}`],
    ['a very long bearer', () => `Bearer ${'x'.repeat(6_000)}`],
    ['a bearer with spaces and punctuation', () => `Bearer ${adminKey} ${adminKey}; "admin"`],
  ];

  it.each(unauthenticated)('answers 401 in OpenAI format on every endpoint to %s', async (_label, authorization) => {
    for (const { method, path, body } of endpoints()) {
      const response = await call(method, path, authorization(), body);
      await expectOpenAiError(response, 401, 'authentication_error', 'unauthenticated');
    }
  });

  it('answers 403 in OpenAI format on every endpoint to a key without admin rights, and changes nothing', async () => {
    for (const { method, path, body } of endpoints())
      await expectOpenAiError(
        await call(method, path, `Bearer ${keys.member}`, body),
        403,
        'permission_error',
        'forbidden',
      );

    const orgs = (await (await call('GET', '/admin/v1/orgs', `Bearer ${adminKey}`)).json()) as {
      data: Array<{ name: string }>;
    };
    expect(orgs.data.map((org) => org.name)).not.toContain('must-not-exist');
    const listed = (await (
      await call('GET', `/admin/v1/projects/${ids.project}/keys`, `Bearer ${adminKey}`)
    ).json()) as {
      data: Array<{ id: string; name: string; revokedAt: string | null }>;
    };
    expect(listed.data.find((key) => key.id === ids.key)?.revokedAt).toBeNull();
    expect(listed.data.map((key) => key.name)).not.toContain('must-not-exist');
  });
});
