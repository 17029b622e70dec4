/*
 * Trains the task model offline (`npm run classifier:train`, which builds first): reads the public
 * development set and Polymux's own examples, splits them by group with a fixed seed, trains a
 * supervised fastText model with Debian's `fasttext` CLI, quantizes it, scores the whole classifier
 * (structural rules and model, as served) on the dev and held-out splits, and writes the model, the
 * held-out rows and the report into the repository.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { intakeOf } from '@polymux/contracts';

import { ClassifierService } from '../src/classifier.service';
import { FastTextModel } from '../src/fasttext/fasttext-model';
import { LanguageModel } from '../src/language';
import { TaskModel } from '../src/task-model';
import { taskTokens } from '../src/task-text';
import type { CalibrationFit } from './calibration';
import { fitTemperature } from './calibration';
import type { LabelledRow } from './labelled-rows';
import { toChatRequest } from './labelled-rows';
import { scoresTable } from './metrics';
import { FASTTEXT_ARGS, FIXED_ARGS, QUANTIZE_ARGS, ROOT, SEED, score, splits, trainModel } from './task-training';

const MODEL_FILE = join(ROOT, 'libs/services/classifier/src/model/task-model.ftz');
const CALIBRATION_FILE = join(ROOT, 'libs/services/classifier/src/model/calibration.json');
const HELD_OUT_FILE = join(ROOT, 'libs/services/classifier/testdata/held-out.jsonl');
const CLI_PREDICTIONS_FILE = join(ROOT, 'libs/services/classifier/testdata/fasttext-cli-predictions.jsonl');
const REPORT_FILE = join(ROOT, 'libs/services/classifier/src/model/report.md');
const TRAIN_ARGS = [...FASTTEXT_ARGS, ...FIXED_ARGS];
const pct = (value: number): string => `${(value * 100).toFixed(1)}%`;

/** Texts whose `fasttext predict-prob` output the reader's spec must reproduce. */
const PARITY_TEXTS = [
  'How much does a Tesla Model 3 cost?',
  'Write a haiku about autumn leaves.',
  '请把这句话翻译成英文：我明天要去上海出差。',
  'Fasse den folgenden Text kurz zusammen: Die Bundesregierung hat ein neues Förderprogramm vorgestellt.',
  'def add(a, b):\n    return a + b\n\nWrite tests for this.',
  'Solve for x: 3x + 7 = 22.',
  'Extract the name and email as JSON: John Smith, john@acme.com',
];

const writeCliPredictions = (model: string, input: string): void => {
  writeFileSync(input, `${PARITY_TEXTS.map((text) => taskTokens(text).join(' ')).join('\n')}\n`);
  const printed = execFileSync('fasttext', ['predict-prob', model, input, '-1'], { encoding: 'utf8' });
  const rows = printed
    .trim()
    .split('\n')
    .map((line, i) => {
      const fields = line.split(' ');
      const probabilities: Record<string, number> = {};
      for (let f = 0; f < fields.length; f += 2) probabilities[fields[f]] = Number(fields[f + 1]);
      return JSON.stringify({ text: PARITY_TEXTS[i], probabilities });
    });
  writeFileSync(CLI_PREDICTIONS_FILE, `${rows.join('\n')}\n`);
};

/** The router's default POLYMUX_SECOND_OPINION_BELOW: how many prompts would get a second opinion. */
const UNSURE_BELOW = 0.6;

