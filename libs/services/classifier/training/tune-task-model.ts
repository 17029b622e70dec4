/*
 * Chooses the task model's fastText arguments on the dev split (`npm run classifier:tune`, which
 * builds first): trains each candidate on the training split only, scores the whole classifier as
 * served on dev, and prints the candidates best first. The held-out split is never read here.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { intakeOf } from '@polymux/contracts';

import { ClassifierService } from '../src/classifier.service';
import { LanguageModel } from '../src/language';
import { TaskModel } from '../src/task-model';
import type { LabelledRow } from './labelled-rows';
import { toChatRequest } from './labelled-rows';
import { FASTTEXT_ARGS, score, splits, trainModel } from './task-training';

type Candidate = Record<'dim' | 'epoch' | 'lr' | 'wordNgrams' | 'minn' | 'maxn' | 'loss', string>;

const BASE: Candidate = { dim: '32', epoch: '40', lr: '0.5', wordNgrams: '2', minn: '2', maxn: '4', loss: 'softmax' };
/** One change from the base at a time (CLASSIFIER_TUNE_CANDIDATES, a JSON list of changes, to try others). */
const CHANGES: Array<Partial<Candidate>> = [
  {},
  { epoch: '25' },
  { epoch: '60' },
  { lr: '0.3' },
  { lr: '1.0' },
  { wordNgrams: '1' },
  { wordNgrams: '3' },
  { minn: '0', maxn: '0' },
  { minn: '3', maxn: '5' },
  { dim: '16' },
  { dim: '64' },
  { loss: 'ova' },
];

const argsOf = (candidate: Candidate): string[] =>
  Object.entries(candidate).flatMap(([key, value]) => [`-${key}`, value]);

const candidates = (): Candidate[] => {
  const fromEnv = process.env.CLASSIFIER_TUNE_CANDIDATES;
  const changes = fromEnv ? (JSON.parse(fromEnv) as Array<Partial<Candidate>>) : CHANGES;
  return changes.map((change) => ({ ...BASE, ...change }));
};

/** The dev rows the candidate gets wrong (CLASSIFIER_DEBUG=1), to see what the data lacks. */
const printMisses = (classifier: ClassifierService, rows: LabelledRow[]): void => {
  for (const row of rows) {
    const got = classifier.classify(intakeOf(toChatRequest(row)));
    if (got.task !== row.task)
      console.log(`${row.task} → ${got.task} ${got.confidence} ${JSON.stringify(row.messages).slice(0, 150)}`);
  }
};

const main = (): void => {
  const { train, dev } = splits();
  const languages = LanguageModel.load();
  const results: Array<{ args: string; macro: number; accuracy: number; bytes: number }> = [];
  for (const candidate of candidates()) {
    const work = mkdtempSync(join(tmpdir(), 'polymux-classifier-tune-'));
    try {
      const model = trainModel(train, work, argsOf(candidate));
      const classifier = new ClassifierService(TaskModel.load(model), languages);
      const scores = score(classifier, dev);
      const result = {
        args: argsOf(candidate).join(' '),
        macro: scores.macroAccuracy,
        accuracy: scores.accuracy,
        bytes: statSync(model).size,
      };
      results.push(result);
      const recalls = scores.perTask.map((row) => `${row.task} ${(row.recall * 100).toFixed(0)}`).join(', ');
      if (process.env.CLASSIFIER_DEBUG === '1') printMisses(classifier, dev);
      console.log(`${result.args}: dev macro ${(result.macro * 100).toFixed(1)}%, ${result.bytes} bytes (${recalls})`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  console.log(`\ncommitted: ${FASTTEXT_ARGS.join(' ')}\nbest first:`);
  for (const r of results.sort((a, b) => b.macro - a.macro || b.accuracy - a.accuracy))
    console.log(
      `${(r.macro * 100).toFixed(1)}% macro, ${(r.accuracy * 100).toFixed(1)}% accuracy, ${r.bytes} B: ${r.args}`,
    );
};

main();
