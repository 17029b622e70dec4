import type { Span } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import { errorType, recordError } from './error-type';

describe('errorType', () => {
  it('is the code of a domain exception and the class of any other error, never the message', () => {
    expect(errorType(new PolymuxException(ErrorCode.UpstreamError, 'upstream said: <prompt>'))).toBe('upstream_error');
    expect(errorType(new TypeError('cannot read <prompt>'))).toBe('TypeError');
    expect(errorType('a thrown string with <prompt>')).toBe('Error');
    const odd = new Error('x');
    odd.name = 'name with <prompt> in it';
    expect(errorType(odd)).toBe('Error');
  });

  it('records status, attribute and exception event with the type only', () => {
    const calls: unknown[] = [];
    const span = {
      setAttribute: (...args: unknown[]) => calls.push(['attribute', ...args]),
      recordException: (...args: unknown[]) => calls.push(['exception', ...args]),
      setStatus: (...args: unknown[]) => calls.push(['status', ...args]),
    } as unknown as Span;
    recordError(span, new RangeError('secret prompt text'));
    expect(calls).toEqual([
      ['attribute', 'error.type', 'RangeError'],
      ['exception', { name: 'RangeError' }],
      ['status', { code: SpanStatusCode.ERROR, message: 'RangeError' }],
    ]);
  });
});
