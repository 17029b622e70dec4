import type { SessionCall } from './session-chain';
import { sessionChain } from './session-chain';
import { sessionView } from './session.views';

const call = (
  requestId: string,
  parentRequestId: string | null,
  startedAt: number,
  fields: Partial<SessionCall> = {},
) =>
  ({
    requestId,
    parentRequestId,
    orgId: 'org-1',
    teamId: null,
    projectId: 'project-1',
    keyId: 'key-1',
    userId: null,
    requestedModel: 'auto',
    model: 'small-model',
    provider: 'openai',
    deploymentId: 'sim/small-model',
    api: 'chat.completions',
    task: 'chat',
    inputTokens: 10,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: 5,
    reasoningTokens: 0,
    listCost: '1500',
    discount: '500',
    charged: '1000',
    tags: {},
    sessionId: 'run-1',
    outcome: 'success',
    stream: false,
    durationMs: 1_000,
    startedAt: new Date(startedAt * 1_000).toISOString(),
    occurredAt: new Date(startedAt * 1_000 + 1_000).toISOString(),
    ...fields,
  }) satisfies SessionCall;

const shape = (calls: SessionCall[]) => {
  const { links, roots } = sessionChain(calls);
  return { order: links.map((link) => `${'  '.repeat(link.depth)}${link.call.requestId}`), roots };
};

describe('sessionChain', () => {
  it('orders a tree depth first, each call’s children by when they started', () => {
    // a → b → d, a → c, then e: another root (no parent), started last.
    const calls = [call('a', null, 0), call('b', 'a', 1), call('c', 'a', 2), call('d', 'b', 3), call('e', null, 4)];
    expect(shape(calls)).toEqual({ order: ['a', '  b', '    d', '  c', 'e'], roots: ['a', 'e'] });
    expect(sessionChain(calls).links.find((link) => link.call.requestId === 'a')?.children).toEqual(['b', 'c']);
  });

  it('makes a call whose parent is not in the session a root that keeps its parent id', () => {
    const { links, roots } = sessionChain([call('b', 'outside', 0), call('c', 'b', 1)]);
    expect(roots).toEqual(['b']);
    expect(links.map((link) => [link.call.requestId, link.call.parentRequestId, link.depth])).toEqual([
      ['b', 'outside', 0],
      ['c', 'b', 1],
    ]);
  });

  it('lists every call once even when parents are named in a loop or a call names itself', () => {
    const calls = [call('a', 'b', 0), call('b', 'a', 1), call('c', 'c', 2), call('d', 'c', 3)];
    expect(shape(calls)).toEqual({ order: ['c', '  d', 'a', '  b'], roots: ['c', 'a'] });
  });

  it('walks a chain thousands of calls deep', () => {
    const calls = Array.from({ length: 5_000 }, (_, index) =>
      call(`r${index}`, index === 0 ? null : `r${index - 1}`, index),
    );
    const { links } = sessionChain(calls);
    expect(links).toHaveLength(5_000);
    expect(links.at(-1)?.depth).toBe(4_999);
  });
});

describe('sessionView', () => {
  it('shows each call’s cost and latency, and totals with the wall-clock span from first start to last end', () => {
    const calls = [call('a', null, 0), call('b', 'a', 10, { durationMs: 2_500, outcome: 'cancelled' })];
    const view = sessionView('run-1', {
      orgId: 'org-1',
      calls,
      totals: {
        calls: 2,
        inputTokens: 20,
        cachedInputTokens: 0,
        cacheWriteTokens: 0,
        outputTokens: 10,
        reasoningTokens: 0,
        listCost: '3000',
        discount: '1000',
        charged: '2000',
        latencyMs: 3_500,
        startedAt: calls[0]!.startedAt,
        endedAt: new Date(12_500).toISOString(),
      },
      truncated: false,
    });
    expect(view.totals).toMatchObject({
      calls: 2,
      chargedUsd: '0.000002',
      chargedNanoUsd: '2000',
      latencyMs: 3_500,
      wallClockMs: 12_500,
    });
    expect(view.calls[1]).toMatchObject({
      requestId: 'b',
      parentRequestId: 'a',
      depth: 1,
      children: [],
      status: 'cancelled',
      latencyMs: 2_500,
      listCostNanoUsd: '1500',
      discountNanoUsd: '500',
      chargedNanoUsd: '1000',
      startedAt: calls[1]!.startedAt,
      endedAt: calls[1]!.occurredAt,
    });
    expect(view).toMatchObject({
      object: 'session',
      sessionId: 'run-1',
      orgId: 'org-1',
      roots: ['a'],
      truncated: false,
    });
  });
});
