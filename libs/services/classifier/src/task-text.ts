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
import { BLANK, CJK, DIGIT, JOINER, LETTER, NEWLINE, PUNCTUATION, classesAt } from './char-classes';

const MAX_TOKEN_CHARS = 24;
/** Marks what the text alone does not show but the request's shape does. */
export const STRUCTURED_OUTPUT_TOKEN = '<json>';
/** Words at each end marked as the instruction's place (a Han character counts as a word). */
const INSTRUCTION_WORDS = 8;
/** Punctuation runs are cut after this many code points. */
const PUNCTUATION_RUN = 4;

/**
 * A text's tokens and where each starts and ends in the lowercased text, read once and reused
 * from call to call: the classifier reads a sample per request, and its buffers are kept (`count`
 * says how many entries are this text's), not reallocated. The text is scanned by the classes of
 * its code points (`char-classes.ts`); a token's string is the only allocation, and `<nl>` and
 * `0` are shared constants. The tokens are those of the regular expression
 * `[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{M}][\p{L}\p{M}\p{N}_'’]*|\p{N}+|\n+|[^\s\p{L}\p{M}\p{N}\p{C}]{1,4}`
 * (what the committed model was trained on; the spec checks that they are).
 */
export class TextTokens {
  readonly tokens: string[] = [];
  /** Whether each token is a word (starts with a letter or a mark): the words get the place marks. */
  readonly isWord: boolean[] = [];
  starts: Int32Array = new Int32Array(256);
  ends: Int32Array = new Int32Array(256);
  count = 0;
  /** The lowercased text's length. */
  chars = 0;

  read(text: string): this {
    const lower = text.toLowerCase();
    const length = lower.length;
    this.count = 0;
    this.chars = length;
    let at = 0;
    while (at < length) {
      const start = at;
      const first = lower.codePointAt(at)!;
      const classes = classesAt(lower, at, first);
      at += first > 0xffff ? 2 : 1;
      if (classes & BLANK) continue;
      // A Han, kana or Hangul character is a token of its own; the other tokens are runs.
      if ((classes & CJK) === 0) {
        if (classes & LETTER) at = this.run(lower, at, LETTER | DIGIT | JOINER, length);
        else if (classes & DIGIT) at = this.run(lower, at, DIGIT, length);
        else if (classes & NEWLINE) at = this.run(lower, at, NEWLINE, length);
        else at = this.run(lower, at, PUNCTUATION, PUNCTUATION_RUN - 1);
      }
      this.push(lower, start, at, first, (classes & LETTER) !== 0);
    }
    return this;
  }

  /** The end of a run of code points of any of `classes` from `at`, at most `most` of them. */
  private run(lower: string, at: number, classes: number, most: number): number {
    for (let taken = 0; at < lower.length && taken < most; taken++) {
      const next = lower.codePointAt(at)!;
      if ((classesAt(lower, at, next) & classes) === 0) break;
      at += next > 0xffff ? 2 : 1;
    }
    return at;
  }

  private push(lower: string, start: number, end: number, first: number, isWord: boolean): void {
    if (this.count === this.starts.length) {
      this.starts = grown(this.starts);
      this.ends = grown(this.ends);
    }
    this.tokens[this.count] =
      first === 10
        ? '<nl>'
        : first >= 48 && first <= 57
          ? '0'
          : lower.slice(start, Math.min(end, start + MAX_TOKEN_CHARS));
    this.isWord[this.count] = isWord;
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }
}

const grown = (array: Int32Array): Int32Array => {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
};

/**
 * The model's line for tokens `from`..`to` of `text`, written into `line` from its start (entries
 * past the returned count are left from earlier lines): the structured output mark, the tokens,
 * the first and the last words marked, the length token.
 */
export const taskLine = (
  text: TextTokens,
  from: number,
  to: number,
  structuredOutput: boolean,
  line: string[],
): number => {
  let count = 0;
  if (structuredOutput) line[count++] = STRUCTURED_OUTPUT_TOKEN;
  for (let i = from; i < to; i++) line[count++] = text.tokens[i];
  const length = `<len${Math.round(Math.log2(1 + count))}>`;
  for (let i = from, marked = 0; i < to && marked < INSTRUCTION_WORDS; i++) {
    if (text.isWord[i]) {
      line[count++] = `^${text.tokens[i]}`;
      marked++;
    }
  }
  let first = to;
  for (let marked = 0; first > from && marked < INSTRUCTION_WORDS;) if (text.isWord[--first]) marked++;
  for (let i = first; i < to; i++) if (text.isWord[i]) line[count++] = `$${text.tokens[i]}`;
  line[count++] = length;
  return count;
};

/** The model's line for a whole text (what training writes for each row). */
export const taskTokens = (text: string, structuredOutput = false): string[] => {
  const tokens = new TextTokens().read(text);
  const line: string[] = [];
  line.length = taskLine(tokens, 0, tokens.count, structuredOutput, line);
  return line;
};

/** A prompt longer than this is read as a whole, and as its head and as its tail on their own. */
export const VIEW_CHARS = 600;

/**
 * The instruction of a long prompt sits at its start or its end, around a document that would
 * outweigh it in an average over every word: the head (the tokens that start in its first
 * `VIEW_CHARS / 2` characters) and the tail (those that end in its last) are classified too, from
 * the tokens already read. Each view as `[from, to)`; the whole text first.
 */
export const tokenViews = (text: TextTokens, views: Int32Array): number => {
  views[0] = 0;
  views[1] = text.count;
  if (text.chars <= VIEW_CHARS) return 1;
  let head = 0;
  while (head < text.count && text.starts[head] < VIEW_CHARS / 2) head++;
  let tail = text.count;
  while (tail > 0 && text.ends[tail - 1] > text.chars - VIEW_CHARS / 2) tail--;
  views[2] = 0;
  views[3] = head;
  views[4] = tail;
  views[5] = text.count;
  return 3;
};
