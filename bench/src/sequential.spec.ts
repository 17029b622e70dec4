import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { runSequential } from './sequential';
import type { Target } from './target';

const event = (delta: object) =>
  `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ delta }] })}\n\n`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runSequential, streaming', () => {
  let server: Server;
  let target: Target;

  beforeAll(async () => {
    // A role event, then three content events 100 ms apart, the second split across two writes: its
    // first half goes out with the first event, so it counts only once its second half arrives.
    server = createServer((_request, response) => {
      void (async () => {
        const second = event({ content: ' two' });
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(event({ role: 'assistant', content: '' }));
        response.write(`${event({ content: 'one' })}${second.slice(0, 20)}`);
        await pause(100);
        response.write(second.slice(20));
        await pause(100);
        response.end(`${event({ content: ' three' })}data: [DONE]\n\n`);
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    target = { name: 'direct', origin: `http://127.0.0.1:${port}`, path: '/v1/chat/completions', headers: {} };
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('counts the content events, not the role event, and times the gaps between them as they are read', async () => {
    const result = await runSequential(target, '{}', {
      durationMs: 10_000,
      maxRequests: 2,
      streaming: true,
      keepFirstBody: true,
    });
    expect(result).toMatchObject({ ok: 2, errors: 0, contentEvents: [3, 3] });
    expect(result.firstChunkMs).toHaveLength(2);
    expect(result.chunkGapMs).toHaveLength(4);
    // A split event counted at its first half would be read with the first event: a gap of 0. How
    // long each gap is depends on when the loaded machine gets to the reads, so only that is checked.
    for (const gap of result.chunkGapMs) expect(gap).toBeGreaterThan(0);
    expect(result.firstBody?.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});
