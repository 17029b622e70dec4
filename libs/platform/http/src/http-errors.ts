import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { Catch, HttpException, Logger } from '@nestjs/common';
import type { ErrorPayload } from '@polymux/contracts';
import { ErrorCode, Headers, isPolymuxException } from '@polymux/contracts';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { throwError } from 'rxjs';

import { anthropicStatusOf, toAnthropicError } from './anthropic-error-mapping';
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

/** How one inbound wire format answers an error: its status for a code, its body, its request-id headers. */
export interface ErrorWire {
  status(code: ErrorCode): number;
  body(payload: ErrorPayload, requestId: string | undefined): unknown;
  /** Headers besides `x-request-id` that carry the request id (Anthropic's SDK reads `request-id`). */
  requestIdHeaders: readonly string[];
}

/** OpenAI's `{"error": {message, type, param, code}}`. */
export const openAiErrors: ErrorWire = { status: httpStatusOf, body: toOpenAiError, requestIdHeaders: [] };

/** Anthropic's `{"type": "error", "error": {type, message}}`, 529 for an overloaded provider, and `request-id`. */
export const anthropicErrors: ErrorWire = {
  status: anthropicStatusOf,
  body: toAnthropicError,
  requestIdHeaders: ['request-id'],
};

/** Paths served in Anthropic's wire format: their errors, Fastify's included, answer in Anthropic's shape. */
const ANTHROPIC_PATHS = /^\/v1\/messages(?:[/?]|$)/;

/** The error format of a request by its URL, for errors raised before any controller (bad JSON, body too large). */
export const errorWireForUrl = (url: string | undefined): ErrorWire =>
  url !== undefined && ANTHROPIC_PATHS.test(url) ? anthropicErrors : openAiErrors;

/** Writes an error in `wire`'s format, with `retry-after` where it applies and the request id in its headers. */
export const sendError = (reply: FastifyReply, payload: ErrorPayload, wire: ErrorWire): void => {
  const retryAfter = retryAfterHeader(payload.retryAfterSeconds);
  if (retryAfter !== undefined) void reply.header('retry-after', retryAfter);
  const requestId = reply.getHeader(Headers.requestId);
  const id = requestId === undefined ? undefined : String(requestId);
  if (id !== undefined) for (const header of wire.requestIdHeaders) void reply.header(header, id);
  void reply.status(wire.status(payload.code)).send(wire.body(payload, id));
};

/** Writes an error in OpenAI's wire format, with `retry-after` where it applies. */
export const sendOpenAiError = (reply: FastifyReply, payload: ErrorPayload): void =>
  sendError(reply, payload, openAiErrors);

/**
 * The one error filter, parameterised by the wire format it answers in (chosen per request):
 * request ids are kept on the response, a body refused as too large is drained first. Installed
 * globally in hybrid apps, it hands message-handler errors on to the bus transport untouched.
 */
export abstract class WireErrorFilter implements ExceptionFilter {
  protected constructor(private readonly wireFor: (request: FastifyRequest) => ErrorWire) {}

  catch(error: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') return throwError(() => error);
    if (host.getType() !== 'http') throw error;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    if (reply.sent || reply.raw.headersSent) return;
    if (!reply.getHeader(Headers.requestId)) void reply.header(Headers.requestId, String(request.id));
    const payload = toErrorPayload(error);
    const wire = this.wireFor(request);
    // A body refused as too large is still arriving: take it off the wire first, or the 413 is lost.
    if (payload.code === ErrorCode.PayloadTooLarge) discardBody(request.raw, () => sendError(reply, payload, wire));
    else sendError(reply, payload, wire);
  }
}

/** Answers every HTTP error in OpenAI's format. */
@Catch()
export class OpenAiErrorFilter extends WireErrorFilter {
  constructor() {
    super(() => openAiErrors);
  }
}

/** Answers every HTTP error in Anthropic's format (`/v1/messages`). */
@Catch()
export class AnthropicErrorFilter extends WireErrorFilter {
  constructor() {
    super(() => anthropicErrors);
  }
}

/**
 * The global filter: answers in the format of the API the URL belongs to, so that what Fastify
 * refuses before a controller runs (bad JSON, too large, wrong content type) is in the caller's shape.
 */
@Catch()
export class HttpErrorFilter extends WireErrorFilter {
  constructor() {
    super((request) => errorWireForUrl(request.url));
  }
}
