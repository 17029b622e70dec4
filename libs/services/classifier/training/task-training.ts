/*
 * What training and tuning share: the labelled rows and their fixed split, the fastText CLI, the
 * arguments of the committed model, and the scoring of the whole classifier as served.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { TaskType } from '@polymux/contracts';
import { intakeOf } from '@polymux/contracts';

import type { ClassifierService } from '../src/classifier.service';
import { taskTokens } from '../src/task-text';
import type { LabelledRow, Split } from './labelled-rows';
import { ownRows, publicRows, sampleOf, splitOf, toChatRequest } from './labelled-rows';
import type { Scores } from './metrics';
import { scoresOf } from './metrics';

/** Run from the repository root (`scripts/train-classifier.js` does). */
export const ROOT = process.cwd();
const PUBLIC_DIR = process.env.CLASSIFIER_PUBLIC_DATA ?? resolve(ROOT, '../shared/data/classifier');
const OWN_DIR = join(ROOT, 'data', 'classifier');
export const SEED = 'polymux-classifier-1';
const TEST_SHARE = 0.2;
const DEV_SHARE = 0.1;
/** Grade-school math alone is 1,319 word problems: a sample keeps reasoning from swamping the rest. */
const GSM_ROWS = 450;
/** Tasks a structural rule decides (tools, images): not taught to the text model. */
const STRUCTURAL: ReadonlySet<TaskType> = new Set(['agent', 'vision']);

/** The committed model's arguments, chosen on the dev split (`npm run classifier:tune`). */
export const FASTTEXT_ARGS = [
  ...['-dim', '16', '-epoch', '100', '-lr', '0.25', '-wordNgrams', '2'],
  ...['-minn', '3', '-maxn', '5', '-loss', 'ova'],
];
export const FIXED_ARGS = ['-bucket', '400000', '-thread', '1', '-seed', '1'];
export const QUANTIZE_ARGS = ['-qnorm', '-retrain', '-cutoff', '6000', '-dsub', '2', '-epoch', '20', '-thread', '1'];

const rows = (): LabelledRow[] => {
  const all = publicRows(PUBLIC_DIR);
  const gsm = sampleOf(
    all.filter((row) => row.source === 'grade-school-math'),
    SEED,
    GSM_ROWS,
  );
  return [...all.filter((row) => row.source !== 'grade-school-math'), ...gsm, ...ownRows(OWN_DIR)];
};

export const splits = (): Record<Split, LabelledRow[]> => {
  const bySplit: Record<Split, LabelledRow[]> = { train: [], dev: [], test: [] };
  for (const row of rows()) bySplit[splitOf(row, SEED, TEST_SHARE, DEV_SHARE)].push(row);
  return bySplit;
};

const fastTextLine = (row: LabelledRow): string => {
  const { sample, signals } = intakeOf(toChatRequest(row));
  return `__label__${row.task} ${taskTokens(sample, signals.hasResponseFormat).join(' ')}`;
};

export const fasttext = (args: string[]): void => {
  execFileSync('fasttext', args, { stdio: ['ignore', 'ignore', 'inherit'] });
};

/** Trains and quantizes on `training` in `work`; returns the path of the `.ftz`. */
export const trainModel = (training: LabelledRow[], work: string, args = FASTTEXT_ARGS): string => {
  const input = join(work, 'train.txt');
  const lines = training.filter((row) => !STRUCTURAL.has(row.task)).map(fastTextLine);
  writeFileSync(input, `${lines.join('\n')}\n`);
  fasttext(['supervised', '-input', input, '-output', join(work, 'task'), ...args, ...FIXED_ARGS]);
  fasttext(['quantize', '-input', input, '-output', join(work, 'task'), ...QUANTIZE_ARGS]);
  return join(work, 'task.ftz');
};

export const predictions = (classifier: ClassifierService, split: LabelledRow[]) =>
  split.map((row) => ({ expected: row.task, predicted: classifier.classify(intakeOf(toChatRequest(row))).task }));

export const score = (classifier: ClassifierService, split: LabelledRow[]): Scores =>
  scoresOf(predictions(classifier, split));
