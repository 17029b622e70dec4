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

/** One simulated endpoint, relative to a `/v1` prefix; `sendError` shapes its errors (OpenAI's by default). */
export interface SimRoute {
  method: 'GET' | 'POST';
  url: string;
  handler: SimHandler;
  sendError?: SimErrorSender;
}
