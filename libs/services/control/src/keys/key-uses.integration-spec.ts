import { randomUUID } from 'node:crypto';

import { Subjects, hashApiKey } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { deleteNatsNamespace, isolatedServiceEnv, pollUntil } from '@polymux/testing';

import { ControlModule } from '../control.module';
import { ControlRepository } from '../control.repository';

jest.setTimeout(60_000);

const namespace = `it_keyuse_${randomUUID().slice(0, 8)}`;
const env = isolatedServiceEnv(namespace);
const adminKey = `pmx-test-admin-${randomUUID()}`;

interface KeyView {
  id: string;
  lastUsedAt: string | null;
}

let service: RunningService;
let repository: ControlRepository;
let org: string;
let project: string;

const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const response = await fetch(`${service.url}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.ok).toBe(true);
  return (await response.json()) as T;
};
const newKey = async (): Promise<string> =>
  (await call<KeyView>('POST', `/projects/${project}/keys`, { name: 'app' })).id;
/** Each key's `lastUsedAt` as the admin API shows it. */
const lastUsed = async (): Promise<Map<string, string | null>> => {
  const { data } = await call<{ data: KeyView[] }>('GET', `/projects/${project}/keys`);
  return new Map(data.map((key) => [key.id, key.lastUsedAt]));
};
const at = (seconds: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, seconds)).toISOString();

beforeAll(async () => {
  service = await startService(
    { name: 'control', modules: [ControlModule], httpPort: () => 0 },
    { ...env, POLYMUX_BOOTSTRAP_KEY: adminKey },
  );
  repository = service.app.get(ControlRepository);
  org = (await call<{ id: string }>('POST', '/orgs', { name: `keyuse-${namespace}` })).id;
  project = (await call<{ id: string }>('POST', `/orgs/${org}/projects`, { name: 'app' })).id;
});

afterAll(async () => {
  await service?.close();
  await deleteNatsNamespace(env.NATS_URL, namespace);
});

describe("control's record of key uses", () => {
  it('stores a batch from `key.uses.recorded.v1`, a new key showing none', async () => {
    const [first, second] = [await newKey(), await newKey()];
    expect((await lastUsed()).get(first)).toBeNull();

    await new MessagingClient(service.bus).emit(
      Subjects.keyUses,
      {
        uses: [
          { keyId: first, at: at(1) },
          { keyId: second, at: at(2) },
        ],
      },
      { messageId: first },
    );
    const shown = await pollUntil(lastUsed, (keys) => keys.get(second) !== null);
    expect([shown.get(first), shown.get(second)]).toEqual([at(1), at(2)]);
  });

  it('keeps the greatest time: a late report of an earlier use changes nothing', async () => {
    const key = await newKey();
    await repository.recordKeyUses([{ keyId: key, at: at(30) }]);
    await repository.recordKeyUses([{ keyId: key, at: at(10) }]);
    expect((await lastUsed()).get(key)).toBe(at(30));
    await repository.recordKeyUses([{ keyId: key, at: at(40) }]);
    expect((await lastUsed()).get(key)).toBe(at(40));
  });

  it('takes the latest of one key named twice in a batch, and skips ids that are no key', async () => {
    const key = await newKey();
    const other = await newKey();
    await repository.recordKeyUses([
      { keyId: key, at: at(50) },
      { keyId: other, at: at(62) },
      { keyId: randomUUID(), at: at(55) },
      { keyId: key, at: at(52) },
      { keyId: other, at: at(60) },
    ]);
    const shown = await lastUsed();
    expect([shown.get(key), shown.get(other)]).toEqual([at(52), at(62)]);
  });

  it('stores batches of the same keys from several replicas at once, in any order, without a deadlock', async () => {
    // Enough rows that each statement holds its first locks while another takes the same ones in reverse.
    const keys: string[] = [];
    for (let index = 0; index < 500; index++) {
      const secret = `pmx-test-use-${randomUUID()}`;
      const key = await repository.createKey({
        org_id: org,
        team_id: null,
        project_id: project,
        name: `bulk-${index}`,
        key_hash: hashApiKey(secret),
        key_prefix: secret.slice(0, 10),
        admin: false,
        allowed_models: null,
        expires_at: null,
        revoked_at: null,
      });
      keys.push(key.id);
    }
    const batch = (offset: number) =>
      (offset % 2 === 0 ? keys : [...keys].reverse()).map((keyId) => ({ keyId, at: at(100 + offset) }));
    await Promise.all(Array.from({ length: 8 }, (_, index) => repository.recordKeyUses(batch(index))));
    const shown = new Map(
      (await repository.listKeys(project)).map((key) => [key.id, key.last_used_at?.toISOString() ?? null]),
    );
    expect(keys.map((key) => shown.get(key))).toEqual(keys.map(() => at(107)));
  });
});
