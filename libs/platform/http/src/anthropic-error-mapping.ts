import type { ErrorPayload } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';
import type { AnthropicErrorBody, AnthropicErrorType } from '@polymux/wire';
import { anthropicErrorType } from '@polymux/wire';

import { httpStatusOf } from './error-mapping';

/** HTTP status of a code for Anthropic callers: the shared table, except an overloaded provider is Anthropic's 529. */
export const anthropicStatusOf = (code: ErrorCode): number =>
  code === ErrorCode.UpstreamOverloaded ? 529 : httpStatusOf(code);

/**
 * Anthropic's error `type` for a code: the type Anthropic answers the code's HTTP status with.
 * Insufficient credits (402) are Anthropic's own `billing_error`; the gateway being unable to take
 * the call for now (`service_unavailable`, 503) is `overloaded_error`, the type Anthropic uses for
 * "temporarily unable, retry"; other 4xx are `invalid_request_error`, as Anthropic documents for
 * statuses it does not list.
 */
export const anthropicErrorTypeOf = (code: ErrorCode): AnthropicErrorType => anthropicErrorType(httpStatusOf(code));

/** An error in Anthropic's wire format: the body of an HTTP error and the data of a stream's `error` event. */
export const toAnthropicError = (payload: ErrorPayload, requestId?: string): AnthropicErrorBody => ({
  type: 'error',
  error: { type: anthropicErrorTypeOf(payload.code), message: payload.message },
  ...(requestId === undefined ? {} : { request_id: requestId }),
});
