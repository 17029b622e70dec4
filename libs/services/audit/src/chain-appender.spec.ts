import type { AuditRecorded } from '@polymux/contracts';

import { ChainAppender } from './chain-appender';

const record = (id: string): AuditRecorded => ({
  id,
  category: 'call',
  action: 'chat.completions',
  outcome: 'success',
  actorKeyId: null,
  orgId: null,
  projectId: null,
  requestId: null,
  target: null,
  metadata: {},
  occurredAt: '2026-01-02T03:04:05.678Z',
});

/** A chain writer whose transactions finish when the test says so. */
const controlledWriter = () => {
  const calls: Array<{ chainId: string; ids: string[]; finish: (error?: Error) => void }> = [];
  const stored = new Set<string>();
  const write = (chainId: string, records: AuditRecorded[]) =>
    new Promise<ReadonlySet<string>>((resolve, reject) => {
      calls.push({
        chainId,
        ids: records.map((item) => item.id),
        finish: (error) => {
          if (error) return reject(error);
          const now = new Set(records.map((item) => item.id).filter((id) => !stored.has(id)));
          for (const id of now) stored.add(id);
          resolve(now);
        },
      });
    });
  return { calls, write };
};

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('ChainAppender (group commit per chain)', () => {
  it('writes an idle chain at once and batches what arrives while its transaction is in flight', async () => {
    const { calls, write } = controlledWriter();
    const appender = new ChainAppender(write);
    const first = appender.append('org:a', record('1'));
    expect(calls.map((call) => call.ids)).toEqual([['1']]);
    const rest = ['2', '3', '4'].map((id) => appender.append('org:a', record(id)));
    await flush();
    expect(calls).toHaveLength(1);
    calls[0].finish();
    expect(await first).toBe(true);
    await flush();
    expect(calls.map((call) => call.ids)).toEqual([['1'], ['2', '3', '4']]);
    calls[1].finish();
    expect(await Promise.all(rest)).toEqual([true, true, true]);
  });

  it('never makes one chain wait for another', async () => {
    const { calls, write } = controlledWriter();
    const appender = new ChainAppender(write);
    void appender.append('org:a', record('a1'));
    const other = appender.append('org:b', record('b1'));
    expect(calls.map((call) => call.chainId)).toEqual(['org:a', 'org:b']);
    calls[1].finish();
    expect(await other).toBe(true);
    calls[0].finish();
  });

  it('answers false for an id already stored and for a repeat inside one batch', async () => {
    const { calls, write } = controlledWriter();
    const appender = new ChainAppender(write);
    const first = appender.append('org:a', record('1'));
    const repeats = [appender.append('org:a', record('1')), appender.append('org:a', record('2'))];
    const again = appender.append('org:a', record('2'));
    calls[0].finish();
    await flush();
    calls[1].finish();
    expect(await first).toBe(true);
    expect(await Promise.all([...repeats, again])).toEqual([false, true, false]);
  });

  it('caps a batch and keeps the order of arrival', async () => {
    const { calls, write } = controlledWriter();
    const appender = new ChainAppender(write, 2);
    const all = ['1', '2', '3', '4', '5'].map((id) => appender.append('org:a', record(id)));
    for (let index = 0; index < 3; index += 1) {
      await flush();
      calls[index].finish();
    }
    await Promise.all(all);
    expect(calls.map((call) => call.ids)).toEqual([['1'], ['2', '3'], ['4', '5']]);
  });

  it('fails only the record that cannot be stored when a batch fails', async () => {
    const written: string[][] = [];
    const appender = new ChainAppender(async (_chainId, records) => {
      const ids = records.map((item) => item.id);
      written.push(ids);
      if (ids.includes('poison')) throw new Error('invalid byte sequence');
      return new Set(ids);
    });
    const blocker = appender.append('org:a', record('first'));
    const batch = ['good-1', 'poison', 'good-2'].map((id) => appender.append('org:a', record(id)));
    await blocker;
    const outcomes = await Promise.allSettled(batch);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(written).toEqual([['first'], ['good-1', 'poison', 'good-2'], ['good-1'], ['poison'], ['good-2']]);
    // The chain keeps working afterwards.
    expect(await appender.append('org:a', record('later'))).toBe(true);
  });

  it('writes records queued together for an idle chain in one transaction, and the next ones after it', async () => {
    const { calls, write } = controlledWriter();
    const appender = new ChainAppender(write);
    const first = appender.appendAll('org:a', [record('1'), record('2'), record('1')]);
    const second = appender.appendAll('org:a', [record('3'), record('4')]);
    expect(appender.appendAll('org:b', [])).toEqual([]);
    expect(calls.map((call) => call.ids)).toEqual([['1', '2', '1']]);
    calls[0].finish();
    expect(await Promise.all(first)).toEqual([true, true, false]);
    await flush();
    expect(calls.map((call) => call.ids)).toEqual([
      ['1', '2', '1'],
      ['3', '4'],
    ]);
    calls[1].finish();
    expect(await Promise.all(second)).toEqual([true, true]);
  });
});
