import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { z } from 'zod';

/** Validates a request body, turning the first problem into a 400 naming the offending field. */
export const parseBody = <T extends z.ZodType>(schema: T, body: unknown): z.infer<T> => {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new PolymuxException(ErrorCode.InvalidRequest, 'the request body must be a JSON object');
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue.path.map(String).join('.');
  throw new PolymuxException(ErrorCode.InvalidRequest, param ? `${param}: ${issue.message}` : issue.message, {
    param: param || undefined,
  });
};
