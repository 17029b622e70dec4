import { randomUUID } from 'node:crypto';

import { Controller, Module } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { RequestOf, ResponseOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnRequest } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import type { ScratchDatabase } from '@polymux/testing';
import { createScratchDatabase, deleteNatsNamespace, isolatedServiceEnv, pollUntil } from '@polymux/testing';
import { Client } from 'pg';

import { ControlModule } from './control.module';

jest.setTimeout(60_000);

type TopUp = RequestOf<typeof Subjects.topUp>;
/** Top-up requests billing received; billing applies each idempotency key once (its own tests prove that). */
const topUps: TopUp[] = [];

/** Billing's top-up subject, answered by the test. */
@Controller()
class FakeBillingHandler {
  @OnRequest(Subjects.topUp)
  topUp(@Payload() request: TopUp): ResponseOf<typeof Subjects.topUp> {
    const applied = !topUps.some((seen) => seen.idempotencyKey === request.idempotencyKey);
    topUps.push(request);
    return { accountId: request.accountId, balance: request.amount, reserved: '0', applied };
  }
}
@Module({ controllers: [FakeBillingHandler] })
class FakeBillingModule {}

const namespace = `it_bootstrap_${randomUUID().slice(0, 8)}`;
const base = isolatedServiceEnv(namespace);
const scratches: ScratchDatabase[] = [];
const running = new Set<RunningService>();
let billing: RunningService;
const printed: string[] = [];

const fresh = async () => {
  const scratch = await createScratchDatabase(base.DATABASE_URL, 'polymux_bootstrap');
  scratches.push(scratch);
  return scratch.url;
};
const start = async (
  databaseUrl: string,
  overrides: { POLYMUX_BOOTSTRAP_KEY?: string; POLYMUX_BOOTSTRAP_CREDITS_USD?: string } = {},
) => {
  const service = await startService(
    { name: 'control', modules: [ControlModule], httpPort: () => 0 },
    { ...base, DATABASE_URL: databaseUrl, ...overrides },
  );
  running.add(service);
  return service;
};
const stop = async (service: RunningService) => {
  running.delete(service);
  await service.close();
};
const rows = async (databaseUrl: string) => {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const count = async (table: string) =>
      Number((await db.query(`select count(*) from control.${table}`)).rows[0].count);
    const admins = await db.query('select name, project_id from control.api_keys where admin order by created_at');
    return {
      orgs: await count('orgs'),
      projects: await count('projects'),
      adminKeys: admins.rows as Array<{ name: string; project_id: string }>,
    };
  } finally {
    await db.end();
  }
};
const printedKeys = () =>
  printed.flatMap((text) =>
    [...text.matchAll(/Polymux admin key \(shown once, store it now\): (\S+)/g)].map((m) => m[1]),
  );
const status = async (service: RunningService, key: string) =>
  (await fetch(`${service.url}/admin/v1/orgs`, { headers: { authorization: `Bearer ${key}` } })).status;

beforeAll(async () => {
  const write = process.stdout.write.bind(process.stdout);
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    printed.push(String(chunk));
    // The generated key is read here, not echoed into the suite's output (which the log scan checks).
    return String(chunk).includes('Polymux admin key') ? true : write(chunk, ...(rest as []));
  });
  billing = await startService({ name: 'billing', modules: [FakeBillingModule] }, base);
});

afterAll(async () => {
  await Promise.all([...running].map((service) => service.close()));
  await billing?.close();
  for (const scratch of scratches) await scratch.drop();
  await deleteNatsNamespace(base.NATS_URL, namespace);
});

describe('control bootstrap', () => {
  it('creates the configured key, the default org and project and requests the credits once, across restarts', async () => {
    const url = await fresh();
    const key = `pmx-bootstrap-${randomUUID()}`;
    const env = { POLYMUX_BOOTSTRAP_KEY: key, POLYMUX_BOOTSTRAP_CREDITS_USD: '25' };
    for (let start_ = 0; start_ < 3; start_ += 1) {
      const service = await start(url, env);
      expect(await status(service, key)).toBe(200);
      await pollUntil(() => topUps.filter((topUp) => topUp.accountId.startsWith('project:')).length > start_);
      await stop(service);
    }
    const state = await rows(url);
    expect(state).toEqual({
      orgs: 1,
      projects: 1,
      adminKeys: [{ name: 'bootstrap', project_id: expect.any(String) }],
    });
    const requests = topUps.filter((topUp) => topUp.accountId === `project:${state.adminKeys[0].project_id}`);
    // Every start asks again with the same idempotency key, so billing grants the credits once.
    expect(requests).toEqual(
      Array.from({ length: 3 }, () => ({
        accountId: `project:${state.adminKeys[0].project_id}`,
        amount: '25000000000',
        idempotencyKey: `bootstrap:${state.adminKeys[0].project_id}`,
      })),
    );
    expect(printedKeys()).toEqual([]);
  });

  it('prints a generated key once and never makes another while an admin key exists', async () => {
    const url = await fresh();
    const before = printedKeys().length;
    const first = await start(url);
    const generated = printedKeys().slice(before);
    expect(generated).toHaveLength(1);
    expect(await status(first, generated[0])).toBe(200);
    await stop(first);

    const second = await start(url);
    expect(printedKeys().slice(before)).toEqual(generated);
    expect(await status(second, generated[0])).toBe(200);
    await stop(second);
    expect(await rows(url)).toMatchObject({ orgs: 1, projects: 1, adminKeys: [{ name: 'bootstrap' }] });
  });

  it('bootstraps once when two replicas start at the same time', async () => {
    const url = await fresh();
    const key = `pmx-bootstrap-${randomUUID()}`;
    const replicas = await Promise.all([
      start(url, { POLYMUX_BOOTSTRAP_KEY: key }),
      start(url, { POLYMUX_BOOTSTRAP_KEY: key }),
    ]);
    for (const replica of replicas) expect(await status(replica, key)).toBe(200);
    expect(await rows(url)).toMatchObject({ orgs: 1, projects: 1, adminKeys: [{ name: 'bootstrap' }] });

    const unset = await fresh();
    const before = printedKeys().length;
    await Promise.all([start(unset), start(unset)]);
    expect(printedKeys().slice(before)).toHaveLength(1);
    expect(await rows(unset)).toMatchObject({ orgs: 1, projects: 1, adminKeys: [{ name: 'bootstrap' }] });
  });
});
