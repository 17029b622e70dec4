import type { GoogleErrorBody } from '@polymux/wire';
import { GOOGLE_RETRY_INFO, googleErrorStatus } from '@polymux/wire';
import type { FastifyReply } from 'fastify';

const messageFor = (status: number): string => {
  if (status === 429) return 'Resource has been exhausted (e.g. check quota). (simulated)';
  if (status === 503) return 'The model is overloaded. Please try again later. (simulated)';
  if (status >= 500) return 'An internal error has occurred. (simulated)';
  return `Simulated error with status ${status}.`;
};

/**
 * Google's error envelope, `{"error":{code,message,status,details}}`; a wait goes in a
 * `google.rpc.RetryInfo` detail, as Google says it (it sends no `retry-after` header).
 */
export const googleError = (
  status: number,
  message: string = messageFor(status),
  retryAfterSeconds?: number,
): GoogleErrorBody => ({
  error: {
    code: status,
    message,
    status: googleErrorStatus(status),
    ...(retryAfterSeconds !== undefined
      ? { details: [{ '@type': GOOGLE_RETRY_INFO, retryDelay: `${retryAfterSeconds}s` }] }
      : {}),
  },
});

/** Answers a Google error. */
export const sendGoogleError = (
  reply: FastifyReply,
  status: number,
  message?: string,
  retryAfterSeconds?: number,
): FastifyReply => reply.code(status).send(googleError(status, message, retryAfterSeconds));

/** The first problem of a failed parse, as Google words it: `Invalid value at '<path>'`. */
export const describeGoogleIssue = (issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string => {
  const issue = issues[0];
  if (!issue) return 'Invalid JSON payload received.';
  const path = issue.path.map(String).join('.');
  return path ? `Invalid value at '${path}': ${issue.message}` : `Invalid JSON payload received. ${issue.message}`;
};
