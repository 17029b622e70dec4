/** An admin API refusal (`{"error": {message, type, param, code}}`), or the gateway not answering (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static of(status: number, body: unknown): ApiError {
    const error = (body as { error?: { message?: unknown; code?: unknown; param?: unknown } } | undefined)?.error;
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    return new ApiError(
      status,
      text(error?.message) ?? `the gateway answered ${status}`,
      text(error?.code),
      text(error?.param),
    );
  }
}

/** What the person can do about an error, in one sentence. */
export const remedyOf = (error: unknown): string => {
  if (!(error instanceof ApiError)) return 'Reload the page; if it keeps failing, check the gateway’s log.';
  if (error.status === 0) return 'The gateway did not answer: check that it is running (npm start), then retry.';
  if (error.status === 401) return 'Your sign-in is no longer valid: sign in again.';
  if (error.status === 403) return 'Your roles do not allow this: ask an owner or admin of your organisation.';
  if (error.status === 404) return 'It no longer exists, or you may not see it: pick another one.';
  if (error.status === 429) return 'Too many requests: wait a moment, then retry.';
  if (error.status >= 500) return 'The gateway failed: retry, and check its log if it keeps failing.';
  return error.param ? `Correct “${error.param}” and try again.` : 'Correct the request and try again.';
};
