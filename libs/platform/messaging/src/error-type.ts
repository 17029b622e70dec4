import type { Span } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import { isPolymuxException } from '@polymux/contracts';

const SAFE_NAME = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;

/**
 * What a span or a dead letter may say about an error: its code or class, never its message, which
 * can echo a prompt from upstream.
 */
export const errorType = (error: unknown): string => {
  if (isPolymuxException(error)) return error.code;
  if (error instanceof Error && SAFE_NAME.test(error.name)) return error.name;
  return 'Error';
};

/** Marks a span failed with the error's type only (status, `error.type`, one exception event). */
export const recordError = (span: Span, error: unknown): void => {
  const type = errorType(error);
  span.setAttribute('error.type', type);
  span.recordException({ name: type });
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
};
