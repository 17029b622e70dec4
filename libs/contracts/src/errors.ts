/** Every failure Polymux can report. Services throw these; ingress maps them to the caller's wire format once. */
export enum ErrorCode {
  InvalidRequest = 'invalid_request',
  PayloadTooLarge = 'payload_too_large',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  Conflict = 'conflict',
  ModelNotFound = 'model_not_found',
  ModelNotAllowed = 'model_not_allowed',
  /** The key's scope does not include the endpoint called (`allowedEndpoints`). */
  EndpointNotAllowed = 'endpoint_not_allowed',
  /** The key may not be used from the caller's address (`ipAllowlist`). */
  AddressNotAllowed = 'address_not_allowed',
  NoCapableModel = 'no_capable_model',
  InsufficientCredits = 'insufficient_credits',
  /** A hard budget would be exceeded by the call's maximum cost: refused before the call. */
  BudgetExceeded = 'budget_exceeded',
  /** A free plan's daily quota would be exceeded by the call's bound: refused before the call. */
  PlanQuotaExceeded = 'plan_quota_exceeded',
  RateLimited = 'rate_limited',
  UpstreamRateLimited = 'upstream_rate_limited',
  UpstreamError = 'upstream_error',
  /** The provider is overloaded (HTTP 529 or 503): try again or elsewhere. */
  UpstreamOverloaded = 'upstream_overloaded',
  UpstreamTimeout = 'upstream_timeout',
  UpstreamBadRequest = 'upstream_bad_request',
  ServiceUnavailable = 'service_unavailable',
  Timeout = 'timeout',
  InvalidMessage = 'invalid_message',
  Internal = 'internal_error',
}

/** Upstream failures after which the next candidate deployment is tried. */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.UpstreamRateLimited,
  ErrorCode.UpstreamError,
  ErrorCode.UpstreamOverloaded,
  ErrorCode.UpstreamTimeout,
  ErrorCode.ServiceUnavailable,
]);

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  /** Name of the offending request field, when there is one. */
  param?: string;
  /** Seconds the caller should wait before retrying, when known. */
  retryAfterSeconds?: number;
  /** HTTP status the upstream answered with, for upstream failures. */
  upstreamStatus?: number;
}

export class PolymuxException extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Omit<ErrorPayload, 'code' | 'message'> = {},
  ) {
    super(message);
    this.name = 'PolymuxException';
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message, ...this.details };
  }

  static fromPayload(payload: ErrorPayload): PolymuxException {
    const { code, message, ...details } = payload;
    return new PolymuxException(code, message, details);
  }
}

export const isPolymuxException = (error: unknown): error is PolymuxException => error instanceof PolymuxException;
