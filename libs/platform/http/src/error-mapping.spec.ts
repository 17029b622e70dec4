import { ErrorCode } from '@polymux/contracts';

import { httpStatusOf, toOpenAiError } from './error-mapping';

/** The one table: every code's HTTP status and OpenAI error `type`. A new code fails to compile until it is here. */
const expected: Record<ErrorCode, { status: number; type: string }> = {
  [ErrorCode.InvalidRequest]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.InvalidMessage]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.NoCapableModel]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.UpstreamBadRequest]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.Unauthenticated]: { status: 401, type: 'authentication_error' },
  [ErrorCode.InsufficientCredits]: { status: 402, type: 'insufficient_quota' },
  [ErrorCode.BudgetExceeded]: { status: 402, type: 'insufficient_quota' },
  [ErrorCode.PlanQuotaExceeded]: { status: 402, type: 'insufficient_quota' },
  [ErrorCode.Forbidden]: { status: 403, type: 'permission_error' },
  [ErrorCode.ModelNotAllowed]: { status: 403, type: 'permission_error' },
  [ErrorCode.EndpointNotAllowed]: { status: 403, type: 'permission_error' },
  [ErrorCode.AddressNotAllowed]: { status: 403, type: 'permission_error' },
  [ErrorCode.NotFound]: { status: 404, type: 'not_found_error' },
  [ErrorCode.ModelNotFound]: { status: 404, type: 'not_found_error' },
  [ErrorCode.Conflict]: { status: 409, type: 'invalid_request_error' },
  [ErrorCode.PayloadTooLarge]: { status: 413, type: 'invalid_request_error' },
  [ErrorCode.RateLimited]: { status: 429, type: 'rate_limit_error' },
  [ErrorCode.UpstreamRateLimited]: { status: 429, type: 'rate_limit_error' },
  [ErrorCode.Internal]: { status: 500, type: 'api_error' },
  [ErrorCode.UpstreamError]: { status: 502, type: 'api_error' },
  [ErrorCode.ServiceUnavailable]: { status: 503, type: 'api_error' },
  [ErrorCode.UpstreamOverloaded]: { status: 503, type: 'api_error' },
  [ErrorCode.UpstreamTimeout]: { status: 504, type: 'api_error' },
  [ErrorCode.Timeout]: { status: 504, type: 'api_error' },
};

describe('error mapping', () => {
  it('covers every ErrorCode', () => {
    expect(Object.keys(expected).sort()).toEqual([...Object.values(ErrorCode)].sort());
  });

  it.each(Object.values(ErrorCode))('maps %s to its status and OpenAI error type', (code) => {
    expect(httpStatusOf(code)).toBe(expected[code].status);
    expect(toOpenAiError({ code, message: 'm' }).error.type).toBe(expected[code].type);
  });

  it("answers in OpenAI's shape, with the code and the offending parameter", () => {
    expect(toOpenAiError({ code: ErrorCode.InvalidRequest, message: 'messages: required', param: 'messages' })).toEqual(
      {
        error: {
          message: 'messages: required',
          type: 'invalid_request_error',
          param: 'messages',
          code: 'invalid_request',
        },
      },
    );
    expect(toOpenAiError({ code: ErrorCode.UpstreamRateLimited, message: 'slow down', retryAfterSeconds: 3 })).toEqual({
      error: { message: 'slow down', type: 'rate_limit_error', param: null, code: 'upstream_rate_limited' },
    });
  });

  it("spells the gateway's own rate limit as OpenAI does", () => {
    expect(toOpenAiError({ code: ErrorCode.RateLimited, message: 'Rate limit reached' })).toEqual({
      error: { message: 'Rate limit reached', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' },
    });
  });

  it('keeps upstream details out of the body', () => {
    const body = toOpenAiError({ code: ErrorCode.UpstreamError, message: 'upstream failed', upstreamStatus: 503 });
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  });
});
