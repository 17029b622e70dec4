import type { TaskType } from '@polymux/contracts';
import { TaskType as TaskTypes } from '@polymux/contracts';

export interface Scores {
  rows: number;
  accuracy: number;
  /** The mean of the per-task recalls over the tasks present: each task counts the same. */
  macroAccuracy: number;
  perTask: Array<{ task: TaskType; rows: number; precision: number; recall: number }>;
  /** confusion[expected][predicted] */
  confusion: Record<TaskType, Record<TaskType, number>>;
}

export const scoresOf = (pairs: ReadonlyArray<{ expected: TaskType; predicted: TaskType }>): Scores => {
  const tasks = TaskTypes.options;
  const confusion = Object.fromEntries(
    tasks.map((expected) => [expected, Object.fromEntries(tasks.map((predicted) => [predicted, 0]))]),
  ) as Scores['confusion'];
  for (const { expected, predicted } of pairs) confusion[expected][predicted]++;
  const perTask = tasks
    .map((task) => {
      const rows = tasks.reduce((sum, predicted) => sum + confusion[task][predicted], 0);
      const predictedAs = tasks.reduce((sum, expected) => sum + confusion[expected][task], 0);
      const hits = confusion[task][task];
      return { task, rows, precision: predictedAs ? hits / predictedAs : 0, recall: rows ? hits / rows : 0 };
    })
    .filter((row) => row.rows > 0);
  const hits = pairs.filter((pair) => pair.expected === pair.predicted).length;
  return {
    rows: pairs.length,
    accuracy: hits / pairs.length,
    macroAccuracy: perTask.reduce((sum, row) => sum + row.recall, 0) / perTask.length,
    perTask,
    confusion,
  };
};

const pct = (value: number): string => `${(value * 100).toFixed(1)}%`;

/** Per-task precision and recall and the confusion matrix, as Markdown tables. */
export const scoresTable = (scores: Scores): string => {
  const tasks = scores.perTask.map((row) => row.task);
  const lines = [
    `rows ${scores.rows}, accuracy ${pct(scores.accuracy)}, macro accuracy ${pct(scores.macroAccuracy)}`,
    '',
    '| task | rows | precision | recall |',
    '|---|---:|---:|---:|',
    ...scores.perTask.map((row) => `| ${row.task} | ${row.rows} | ${pct(row.precision)} | ${pct(row.recall)} |`),
    '',
    `| expected ↓ predicted → | ${tasks.join(' | ')} |`,
    `|---|${tasks.map(() => '---:').join('|')}|`,
    ...tasks.map(
      (expected) => `| ${expected} | ${tasks.map((predicted) => scores.confusion[expected][predicted]).join(' | ')} |`,
    ),
  ];
  return lines.join('\n');
};
