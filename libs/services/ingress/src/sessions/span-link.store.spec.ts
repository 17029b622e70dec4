import { decodeSpanContext, encodeSpanContext } from './span-link.store';

describe('span contexts as stored', () => {
  const context = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };

  it('round-trips as a traceparent value', () => {
    const encoded = encodeSpanContext(context);
    expect(encoded).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(decodeSpanContext(encoded)).toEqual({ ...context, isRemote: true });
  });

  it.each([
    null,
    undefined,
    '',
    'garbage',
    `00-${'0'.repeat(32)}-b7ad6b7169203331-01`,
    '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  ])('reads %p as nothing', (value) => expect(decodeSpanContext(value)).toBeUndefined());
});
