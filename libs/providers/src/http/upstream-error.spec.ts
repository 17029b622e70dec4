import { ErrorCode, PolymuxException } from '@polymux/contracts';

import {
  errorFromStatus,
  errorFromStreamEvent,
  errorFromTransport,
  parseRetryAfter,
  upstreamErrorFacts,
} from './upstream-error';

const PROMPT = 'zdr-marker-upstream-echo';
const openAiBody = (error: Record<string, unknown>) =>
  JSON.stringify({ error: { message: `you sent "${PROMPT}"`, type: null, param: null, code: null, ...error } });

describe('errorFromStatus', () => {
  it('maps 429 to UpstreamRateLimited with retry-after', () => {
    const error = errorFromStatus('openai', 429, { 'retry-after': '2' }, openAiBody({ type: 'requests' }));
    expect(error.toPayload()).toEqual({
      code: ErrorCode.UpstreamRateLimited,
      message: 'the provider openai rate-limited the request (HTTP 429): requests',
      upstreamStatus: 429,
      retryAfterSeconds: 2,
    });
  });

  it('maps 5xx to UpstreamError with the upstream status', () => {
    expect(errorFromStatus('openai', 500, {}, '').toPayload()).toEqual({
      code: ErrorCode.UpstreamError,
      message: 'the provider openai failed (HTTP 500)',
      upstreamStatus: 500,
    });
  });

  it.each([529, 503])('maps %i to UpstreamOverloaded, keeping retry-after', (status) => {
    expect(errorFromStatus('anthropic', status, { 'retry-after': '3' }, '').toPayload()).toEqual({
      code: ErrorCode.UpstreamOverloaded,
      message: `the provider anthropic is overloaded (HTTP ${status})`,
      upstreamStatus: status,
      retryAfterSeconds: 3,
    });
  });

  it('maps other 4xx to UpstreamBadRequest with the type, code and param but not the text', () => {
    const body = openAiBody({ type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' });
    expect(errorFromStatus('openai', 400, {}, body).toPayload()).toEqual({
      code: ErrorCode.UpstreamBadRequest,
      message: 'the provider openai rejected the request (HTTP 400): invalid_request_error, context_length_exceeded',
      upstreamStatus: 400,
      param: 'messages',
    });
  });

  it.each([401, 403, 404])('maps %i to a retryable UpstreamError (502), not a bad request', (status) => {
    const error = errorFromStatus('openai', status, {}, openAiBody({ type: 'authentication_error' }));
    expect(error.toPayload()).toEqual({
      code: ErrorCode.UpstreamError,
      message: `the provider openai refused the deployment's credentials or model (HTTP ${status}): authentication_error`,
      upstreamStatus: status,
    });
  });

  it('maps 408 to UpstreamTimeout', () => {
    expect(errorFromStatus('openai', 408, {}, '').code).toBe(ErrorCode.UpstreamTimeout);
  });

  it.each([400, 401, 404, 422, 429, 500])('never carries the provider text of a %i', (status) => {
    const bodies = [
      openAiBody({}),
      JSON.stringify({ message: PROMPT }),
      JSON.stringify({ error: PROMPT }),
      `plain ${PROMPT}`,
      openAiBody({ type: `${PROMPT} free text`, code: `Code With ${PROMPT}`, param: `messages ${PROMPT}` }),
    ];
    for (const body of bodies) {
      expect(JSON.stringify(errorFromStatus('openai', status, {}, body).toPayload())).not.toContain(PROMPT);
    }
  });
});

describe('errorFromStreamEvent', () => {
  it('keeps the type and code of an error event, never its message', () => {
    const error = errorFromStreamEvent('openai', openAiBody({ type: 'server_error' }));
    expect(error.toPayload()).toEqual({
      code: ErrorCode.UpstreamError,
      message: 'the provider openai failed mid-stream: server_error',
    });
    expect(errorFromStreamEvent('openai', PROMPT).message).not.toContain(PROMPT);
  });
});

describe('upstreamErrorFacts', () => {
  it('reads enumerations of OpenAI and flat bodies and ignores everything else', () => {
    expect(upstreamErrorFacts(openAiBody({ type: 'invalid_request_error', code: 'invalid_request_error' }))).toEqual({
      reasons: ['invalid_request_error'],
    });
    expect(upstreamErrorFacts('{"type":"overloaded_error","param":"tools[0].function.name"}')).toEqual({
      reasons: ['overloaded_error'],
      param: 'tools[0].function.name',
    });
    expect(upstreamErrorFacts('[1,2]')).toEqual({ reasons: [] });
    expect(upstreamErrorFacts('Bad Gateway')).toEqual({ reasons: [] });
    expect(upstreamErrorFacts('')).toEqual({ reasons: [] });
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

  it('maps connection failures to UpstreamError with the error code only', () => {
    const error = errorFromTransport(
      'openai',
      Object.assign(new Error(`other side closed ${PROMPT}`), { code: 'UND_ERR_SOCKET' }),
    );
    expect(error.toPayload()).toEqual({
      code: ErrorCode.UpstreamError,
      message: 'openai connection failed (UND_ERR_SOCKET)',
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
