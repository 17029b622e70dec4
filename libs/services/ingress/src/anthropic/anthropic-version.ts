import { ErrorCode, PolymuxException } from '@polymux/contracts';

/** A version is a date, as Anthropic names them (`2023-06-01`, the one its SDKs send). */
const VERSION = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Checks the `anthropic-version` header. It is optional (the gateway speaks one version of the
 * Messages API, 2023-06-01, whatever the caller names); a value that is not a version date is
 * refused, as Anthropic refuses it, before the key is checked.
 */
export const checkAnthropicVersion = (headers: Record<string, string | string[] | undefined>): void => {
  const value = headers['anthropic-version'];
  if (value === undefined) return;
  if (typeof value !== 'string' || !VERSION.test(value.trim())) {
    throw new PolymuxException(
      ErrorCode.InvalidRequest,
      'anthropic-version: must be a version date such as 2023-06-01',
      { param: 'anthropic-version' },
    );
  }
};
