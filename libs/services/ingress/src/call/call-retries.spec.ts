import type { PolymuxConfig } from '@polymux/config';
import type { Deployment } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { MessagingClient } from '@polymux/messaging';

import type { CallEvents } from './call-events';
import { CallService } from './call.service';
import { retryDelayMs } from './retry-policy';
import { routeOf } from './route';
import { call, deployment, plan } from './testing/call-fixtures';

const retry: PolymuxConfig['retry'] = {
  perDeployment: 1,
  budget: 4,
  backoffMs: 100,
  backoffMaxMs: 1_000,
  deadlineMs: 10_000,
};
const serviceWith = (overrides: Partial<PolymuxConfig['retry']> = {}) =>
  new CallService({ retry: { ...retry, ...overrides } } as PolymuxConfig, {} as MessagingClient, {} as CallEvents);

const upstream = (code: ErrorCode, upstreamStatus?: number, retryAfterSeconds?: number) =>
  new PolymuxException(code, 'failed', {
    ...(upstreamStatus === undefined ? {} : { upstreamStatus }),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
const http500 = () => upstream(ErrorCode.UpstreamError, 500);

/** An invoke that fails with the scripted errors in turn, then answers; it records who was called, and when. */
const scripted = (...failures: Error[]) => {
  const calls: Array<{ id: string; at: number }> = [];
  const invoke = async (target: Deployment) => {
    calls.push({ id: target.id, at: Date.now() });
    const failure = failures.shift();
    if (failure) throw failure;
    return 'answer';
  };
  return { calls, invoke };
};

describe('CallService retries, fallback, budget and deadline', () => {
  const a = deployment('a');
  const b = deployment('b');

  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  const run = async (
    service: CallService,
    invoke: (target: Deployment) => Promise<string>,
    ...targets: Deployment[]
  ) => {
    const current = call({ plan: plan(targets), startedAt: Date.now() });
    const attempt = service.attempt(current, invoke);
    // A rejection is observed at once; timers run until the attempt settles.
    const settled = attempt.then(
      (answered) => ({ answered, error: undefined }),
      (error: unknown) => ({ answered: undefined, error }),
    );
    await jest.runAllTimersAsync();
    return { current, ...(await settled) };
  };

  it('refuses a plan without candidates as no capable model, invoking nothing', async () => {
    const { calls, invoke } = scripted();
    const { error } = await run(serviceWith(), invoke);
    expect(error).toMatchObject({ code: ErrorCode.NoCapableModel });
    expect(calls).toEqual([]);
  });

  it('retries a 5xx on the same deployment after the backoff, recording the failed attempt', async () => {
    const { calls, invoke } = scripted(http500());
    const { current, answered } = await run(serviceWith(), invoke, a, b);
    expect(answered?.deployment.id).toBe('a');
    expect(calls).toEqual([
      { id: 'a', at: 1_000_000 },
      { id: 'a', at: 1_000_100 },
    ]);
    expect(current.attempts).toEqual([
      { deploymentId: 'a', outcome: 'failed', errorCode: ErrorCode.UpstreamError, upstreamStatus: 500 },
    ]);
    expect(routeOf(current)).toBe('ordered; retry after 500 on a');
  });

  it('falls back once the retries on a deployment are spent', async () => {
    const { calls, invoke } = scripted(http500(), http500());
    const { current, answered } = await run(serviceWith(), invoke, a, b);
    expect(answered?.deployment.id).toBe('b');
    expect(calls.map((entry) => entry.id)).toEqual(['a', 'a', 'b']);
    expect(current.attempts).toHaveLength(2);
    expect(routeOf(current)).toBe('ordered; retry after 500 on a, fallback after 500 on a');
  });

  it("waits a 429's retry-after before retrying, and falls back at once when it is longer than the maximum backoff", async () => {
    const short = scripted(upstream(ErrorCode.UpstreamRateLimited, 429, 1));
    await run(serviceWith(), short.invoke, a, b);
    expect(short.calls).toEqual([
      { id: 'a', at: 1_000_000 },
      { id: 'a', at: 1_001_000 },
    ]);
    const long = scripted(upstream(ErrorCode.UpstreamRateLimited, 429, 30));
    const { current } = await run(serviceWith(), long.invoke, a, b);
    expect(long.calls.map((entry) => [entry.id, entry.at - long.calls[0]!.at])).toEqual([
      ['a', 0],
      ['b', 0],
    ]);
    expect(routeOf(current)).toBe('ordered; fallback after 429 on a');
  });

  it('falls back after a timeout without retrying the deployment', async () => {
    const { calls, invoke } = scripted(upstream(ErrorCode.UpstreamTimeout));
    const { current } = await run(serviceWith(), invoke, a, b);
    expect(calls.map((entry) => entry.id)).toEqual(['a', 'b']);
    expect(routeOf(current)).toBe('ordered; fallback after upstream_timeout on a');
  });

  it("neither retries nor falls back after the request's own 4xx", async () => {
    const { calls, invoke } = scripted(upstream(ErrorCode.UpstreamBadRequest, 400));
    const { error } = await run(serviceWith(), invoke, a, b);
    expect(error).toMatchObject({ code: ErrorCode.UpstreamBadRequest });
    expect(calls.map((entry) => entry.id)).toEqual(['a']);
  });

  it('stops when the retry budget is spent, answering the last failure', async () => {
    const { calls, invoke } = scripted(http500(), http500(), http500());
    const { error, current } = await run(serviceWith({ budget: 1 }), invoke, a, b);
    expect(error).toMatchObject({ code: ErrorCode.UpstreamError });
    expect(calls.map((entry) => entry.id)).toEqual(['a', 'a']);
    expect(current.attempts).toHaveLength(2);
  });

  it('starts no attempt and waits no backoff past the call deadline', async () => {
    const { calls, invoke } = scripted(http500(), http500());
    const service = serviceWith({ deadlineMs: 50 });
    const { error } = await run(service, invoke, a, b);
    expect(error).toMatchObject({ code: ErrorCode.UpstreamError });
    // The 100 ms backoff would end past the deadline: no retry; the fallback starts at once, within it.
    expect(calls.map((entry) => entry.id)).toEqual(['a', 'b']);
  });

  it('answers the one success whatever failed before it: the caller sees one answer', async () => {
    const { invoke } = scripted(http500(), http500(), upstream(ErrorCode.UpstreamOverloaded, 529));
    const { answered, current } = await run(serviceWith(), invoke, a, b);
    expect(answered).toEqual({ deployment: b, answer: 'answer' });
    expect(current.attempts.map((entry) => entry.outcome)).toEqual(['failed', 'failed', 'failed']);
  });
});

describe('retryDelayMs', () => {
  it('does not retry a deployment whose credentials or model the provider refused (401, 403, 404)', () => {
    const many = { ...retry, perDeployment: 5 };
    for (const upstreamStatus of [401, 403, 404])
      expect(retryDelayMs(new PolymuxException(ErrorCode.UpstreamError, 'x', { upstreamStatus }), 1, many)).toBeNull();
    expect(
      retryDelayMs(new PolymuxException(ErrorCode.UpstreamError, 'x', { upstreamStatus: 500 }), 1, many),
    ).not.toBeNull();
  });

  it('doubles from the base up to the maximum, within the retries per deployment', () => {
    const many = { ...retry, perDeployment: 5 };
    expect(
      [1, 2, 3, 4, 5].map((tries) => retryDelayMs(new PolymuxException(ErrorCode.UpstreamError, 'x'), tries, many)),
    ).toEqual([100, 200, 400, 800, 1_000]);
    expect(retryDelayMs(new PolymuxException(ErrorCode.UpstreamError, 'x'), 6, many)).toBeNull();
  });
});
