import { sseEvents } from './sse';

const bytes = (...parts: string[]) =>
  (async function* () {
    for (const part of parts) yield new TextEncoder().encode(part);
  })();

const collect = async (body: AsyncIterable<Uint8Array>) => {
  const events = [];
  for await (const event of sseEvents(body)) events.push(event);
  return events;
};

describe('sseEvents', () => {
  it('yields each data event, whatever the chunk boundaries', async () => {
    const events = await collect(bytes('data: {"a":', '1}\n\ndata: [DO', 'NE]\n', '\n'));
    expect(events.map((event) => event.data)).toEqual(['{"a":1}', '[DONE]']);
  });

  it('keeps event names, skips comments and handles CRLF', async () => {
    const events = await collect(bytes(': keep-alive\r\n\r\nevent: ping\r\ndata: x\r\n\r\n'));
    expect(events).toEqual([{ event: 'ping', data: 'x', id: undefined }]);
  });

  it('decodes multi-byte characters split across chunks', async () => {
    const encoded = new TextEncoder().encode('data: héllo\n\n');
    const body = (async function* () {
      yield encoded.slice(0, 8);
      yield encoded.slice(8);
    })();
    expect((await collect(body)).map((event) => event.data)).toEqual(['héllo']);
  });
});
