import type { ErrorPayload } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';

import { httpStatusOf } from './error-mapping';

/**
 * Anthropic's error `type`s (https://docs.claude.com/en/api/errors). A type its SDK does not know
 * still reaches the caller: the SDK picks its error class by status and keeps the body.
 */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

/** Anthropic's `{type: 'error', error: {type, message}}`, with the request id as Anthropic adds it. */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType; message: string };
  request_id?: string;
}

/** HTTP status of a code for Anthropic callers: the shared table, except an overloaded provider is Anthropic's 529. */
export const anthropicStatusOf = (code: ErrorCode): number =>
  code === ErrorCode.UpstreamOverloaded ? 529 : httpStatusOf(code);

/** Codes with an Anthropic type of their own; the others follow their HTTP status. */
const OWN_TYPES: ReadonlyMap<ErrorCode, AnthropicErrorType> = new Map([
  [ErrorCode.InsufficientCredits, 'billing_error'],
  [ErrorCode.PayloadTooLarge, 'request_too_large'],
  [ErrorCode.UpstreamOverloaded, 'overloaded_error'],
  [ErrorCode.ServiceUnavailable, 'overloaded_error'],
  [ErrorCode.UpstreamTimeout, 'timeout_error'],
  [ErrorCode.Timeout, 'timeout_error'],
]);

/**
 * Anthropic's error `type` for a code. Insufficient credits are Anthropic's own `billing_error`
 * (402); the gateway being unable to take the call for now (`service_unavailable`, 503) is
 * `overloaded_error`, the type Anthropic uses for "temporarily unable, retry"; other 4xx are
 * `invalid_request_error`, as Anthropic documents for statuses it does not list.
 */
export const anthropicErrorType = (code: ErrorCode): AnthropicErrorType => {
  const own = OWN_TYPES.get(code);
  if (own !== undefined) return own;
  const status = httpStatusOf(code);
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
};

/** An error in Anthropic's wire format: the body of an HTTP error and the data of a stream's `error` event. */
export const toAnthropicError = (payload: ErrorPayload, requestId?: string): AnthropicErrorBody => ({
  type: 'error',
  error: { type: anthropicErrorType(payload.code), message: payload.message },
  ...(requestId === undefined ? {} : { request_id: requestId }),
});
