import type { FastifyReply } from 'fastify';

import type { SimHandler, SimRequest } from './openai/openai.routes';

export type { SimHandler, SimRequest };

/** Answers an error in one wire format's own shape, with `retry-after` when given. */
export type SimErrorSender = (
  reply: FastifyReply,
  status: number,
  message?: string,
  retryAfterSeconds?: number,
) => FastifyReply;

/** One simulated endpoint; `url` is its full path, e.g. `/v1/messages` (a scenario prefix goes before it). */
export interface SimRoute {
  method: 'GET' | 'POST';
  url: string;
  handler: SimHandler;
  /** Whether the handler needs the exact body received (`rawBodyOf`), e.g. to check a signature over it. */
  rawBody?: boolean;
}

/**
 * One provider wire format the simulator speaks: its routes and the shape of its errors. A new
 * format is a folder exporting one of these plus a line in `provider-sim.server.ts`.
 */
export interface SimFormat {
  name: string;
  routes: SimRoute[];
  /** Answers an error (a scenario's forced status, a bad body, an unknown path) in this format's shape. */
  sendError: SimErrorSender;
  /** Whether a path (without the scenario prefix) is this format's, so its 404s and parse errors use its shape. */
  owns(path: string): boolean;
}
