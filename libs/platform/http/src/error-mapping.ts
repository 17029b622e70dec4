import type { ErrorPayload } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';
import type { OpenAiErrorBody } from '@polymux/wire';
import { openAiErrorBody } from '@polymux/wire';

/** HTTP status for each error code: the one table every HTTP edge uses. */
export const httpStatusOf = (code: ErrorCode): number => {
  switch (code) {
    case ErrorCode.InvalidRequest:
    case ErrorCode.InvalidMessage:
    case ErrorCode.NoCapableModel:
    case ErrorCode.UpstreamBadRequest:
      return 400;
    case ErrorCode.Unauthenticated:
      return 401;
    // 402: not retried by the official SDKs (they retry 408, 409, 429 and 5xx), nor is it a rate limit.
    case ErrorCode.InsufficientCredits:
    case ErrorCode.BudgetExceeded:
    case ErrorCode.PlanQuotaExceeded:
      return 402;
    case ErrorCode.Forbidden:
    case ErrorCode.ModelNotAllowed:
    case ErrorCode.EndpointNotAllowed:
    case ErrorCode.AddressNotAllowed:
      return 403;
    case ErrorCode.NotFound:
    case ErrorCode.ModelNotFound:
      return 404;
    case ErrorCode.Conflict:
      return 409;
    case ErrorCode.PayloadTooLarge:
      return 413;
    case ErrorCode.RateLimited:
    case ErrorCode.UpstreamRateLimited:
      return 429;
    case ErrorCode.UpstreamError:
      return 502;
    case ErrorCode.ServiceUnavailable:
    case ErrorCode.UpstreamOverloaded:
      return 503;
    case ErrorCode.UpstreamTimeout:
    case ErrorCode.Timeout:
      return 504;
    case ErrorCode.Internal:
      return 500;
  }
};

/** OpenAI's error `type` for a code. */
const openAiType = (code: ErrorCode): string => {
  const status = httpStatusOf(code);
  // OpenAI's own type for an exhausted credit or spend limit.
  if (
    code === ErrorCode.InsufficientCredits ||
    code === ErrorCode.BudgetExceeded ||
    code === ErrorCode.PlanQuotaExceeded
  )
    return 'insufficient_quota';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
};

/** Codes OpenAI itself spells otherwise: a gateway rate limit is OpenAI's own `rate_limit_exceeded`. */
const openAiCode = (code: ErrorCode): string => (code === ErrorCode.RateLimited ? 'rate_limit_exceeded' : code);

/** A Polymux failure in OpenAI's error body; `code` is the Polymux error code (OpenAI's where it has one). */
export const toOpenAiError = (payload: ErrorPayload): OpenAiErrorBody =>
  openAiErrorBody(payload.message, openAiType(payload.code), payload.param ?? null, openAiCode(payload.code));
