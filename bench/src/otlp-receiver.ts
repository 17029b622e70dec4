/**
 * A stand-in OpenTelemetry collector, run as its own process by the benchmark (`startOtlpReceiver`):
 * accepts OTLP/HTTP exports on any path (`/v1/traces`, `/v1/logs`, …) in protobuf or JSON, counts
 * requests, bytes and trace spans, and discards the rest. Its CPU is not the gateway's.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

import { countSpans } from './otlp-count';

export interface OtlpStats {
  /** POST requests by path. */
  exports: Record<string, number>;
  bytes: number;
  spans: number;
  contentTypes: string[];
  /** Bodies whose spans could not be counted. */
  unreadable: number;
}

const stats: OtlpStats = { exports: {}, bytes: 0, spans: 0, contentTypes: [], unreadable: 0 };

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const path = (request.url ?? '/').split('?')[0];
    const contentType = String(request.headers['content-type'] ?? '');
    const raw = Buffer.concat(chunks);
    stats.exports[path] = (stats.exports[path] ?? 0) + 1;
    stats.bytes += raw.length;
    if (!stats.contentTypes.includes(contentType)) stats.contentTypes.push(contentType);
    if (path === '/v1/traces') {
      try {
        const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        stats.spans += countSpans(contentType, body);
      } catch {
        stats.unreadable += 1;
      }
    }
    // An empty Export*ServiceResponse: full success, in the encoding the exporter sent.
    if (contentType.includes('json')) response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    else response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ url: `http://127.0.0.1:${port}` });
});

process.on('message', (message: { type?: string }) => {
  if (message.type === 'stats') process.send?.({ stats });
});
process.on('disconnect', () => server.close(() => process.exit(0)));
