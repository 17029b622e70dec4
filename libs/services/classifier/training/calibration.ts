/*
 * Temperature scaling of the task model's confidence, fitted on the dev split by a model that was
 * not trained on it: the temperature that minimises the dev rows' negative log-likelihood.
 */
import { intakeOf } from '@polymux/contracts';

import type { FastTextModel } from '../src/fasttext/fasttext-model';
import { atTemperature } from '../src/task-model';
import { taskTokens } from '../src/task-text';
import type { LabelledRow } from './labelled-rows';
import { toChatRequest } from './labelled-rows';

export interface CalibrationFit {
  temperature: number;
  /** Mean negative log-likelihood and expected calibration error (10 bins), at 1 and at the fit. */
  before: { nll: number; ece: number };
  after: { nll: number; ece: number };
}

const TEMPERATURES = Array.from({ length: 76 }, (_, i) => 0.25 + i * 0.05);
const FLOOR = 1e-6;
const BINS = 10;

const fitness = (rows: Array<{ probabilities: Float64Array; truth: number }>, t: number) => {
  let nll = 0;
  const bins = Array.from({ length: BINS }, () => ({ n: 0, confidence: 0, hits: 0 }));
  for (const { probabilities, truth } of rows) {
    nll -= Math.log(Math.max(FLOOR, atTemperature(probabilities, truth, t)));
    let best = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[best]) best = i;
    const confidence = atTemperature(probabilities, best, t);
    const bin = bins[Math.min(BINS - 1, Math.floor(confidence * BINS))];
    bin.n++;
    bin.confidence += confidence;
    bin.hits += best === truth ? 1 : 0;
  }
  const ece = bins.reduce((sum, bin) => sum + Math.abs(bin.confidence - bin.hits), 0) / rows.length;
  return { nll: nll / rows.length, ece };
};

/** Rows of tasks the model does not know (agent, vision: the rules decide them) are skipped. */
export const fitTemperature = (model: FastTextModel, dev: LabelledRow[]): CalibrationFit => {
  const rows = dev
    .map((row) => {
      const { sample, signals } = intakeOf(toChatRequest(row));
      const truth = model.labels.indexOf(`__label__${row.task}`);
      return { probabilities: model.probabilities(taskTokens(sample, signals.hasResponseFormat)), truth };
    })
    .filter((row) => row.truth >= 0);
  const temperature = TEMPERATURES.reduce((best, t) => (fitness(rows, t).nll < fitness(rows, best).nll ? t : best));
  return {
    temperature: Math.round(temperature * 100) / 100,
    before: fitness(rows, 1),
    after: fitness(rows, temperature),
  };
};
