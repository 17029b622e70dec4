import { performance } from 'node:perf_hooks';

import { Client } from 'undici';

import type { Target } from './target';

export interface SequentialResult {
  ok: number;
  errors: number;
  /** First failure seen, for the report: status and the start of the body. */
  firstError?: string;
  /** Request start to the last byte of the response, per successful request (ms). */
  totalMs: number[];
  /** Request start to the first chunk holding `data:`, per successful streamed request (ms). */
  firstChunkMs: number[];
}

/**
 * Sends one request at a time over one keep-alive connection until `durationMs` or `maxRequests`
 * is reached. Streaming requests also record the time to the first `data:` chunk.
 */
export const runSequential = async (
  target: Target,
  body: string,
  options: { durationMs: number; maxRequests: number; streaming: boolean },
): Promise<SequentialResult> => {
  const client = new Client(target.origin, { pipelining: 1 });
  const result: SequentialResult = { ok: 0, errors: 0, totalMs: [], firstChunkMs: [] };
  const deadline = performance.now() + options.durationMs;
  try {
    for (let sent = 0; sent < options.maxRequests && performance.now() < deadline; sent += 1) {
      const started = performance.now();
      let firstChunk: number | undefined;
      try {
        const response = await client.request({ method: 'POST', path: target.path, headers: target.headers, body });
        if (response.statusCode !== 200) {
          const text = await response.body.text();
          result.errors += 1;
          result.firstError ??= `HTTP ${response.statusCode}: ${text.slice(0, 300)}`;
          continue;
        }
        for await (const chunk of response.body) {
          if (firstChunk === undefined && options.streaming && (chunk as Buffer).includes('data:')) {
            firstChunk = performance.now() - started;
          }
        }
      } catch (error) {
        result.errors += 1;
        result.firstError ??= String(error);
        continue;
      }
      result.ok += 1;
      result.totalMs.push(performance.now() - started);
      if (options.streaming) {
        if (firstChunk === undefined) {
          result.errors += 1;
          result.firstError ??= 'streamed response held no data: chunk';
        } else {
          result.firstChunkMs.push(firstChunk);
        }
      }
    }
  } finally {
    await client.close();
  }
  return result;
};
