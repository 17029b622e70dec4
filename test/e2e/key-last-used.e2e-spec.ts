import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';
import OpenAI from 'openai';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';
import type { KeyView } from './support/keys';

jest.setTimeout(180_000);

/*
 * A key's last use end to end: each ingress replica notes the keys of the calls it accepts and
 * reports them to control every `POLYMUX_KEY_USE_FLUSH_MS` (shortened here), and the admin API
 * shows each key's latest one as `lastUsedAt`. In the distributed mode on two ingress replicas, each
 * on its own NATS credentials (the permissions derived from the contract). A refused call is no use.
 */

const FLUSH_MS = 200;

describe.each(MODES)('API keys: last used (%s mode)', (mode) => {
  let gateway: Gateway;
  const replicas = mode === 'distributed' ? 2 : 1;

  beforeAll(async () => {
    gateway = await startGateway({
      mode,
      label: 'keylastused',
      catalogFile: join(__dirname, 'key-scopes.catalog.yaml'),
      authenticatedNats: true,
      ingressReplicas: replicas,
      env: { POLYMUX_KEY_USE_FLUSH_MS: String(FLUSH_MS) },
    });
    expect(gateway.stack.ingressUrls).toHaveLength(replicas);
  });
  afterAll(() => gateway?.stop());

  const newKey = () =>
    gateway.admin<KeyView & { key: string }>('POST', `/projects/${gateway.projectId}/keys`, { name: 'used' });
  /** The admin API's `lastUsedAt` of every key of the project. */
  const lastUsed = async () => {
    const { data } = await gateway.admin<{ data: KeyView[] }>('GET', `/projects/${gateway.projectId}/keys`);
    return new Map(data.map((key) => [key.id, key.lastUsedAt]));
  };
  const untilUsed = (id: string, after: number) =>
    pollUntil(lastUsed, (keys) => Date.parse(keys.get(id) ?? '') >= after, { timeoutMs: 15_000 }).then((keys) =>
      keys.get(id)!,
    );
  /** One chat completion through the OpenAI SDK with `secret`, on replica `replica`; answers the window it ran in. */
  const chat = async (secret: string, replica = 0) => {
    const openai = new OpenAI({ apiKey: secret, baseURL: `${gateway.stack.ingressUrls[replica]}/v1`, maxRetries: 0 });
    const start = Date.now();
    await openai.chat.completions.create({
      model: 'fast-model',
      messages: [{ role: 'user', content: 'Say hello.' }],
      max_tokens: 10,
    });
    return { start, end: Date.now() };
  };

  it('shows a new key as never used, then the time of its latest call on any replica', async () => {
    const created = await newKey();
    expect(created.lastUsedAt).toBeNull();
    expect((await lastUsed()).get(created.id)).toBeNull();

    const first = await chat(created.key);
    const shown = Date.parse(await untilUsed(created.id, first.start));
    expect(shown).toBeGreaterThanOrEqual(first.start);
    expect(shown).toBeLessThanOrEqual(first.end);

    // The latest use wins, on whichever replica it was made.
    const second = await chat(created.key, replicas - 1);
    const later = Date.parse(await untilUsed(created.id, second.start));
    expect(later).toBeGreaterThanOrEqual(second.start);
    expect(later).toBeLessThanOrEqual(second.end);
  });

  /** Calls `GET /v1/models` with `secret` until it is refused; answers when the first refused call started. */
  const untilRefused = async (secret: string) => {
    const openai = new OpenAI({ apiKey: secret, baseURL: `${gateway.stack.ingressUrl}/v1`, maxRetries: 0 });
    const attempt = async () => {
      const start = Date.now();
      const status = await openai.models.list().then(
        () => 200,
        (error: unknown) => (error as { status?: number }).status,
      );
      return { start, status };
    };
    return (await pollUntil(attempt, (answer) => answer.status === 401, { timeoutMs: 15_000 })).start;
  };
  /**
   * Whether `id`'s last use is still before `refusedAt` once a later accepted call on the same
   * replica is shown: that call's report goes with, or after, any use noted before it.
   */
  const usedBefore = async (id: string, refusedAt: number) => {
    const witness = await newKey();
    const barrier = await chat(witness.key);
    await untilUsed(witness.id, barrier.start);
    return Date.parse((await lastUsed()).get(id)!) < refusedAt;
  };

  it("records no use for a revoked key's refused call", async () => {
    const revoked = await newKey();
    const used = await chat(revoked.key);
    await untilUsed(revoked.id, used.start);
    await gateway.admin('DELETE', `/keys/${revoked.id}`);
    // Until the revocation reaches the replica a call may still be accepted (a use); not once refused.
    const refusedAt = await untilRefused(revoked.key);
    expect(await usedBefore(revoked.id, refusedAt)).toBe(true);
  });

  it("records no use for an expired key's refused call, though ingress still holds its record", async () => {
    const expiring = await gateway.admin<KeyView & { key: string }>('POST', `/projects/${gateway.projectId}/keys`, {
      name: 'expiring',
      expiresAt: new Date(Date.now() + 2_000).toISOString(),
    });
    const used = await chat(expiring.key);
    await untilUsed(expiring.id, used.start);
    const refusedAt = await untilRefused(expiring.key);
    // `refusedAt` is when the test sent the call; ingress judged expiry a moment later on its own clock.
    expect(refusedAt).toBeGreaterThanOrEqual(Date.parse(expiring.expiresAt!) - 50);
    expect(await usedBefore(expiring.id, refusedAt)).toBe(true);
  });
});
