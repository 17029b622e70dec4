import { ErrorCode } from '@polymux/contracts';

import { anthropicStatusOf, toAnthropicError } from './anthropic-error-mapping';

/** Every code's status and Anthropic error `type` for Anthropic callers. A new code fails to compile until it is here. */
const expected: Record<ErrorCode, { status: number; type: string }> = {
  [ErrorCode.InvalidRequest]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.InvalidMessage]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.NoCapableModel]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.UpstreamBadRequest]: { status: 400, type: 'invalid_request_error' },
  [ErrorCode.Unauthenticated]: { status: 401, type: 'authentication_error' },
  [ErrorCode.InsufficientCredits]: { status: 402, type: 'billing_error' },
  [ErrorCode.BudgetExceeded]: { status: 402, type: 'billing_error' },
  [ErrorCode.PlanQuotaExceeded]: { status: 402, type: 'billing_error' },
  [ErrorCode.Forbidden]: { status: 403, type: 'permission_error' },
  [ErrorCode.ModelNotAllowed]: { status: 403, type: 'permission_error' },
  [ErrorCode.EndpointNotAllowed]: { status: 403, type: 'permission_error' },
  [ErrorCode.AddressNotAllowed]: { status: 403, type: 'permission_error' },
  [ErrorCode.NotFound]: { status: 404, type: 'not_found_error' },
  [ErrorCode.ModelNotFound]: { status: 404, type: 'not_found_error' },
  [ErrorCode.Conflict]: { status: 409, type: 'invalid_request_error' },
  [ErrorCode.PayloadTooLarge]: { status: 413, type: 'request_too_large' },
  [ErrorCode.RateLimited]: { status: 429, type: 'rate_limit_error' },
  [ErrorCode.UpstreamRateLimited]: { status: 429, type: 'rate_limit_error' },
  [ErrorCode.Internal]: { status: 500, type: 'api_error' },
  [ErrorCode.UpstreamError]: { status: 502, type: 'api_error' },
  [ErrorCode.ServiceUnavailable]: { status: 503, type: 'overloaded_error' },
  [ErrorCode.UpstreamOverloaded]: { status: 529, type: 'overloaded_error' },
  [ErrorCode.UpstreamTimeout]: { status: 504, type: 'timeout_error' },
  [ErrorCode.Timeout]: { status: 504, type: 'timeout_error' },
};

describe('Anthropic error mapping', () => {
  it('covers every ErrorCode', () => {
    expect(Object.keys(expected).sort()).toEqual([...Object.values(ErrorCode)].sort());
  });

  it.each(Object.values(ErrorCode))('maps %s to its status and Anthropic error type', (code) => {
    expect(anthropicStatusOf(code)).toBe(expected[code].status);
    expect(toAnthropicError({ code, message: 'm' }).error.type).toBe(expected[code].type);
  });

  it("answers in Anthropic's shape, with the request id when known and no upstream details", () => {
    expect(
      toAnthropicError({ code: ErrorCode.InvalidRequest, message: 'max_tokens: required', param: 'max_tokens' }),
    ).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: required' },
    });
    expect(
      toAnthropicError({ code: ErrorCode.UpstreamError, message: 'failed', upstreamStatus: 503 }, 'req-1'),
    ).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'failed' },
      request_id: 'req-1',
    });
  });
});
