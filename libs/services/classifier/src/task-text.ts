/*
 * The text the task model reads, the same at training (`training/`) and at classification: words
 * lowercased, every Han, kana and Hangul character a word of its own (those scripts put no spaces
 * between words), digit runs as one `0`, punctuation runs as their own tokens (code is mostly
 * punctuation), line breaks as `<nl>`. fastText adds each token's character n-grams and word pairs.
 * The first and last few words are repeated with a mark of their place (`^word`, `$word`): that is
 * where an instruction sits around pasted text ("Summarize this: …", "… TL;DR?"), so the model can
 * learn the instruction apart from a document that says nothing about the task. A last token gives
 * the length's order of magnitude (`<len2>` …): "How much is a coffee?" is not a word problem.
 */

const TOKEN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{M}][\p{L}\p{M}\p{N}_'’]*|\p{N}+|\n+|[^\s\p{L}\p{M}\p{N}\p{C}]{1,4}/gu;
const MAX_TOKEN_CHARS = 24;
/** Marks what the text alone does not show but the request's shape does. */
export const STRUCTURED_OUTPUT_TOKEN = '<json>';
/** Words at each end marked as the instruction's place (a Han character counts as a word). */
const INSTRUCTION_WORDS = 8;
const WORD = /^[\p{L}\p{M}]/u;

export const taskTokens = (text: string, structuredOutput = false): string[] => {
  const tokens = structuredOutput ? [STRUCTURED_OUTPUT_TOKEN] : [];
  for (const [match] of text.toLowerCase().matchAll(TOKEN)) {
    const first = match.charCodeAt(0);
    if (first === 10) tokens.push('<nl>');
    else if (first >= 48 && first <= 57) tokens.push('0');
    else tokens.push(match.length > MAX_TOKEN_CHARS ? match.slice(0, MAX_TOKEN_CHARS) : match);
  }
  const words = tokens.filter((token) => WORD.test(token));
  const head = words.slice(0, INSTRUCTION_WORDS).map((word) => `^${word}`);
  const tail = words.slice(-INSTRUCTION_WORDS).map((word) => `$${word}`);
  return [...tokens, ...head, ...tail, `<len${Math.round(Math.log2(1 + tokens.length))}>`];
};

/** A prompt longer than this is read as a whole, and as its head and as its tail on their own. */
export const VIEW_CHARS = 600;

/**
 * The instruction of a long prompt sits at its start or its end, around a document that would
 * outweigh it in an average over every word: the head and the tail are classified too.
 */
export const textViews = (sample: string): string[] =>
  sample.length <= VIEW_CHARS ? [sample] : [sample, sample.slice(0, VIEW_CHARS / 2), sample.slice(-VIEW_CHARS / 2)];
