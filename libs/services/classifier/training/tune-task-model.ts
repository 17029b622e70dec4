/*
 * Chooses the task model's fastText arguments on the dev split (`npm run classifier:tune`, which
 * builds first): trains each candidate on the training split only, scores the whole classifier as
 * served on dev (or k folds of train and dev), and prints the candidates best first. The held-out
 * split is never scored here.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { intakeOf } from '@polymux/contracts';

import { ClassifierService } from '../src/classifier.service';
import { LanguageModel } from '../src/language';
import { TaskModel } from '../src/task-model';
import type { LabelledRow } from './labelled-rows';
import { toChatRequest } from './labelled-rows';
import { scoresOf } from './metrics';
import { FASTTEXT_ARGS, predictions, SEED, splits, trainModel } from './task-training';

type Candidate = Record<'dim' | 'epoch' | 'lr' | 'wordNgrams' | 'minn' | 'maxn' | 'loss', string>;

/** The committed model's arguments (`FASTTEXT_ARGS`), which each change below starts from. */
const BASE: Candidate = { dim: '16', epoch: '100', lr: '0.25', wordNgrams: '2', minn: '3', maxn: '5', loss: 'ova' };
/** One change from the base at a time (CLASSIFIER_TUNE_CANDIDATES, a JSON list of changes, to try others). */
const CHANGES: Array<Partial<Candidate>> = [
  {},
  { epoch: '60' },
  { lr: '0.15' },
  { lr: '0.5' },
  { wordNgrams: '1' },
  { wordNgrams: '3' },
  { minn: '2', maxn: '5' },
  { minn: '3', maxn: '6' },
  { dim: '32' },
  { loss: 'softmax' },
];

const argsOf = (candidate: Candidate): string[] =>
  Object.entries(candidate).flatMap(([key, value]) => [`-${key}`, value]);

const candidates = (): Candidate[] => {
  const fromEnv = process.env.CLASSIFIER_TUNE_CANDIDATES;
  const changes = fromEnv ? (JSON.parse(fromEnv) as Array<Partial<Candidate>>) : CHANGES;
  return changes.map((change) => ({ ...BASE, ...change }));
};

/**
 * The dev rows the candidate gets wrong (CLASSIFIER_DEBUG=1), by source file and group, to see what
 * the data lacks: never the prompt text, which is looked up in the data file by its group.
 */
const printMisses = (classifier: ClassifierService, rows: LabelledRow[]): void => {
  for (const row of rows) {
    const got = classifier.classify(intakeOf(toChatRequest(row)));
    if (got.task !== row.task)
      console.log(`${row.task} → ${got.task} ${got.confidence.toFixed(2)} ${row.source} group ${row.group}`);
  }
};

/**
 * The rows to validate on and the rows to train on for each fold: the dev split, or with
 * CLASSIFIER_TUNE_FOLDS=k a k-fold split by group of train and dev together (steadier on small tasks).
 */
const folds = (): Array<{ train: LabelledRow[]; validate: LabelledRow[] }> => {
  const { train, dev } = splits();
  const k = Number(process.env.CLASSIFIER_TUNE_FOLDS ?? '1');
  if (k <= 1) return [{ train, validate: dev }];
  const pool = [...train, ...dev];
  const foldOf = (row: LabelledRow): number =>
    createHash('sha256').update(`${SEED}:fold:${row.group}`).digest().readUInt32BE(0) % k;
  return Array.from({ length: k }, (_, i) => ({
    train: pool.filter((row) => foldOf(row) !== i),
    validate: pool.filter((row) => foldOf(row) === i),
  }));
};

const main = (): void => {
  const languages = LanguageModel.load();
  const results: Array<{ args: string; macro: number; accuracy: number; bytes: number }> = [];
  for (const candidate of candidates()) {
    const pairs: ReturnType<typeof predictions> = [];
    let bytes = 0;
    for (const { train, validate } of folds()) {
      const work = mkdtempSync(join(tmpdir(), 'polymux-classifier-tune-'));
      try {
        const model = trainModel(train, work, argsOf(candidate));
        const classifier = new ClassifierService(TaskModel.load(model), languages);
        pairs.push(...predictions(classifier, validate));
        bytes = statSync(model).size;
        if (process.env.CLASSIFIER_DEBUG === '1') printMisses(classifier, validate);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }
    const scores = scoresOf(pairs);
    const result = { args: argsOf(candidate).join(' '), macro: scores.macroAccuracy, accuracy: scores.accuracy, bytes };
    results.push(result);
    const recalls = scores.perTask.map((row) => `${row.task} ${(row.recall * 100).toFixed(0)}`).join(', ');
    console.log(`${result.args}: macro ${(result.macro * 100).toFixed(1)}%, ${bytes} bytes (${recalls})`);
  }
  console.log(`\ncommitted: ${FASTTEXT_ARGS.join(' ')}\nbest first:`);
  for (const r of results.sort((a, b) => b.macro - a.macro || b.accuracy - a.accuracy))
    console.log(
      `${(r.macro * 100).toFixed(1)}% macro, ${(r.accuracy * 100).toFixed(1)}% accuracy, ${r.bytes} B: ${r.args}`,
    );
};

main();
