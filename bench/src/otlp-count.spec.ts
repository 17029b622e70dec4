import { countJsonSpans, countProtobufSpans, countSpans } from './otlp-count';

/** Minimal protobuf writer for the test: varints and length-delimited fields. */
const varint = (value: number): number[] => {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
};
const len = (field: number, content: number[]) => [...varint(field * 8 + 2), ...varint(content.length), ...content];
const int = (field: number, value: number) => [...varint(field * 8), ...varint(value)];
const fixed64 = (field: number) => [...varint(field * 8 + 1), 1, 2, 3, 4, 5, 6, 7, 8];
const text = (value: string) => [...Buffer.from(value)];

/** A Span: trace_id (1), span_id (2), name (5), kind (6), start/end (7/8, fixed64), a long attribute (9). */
const span = (name: string) => [
  ...len(
    1,
    Array.from({ length: 16 }, (_, index) => index),
  ),
  ...len(
    2,
    Array.from({ length: 8 }, (_, index) => index),
  ),
  ...len(5, text(name)),
  ...int(6, 2),
  ...fixed64(7),
  ...fixed64(8),
  ...len(9, [...len(1, text('messaging.destination.name')), ...len(2, len(1, text('x'.repeat(300))))]),
];
/** ScopeSpans: scope (1), spans (2), schema_url (3). */
const scopeSpans = (spans: number) => [
  ...len(1, len(1, text('@polymux/messaging'))),
  ...Array.from({ length: spans }, (_, index) => len(2, span(`span ${index}`))).flat(),
  ...len(3, text('https://opentelemetry.io/schemas/1.30.0')),
];
/** ResourceSpans: resource (1), scope_spans (2). */
const resourceSpans = (scopes: number[]) => [
  ...len(1, len(1, [...len(1, text('service.name')), ...len(2, len(1, text('polymux-ingress')))])),
  ...scopes.map((spans) => len(2, scopeSpans(spans))).flat(),
];

describe('countProtobufSpans', () => {
  it('counts the spans of every scope of every resource, skipping the other fields', () => {
    const body = Uint8Array.from([...len(1, resourceSpans([3, 2])), ...len(1, resourceSpans([4]))]);
    expect(countProtobufSpans(body)).toBe(9);
  });

  it('counts nothing in an empty export and refuses a truncated one', () => {
    expect(countProtobufSpans(new Uint8Array())).toBe(0);
    const body = Uint8Array.from(len(1, resourceSpans([2])));
    expect(() => countProtobufSpans(body.subarray(0, body.length - 5))).toThrow(/truncated/);
  });
});

describe('countSpans', () => {
  it('reads OTLP JSON by its content type', () => {
    const json = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [{}, {}] }, { spans: [{}] }] }, { scopeSpans: [] }, {}],
    });
    expect(countJsonSpans(json)).toBe(3);
    expect(countSpans('application/json', Buffer.from(json))).toBe(3);
    expect(countSpans('application/x-protobuf', Buffer.from(len(1, resourceSpans([1]))))).toBe(1);
  });
});
