import type { AnthropicErrorBody } from '@polymux/wire';
import { anthropicErrorType } from '@polymux/wire';
import type { FastifyReply } from 'fastify';

const messageFor = (status: number): string => {
  if (status === 429) return 'Number of request tokens has exceeded your rate limit (simulated).';
  if (status === 529 || status === 503) return 'Overloaded (simulated).';
  if (status >= 500) return 'Internal server error (simulated).';
  return `Simulated error with status ${status}.`;
};

/** Anthropic's error envelope, `{"type":"error","error":{type,message}}`, with the type of `status`. */
export const anthropicError = (status: number, message: string = messageFor(status)): AnthropicErrorBody => ({
  type: 'error',
  error: { type: anthropicErrorType(status), message },
});

/** Answers an Anthropic error, with `request-id` as Anthropic sends it and `retry-after` when given. */
export const sendAnthropicError = (
  reply: FastifyReply,
  status: number,
  message?: string,
  retryAfterSeconds?: number,
): FastifyReply => {
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  if (status === 429) reply.header('anthropic-ratelimit-requests-remaining', '0');
  return reply.code(status).header('request-id', 'req_sim_error').send(anthropicError(status, message));
};
