import type { BedrockErrorBody, BedrockErrorType } from '@polymux/wire';
import { bedrockErrorType } from '@polymux/wire';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

const messageFor = (status: number): string => {
  if (status === 429) return 'Too many requests, please wait before trying again (simulated).';
  if (status === 503) return 'Bedrock is unable to process your request (simulated).';
  if (status >= 500) return 'The server encountered an internal error while processing the request (simulated).';
  return `Simulated error with status ${status}.`;
};

/**
 * Answers a Bedrock error: `{"message": …}` with the error type in `x-amzn-errortype`
 * (`ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/`), as the runtime
 * sends it, `x-amzn-requestid`, and `retry-after` when the scenario asks for one.
 */
export const sendBedrockError = (
  reply: FastifyReply,
  status: number,
  message: string = messageFor(status),
  retryAfterSeconds?: number,
  type: BedrockErrorType | string = bedrockErrorType(status),
): FastifyReply => {
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  const body: BedrockErrorBody = { message };
  return reply
    .code(status)
    .header('x-amzn-errortype', `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`)
    .header('x-amzn-requestid', 'sim-error-request')
    .send(body);
};

/** The first problem of a failed parse, as Bedrock words a malformed request. */
export const describeBedrockIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  if (!issue) return 'Malformed input request, please reformat your input and try again.';
  const path = issue.path.map(String).join('.');
  const problem =
    issue.code === 'unrecognized_keys'
      ? `extraneous key [${issue.keys.join(', ')}] is not permitted`
      : `${path === '' ? '' : `${path}: `}${issue.message}`;
  return `Malformed input request: ${problem}, please reformat your input and try again.`;
};
