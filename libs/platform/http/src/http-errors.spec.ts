import type { ArgumentsHost } from '@nestjs/common';
import { BadRequestException, Logger, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { ErrorCode, Headers, PolymuxException } from '@polymux/contracts';
import type { FastifyReply } from 'fastify';
import { lastValueFrom } from 'rxjs';

import {
  AnthropicErrorFilter,
  HttpErrorFilter,
  OpenAiErrorFilter,
  anthropicErrors,
  errorWireForUrl,
  openAiErrors,
  sendOpenAiError,
  toErrorPayload,
} from './http-errors';

/** The parts of a Fastify reply the error path uses, recording what was written. */
const fakeReply = (sent = false) => {
  const headers: Record<string, string> = {};
  const reply = {
    sent,
    raw: { headersSent: sent },
    statusCode: 200,
    body: undefined as unknown,
    headers,
    header: (name: string, value: string) => ((headers[name] = value), reply),
    getHeader: (name: string) => headers[name],
    status: (code: number) => ((reply.statusCode = code), reply),
    send: (body: unknown) => ((reply.body = body), reply),
  };
  return reply;
};
const asReply = (reply: ReturnType<typeof fakeReply>) => reply as unknown as FastifyReply;
const fastifyError = (code: string, message = 'x') => Object.assign(new Error(message), { code, statusCode: 400 });

describe('toErrorPayload', () => {
  it('keeps a domain exception as it is', () => {
    const error = new PolymuxException(ErrorCode.UpstreamRateLimited, 'slow down', { retryAfterSeconds: 4 });
    expect(toErrorPayload(error)).toEqual({
      code: ErrorCode.UpstreamRateLimited,
      message: 'slow down',
      retryAfterSeconds: 4,
    });
  });

  it("maps Fastify's body errors to 413 and 400", () => {
    expect(toErrorPayload(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE')).code).toBe(ErrorCode.PayloadTooLarge);
    expect(toErrorPayload(fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE'))).toEqual({
      code: ErrorCode.InvalidRequest,
      message: 'the request body must be application/json',
    });
    expect(toErrorPayload(fastifyError('FST_ERR_CTP_EMPTY_JSON_BODY')).code).toBe(ErrorCode.InvalidRequest);
    expect(toErrorPayload(fastifyError('FST_ERR_CTP_INVALID_CONTENT_LENGTH')).code).toBe(ErrorCode.InvalidRequest);
    const badJson = Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 });
    expect(toErrorPayload(badJson)).toMatchObject({
      code: ErrorCode.InvalidRequest,
      message: expect.stringMatching(/not valid JSON/),
    });
  });

  it("maps Nest's HTTP exceptions: unknown route 404, too large 413, other client errors 400", () => {
    expect(toErrorPayload(new NotFoundException())).toEqual({ code: ErrorCode.NotFound, message: 'no such route' });
    expect(toErrorPayload(new PayloadTooLargeException()).code).toBe(ErrorCode.PayloadTooLarge);
    expect(toErrorPayload(new BadRequestException('bad')).code).toBe(ErrorCode.InvalidRequest);
  });

  it('turns anything else into an internal error, logged without its message', () => {
    const log = jest.spyOn(Logger, 'error').mockImplementation(() => undefined);
    try {
      expect(toErrorPayload(new TypeError('prompt: tell me a secret'))).toEqual({
        code: ErrorCode.Internal,
        message: 'internal error',
      });
      expect(toErrorPayload('a string')).toEqual({ code: ErrorCode.Internal, message: 'internal error' });
      expect(toErrorPayload(undefined).code).toBe(ErrorCode.Internal);
      expect(JSON.stringify(log.mock.calls)).not.toContain('tell me a secret');
      expect(log.mock.calls[0][0]).toBe('unhandled error: TypeError');
    } finally {
      log.mockRestore();
    }
  });
});

describe('sendOpenAiError', () => {
  it.each([
    [ErrorCode.RateLimited, 429],
    [ErrorCode.UpstreamRateLimited, 429],
    [ErrorCode.ServiceUnavailable, 503],
  ])('sets retry-after on %s when the delay is known', (code, status) => {
    const reply = fakeReply();
    sendOpenAiError(asReply(reply), { code, message: 'wait', retryAfterSeconds: 7 });
    expect(reply.statusCode).toBe(status);
    expect(reply.headers['retry-after']).toBe('7');
    // The gateway's own limit is spelled as OpenAI spells it.
    const wire = code === ErrorCode.RateLimited ? 'rate_limit_exceeded' : code;
    expect(reply.body).toEqual({ error: { message: 'wait', type: expect.any(String), param: null, code: wire } });
  });

  it('writes retry-after in whole seconds and leaves out values that are no delay', () => {
    const header = (retryAfterSeconds: number | undefined) => {
      const reply = fakeReply();
      sendOpenAiError(asReply(reply), { code: ErrorCode.RateLimited, message: 'wait', retryAfterSeconds });
      return reply.headers['retry-after'];
    };
    expect(header(undefined)).toBeUndefined();
    expect(header(0)).toBe('0');
    expect(header(1.2)).toBe('2');
    expect(header(-1)).toBeUndefined();
    expect(header(Number.NaN)).toBeUndefined();
    expect(header(Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});

describe('OpenAiErrorFilter', () => {
  const httpHost = (reply: ReturnType<typeof fakeReply>, url = '/v1/chat/completions'): ArgumentsHost =>
    ({
      getType: () => 'http',
      switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ id: 'req-1', url }) }),
    }) as unknown as ArgumentsHost;

  it("answers HTTP errors in OpenAI's format and keeps the request id", () => {
    const reply = fakeReply();
    new OpenAiErrorFilter().catch(new PolymuxException(ErrorCode.ModelNotFound, 'no model x'), httpHost(reply));
    expect(reply.statusCode).toBe(404);
    expect(reply.headers[Headers.requestId]).toBe('req-1');
    expect(reply.body).toEqual({
      error: { message: 'no model x', type: 'not_found_error', param: null, code: 'model_not_found' },
    });
  });

  it('keeps a request id already set and writes nothing once the response has started', () => {
    const reply = fakeReply();
    reply.headers[Headers.requestId] = 'req-given';
    new OpenAiErrorFilter().catch(new PolymuxException(ErrorCode.Forbidden, 'no'), httpHost(reply));
    expect(reply.headers[Headers.requestId]).toBe('req-given');

    const streaming = fakeReply(true);
    new OpenAiErrorFilter().catch(new PolymuxException(ErrorCode.Internal, 'late'), httpHost(streaming));
    expect(streaming.body).toBeUndefined();
  });

  it('hands errors of message handlers back to the bus transport untouched', async () => {
    const error = new PolymuxException(ErrorCode.NotFound, 'gone');
    const rpc = { getType: () => 'rpc' } as unknown as ArgumentsHost;
    const result = new OpenAiErrorFilter().catch(error, rpc);
    await expect(lastValueFrom(result!)).rejects.toBe(error);
  });
});

describe('AnthropicErrorFilter and HttpErrorFilter', () => {
  const httpHost = (reply: ReturnType<typeof fakeReply>, url: string): ArgumentsHost =>
    ({
      getType: () => 'http',
      switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ id: 'req-1', url }) }),
    }) as unknown as ArgumentsHost;

  it("answers in Anthropic's format, 529 for an overloaded provider, with request-id and retry-after", () => {
    const reply = fakeReply();
    const error = new PolymuxException(ErrorCode.UpstreamOverloaded, 'busy', { retryAfterSeconds: 2 });
    new AnthropicErrorFilter().catch(error, httpHost(reply, '/v1/messages'));
    expect(reply.statusCode).toBe(529);
    expect(reply.headers).toMatchObject({ [Headers.requestId]: 'req-1', 'request-id': 'req-1', 'retry-after': '2' });
    expect(reply.body).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'busy' },
      request_id: 'req-1',
    });
  });

  it("answers what Fastify refuses before a controller in the format of the URL's API", () => {
    const anthropic = fakeReply();
    new HttpErrorFilter().catch(fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE'), httpHost(anthropic, '/v1/messages'));
    expect(anthropic.statusCode).toBe(400);
    expect(anthropic.body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const openAi = fakeReply();
    new HttpErrorFilter().catch(
      fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE'),
      httpHost(openAi, '/v1/chat/completions'),
    );
    expect(openAi.body).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_request' } });
    expect(openAi.headers['request-id']).toBeUndefined();
  });

  it.each([
    ['/v1/messages', anthropicErrors],
    ['/v1/messages?beta=true', anthropicErrors],
    ['/v1/messages/count_tokens', anthropicErrors],
    ['/v1/messagesx', openAiErrors],
    ['/v1/chat/completions', openAiErrors],
    [undefined, openAiErrors],
  ])('routes %s to its error format', (url, wire) => {
    expect(errorWireForUrl(url)).toBe(wire);
  });
});
