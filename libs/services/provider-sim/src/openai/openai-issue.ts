import type { z } from 'zod';

/** The first problem of a failed parse, in OpenAI's style: a message plus the offending param. */
export const describeIssue = (error: z.ZodError): { message: string; param: string | null } => {
  const issue = error.issues[0];
  const param = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : null;
  return {
    message: param ? `Invalid value for '${param}': ${issue?.message}` : (issue?.message ?? 'Invalid request'),
    param,
  };
};
