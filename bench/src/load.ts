import autocannon from 'autocannon';

import type { Target } from './target';
import { headersOf } from './target';

export interface LoadResult {
  connections: number;
  durationS: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  requestsPerSecond: number;
  /** autocannon's latency histogram, in ms. */
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
}

/**
 * Fixed-concurrency, non-streaming load with autocannon (keep-alive, no pipelining), for `length`
 * seconds or a number of requests. A target with several keys has each connection cycle through them.
 */
export const runLoad = async (
  target: Target,
  body: string,
  connections: number,
  length: { durationS: number } | { requests: number },
): Promise<LoadResult> => {
  const result = await autocannon({
    url: `${target.origin}${target.path}`,
    method: 'POST',
    headers: target.headers,
    body,
    connections,
    pipelining: 1,
    ...('durationS' in length ? { duration: length.durationS } : { amount: length.requests }),
    timeout: 30,
    ...(target.apiKeys?.length
      ? {
          requests: target.apiKeys.map((_, index) => ({
            method: 'POST' as const,
            headers: headersOf(target, index),
            body,
          })),
        }
      : {}),
  });
  return {
    connections,
    durationS: result.duration,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    requestsPerSecond: result['2xx'] / result.duration,
    latencyMs: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
  };
};
