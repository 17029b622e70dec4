import { z } from 'zod';

/**
 * Tags: labels a caller sets on a call (`x-polymux-tags: team=search,env=prod`, or the body's
 * `metadata`), recorded in its usage row for cost attribution and report filters. Caller-set
 * labels, never content: they go to usage rows only, never to spans, metric labels or logs.
 */
export const MAX_TAGS = 16;
export const MAX_TAG_KEY_LENGTH = 64;
export const MAX_TAG_VALUE_LENGTH = 256;
export const MAX_CALL_ID_LENGTH = 128;

/** A tag key: a letter or digit, then letters, digits and `_ . : -`. */
export const TAG_KEY = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
/**
 * A tag value: letters, digits, spaces and `_ . : / @ + -`, starting with a letter, digit or `_`
 * (so that no value reads as a spreadsheet formula), without `,` or `=` (the header's separators).
 */
export const TAG_VALUE = /^[A-Za-z0-9_][A-Za-z0-9 _.:/@+-]*$/;
/** A session or parent request id: opaque, letters, digits and `_ . : / @ + -`. */
export const CALL_ID = /^[A-Za-z0-9_.:/@+-]+$/;

const KEY_RULE = `a tag key is 1 to ${MAX_TAG_KEY_LENGTH} letters, digits and _ . : - (starting with a letter or digit)`;
const VALUE_RULE = `a tag value is 1 to ${MAX_TAG_VALUE_LENGTH} letters, digits, spaces and _ . : / @ + - (starting with a letter, digit or _)`;
export const TagKey = z.string().min(1, KEY_RULE).max(MAX_TAG_KEY_LENGTH, KEY_RULE).regex(TAG_KEY, KEY_RULE);
export const TagValue = z
  .string()
  .min(1, VALUE_RULE)
  .max(MAX_TAG_VALUE_LENGTH, VALUE_RULE)
  .regex(TAG_VALUE, VALUE_RULE);

export const CallTags = z
  .record(TagKey, TagValue)
  .refine((tags) => Object.keys(tags).length <= MAX_TAGS, `at most ${MAX_TAGS} tags`);
export type CallTags = z.infer<typeof CallTags>;

const ID_RULE = `an id is 1 to ${MAX_CALL_ID_LENGTH} letters, digits and _ . : / @ + -`;
export const CallId = z.string().min(1, ID_RULE).max(MAX_CALL_ID_LENGTH, ID_RULE).regex(CALL_ID, ID_RULE);

/** Why a tag is not acceptable, or undefined when it is. */
export const tagProblem = (key: string, value: string): string | undefined => {
  const keyCheck = TagKey.safeParse(key);
  if (!keyCheck.success) return `tag "${key.slice(0, MAX_TAG_KEY_LENGTH)}": ${keyCheck.error.issues[0]?.message}`;
  const valueCheck = TagValue.safeParse(value);
  if (!valueCheck.success) return `tag "${key}": ${valueCheck.error.issues[0]?.message}`;
  return undefined;
};

/** The outcome of parsing a tag list: the tags, or the first problem found. */
export type TagListParse = { tags: CallTags } | { problem: string };

/**
 * Parses `key=value` pairs separated by commas (spaces around pairs ignored): the header's syntax,
 * and the `tags` filter of the usage reports. A key named twice, a bad key or value, or more than
 * `MAX_TAGS` pairs is a problem.
 */
export const parseTagList = (text: string): TagListParse => {
  const tags: CallTags = {};
  const pairs = text.split(',').map((pair) => pair.trim());
  if (pairs.length > MAX_TAGS) return { problem: `at most ${MAX_TAGS} tags` };
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    if (separator <= 0) return { problem: `"${pair.slice(0, 80)}" is not a key=value pair` };
    const key = pair.slice(0, separator).trim();
    const value = pair.slice(separator + 1).trim();
    const problem = tagProblem(key, value);
    if (problem) return { problem };
    if (Object.hasOwn(tags, key)) return { problem: `tag "${key}" is named twice` };
    tags[key] = value;
  }
  return { tags };
};
