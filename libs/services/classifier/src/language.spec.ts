import { LanguageModel, isBlank } from './language';

describe('LanguageModel', () => {
  it('splits words where `\\s` does, for every character of the Basic Multilingual Plane', () => {
    for (let code = 0; code < 0x10000; code++) {
      if (isBlank(code) !== /\s/.test(String.fromCharCode(code))) throw new Error(`U+${code.toString(16)} differs`);
    }
  });

  it('names the language of each text, whatever it read before', () => {
    const languages = LanguageModel.load();
    const german = 'Der Zug hat leider Verspätung, wir kommen eine Stunde später an.';
    const long = 'The quarterly report shows that revenue grew in every region. '.repeat(40);
    expect(languages.detect(long)).toBe('en');
    expect(languages.detect(german)).toBe('de');
    expect(languages.detect(' \n\t ')).toBe('und');
    expect(languages.detect('请把这句话翻译成英文。')).toBe('zh');
  });
});
