import fc from 'fast-check';

import { TextTokens, VIEW_CHARS, taskLine, taskTokens, tokenViews } from './task-text';

/** The tokens as the committed model was trained on them: the regular expression `TextTokens` implements. */
const TOKEN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{M}][\p{L}\p{M}\p{N}_'’]*|\p{N}+|\n+|[^\s\p{L}\p{M}\p{N}\p{C}]{1,4}/gu;
const WORD = /^[\p{L}\p{M}]/u;
const reference = (text: string, structuredOutput = false): string[] => {
  const tokens = structuredOutput ? ['<json>'] : [];
  for (const [match] of text.toLowerCase().matchAll(TOKEN)) {
    const first = match.charCodeAt(0);
    tokens.push(first === 10 ? '<nl>' : first >= 48 && first <= 57 ? '0' : match.slice(0, 24));
  }
  const words = tokens.filter((token) => WORD.test(token));
  return [
    ...tokens,
    ...words.slice(0, 8).map((word) => `^${word}`),
    ...words.slice(-8).map((word) => `$${word}`),
    `<len${Math.round(Math.log2(1 + tokens.length))}>`,
  ];
};

/** Every class of character the scanner tells apart, and some that are easy to get wrong. */
const CHARACTERS = [
  ...'abcXYZ019_\'’-.,;:!?()[]{}<>=+*/\\"#@$%&|~^` ',
  ...'\n\r\t\v\f\u00a0\u2003\u3000\ufeff\u200b\u200d\u0000\u007f\u00ad',
  ...'éÄßøİıﬁ\u0301\u0308²½Ⅻ٣੩',
  ...'中文字々〇ひらがなカタカナーㄱ한국어⺀',
  ...'😀👍🏽𠀋𝟘\ud800\udfff',
  'Straße',
  'naïve',
  '1,234.5',
  'x'.repeat(30),
];
const texts = fc.array(fc.constantFrom(...CHARACTERS), { maxLength: 80 }).map((parts) => parts.join(''));

describe('the task model’s tokens', () => {
  it('are those of the regular expression the committed model was trained on, for any text', () => {
    fc.assert(
      fc.property(texts, fc.boolean(), (text, structured) =>
        expect(taskTokens(text, structured)).toEqual(reference(text, structured)),
      ),
      { numRuns: 3_000 },
    );
  });

  it('are the same from a reused reader, whatever it read before (a long text, then a short one)', () => {
    const reused = new TextTokens();
    const line: string[] = [];
    const read = (text: string) => {
      reused.read(text);
      return line.slice(0, taskLine(reused, 0, reused.count, false, line));
    };
    const long = 'Summarize the following report. '.repeat(60);
    expect(read(long)).toEqual(reference(long));
    expect(read('Hi there!')).toEqual(reference('Hi there!'));
    expect(read('')).toEqual(reference(''));
  });
});

describe('the views of a long sample', () => {
  const view = (text: string) => {
    const tokens = new TextTokens().read(text);
    const views = new Int32Array(6);
    const count = tokenViews(tokens, views);
    return Array.from({ length: count }, (_, i) => tokens.tokens.slice(views[2 * i], views[2 * i + 1]).join(' '));
  };

  it('is the whole text alone up to its limit', () => {
    expect(view('a '.repeat(VIEW_CHARS / 2))).toHaveLength(1);
  });

  it('is the whole text, the tokens that start in its head and those that end in its tail', () => {
    const text = `Summarize this. ${'lorem ipsum '.repeat(80)}Answer briefly.`;
    const [whole, head, tail] = view(text);
    expect(whole.split(' ')).toHaveLength(new TextTokens().read(text).count);
    expect(head.startsWith('summarize this .')).toBe(true);
    expect(tail.endsWith('answer briefly .')).toBe(true);
    // A word cut by the head's end is kept whole, not read as a fragment.
    expect(head.split(' ').every((token) => ['summarize', 'this', '.', 'lorem', 'ipsum'].includes(token))).toBe(true);
    expect(tail.split(' ').every((token) => ['lorem', 'ipsum', 'answer', 'briefly', '.'].includes(token))).toBe(true);
  });
});
