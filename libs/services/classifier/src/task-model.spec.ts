import { atTemperature, TaskModel } from './task-model';

describe('TaskModel calibration', () => {
  it('rescales a softmax distribution by a temperature, keeping it a distribution and its order', () => {
    const p = [0.7, 0.2, 0.1];
    expect(atTemperature(p, 0, 1)).toBeCloseTo(0.7, 10);
    const softened = p.map((_, i) => atTemperature(p, i, 2));
    expect(softened.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(softened[0]).toBeLessThan(0.7);
    expect(softened[0]).toBeGreaterThan(softened[1]);
    expect(atTemperature(p, 0, 0.5)).toBeGreaterThan(0.7);
  });

  it('shares the confidence between one-vs-all labels that both fire, and evenly when none does', () => {
    expect(atTemperature([1, 1, 0], 0, 1.5)).toBeCloseTo(0.5, 10);
    expect(atTemperature([0, 0, 0, 0], 2, 1.9)).toBe(0.25);
  });

  it('reports the calibrated confidence of the task the uncalibrated model picks', () => {
    const calibrated = TaskModel.load();
    const raw = TaskModel.load(undefined, null);
    for (const text of [
      'What is the capital of Peru?',
      'Tell me about autumn',
      'Help me with my essay about the war.',
    ]) {
      const a = calibrated.classify(text, false);
      const b = raw.classify(text, false);
      expect(a.task).toBe(b.task);
      // One-vs-all: every label scores on its own; the confidence is the winner's share of the scores.
      const total = [...b.probabilities.values()].reduce((sum, p) => sum + p, 0);
      expect(b.confidence).toBeCloseTo(b.probability / total, 10);
      // The committed temperature (src/model/calibration.json) is above 1: the model was overconfident.
      expect(a.confidence).toBeLessThan(b.confidence);
    }
  });
});
