import type { PolymuxConfig } from '@polymux/config';
import { ErrorCode, PolymuxException, RETRYABLE_CODES, isPolymuxException } from '@polymux/contracts';

/** Failures worth another try on the same deployment: a 429, a 5xx, an unreachable provider. A timeout falls back at once. */
const SAME_DEPLOYMENT: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.UpstreamRateLimited,
  ErrorCode.UpstreamError,
  ErrorCode.UpstreamOverloaded,
  ErrorCode.ServiceUnavailable,
]);

/** The provider refused the deployment's credentials or model: trying the same deployment again cannot help. */
const REFUSED_DEPLOYMENT: ReadonlySet<number> = new Set([401, 403, 404]);

/** May the next candidate run after this failure? A 4xx (the request's own fault) ends the call. */
export const fallsBack = (error: unknown): boolean => isPolymuxException(error) && RETRYABLE_CODES.has(error.code);

/**
 * How long to wait before trying the same deployment again after its `tries`-th failure, or null
 * to move on: doubling from `backoffMs` up to `backoffMaxMs`, or the provider's `retry-after` when
 * it named one, unless that is longer than the maximum (then another deployment is the better bet).
 */
export const retryDelayMs = (error: unknown, tries: number, retry: PolymuxConfig['retry']): number | null => {
  if (tries > retry.perDeployment || !isPolymuxException(error) || !SAME_DEPLOYMENT.has(error.code)) return null;
  const { upstreamStatus } = error.details;
  if (typeof upstreamStatus === 'number' && REFUSED_DEPLOYMENT.has(upstreamStatus)) return null;
  const { retryAfterSeconds } = error.details;
  const delay =
    retryAfterSeconds === undefined
      ? Math.min(retry.backoffMs * 2 ** (tries - 1), retry.backoffMaxMs)
      : retryAfterSeconds * 1_000;
  return delay <= retry.backoffMaxMs ? delay : null;
};

/** What `x-polymux-route` says about a failure: `429`, `500`, or the code when no status came back. */
export const failureLabel = (error: unknown): string => {
  if (!isPolymuxException(error)) return ErrorCode.Internal;
  return String(error.details.upstreamStatus ?? error.code);
};

/** Waits `ms`, or rejects with the abort reason as soon as the caller leaves. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject((signal?.reason as Error | undefined) ?? new PolymuxException(ErrorCode.InvalidRequest, 'aborted'));
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
