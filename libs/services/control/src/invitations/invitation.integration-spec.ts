import { randomUUID } from 'node:crypto';

import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { deleteNatsNamespace, isolatedServiceEnv } from '@polymux/testing';

import { ControlModule } from '../control.module';

jest.setTimeout(60_000);

const namespace = `it_invite_${randomUUID().slice(0, 8)}`;
const env = isolatedServiceEnv(namespace);
const adminKey = `pmx-test-admin-${randomUUID()}`;

let service: RunningService;
let org: string;
let team: string;
let teamProject: string;
let orgProject: string;
/** A personal key of an admin of the org (not an owner). */
let adminOfOrg: string;

type Answer<T = Record<string, unknown>> = { status: number; body: T };
const call = async <T = Record<string, unknown>>(
  method: string,
  path: string,
  key: string | null,
  body?: unknown,
): Promise<Answer<T>> => {
  const response = await fetch(`${service.url}/admin/v1${path}`, {
    method,
    headers: {
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
};
/** The answer's body, once its status is the one expected. */
const ok = async <T = Record<string, unknown>>(answer: Promise<Answer>, status = 200): Promise<T> => {
  const { status: actual, body } = await answer;
  expect({ status: actual, body }).toMatchObject({ status });
  return body as T;
};
const email = () => `invitee-${randomUUID()}@example.com`;
const invite = (body: Record<string, unknown>, key = adminKey) => call('POST', `/orgs/${org}/invitations`, key, body);
const accept = (token: string) => call('POST', '/invitations/accept', null, { token });

beforeAll(async () => {
  service = await startService(
    { name: 'control', modules: [ControlModule], httpPort: () => 0 },
    { ...env, POLYMUX_BOOTSTRAP_KEY: adminKey },
  );
  org = (await ok<{ id: string }>(call('POST', '/orgs', adminKey, { name: `invite-${namespace}` }), 201)).id;
  team = (await ok<{ id: string }>(call('POST', `/orgs/${org}/teams`, adminKey, { name: 'core' }), 201)).id;
  teamProject = (
    await ok<{ id: string }>(call('POST', `/orgs/${org}/projects`, adminKey, { name: 'app', teamId: team }), 201)
  ).id;
  orgProject = (await ok<{ id: string }>(call('POST', `/orgs/${org}/projects`, adminKey, { name: 'shared' }), 201)).id;
  const admin = await ok<{ id: string }>(
    call('POST', `/orgs/${org}/users`, adminKey, { email: email(), roles: [{ role: 'admin' }] }),
    201,
  );
  adminOfOrg = (
    await ok<{ key: string }>(
      call('POST', `/projects/${orgProject}/keys`, adminKey, { name: 'admin', userId: admin.id }),
      201,
    )
  ).key;
});

afterAll(async () => {
  await service?.close();
  await deleteNatsNamespace(env.NATS_URL, namespace);
});

describe('invitations', () => {
  it('creates the invited user with their roles and a personal key that signs them in, once', async () => {
    const address = email();
    const created = await ok<{ id: string; token: string; status: string; expiresAt: string }>(
      invite(
        { email: address, name: 'Ivy', roles: [{ role: 'developer', teamId: team }], projectId: teamProject },
        adminOfOrg,
      ),
      201,
    );
    expect(created.token).toMatch(/^pmx-inv-[A-Za-z0-9_-]{43}$/);
    expect(created.status).toBe('pending');
    const days = (Date.parse(created.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);

    const pending = await ok<{ data: Array<Record<string, unknown>> }>(
      call('GET', `/orgs/${org}/invitations?status=pending`, adminOfOrg),
    );
    const listed = pending.data.find((invitation) => invitation.id === created.id)!;
    expect(listed).toMatchObject({ email: address, roles: [{ role: 'developer', teamId: team }] });
    expect(listed).not.toHaveProperty('token');

    const accepted = await ok<{
      user: { id: string; email: string; roles: unknown[] };
      key: { key: string; userId: string; projectId: string };
    }>(accept(created.token));
    expect(accepted.user).toMatchObject({ email: address, roles: [{ role: 'developer', teamId: team }] });
    expect(accepted.key).toMatchObject({ userId: accepted.user.id, projectId: teamProject });
    const me = await ok<{ user: { id: string }; roles: Array<{ role: string }> }>(call('GET', '/me', accepted.key.key));
    expect(me.user.id).toBe(accepted.user.id);
    expect(me.roles.map((grant) => grant.role)).toEqual(['developer']);

    // Once only.
    expect((await accept(created.token)).status).toBe(401);
    const after = await ok<{ data: Array<{ id: string; status: string; userId: string }> }>(
      call('GET', `/orgs/${org}/invitations?status=accepted`, adminKey),
    );
    expect(after.data.find((invitation) => invitation.id === created.id)).toMatchObject({
      status: 'accepted',
      userId: accepted.user.id,
    });
  });

  it('revokes a pending invitation: its token is refused, a second revocation conflicts', async () => {
    const created = await ok<{ id: string; token: string }>(
      invite({ email: email(), roles: [{ role: 'viewer' }], projectId: orgProject }),
      201,
    );
    expect((await ok<{ status: string }>(call('DELETE', `/invitations/${created.id}`, adminOfOrg))).status).toBe(
      'revoked',
    );
    expect((await accept(created.token)).status).toBe(401);
    expect((await call('DELETE', `/invitations/${created.id}`, adminOfOrg)).status).toBe(409);
    expect((await call('DELETE', `/invitations/${randomUUID()}`, adminOfOrg)).status).toBe(404);
  });

  it('lets only an owner or the operator invite an owner', async () => {
    const owner = { email: email(), roles: [{ role: 'owner' }], projectId: orgProject };
    const refused = await invite(owner, adminOfOrg);
    expect(refused).toMatchObject({ status: 403, body: { error: { param: 'roles' } } });
    expect((await invite(owner)).status).toBe(201);
  });

  it('refuses what cannot be accepted: a taken or pending email, team roles org-wide, a project the roles miss', async () => {
    const address = email();
    await ok(call('POST', `/orgs/${org}/users`, adminKey, { email: address }), 201);
    const taken = await invite({ email: address.toUpperCase(), roles: [{ role: 'viewer' }], projectId: orgProject });
    expect(taken).toMatchObject({ status: 409, body: { error: { param: 'email' } } });

    const twice = { email: email(), roles: [{ role: 'viewer' }], projectId: orgProject };
    expect((await invite(twice)).status).toBe(201);
    expect(await invite(twice)).toMatchObject({ status: 409, body: { error: { param: 'email' } } });

    const orgWide = await invite({ email: email(), roles: [{ role: 'team_admin' }], projectId: teamProject });
    expect(orgWide).toMatchObject({ status: 400, body: { error: { param: 'roles[0]' } } });
    const missed = await invite({
      email: email(),
      roles: [{ role: 'developer', teamId: team }],
      projectId: orgProject,
    });
    expect(missed).toMatchObject({ status: 400, body: { error: { param: 'projectId' } } });
    const none = await invite({ email: email(), roles: [], projectId: orgProject });
    expect(none.status).toBe(400);
    expect((await accept('pmx-inv-not-a-token')).status).toBe(401);
  });

  it("hides another org's invitations", async () => {
    const other = (await ok<{ id: string }>(call('POST', '/orgs', adminKey, { name: `other-${namespace}` }), 201)).id;
    expect((await call('GET', `/orgs/${other}/invitations`, adminOfOrg)).status).toBe(404);
    const created = await ok<{ id: string }>(
      invite({ email: email(), roles: [{ role: 'viewer' }], projectId: orgProject }),
      201,
    );
    const otherProject = (
      await ok<{ id: string }>(call('POST', `/orgs/${other}/projects`, adminKey, { name: 'x' }), 201)
    ).id;
    const otherAdmin = await ok<{ id: string }>(
      call('POST', `/orgs/${other}/users`, adminKey, { email: email(), roles: [{ role: 'owner' }] }),
      201,
    );
    const otherKey = (
      await ok<{ key: string }>(
        call('POST', `/projects/${otherProject}/keys`, adminKey, { name: 'o', userId: otherAdmin.id }),
        201,
      )
    ).key;
    expect((await call('DELETE', `/invitations/${created.id}`, otherKey)).status).toBe(404);
    expect(
      (await invite({ email: email(), roles: [{ role: 'viewer' }], projectId: otherProject }, adminOfOrg)).status,
    ).toBe(404);
  });
});
