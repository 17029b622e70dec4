import type { EventSourceMessage } from 'eventsource-parser';
import { createParser } from 'eventsource-parser';

/** Largest SSE event the parser buffers before failing, far above any real chunk. */
const MAX_EVENT_CHARACTERS = 16 * 1024 * 1024;

/** Server-sent events of a response body, parsed by `eventsource-parser`, as they arrive. */
export async function* sseEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<EventSourceMessage> {
  const ready: EventSourceMessage[] = [];
  let failure: Error | undefined;
  const parser = createParser({
    onEvent: (event) => ready.push(event),
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') failure = error;
    },
    maxBufferSize: MAX_EVENT_CHARACTERS,
  });
  const decoder = new TextDecoder();
  for await (const bytes of body) {
    parser.feed(decoder.decode(bytes, { stream: true }));
    if (failure) throw failure;
    for (const event of ready.splice(0)) yield event;
  }
  parser.feed(decoder.decode());
  parser.reset({ consume: true });
  for (const event of ready.splice(0)) yield event;
}
