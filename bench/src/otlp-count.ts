/**
 * Counts the spans of an OTLP/HTTP trace export without decoding it: the protobuf body is walked
 * field by field (ExportTraceServiceRequest.resource_spans = 1 → ResourceSpans.scope_spans = 2 →
 * ScopeSpans.spans = 2), the JSON body parsed.
 */

interface Field {
  number: number;
  /** Start and end of a length-delimited field's bytes; undefined for other wire types. */
  start?: number;
  end?: number;
}

const varint = (buffer: Uint8Array, offset: number): { value: number; next: number } => {
  let value = 0;
  let scale = 1;
  for (let index = offset; index < buffer.length; index += 1) {
    const byte = buffer[index];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return { value, next: index + 1 };
    scale *= 128;
  }
  throw new Error('truncated varint');
};

function* fields(buffer: Uint8Array, start: number, end: number): Generator<Field> {
  let offset = start;
  while (offset < end) {
    const tag = varint(buffer, offset);
    const number = Math.floor(tag.value / 8);
    offset = tag.next;
    switch (tag.value % 8) {
      case 0:
        offset = varint(buffer, offset).next;
        yield { number };
        break;
      case 1:
        offset += 8;
        yield { number };
        break;
      case 2: {
        const length = varint(buffer, offset);
        const fieldEnd = length.next + length.value;
        if (fieldEnd > end) throw new Error('truncated field');
        yield { number, start: length.next, end: fieldEnd };
        offset = fieldEnd;
        break;
      }
      case 5:
        offset += 4;
        yield { number };
        break;
      default:
        throw new Error(`unsupported wire type ${tag.value % 8}`);
    }
  }
}

/** Length-delimited fields numbered `number` directly inside `[start, end)`. */
const children = (buffer: Uint8Array, start: number, end: number, number: number): Field[] =>
  [...fields(buffer, start, end)].filter((field) => field.number === number && field.start !== undefined);

export const countProtobufSpans = (buffer: Uint8Array): number => {
  let spans = 0;
  for (const resource of children(buffer, 0, buffer.length, 1)) {
    for (const scope of children(buffer, resource.start!, resource.end!, 2)) {
      spans += children(buffer, scope.start!, scope.end!, 2).length;
    }
  }
  return spans;
};

interface JsonExport {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>;
}

export const countJsonSpans = (text: string): number => {
  const body = JSON.parse(text) as JsonExport;
  let spans = 0;
  for (const resource of body.resourceSpans ?? []) {
    for (const scope of resource.scopeSpans ?? []) spans += scope.spans?.length ?? 0;
  }
  return spans;
};

/** Spans in one export body of either OTLP/HTTP encoding, chosen by its content type. */
export const countSpans = (contentType: string, body: Buffer): number =>
  contentType.includes('json') ? countJsonSpans(body.toString('utf8')) : countProtobufSpans(body);
