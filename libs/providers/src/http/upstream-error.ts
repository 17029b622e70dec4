import { ErrorCode, PolymuxException } from '@polymux/contracts';

type HeaderValue = string | string[] | undefined;

const first = (value: HeaderValue): string | undefined => (Array.isArray(value) ? value[0] : value);

/** `retry-after` as whole seconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export const parseRetryAfter = (value: HeaderValue, now: number = Date.now()): number | undefined => {
  const text = first(value)?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text));
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
};

/** The human message of a provider's error body (`{"error":{"message"}}`, `{"message"}` or plain text). */
export const upstreamMessage = (body: string): string | undefined => {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) {
      const error: unknown = 'error' in parsed ? parsed.error : parsed;
      if (typeof error === 'string') return error;
      if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
        return error.message;
      }
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  const text = body.trim();
  return text ? text.slice(0, 500) : undefined;
};

/**
 * An upstream HTTP error status as a Polymux failure: 429 → rate limited (with `retry-after`), 408 →
 * timeout, 5xx → upstream error, any other 4xx → bad request carrying the upstream message.
 */
export const errorFromStatus = (
  provider: string,
  status: number,
  headers: Record<string, HeaderValue>,
  body: string,
): PolymuxException => {
  const detail = upstreamMessage(body);
  const message = `${provider} answered ${status}${detail ? `: ${detail}` : ''}`;
  if (status === 429) {
    return new PolymuxException(ErrorCode.UpstreamRateLimited, message, {
      upstreamStatus: status,
      retryAfterSeconds: parseRetryAfter(headers['retry-after']),
    });
  }
  if (status === 408) return new PolymuxException(ErrorCode.UpstreamTimeout, message, { upstreamStatus: status });
  if (status >= 500) return new PolymuxException(ErrorCode.UpstreamError, message, { upstreamStatus: status });
  return new PolymuxException(ErrorCode.UpstreamBadRequest, detail ?? message, { upstreamStatus: status });
};

const TIMEOUT_CODES: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'connecting',
  UND_ERR_HEADERS_TIMEOUT: 'waiting for response headers',
  UND_ERR_BODY_TIMEOUT: 'waiting for the next body chunk',
};

/** A transport failure (undici or socket error) as a Polymux failure: timeouts apart, an upstream error. */
export const errorFromTransport = (provider: string, error: unknown): PolymuxException => {
  if (error instanceof PolymuxException) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  const phase = code ? TIMEOUT_CODES[code] : undefined;
  if (phase) return new PolymuxException(ErrorCode.UpstreamTimeout, `${provider} timed out ${phase}`);
  const reason = error instanceof Error ? error.message : String(error);
  return new PolymuxException(
    ErrorCode.UpstreamError,
    `${provider} connection failed: ${reason}${code ? ` (${code})` : ''}`,
  );
};
