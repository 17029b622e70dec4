/*
 * The character classes the task model's tokens are made of (`task-text.ts`), per code point:
 * each class is a Unicode property test, done once per code point and kept in a table, so that a
 * text is scanned with array reads instead of a regular expression call per token.
 */

/** Han, Hiragana, Katakana or Hangul script: a token of its own at the start of one. */
export const CJK = 1;
/** A letter or a mark (`\p{L}`, `\p{M}`): starts a word and continues one. */
export const LETTER = 2;
/** A number (`\p{N}`): starts a digit run, continues a digit run or a word. */
export const DIGIT = 4;
/** `_`, `'` and `’`: continue a word. */
export const JOINER = 8;
/** Blank (`\s`) or other (`\p{C}`: control, format, unassigned …) but not a line break: between tokens. */
export const BLANK = 16;
/** `\n`. */
export const NEWLINE = 32;
/** None of letter, number, blank or other: punctuation and symbols, in runs of up to four. */
export const PUNCTUATION = 64;
const KNOWN = 128;

/** Sticky, read at a position of the text being scanned: no string is made for the code point. */
const CJK_AT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/uy;
const LETTER_AT = /[\p{L}\p{M}]/uy;
const DIGIT_AT = /\p{N}/uy;
const BLANK_AT = /[\s\p{C}]/uy;

/** The classes of the code points below this are kept (the three planes that hold nearly all text, 192 KB). */
const TABLE_SIZE = 0x30000;
const table = new Uint8Array(TABLE_SIZE);

const test = (pattern: RegExp, text: string, at: number): boolean => {
  pattern.lastIndex = at;
  return pattern.test(text);
};

const classify = (text: string, at: number, codePoint: number): number => {
  if (codePoint === 10) return NEWLINE;
  let classes = 0;
  if (test(CJK_AT, text, at)) classes |= CJK;
  if (test(LETTER_AT, text, at)) classes |= LETTER;
  if (test(DIGIT_AT, text, at)) classes |= DIGIT;
  if (codePoint === 95 || codePoint === 39 || codePoint === 0x2019) classes |= JOINER;
  if (test(BLANK_AT, text, at)) classes |= BLANK;
  if ((classes & (LETTER | DIGIT | BLANK)) === 0) classes |= PUNCTUATION;
  return classes;
};

/** The classes of `codePoint`, the code point at `at` of `text`. */
export const classesAt = (text: string, at: number, codePoint: number): number => {
  if (codePoint >= TABLE_SIZE) return classify(text, at, codePoint);
  const known = table[codePoint];
  if (known !== 0) return known & ~KNOWN;
  const classes = classify(text, at, codePoint);
  table[codePoint] = classes | KNOWN;
  return classes;
};