/** Accuracy per source of the rows (the public sets apart from Polymux's own), and of the unsure ones. */
const breakdown = (classifier: ClassifierService, rows: LabelledRow[]): string => {
  const verdicts = rows.map((row) => ({ row, ...classifier.classify(intakeOf(toChatRequest(row))) }));
  const line = (name: string, of: typeof verdicts) =>
    `| ${name} | ${of.length} | ${pct(of.filter((v) => v.task === v.row.task).length / Math.max(1, of.length))} |`;
  const sources = [...new Set(rows.map((row) => row.source))].sort();
  const unsure = verdicts.filter((v) => v.confidence < UNSURE_BELOW);
  return [
    '| rows | count | accuracy |',
    '|---|---:|---:|',
    ...sources.map((source) =>
      line(
        source,
        verdicts.filter((v) => v.row.source === source),
      ),
    ),
    line(`confidence < ${UNSURE_BELOW} (${pct(unsure.length / rows.length)} of the rows)`, unsure),
  ].join('\n');
};

const main = (): void => {
  const bySplit = splits();
  const training = process.env.CLASSIFIER_FINAL === '1' ? [...bySplit.train, ...bySplit.dev] : bySplit.train;

  const work = mkdtempSync(join(tmpdir(), 'polymux-classifier-'));
  let calibration: CalibrationFit;
  try {
    // The temperature is fitted on dev by a model trained without it (the final one learns from dev too).
    const trainOnly = join(work, 'train-only');
    mkdirSync(trainOnly);
    const onTrain = trainModel(bySplit.train, trainOnly);
    calibration = fitTemperature(FastTextModel.fromBytes(readFileSync(onTrain)), bySplit.dev);
    const model = training === bySplit.train ? onTrain : trainModel(training, work);
    copyFileSync(model, MODEL_FILE);
    writeFileSync(CALIBRATION_FILE, `${JSON.stringify({ temperature: calibration.temperature })}\n`);
    writeCliPredictions(model, join(work, 'parity.txt'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const classifier = new ClassifierService(TaskModel.load(MODEL_FILE, CALIBRATION_FILE), LanguageModel.load());
  const dev = score(classifier, bySplit.dev);
  const test = score(classifier, bySplit.test);
  const testBreakdown = breakdown(classifier, bySplit.test);
  const counts = `train ${training.length}, dev ${bySplit.dev.length}, held-out ${bySplit.test.length} rows`;
  console.log(`${counts}\n\nDEV\n${scoresTable(dev)}\n\nHELD-OUT\n${scoresTable(test)}\n\n${testBreakdown}`);

  writeFileSync(HELD_OUT_FILE, `${bySplit.test.map((row) => JSON.stringify(row)).join('\n')}\n`);
  writeFileSync(
    REPORT_FILE,
    [
      '# Task model report',
      '',
      'Written by `npm run classifier:train` (`libs/services/classifier/training/train-task-model.ts`);',
      'do not edit by hand. Scores are of the whole classifier as served (structural rules and model).',
      '',
      `- Model: \`task-model.ftz\`, ${statSync(MODEL_FILE).size} bytes; fastText \`${TRAIN_ARGS.join(' ')}\`,`,
      `  quantized with \`${QUANTIZE_ARGS.join(' ')}\`.`,
      `- Confidence: temperature ${calibration.temperature} on the labels' normalised probabilities (\`calibration.json\`), fitted on the dev split by the` +
        ` model trained without it: negative log-likelihood ${calibration.before.nll.toFixed(3)} → ` +
        `${calibration.after.nll.toFixed(3)}, expected calibration error ${pct(calibration.before.ece)} → ${pct(calibration.after.ece)}.`,
      `- Split: seed \`${SEED}\`, by group; ${counts}` +
        (training.length > bySplit.train.length ? ' (trained on train and dev).' : '.'),
      '',
      '## Held-out split (`testdata/held-out.jsonl`, never trained or tuned on)',
      '',
      scoresTable(test),
      '',
      'By source, and the prompts a second opinion at the default threshold would be asked about:',
      '',
      testBreakdown,
      '',
      training.length > bySplit.train.length
        ? '## Dev split (tuning; the final model was trained on it too, so these scores are in-sample)'
        : '## Dev split (tuning)',
      '',
      scoresTable(dev),
      '',
    ].join('\n'),
  );
};

main();
