import { ErrorCode, PolymuxException } from '@polymux/contracts';
import { parseBody } from '@polymux/http';
import { z } from 'zod';

/**
 * Bounds on the request values that reach storage, logs, spans or response headers (the model
 * name is echoed in `x-polymux-model`, recorded in usage and audit): short, and without control
 * characters, so that no value can break a header or a log line.
 */

/** Printable ASCII without spaces: what model names, aliases and field names are made of. */
const TOKEN = /^[\x21-\x7e]+$/;
/** No C0/C1 control characters (newlines, escapes, NUL) anywhere. */
const NO_CONTROL = /^[^\p{Cc}]*$/u;

export const MAX_MODEL_LENGTH = 256;
export const MAX_USER_LENGTH = 256;
/** OpenAI's own `metadata` limits: 16 pairs, keys of 64 characters, values of 512. */
export const MAX_METADATA_PAIRS = 16;
export const MAX_METADATA_KEY_LENGTH = 64;
export const MAX_METADATA_VALUE_LENGTH = 512;
/** Top-level fields without a canonical slot a body may carry (they end up named in `x-polymux-dropped`). */
export const MAX_EXTRA_FIELDS = 32;
/** Deeper JSON than this is refused: nobody needs it, and a deep enough value overflows the stack of `JSON.stringify`. */
export const MAX_JSON_DEPTH = 32;

export const modelName = z
  .string()
  .min(1)
  .max(MAX_MODEL_LENGTH)
  .regex(TOKEN, 'must be printable ASCII without spaces or control characters');

export const endUser = z.string().max(MAX_USER_LENGTH).regex(NO_CONTROL, 'must not contain control characters');

export const metadata = z
  .record(
    z.string().min(1).max(MAX_METADATA_KEY_LENGTH).regex(NO_CONTROL, 'keys must not contain control characters'),
    z.string().max(MAX_METADATA_VALUE_LENGTH).regex(NO_CONTROL, 'values must not contain control characters'),
  )
  .refine((pairs) => Object.keys(pairs).length <= MAX_METADATA_PAIRS, `at most ${MAX_METADATA_PAIRS} pairs`);

/** A top-level field name the gateway will name back in a header: an identifier. */
export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * Whether `value` nests deeper than `limit` arrays and objects. Iterative, so that the check
 * itself cannot overflow; it walks the body once, the price of never serialising a value that throws.
 */
export const nestsDeeperThan = (value: unknown, limit: number): boolean => {
  const pending: Array<[unknown, number]> = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [current, depth] = next;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(current)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
  }
  return false;
};

/**
 * A refinement for a body whose unknown top-level fields travel in `extra`: their names must be
 * identifiers (they are named back in `x-polymux-dropped`), and there may be few of them.
 */
export const boundExtraFields =
  (known: ReadonlySet<string>) =>
  (body: Record<string, unknown>, context: z.RefinementCtx): void => {
    const extra = Object.keys(body).filter((field) => !known.has(field));
    if (extra.some((field) => !FIELD_NAME.test(field))) {
      context.addIssue({ code: 'custom', message: 'unknown field names must be identifiers of up to 64 characters' });
    } else if (extra.length > MAX_EXTRA_FIELDS) {
      context.addIssue({ code: 'custom', message: `at most ${MAX_EXTRA_FIELDS} fields besides the known ones` });
    }
  };

/** Validates an inbound body with `schema`; values nested too deep to serialise are refused first. */
export const parseBoundedBody = <T extends z.ZodType>(schema: T, body: unknown): z.infer<T> => {
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new PolymuxException(ErrorCode.InvalidRequest, `the request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return parseBody(schema, body);
};
