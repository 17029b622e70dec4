/*
 * Classification latency and memory (`npm run classifier:bench`, which builds first): the service's
 * `classify` over the held-out prompts, as the handler calls it, in one process. Not a test: numbers
 * for docs/routing.md.
 */
import os from 'node:os';
import { join } from 'node:path';

import type { Intake } from '@polymux/contracts';
import { intakeOf } from '@polymux/contracts';

import { ClassifierService } from '../src/classifier.service';
import { LanguageModel } from '../src/language';
import { TaskModel } from '../src/task-model';
import type { LabelledRow } from './labelled-rows';
import { readJsonl, toChatRequest } from './labelled-rows';

const ROUNDS = 20;
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/**
 * Wall time and this process's CPU time per call: on a shared machine the wall-time tail is other
 * processes preempting this one; the CPU time is what a call costs.
 */
const measure = (classifier: ClassifierService, intakes: Intake[]): string => {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const intake of intakes) {
      const cpuStart = process.cpuUsage();
      const start = process.hrtime.bigint();
      classifier.classify(intake);
      wall.push(Number(process.hrtime.bigint() - start) / 1e6);
      const used = process.cpuUsage(cpuStart);
      cpu.push((used.user + used.system) / 1e3);
    }
  }
  const summary = (times: number[]) => {
    times.sort((a, b) => a - b);
    return `p50 ${percentile(times, 0.5).toFixed(3)} ms, p99 ${percentile(times, 0.99).toFixed(3)} ms`;
  };
  return `wall ${summary(wall)}; CPU ${summary(cpu)} (${wall.length} calls)`;
};

const main = (): void => {
  const before = process.memoryUsage().rss;
  const start = performance.now();
  const classifier = new ClassifierService(TaskModel.load(), LanguageModel.load());
  const loadMs = performance.now() - start;
  const loaded = process.memoryUsage().rss;
  const rows = readJsonl<LabelledRow>(join(process.cwd(), 'libs/services/classifier/testdata/held-out.jsonl'));
  const intakes = rows.map((row) => intakeOf(toChatRequest(row)));
  // Warm-up: the first calls run before the JIT compiles the hot loops.
  for (const intake of intakes) classifier.classify(intake);
  const typical = intakes.filter((intake) => intake.sample.length <= 1_000);
  const long = intakes.filter((intake) => intake.sample.length > 1_000);
  console.log(`models loaded in ${loadMs.toFixed(0)} ms; RSS ${mb(before)} before, ${mb(loaded)} after loading`);
  console.log(`typical prompts (sample ≤ 1,000 chars, ${typical.length}): ${measure(classifier, typical)}`);
  console.log(`long prompts (sample > 1,000 chars, ${long.length}): ${measure(classifier, long)}`);
  console.log(
    `load average ${os
      .loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')} on ${os.cpus().length} CPUs`,
  );
  console.log(`RSS after ${ROUNDS} rounds: ${mb(process.memoryUsage().rss)}`);
};

main();
