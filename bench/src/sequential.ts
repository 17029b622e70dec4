import { performance } from 'node:perf_hooks';

import { Client } from 'undici';

import type { Target } from './target';
import { headersOf } from './target';

export interface SequentialResult {
  ok: number;
  errors: number;
  /** First failure seen, for the report: status and the start of the body. */
  firstError?: string;
  /** Request start to the last byte of the response, per successful request (ms). */
  totalMs: number[];
  /** Request start to the first chunk holding `data:`, per successful streamed request (ms). */
  firstChunkMs: number[];
  /**
   * Time between consecutive streamed events that carry completion text, as the client reads them
   * (events arriving in the same read are 0 apart), over every successful stream (ms).
   */
  chunkGapMs: number[];
  /** Events carrying completion text, per successful stream. */
  contentEvents: number[];
  /** The first successful response's body, when asked for (preflight checks it). */
  firstBody?: string;
}

/** A streamed `data:` event whose delta carries completion text (not the empty role delta). */
const CONTENT_EVENT = /^data: ?\{.*"content":\s*"(?!")/s;

/** Splits SSE text into complete events, keeping the unfinished tail for the next read. */
const takeEvents = (buffer: string): { events: string[]; rest: string } => {
  const parts = buffer.split('\n\n');
  return { events: parts.slice(0, -1), rest: parts[parts.length - 1] ?? '' };
};

/**
 * Sends one request at a time over one keep-alive connection until `durationMs` or `maxRequests`
 * is reached. Streaming requests also record the time to the first `data:` chunk and the gaps
 * between the events that carry completion text.
 */
export const runSequential = async (
  target: Target,
  body: string,
  options: { durationMs: number; maxRequests: number; streaming: boolean; keepFirstBody?: boolean },
): Promise<SequentialResult> => {
  const client = new Client(target.origin, { pipelining: 1 });
  const result: SequentialResult = {
    ok: 0,
    errors: 0,
    totalMs: [],
    firstChunkMs: [],
    chunkGapMs: [],
    contentEvents: [],
  };
  const deadline = performance.now() + options.durationMs;
  try {
    for (let sent = 0; sent < options.maxRequests && performance.now() < deadline; sent += 1) {
      const started = performance.now();
      let firstChunk: number | undefined;
      const gaps: number[] = [];
      let lastContent: number | undefined;
      let contentEvents = 0;
      let pending = '';
      let text = '';
      const keep = options.keepFirstBody && result.firstBody === undefined;
      try {
        const response = await client.request({
          method: 'POST',
          path: target.path,
          headers: headersOf(target, sent),
          body,
        });
        if (response.statusCode !== 200) {
          const failure = await response.body.text();
          result.errors += 1;
          result.firstError ??= `HTTP ${response.statusCode}: ${failure.slice(0, 300)}`;
          continue;
        }
        for await (const chunk of response.body) {
          const now = performance.now();
          const piece = (chunk as Buffer).toString('utf8');
          if (keep) text += piece;
          if (!options.streaming) continue;
          if (firstChunk === undefined && piece.includes('data:')) firstChunk = now - started;
          const { events, rest } = takeEvents(pending + piece);
          pending = rest;
          for (const event of events) {
            if (!CONTENT_EVENT.test(event.trimStart())) continue;
            contentEvents += 1;
            if (lastContent !== undefined) gaps.push(now - lastContent);
            lastContent = now;
          }
        }
      } catch (error) {
        result.errors += 1;
        result.firstError ??= String(error);
        continue;
      }
      const total = performance.now() - started;
      if (options.streaming && firstChunk === undefined) {
        result.errors += 1;
        result.firstError ??= 'streamed response held no data: chunk';
        continue;
      }
      result.ok += 1;
      result.totalMs.push(total);
      if (keep) result.firstBody = text;
      if (options.streaming && firstChunk !== undefined) {
        result.firstChunkMs.push(firstChunk);
        result.contentEvents.push(contentEvents);
        for (const gap of gaps) result.chunkGapMs.push(gap);
      }
    }
  } finally {
    await client.close();
  }
  return result;
};
