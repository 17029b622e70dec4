import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { z } from 'zod';

interface Problem {
  path: PropertyKey[];
  message: string;
}

/**
 * The most specific problem of an issue: when no option of a union matched (`content` is neither a
 * string nor valid parts), the option the value came closest to says what is wrong with it, far
 * better than "Invalid input" about the union itself. Closest: the fewest problems (2,049 texts are
 * one problem, too many, for a list of texts, but 2,049 for a list of token ids), then the deepest.
 */
const mostSpecific = (issue: z.core.$ZodIssue): Problem => {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  let best: (Problem & { count: number }) | undefined;
  for (const option of issue.errors) {
    const first = option[0];
    if (!first) continue;
    const problem = { ...mostSpecific(first), count: option.length };
    const closer =
      !best || problem.count < best.count || (problem.count === best.count && problem.path.length > best.path.length);
    if (closer) best = problem;
  }
  if (!best || best.path.length === 0) return issue;
  return { path: [...issue.path, ...best.path], message: best.message };
};

/** Validates a request body, turning the first problem into a 400 naming the offending field. */
export const parseBody = <T extends z.ZodType>(schema: T, body: unknown): z.infer<T> => {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new PolymuxException(ErrorCode.InvalidRequest, 'the request body must be a JSON object');
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = mostSpecific(parsed.error.issues[0]);
  const param = issue.path.map(String).join('.');
  throw new PolymuxException(ErrorCode.InvalidRequest, param ? `${param}: ${issue.message}` : issue.message, {
    param: param || undefined,
  });
};
