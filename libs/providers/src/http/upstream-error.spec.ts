import { ErrorCode, PolymuxException } from '@polymux/contracts';

import { errorFromStatus, errorFromTransport, parseRetryAfter, upstreamMessage } from './upstream-error';

const openAiBody = (message: string) => JSON.stringify({ error: { message, type: 'x', param: null, code: null } });

describe('errorFromStatus', () => {
  it('maps 429 to UpstreamRateLimited with retry-after', () => {
    const error = errorFromStatus('openai', 429, { 'retry-after': '2' }, openAiBody('slow down'));
    expect(error.toPayload()).toEqual({
      code: ErrorCode.UpstreamRateLimited,
      message: 'openai answered 429: slow down',
      upstreamStatus: 429,
      retryAfterSeconds: 2,
    });
  });

  it('maps 5xx to UpstreamError with the upstream status', () => {
    expect(errorFromStatus('openai', 503, {}, '').toPayload()).toEqual({
      code: ErrorCode.UpstreamError,
      message: 'openai answered 503',
      upstreamStatus: 503,
    });
  });

  it('maps other 4xx to UpstreamBadRequest carrying the upstream message', () => {
    expect(errorFromStatus('openai', 400, {}, openAiBody("Invalid value for 'n'")).toPayload()).toEqual({
      code: ErrorCode.UpstreamBadRequest,
      message: "Invalid value for 'n'",
      upstreamStatus: 400,
    });
  });

  it('maps 408 to UpstreamTimeout', () => {
    expect(errorFromStatus('openai', 408, {}, '').code).toBe(ErrorCode.UpstreamTimeout);
  });
});

describe('errorFromTransport', () => {
  it('maps undici timeouts to UpstreamTimeout', () => {
    for (const code of ['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']) {
      expect(errorFromTransport('openai', Object.assign(new Error('t'), { code })).code).toBe(
        ErrorCode.UpstreamTimeout,
      );
    }
  });

  it('maps connection failures to UpstreamError', () => {
    const error = errorFromTransport(
      'openai',
      Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    );
    expect(error.toPayload()).toEqual({
      code: ErrorCode.UpstreamError,
      message: 'openai connection failed: other side closed (UND_ERR_SOCKET)',
    });
  });

  it('keeps a PolymuxException as it is', () => {
    const original = new PolymuxException(ErrorCode.UpstreamTimeout, 'late');
    expect(errorFromTransport('openai', original)).toBe(original);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter('1.2')).toBe(2);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('upstreamMessage', () => {
  it('reads OpenAI, flat and plain-text error bodies', () => {
    expect(upstreamMessage(openAiBody('bad'))).toBe('bad');
    expect(upstreamMessage('{"message":"flat"}')).toBe('flat');
    expect(upstreamMessage('{"error":"just text"}')).toBe('just text');
    expect(upstreamMessage('Bad Gateway')).toBe('Bad Gateway');
    expect(upstreamMessage('')).toBeUndefined();
  });
});
