import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { OpenAiError } from '@polymux/wire';

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
  /** `type` and `code` of the body (Google's `status` and `ErrorInfo` reason), each when it is a short machine token. */
  reasons: string[];
  /** The offending field, when the provider named one that looks like a field path. */
  param?: string;
  /** How long the provider asked to wait, from the body (Google's `RetryInfo.retryDelay`). */
  retryAfterSeconds?: number;
}

/** A provider's `type`/`code`: lower-case identifiers such as `invalid_request_error` or `context_length_exceeded`. */
const ENUMERATION = /^[a-z][a-z0-9_.-]{0,63}$/;
/** Google's `status` and `ErrorInfo.reason`: upper-case identifiers such as `RESOURCE_EXHAUSTED` or `API_KEY_INVALID`. */
const GOOGLE_ENUMERATION = /^[A-Z][A-Z0-9_]{0,63}$/;
/** A request field path such as `messages.0.content` or `tools[1].function.name`. */
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_.[\]]{0,127}$/;
/** A protobuf duration such as `"3s"` or `"1.203608125s"`. */
const DURATION = /^(\d{1,9})(\.\d+)?s$/;
/**
 * How Google words a prompt over the context window ("The input token count (N) exceeds the
 * maximum number of tokens allowed (M)."): matched, never repeated, and reported as the reason
 * OpenAI gives the same failure.
 */
const GOOGLE_CONTEXT_TOO_LONG = /input token count.{0,40}exceeds the maximum number of tokens/i;

/**
 * An error object as a provider sent it, unchecked: OpenAI's fields (`OpenAiError`, which
 * OpenAI-compatible servers fill loosely), or Anthropic's `type` and `message`.
 */
type ErrorFields = { [Field in keyof OpenAiError]?: unknown };

const isObject = (value: unknown): value is ErrorFields & Record<string, unknown> =>
  typeof value === 'object' && value !== null;

const enumeration = (value: unknown, pattern = ENUMERATION): string | undefined =>
  typeof value === 'string' && pattern.test(value) ? value : undefined;

/** The reasons and retry delay of Google's `{"error":{code,message,status,details}}`. */
const googleFacts = (error: Record<string, unknown>): { reasons: string[]; retryAfterSeconds?: number } => {
  const details = Array.isArray(error.details) ? error.details.filter(isObject) : [];
  const reasons = [
    enumeration(error.status, GOOGLE_ENUMERATION),
    ...details.map((detail) => enumeration(detail.reason, GOOGLE_ENUMERATION)),
    typeof error.message === 'string' && GOOGLE_CONTEXT_TOO_LONG.test(error.message)
      ? 'context_length_exceeded'
      : undefined,
  ].filter((reason): reason is string => reason !== undefined);
  const delay = details.map((detail) => detail.retryDelay).find((value) => typeof value === 'string');
  const duration = typeof delay === 'string' ? DURATION.exec(delay) : null;
  if (!duration) return { reasons };
  return { reasons, retryAfterSeconds: Math.ceil(Number(`${duration[1]}${duration[2] ?? ''}`)) };
};

/**
 * The safe facts of a provider's error body (`{"error":{type,code,param}}`, Google's
 * `{"error":{code,status,details}}` or a flat object). Its `message` is never repeated: providers
 * quote the request in it, and the request may be the prompt.
 */
export const upstreamErrorFacts = (body: string): UpstreamErrorFacts => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { reasons: [] };
  }
  const error = isObject(parsed) && 'error' in parsed ? parsed.error : parsed;
  if (!isObject(error)) return { reasons: [] };
  const google = googleFacts(error);
  const reasons = [enumeration(error.type), enumeration(error.code), ...google.reasons].filter(
    (reason, index, all): reason is string => reason !== undefined && all.indexOf(reason) === index,
  );
  const param = typeof error.param === 'string' && FIELD_PATH.test(error.param) ? error.param : undefined;
  return {
    reasons,
    ...(param ? { param } : {}),
    ...(google.retryAfterSeconds !== undefined ? { retryAfterSeconds: google.retryAfterSeconds } : {}),
  };
};

/** Google's refusals of the deployment's key that it answers with 400 rather than 401/403. */
const CREDENTIAL_REASONS: ReadonlySet<string> = new Set(['API_KEY_INVALID', 'API_KEY_SERVICE_BLOCKED']);
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
 * `retry-after`, or Google's `RetryInfo`), 529 and 503 → overloaded, 408 → timeout, 401/403/404 (and Google's 400 for a bad API key) → an upstream failure of the gateway's credentials or
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
  const { param, retryAfterSeconds } = facts;
  const reasons = reasonsOf(status, headers, body, facts.reasons);
  const retryAfter = parseRetryAfter(headers['retry-after']) ?? retryAfterSeconds;
  const details = { upstreamStatus: status };
  if (status === 429) {
    return new PolymuxException(
      ErrorCode.UpstreamRateLimited,
      withReasons(`the provider ${provider} rate-limited the request (HTTP 429)`, reasons),
      { ...details, retryAfterSeconds: retryAfter },
    );
  }
  if (status === 408) {
    return new PolymuxException(
      ErrorCode.UpstreamTimeout,
      withReasons(`the provider ${provider} timed out (HTTP 408)`, reasons),
      details,
    );
  }
  if (status === 401 || status === 403 || status === 404 || reasons.some((reason) => CREDENTIAL_REASONS.has(reason))) {
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
      { ...details, retryAfterSeconds: retryAfter },
    );
  }
  if (status >= 500 || status < 400 || status === 424) {
    return new PolymuxException(
      ErrorCode.UpstreamError,
      withReasons(`the provider ${provider} failed (HTTP ${status})`, reasons),
      details,
    );
  }
  // Azure's (and OpenAI's) filtered prompt: a 400 whose code is `content_filter`, said as such.
  const what = reasons.includes('content_filter') ? "filtered the request's content" : 'rejected the request';
  return new PolymuxException(
    ErrorCode.UpstreamBadRequest,
    withReasons(`the provider ${provider} ${what} (HTTP ${status})`, reasons),
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
