import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { Catch, HttpException, Logger } from '@nestjs/common';
import type { ErrorPayload } from '@polymux/contracts';
import { ErrorCode, Headers, isPolymuxException } from '@polymux/contracts';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { throwError } from 'rxjs';

import { discardBody } from './discard-body';
import { httpStatusOf, toOpenAiError } from './error-mapping';

const fromFastify = (error: FastifyError): ErrorPayload => {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { code: ErrorCode.PayloadTooLarge, message: 'the request body is too large' };
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return { code: ErrorCode.InvalidRequest, message: 'the request body must be application/json' };
  if (error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return { code: ErrorCode.InvalidRequest, message: 'the request path is malformed or too long' };
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return { code: ErrorCode.InvalidRequest, message: 'the request body is empty' };
  return { code: ErrorCode.InvalidRequest, message: `the request body is not valid JSON: ${error.message}` };
};

/** Any error thrown while serving HTTP, as an `ErrorPayload`; unknown errors become a logged internal error. */
export const toErrorPayload = (error: unknown): ErrorPayload => {
  if (isPolymuxException(error)) return error.toPayload();
  // `throw undefined` and `throw 'text'` happen too: they must not break the error path itself.
  const fastifyError = (typeof error === 'object' && error !== null ? error : {}) as Partial<FastifyError>;
  if (typeof fastifyError.code === 'string' && fastifyError.code.startsWith('FST_'))
    return fromFastify(error as FastifyError);
  if (fastifyError.statusCode === 400 && error instanceof SyntaxError) return fromFastify(error as FastifyError);
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status === 404) return { code: ErrorCode.NotFound, message: 'no such route' };
    if (status === 413) return { code: ErrorCode.PayloadTooLarge, message: 'the request body is too large' };
    if (status < 500) return { code: ErrorCode.InvalidRequest, message: error.message };
  }
  // The stack without its first line: an error's message may quote request or upstream content.
  const frames = (error as Error | undefined)?.stack?.split('\n').slice(1).join('\n');
  Logger.error(`unhandled error: ${(error as Error | undefined)?.name ?? 'unknown'}`, frames, 'HttpErrors');
  return { code: ErrorCode.Internal, message: 'internal error' };
};

/** `retry-after` as HTTP wants it (whole seconds), or undefined when the value is not a usable delay. */
const retryAfterHeader = (seconds: number | undefined): string | undefined =>
  seconds !== undefined && Number.isFinite(seconds) && seconds >= 0 ? String(Math.ceil(seconds)) : undefined;

/** Writes an error in OpenAI's wire format, with `retry-after` where it applies. */
export const sendOpenAiError = (reply: FastifyReply, payload: ErrorPayload): void => {
  const retryAfter = retryAfterHeader(payload.retryAfterSeconds);
  if (retryAfter !== undefined) void reply.header('retry-after', retryAfter);
  void reply.status(httpStatusOf(payload.code)).send(toOpenAiError(payload));
};

/**
 * Nest filter answering every HTTP error in OpenAI's format; request ids are kept on the response.
 * Installed globally in hybrid apps, it hands message-handler errors on to the bus transport untouched.
 */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') return throwError(() => error);
    if (host.getType() !== 'http') throw error;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    if (reply.sent || reply.raw.headersSent) return;
    if (!reply.getHeader(Headers.requestId)) void reply.header(Headers.requestId, String(request.id));
    const payload = toErrorPayload(error);
    // A body refused as too large is still arriving: take it off the wire first, or the 413 is lost.
    if (payload.code === ErrorCode.PayloadTooLarge) discardBody(request.raw, () => sendOpenAiError(reply, payload));
    else sendOpenAiError(reply, payload);
  }
}
