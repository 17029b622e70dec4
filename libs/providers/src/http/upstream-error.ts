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

/** What of a provider's error body may be repeated: enumerations only, never its free text. */
export interface UpstreamErrorFacts {
  /** `type` and `code` of the body, each when it is a short machine token. */
  reasons: string[];
  /** The offending field, when the provider named one that looks like a field path. */
  param?: string;
}

/** A provider's `type`/`code`: lower-case identifiers such as `invalid_request_error` or `context_length_exceeded`. */
const ENUMERATION = /^[a-z][a-z0-9_.-]{0,63}$/;
/** A request field path such as `messages.0.content` or `tools[1].function.name`. */
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_.[\]]{0,127}$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const enumeration = (value: unknown): string | undefined =>
  typeof value === 'string' && ENUMERATION.test(value) ? value : undefined;

/**
 * The safe facts of a provider's error body (`{"error":{type,code,param}}` or a flat object). Its
 * `message` is never read: providers quote the request in it, and the request may be the prompt.
 */
export const upstreamErrorFacts = (body: string): UpstreamErrorFacts => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { reasons: [] };
  }
  const error: unknown = isObject(parsed) && 'error' in parsed ? parsed.error : parsed;
  if (!isObject(error)) return { reasons: [] };
  const reasons = [enumeration(error.type), enumeration(error.code)].filter(
    (reason, index, all): reason is string => reason !== undefined && all.indexOf(reason) === index,
  );
  const param = typeof error.param === 'string' && FIELD_PATH.test(error.param) ? error.param : undefined;
  return param ? { reasons, param } : { reasons };
};

/**
 * An AWS error type such as `ThrottlingException`, from `x-amzn-errortype`
 * (`ThrottlingException:http://internal.amazon.com/coral/…`) or a body's `__type`
 * (`com.amazonaws.bedrockruntime#ThrottlingException`).
 */
const awsErrorType = (headers: Record<string, HeaderValue>, body: string): string | undefined => {
  const raw = first(headers['x-amzn-errortype']) ?? bodyType(body);
  const name = raw?.split(':')[0].split('#').at(-1);
  return name && /^[A-Z][A-Za-z]{0,63}$/.test(name) ? name : undefined;
};

const bodyType = (body: string): string | undefined => {
  if (!body.includes('__type')) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return isObject(parsed) && typeof parsed.__type === 'string' ? parsed.__type : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Providers that say a prompt exceeds the context window only in words (Bedrock: "Input is too
 * long for requested model"): the message is matched against these and never repeated.
 */
const CONTEXT_TOO_LONG = [/input is too long/i, /too many input tokens/i, /exceeds? (the )?(maximum )?context/i];

const contextTooLong = (body: string): boolean => {
  try {
    const parsed: unknown = JSON.parse(body);
    const message = isObject(parsed) && typeof parsed.message === 'string' ? parsed.message : '';
    return CONTEXT_TOO_LONG.some((pattern) => pattern.test(message.slice(0, 1_000)));
  } catch {
    return false;
  }
};

/** The reasons an error is named by: the body's enumerations, an AWS error type, and `context_length_exceeded`. */
const reasonsOf = (status: number, headers: Record<string, HeaderValue>, body: string, reasons: string[]): string[] => {
  const aws = awsErrorType(headers, body);
  const all = aws ? [...reasons, aws] : reasons;
  return status === 400 && !all.includes('context_length_exceeded') && contextTooLong(body)
    ? [...all, 'context_length_exceeded']
    : all;
};

const withReasons = (text: string, reasons: string[]): string =>
  reasons.length > 0 ? `${text}: ${reasons.join(', ')}` : text;

/**
 * An upstream HTTP error status as a Polymux failure, with a message Polymux wrote itself (the
 * provider's own text may echo the prompt, so it never travels on): 429 → rate limited (with
 * `retry-after`), 529 and 503 → overloaded, 408 → timeout, 401/403/404 → an upstream failure of the gateway's credentials or
 * deployment (502, the next deployment is tried), 5xx and 424 (Bedrock's model failure) → upstream
 * error, any other 4xx → bad request. An AWS error type (`x-amzn-errortype`) is named with the reasons.
 */
export const errorFromStatus = (
  provider: string,
  status: number,
  headers: Record<string, HeaderValue>,
  body: string,
): PolymuxException => {
  const facts = upstreamErrorFacts(body);
  const { param } = facts;
  const reasons = reasonsOf(status, headers, body, facts.reasons);
  const details = { upstreamStatus: status };
  if (status === 429) {
    return new PolymuxException(
      ErrorCode.UpstreamRateLimited,
      withReasons(`the provider ${provider} rate-limited the request (HTTP 429)`, reasons),
      { ...details, retryAfterSeconds: parseRetryAfter(headers['retry-after']) },
    );
  }
  if (status === 408) {
    return new PolymuxException(
      ErrorCode.UpstreamTimeout,
      withReasons(`the provider ${provider} timed out (HTTP 408)`, reasons),
      details,
    );
  }
  if (status === 401 || status === 403 || status === 404) {
    return new PolymuxException(
      ErrorCode.UpstreamError,
      withReasons(`the provider ${provider} refused the deployment's credentials or model (HTTP ${status})`, reasons),
      details,
    );
  }
  if (status === 529 || status === 503) {
    return new PolymuxException(
      ErrorCode.UpstreamOverloaded,
      withReasons(`the provider ${provider} is overloaded (HTTP ${status})`, reasons),
      { ...details, retryAfterSeconds: parseRetryAfter(headers['retry-after']) },
    );
  }
  if (status >= 500 || status < 400 || status === 424) {
    return new PolymuxException(
      ErrorCode.UpstreamError,
      withReasons(`the provider ${provider} failed (HTTP ${status})`, reasons),
      details,
    );
  }
  return new PolymuxException(
    ErrorCode.UpstreamBadRequest,
    withReasons(`the provider ${provider} rejected the request (HTTP ${status})`, reasons),
    param ? { ...details, param } : details,
  );
};

/** A provider's failure reported inside a stream (an `error` event or chunk), as an upstream error. */
export const errorFromStreamEvent = (provider: string, data: string): PolymuxException =>
  new PolymuxException(
    ErrorCode.UpstreamError,
    withReasons(`the provider ${provider} failed mid-stream`, upstreamErrorFacts(data).reasons),
  );

const TIMEOUT_CODES: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'connecting',
  UND_ERR_HEADERS_TIMEOUT: 'waiting for response headers',
  UND_ERR_BODY_TIMEOUT: 'waiting for the next body chunk',
};

/** A Node or undici error code such as `ECONNREFUSED` or `UND_ERR_SOCKET`. */
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * A transport failure (undici or socket error) as a Polymux failure: timeouts apart, an upstream
 * error. Only the error's code is kept, as for status errors no free text travels on.
 */
export const errorFromTransport = (provider: string, error: unknown): PolymuxException => {
  if (error instanceof PolymuxException) return error;
  const raw = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  const code = raw && ERROR_CODE.test(raw) ? raw : undefined;
  const phase = code ? TIMEOUT_CODES[code] : undefined;
  if (phase) return new PolymuxException(ErrorCode.UpstreamTimeout, `${provider} timed out ${phase}`);
  return new PolymuxException(ErrorCode.UpstreamError, `${provider} connection failed${code ? ` (${code})` : ''}`);
};
