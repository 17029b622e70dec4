import type { PolymuxConfig } from '@polymux/config';
import type { KeyUses } from '@polymux/contracts';
import { KEY_USES_MAX, Subjects } from '@polymux/contracts';
import { MemoryBus, MessagingClient, decode } from '@polymux/messaging';

import { KeyUseTracker } from './key-use.tracker';

const FLUSH_MS = 30_000;
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const KEY_A = '6f1c2b1e-0000-4000-8000-00000000000a';
const KEY_B = '6f1c2b1e-0000-4000-8000-00000000000b';
const keyId = (index: number) => `6f1c2b1e-0000-4000-8000-${index.toString().padStart(12, '0')}`;

describe('KeyUseTracker', () => {
  let bus: MemoryBus;
  let reports: KeyUses[];
  let tracker: KeyUseTracker;

  beforeEach(() => {
    // The memory bus delivers in a microtask: only the timers are faked.
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
    bus = new MemoryBus();
    reports = [];
    // What control would be handed: each message checked against the contract.
    bus.subscribe(Subjects.keyUses.subject, (message) =>
      reports.push(Subjects.keyUses.payload.parse(decode(message.data))),
    );
    tracker = new KeyUseTracker({ keys: { useFlushMs: FLUSH_MS } } as PolymuxConfig, new MessagingClient(bus));
  });

  afterEach(async () => {
    jest.useRealTimers();
    await bus.close();
  });

  const delivered = () => new Promise<void>((resolve) => queueMicrotask(resolve));

  it("sends nothing per call, then one message per interval with each key's latest use", async () => {
    tracker.used(KEY_A, T0);
    tracker.used(KEY_B, T0 + 5);
    tracker.used(KEY_A, T0 + 10);
    jest.advanceTimersByTime(FLUSH_MS - 1);
    await delivered();
    expect(reports).toEqual([]);

    jest.advanceTimersByTime(1);
    await delivered();
    expect(reports).toEqual([
      {
        uses: [
          { keyId: KEY_A, at: new Date(T0 + 10).toISOString() },
          { keyId: KEY_B, at: new Date(T0 + 5).toISOString() },
        ],
      },
    ]);
  });

  it('keeps no timer while no use waits, and reports a later use in the next interval only', async () => {
    tracker.used(KEY_A, T0);
    jest.advanceTimersByTime(FLUSH_MS);
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(10 * FLUSH_MS);
    await delivered();
    expect(reports).toHaveLength(1);

    tracker.used(KEY_B, T0 + 1_000);
    jest.advanceTimersByTime(FLUSH_MS);
    await delivered();
    expect(reports.map((report) => report.uses)).toEqual([
      [{ keyId: KEY_A, at: new Date(T0).toISOString() }],
      [{ keyId: KEY_B, at: new Date(T0 + 1_000).toISOString() }],
    ]);
  });

  it('sends the uses waiting when the service shuts down, and nothing after', async () => {
    tracker.used(KEY_A, T0);
    tracker.beforeApplicationShutdown();
    await delivered();
    expect(reports).toEqual([{ uses: [{ keyId: KEY_A, at: new Date(T0).toISOString() }] }]);
    expect(jest.getTimerCount()).toBe(0);

    tracker.beforeApplicationShutdown();
    await delivered();
    expect(reports).toHaveLength(1);
  });

  it(`splits more than ${KEY_USES_MAX} keys into several messages`, async () => {
    for (let index = 0; index <= KEY_USES_MAX; index++) tracker.used(keyId(index), T0 + index);
    tracker.flush();
    await delivered();
    expect(reports.map((report) => report.uses.length)).toEqual([KEY_USES_MAX, 1]);
    expect(reports[1]!.uses).toEqual([{ keyId: keyId(KEY_USES_MAX), at: new Date(T0 + KEY_USES_MAX).toISOString() }]);
  });
});
