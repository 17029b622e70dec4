import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { TaskType } from '@polymux/contracts';
import { TaskType as TaskTypes } from '@polymux/contracts';

import { FastTextModel } from './fasttext/fasttext-model';
import { TextTokens, taskLine, tokenViews } from './task-text';

/** The committed task model (`npm run classifier:train` writes it; `model/report.md` has its scores). */
export const TASK_MODEL_FILE = join(__dirname, 'model', 'task-model.ftz');
/** The temperature fitted on the dev split (`npm run classifier:train` writes it too). */
export const CALIBRATION_FILE = join(__dirname, 'model', 'calibration.json');
const LABEL_PREFIX = '__label__';

export interface TextVerdict {
  task: TaskType;
  probability: number;
  /** `probability` calibrated: the winning view's distribution at the fitted temperature. */
  confidence: number;
  /** Each task's highest probability over the views (tasks the model does not know are absent). */
  probabilities: ReadonlyMap<TaskType, number>;
}

/**
 * The supervised fastText model over a prompt's words, served in-process (see `FastTextModel`).
 * Its buffers (the sample's tokens, a view's line, the probabilities) are reused by every call:
 * `classify` runs to its end before the next starts, as everything on the event loop does.
 */
export class TaskModel {
  private readonly tasks: TaskType[];
  private readonly text = new TextTokens();
  private readonly line: string[] = [];
  private readonly views = new Int32Array(6);
  private readonly scores: Float64Array;

  constructor(
    private readonly model: FastTextModel,
    private readonly temperature = 1,
  ) {
    this.tasks = model.labels.map((label) => TaskTypes.parse(label.slice(LABEL_PREFIX.length)));
    this.scores = new Float64Array(this.tasks.length);
  }

  static load(file = TASK_MODEL_FILE, calibration: string | null = CALIBRATION_FILE): TaskModel {
    const { temperature } = calibration ? (JSON.parse(readFileSync(calibration, 'utf8')) as Calibration) : ONE;
    return new TaskModel(FastTextModel.fromBytes(readFileSync(file)), temperature);
  }

  /** The task of the most confident view (the whole sample, its head, its tail), the sample read once. */
  classify(sample: string, structuredOutput: boolean): TextVerdict {
    const highest = new Map<TaskType, number>();
    let task = this.tasks[0];
    let probability = -1;
    let confidence = 0;
    const views = tokenViews(this.text.read(sample), this.views);
    for (let view = 0; view < views; view++) {
      const from = this.views[2 * view];
      const count = taskLine(this.text, from, this.views[2 * view + 1], structuredOutput, this.line);
      const probabilities = this.model.probabilitiesInto(this.line, this.scores, count);
      for (let i = 0; i < probabilities.length; i++) {
        const p = probabilities[i];
        highest.set(this.tasks[i], Math.max(p, highest.get(this.tasks[i]) ?? 0));
        if (p > probability) {
          probability = p;
          task = this.tasks[i];
          confidence = atTemperature(probabilities, i, this.temperature);
        }
      }
    }
    return { task, probability, confidence, probabilities: highest };
  }
}

export interface Calibration {
  temperature: number;
}
const ONE: Calibration = { temperature: 1 };

/**
 * Label `i`'s share of the labels' probabilities at temperature `t` (each raised to 1/t, then
 * normalised): the softmax at `t` for a softmax model; for a one-vs-all model, whose labels score on
 * their own, a distribution over them (two labels that both fire share the confidence; when none
 * fires, each gets the same share). Measured on the dev split, this calibrates better than also
 * counting the mass the labels leave unclaimed (expected calibration error 3.6% against 10.5%).
 */
export const atTemperature = (probabilities: ArrayLike<number>, i: number, t: number): number => {
  let sum = 0;
  for (let j = 0; j < probabilities.length; j++) sum += probabilities[j] ** (1 / t);
  // No label fires at all (one-vs-all scores all below fastText's sigmoid range): as unsure as can be.
  return sum > 0 ? probabilities[i] ** (1 / t) / sum : 1 / probabilities.length;
};
