import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';

/** The bodies of the requests whose routes asked for them, kept only as long as the request lives. */
const rawBodies = new WeakMap<IncomingMessage, string>();

/** The exact body a route registered with `rawBody` received, e.g. to check a signature over it ('' without one). */
export const rawBodyOf = (request: FastifyRequest): string => rawBodies.get(request.raw) ?? '';

/**
 * In `scope` (an encapsulated Fastify context), JSON bodies are parsed as usual and their text kept
 * for `rawBodyOf`: a signature is over the bytes sent, which a parsed body cannot reproduce.
 */
export const keepRawBodies = (scope: FastifyInstance): void => {
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    rawBodies.set(request.raw, text);
    try {
      done(null, text === '' ? undefined : (JSON.parse(text) as unknown));
    } catch {
      done(Object.assign(new Error('Body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });
};
