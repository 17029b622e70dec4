import type { PolymuxConfig } from '@polymux/config';
import type { ApiKeyRecord } from '@polymux/contracts';
import { ErrorCode, Subjects } from '@polymux/contracts';
import { MemoryBus, MessagingClient, decode, encode } from '@polymux/messaging';

import { ApiKeyCache } from './api-key.cache';

const TTL_MS = 60_000;
const HASH = 'a'.repeat(64);
const record = (overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id: 'key-1',
  orgId: 'org-1',
  teamId: null,
  projectId: 'project-1',
  accountId: 'project:project-1',
  admin: false,
  allowedModels: null,
  expiresAt: null,
  ...overrides,
});

/** Control's side of `control.key.resolve.v1` on an in-memory bus: answers what `answer` says, counts lookups. */
const fakeControl = (bus: MemoryBus) => {
  const state = {
    lookups: 0,
    answer: record() as ApiKeyRecord | null,
    /** Holds the answers back until `release` is called. */
    held: false,
    release: () => {},
  };
  bus.subscribe(Subjects.resolveKey.subject, (message) => {
    state.lookups += 1;
    const { keyHash } = decode(message.data) as { keyHash: string };
    if (!message.reply) return;
    const reply = message.reply;
    const answer = () =>
      bus.publish(reply, { data: encode({ key: keyHash === HASH ? state.answer : null }), headers: {} });
    if (state.held) state.release = answer;
    else answer();
  });
  return state;
};

describe('ApiKeyCache', () => {
  let bus: MemoryBus;
  let control: ReturnType<typeof fakeControl>;
  let cache: ApiKeyCache;
  let now: number;

  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    bus = new MemoryBus();
    control = fakeControl(bus);
    const config = { keys: { cacheTtlMs: TTL_MS } } as PolymuxConfig;
    cache = new ApiKeyCache(config, new MessagingClient(bus));
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await bus.close();
  });

  it('asks control the first time and answers from memory afterwards', async () => {
    expect(await cache.resolve(HASH, 'r1')).toEqual({ key: record() });
    expect(await cache.resolve(HASH, 'r2')).toEqual({ key: record() });
    expect(control.lookups).toBe(1);
  });

  it('asks control once for a key that many calls present at the same time', async () => {
    const records = await Promise.all(Array.from({ length: 50 }, (_, index) => cache.resolve(HASH, `r${index}`)));
    expect(records).toEqual(Array.from({ length: 50 }, () => ({ key: record() })));
    expect(control.lookups).toBe(1);
  });

  it('shares a failed first lookup with the calls waiting on it, and asks again afterwards', async () => {
    jest.spyOn(MessagingClient.prototype, 'request').mockRejectedValueOnce(new Error('control unreachable'));
    const both = await Promise.allSettled([cache.resolve(HASH, 'r1'), cache.resolve(HASH, 'r2')]);
    expect(both.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(await cache.resolve(HASH, 'r3')).toEqual({ key: record() });
    expect(control.lookups).toBe(1);
  });

  it('answers a stale entry at once and refreshes it in the background', async () => {
    await cache.resolve(HASH, 'r1');
    control.answer = record({ dataRetention: true });
    now += TTL_MS + 1;
    expect(await cache.resolve(HASH, 'r2')).toEqual({ key: record() });
    await new Promise((resolve) => setImmediate(resolve));
    expect(await cache.resolve(HASH, 'r3')).toEqual({ key: record({ dataRetention: true }) });
    expect(control.lookups).toBe(2);
  });

  it('remembers an unknown key briefly, then asks again', async () => {
    expect(await cache.resolve('b'.repeat(64), 'r1')).toEqual({ key: null });
    expect(await cache.resolve('b'.repeat(64), 'r2')).toEqual({ key: null });
    expect(control.lookups).toBe(1);
    now += 5_001;
    expect(await cache.resolve('b'.repeat(64), 'r3')).toEqual({ key: null });
    expect(control.lookups).toBe(2);
  });

  it('forgets a revoked key at once, without asking control, and says it was revoked', async () => {
    await cache.resolve(HASH, 'r1');
    cache.forget(HASH);
    expect(await cache.resolve(HASH, 'r2')).toEqual({
      key: null,
      refusal: { reason: 'revoked', at: new Date(now).toISOString() },
    });
    expect(cache.holdsValid(HASH)).toBe(false);
    expect(control.lookups).toBe(1);
  });

  it('refetches a changed key on its next use, before its time to live is up', async () => {
    await cache.resolve(HASH, 'r1');
    control.answer = record({ allowedEndpoints: ['embeddings'] });
    cache.drop([HASH, 'c'.repeat(64)]);
    expect(await cache.resolve(HASH, 'r2')).toEqual({ key: record({ allowedEndpoints: ['embeddings'] }) });
    expect(control.lookups).toBe(2);
  });

  it('does not keep an answer that was in flight when a broadcast changed the keys', async () => {
    control.held = true;
    const inFlight = cache.resolve(HASH, 'r1');
    await new Promise((resolve) => setImmediate(resolve));
    cache.forget(HASH);
    control.release();
    // The call that asked gets control's answer; the revocation stands for every later call.
    expect(await inFlight).toEqual({ key: record() });
    expect((await cache.resolve(HASH, 'r2')).refusal?.reason).toBe('revoked');
    control.held = false;
    cache.drop([HASH]);
    await cache.resolve(HASH, 'r3');
    expect(cache.holdsValid(HASH)).toBe(true);
  });

  it('keeps serving the cached record when a background refresh fails', async () => {
    await cache.resolve(HASH, 'r1');
    now += TTL_MS + 1;
    jest.spyOn(MessagingClient.prototype, 'request').mockRejectedValueOnce(new Error('control unreachable'));
    expect(await cache.resolve(HASH, 'r2')).toEqual({ key: record() });
    await new Promise((resolve) => setImmediate(resolve));
    expect(await cache.resolve(HASH, 'r3')).toEqual({ key: record() });
  });

  it('reports control being unavailable on a first lookup as ServiceUnavailable, not as an unknown key', async () => {
    const lonely = new MemoryBus();
    const unreachable = new ApiKeyCache({ keys: { cacheTtlMs: TTL_MS } } as PolymuxConfig, new MessagingClient(lonely));
    await expect(unreachable.resolve(HASH, 'r1')).rejects.toMatchObject({ code: ErrorCode.ServiceUnavailable });
    await lonely.close();
  });
});
