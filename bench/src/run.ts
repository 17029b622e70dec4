/**
 * `npm run bench`: starts the provider simulator and Polymux as separate processes, then measures
 * throughput, added latency, added time to first streamed chunk and CPU per request against direct
 * calls to the simulator with the same request bodies. Writes bench/results/latest.{json,md}.
 * Settings: see ./settings.ts (BENCH_DURATION_S, BENCH_WARMUP_S, BENCH_CONNECTIONS, BENCH_MODES, ...).
 */
import { randomBytes } from 'node:crypto';

import type { Stack } from '@polymux/testing';
import { startStack } from '@polymux/testing';

import type { CpuProbe } from './cpu';
import { cpuAccountingAvailable, processesNamed } from './cpu';
import { measureTarget, preflight } from './phases';
import type { BenchReport, ModeResult } from './report';
import { addedCost, machineInfo, toMarkdown, writeReport } from './report';
import type { BenchSettings } from './settings';
import { readSettings } from './settings';
import { chatTarget } from './target';

const BACKING_PROCESSES = ['nats-server', 'redis-server', 'postgres'] as const;

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** The processes whose CPU the report attributes, re-listed at each snapshot. */
const cpuProbes = (stack: Stack, mode: ModeResult['mode']) => (): CpuProbe[] => {
  const probes: CpuProbe[] = [];
  for (const [name, child] of stack.processes) {
    if (child.pid === undefined) continue;
    probes.push({ label: name, group: name === 'provider-sim' ? 'simulator' : 'gateway', pid: child.pid });
  }
  if (mode === 'distributed') {
    for (const { pid, name } of processesNamed(BACKING_PROCESSES)) probes.push({ label: name, group: 'backing', pid });
  }
  probes.push({ label: 'load generator', group: 'loadGenerator', pid: process.pid });
  return probes;
};

const benchMode = async (mode: ModeResult['mode'], settings: BenchSettings): Promise<ModeResult> => {
  const bootstrapKey = process.env.BENCH_BOOTSTRAP_KEY || `pmx-bench-${randomBytes(16).toString('hex')}`;
  log(`${mode}: starting the stack`);
  let stack: Stack;
  try {
    stack = await startStack({
      mode,
      bootstrapKey,
      env: {
        LOG_LEVEL: 'warn',
        // Own subjects and counters, so a stack someone else runs on the same NATS/Redis is not disturbed.
        NATS_SUBJECT_PREFIX: 'bench',
        REDIS_KEY_PREFIX: 'polymux-bench:',
        ...settings.stackEnv,
      },
    });
  } catch (error) {
    return { mode, error: `the stack did not start: ${String(error)}` };
  }
  try {
    if (!stack.providerSimUrl) return { mode, error: 'the stack reported no provider-sim URL to compare with' };
    const direct = chatTarget('direct', stack.providerSimUrl, 'bench-direct');
    const gateway = chatTarget('gateway', stack.ingressUrl, bootstrapKey);
    await preflight(direct, settings);
    await preflight(gateway, settings);
    const probes = cpuAccountingAvailable() ? cpuProbes(stack, mode) : undefined;
    const processes = Object.fromEntries(
      [...stack.processes].filter(([name]) => name !== 'provider-sim').map(([name, child]) => [name, child.pid ?? -1]),
    );
    const directResults = await measureTarget(`${mode} direct`, direct, settings, probes);
    const gatewayResults = await measureTarget(`${mode} gateway`, gateway, settings, probes);
    return {
      mode,
      processes,
      direct: directResults,
      gateway: gatewayResults,
      added: addedCost(directResults, gatewayResults),
    };
  } catch (error) {
    return { mode, error: `${String(error)} (process logs: ${stack.logDir})` };
  } finally {
    log(`${mode}: stopping the stack`);
    await stack.stop();
  }
};

const main = async (): Promise<number> => {
  const settings = readSettings();
  const results: ModeResult[] = [];
  for (const mode of settings.modes) results.push(await benchMode(mode, settings));
  const { outputDir, ...reported } = settings;
  const report: BenchReport = {
    generatedAt: new Date().toISOString(),
    machine: machineInfo(),
    settings: reported,
    results,
  };
  const files = writeReport(outputDir, report);
  process.stdout.write(toMarkdown(report));
  log(`wrote ${files.markdown} and ${files.json}`);
  const failed = results.filter((result) => result.error);
  for (const result of failed) log(`${result.mode}: ${result.error}`);
  // A mode that could not run is a failure of the benchmark; slow numbers never are.
  return failed.length > 0 ? 1 : 0;
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('benchmark failed:', error);
    process.exit(1);
  },
);
