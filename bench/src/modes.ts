import { join } from 'node:path';

import type { AddedCost } from './compare';
import { addedCost, polymuxCpuMsPerRequest } from './compare';
import { cpuAccountingAvailable } from './cpu';
import type { OtlpReceiver } from './otlp';
import { otlpBetween } from './otlp';
import type { TargetResults } from './phases';
import { measureTarget, preflight, preflightPatiently } from './phases';
import type { BenchStack } from './polymux';
import { startBenchStack } from './polymux';
import type { Portkey } from './portkey';
import { startPortkey } from './portkey';
import type { Bystanders } from './probes';
import { meterFor } from './probes';
import type { BenchMode, BenchSettings } from './settings';
import { simScenario } from './settings';
import type { Target } from './target';
import { directTarget, gatewayTarget, portkeyTarget } from './target';

/** Trace export seen while Polymux was measured (the simulator exports nothing). */
export interface TracingResult {
  endpoint: string;
  sampler: string;
  ratio: number;
  /** Requests sent through Polymux while the receiver was watched. */
  requests: number;
  exports: number;
  traceExports: number;
  bytes: number;
  spans: number;
  spansPerRequest: number;
  /** Spans per traced call: per request over the share the ratio samples (NaN at ratio 0). */
  spansPerSampledRequest: number;
  contentTypes: string[];
  unreadable: number;
}

export interface ModeResult {
  mode: BenchMode;
  /** Why the mode could not be measured; the numbers below are then missing. */
  error?: string;
  /** Polymux processes (name → pid). */
  processes?: Record<string, number>;
  catalogModels?: number;
  direct?: TargetResults;
  gateway?: TargetResults;
  added?: AddedCost;
  portkey?: TargetResults;
  portkeyAdded?: AddedCost;
  portkeyVersion?: string;
  /** Why Portkey could not be measured in this mode's run. */
  portkeyError?: string;
  tracing?: TracingResult;
}

/** How long the span processor may hold finished spans before exporting them, plus a second. */
const exportSettleMs = (settings: BenchSettings) =>
  Number(settings.stackEnv.OTEL_BSP_SCHEDULE_DELAY ?? process.env.OTEL_BSP_SCHEDULE_DELAY ?? 5_000) + 1_000;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const measure = (bench: BenchStack, label: string, target: Target, settings: BenchSettings, bystanders: Bystanders) =>
  measureTarget(
    label,
    target,
    settings,
    cpuAccountingAvailable() ? meterFor(bench, target.name, bystanders) : undefined,
  );

/** Polymux through `bench` with the receiver watched around it, then settled so every span of it arrived. */
const measureTraced = async (
  bench: BenchStack,
  target: Target,
  settings: BenchSettings,
  receiver: OtlpReceiver,
  bystanders: Bystanders,
): Promise<{ results: TargetResults; tracing: TracingResult }> => {
  const before = await receiver.stats();
  const results = await measure(bench, `${bench.mode} gateway`, target, settings, bystanders);
  await delay(exportSettleMs(settings));
  const after = await receiver.stats();
  const seen = otlpBetween(before, after);
  return {
    results,
    tracing: {
      endpoint: receiver.url,
      sampler: 'parentbased_traceidratio',
      ratio: settings.traceRatio,
      requests: results.requestsSent,
      ...seen,
      spansPerRequest: results.requestsSent > 0 ? seen.spans / results.requestsSent : NaN,
      spansPerSampledRequest:
        results.requestsSent > 0 && settings.traceRatio > 0
          ? seen.spans / (results.requestsSent * settings.traceRatio)
          : NaN,
      contentTypes: after.contentTypes,
      unreadable: after.unreadable - before.unreadable,
    },
  };
};

/**
 * One mode: the simulator directly, then through Polymux, then through Portkey OSS routed to the
 * same simulator, all with the identical request body and simulator scenario.
 */
export const benchMode = async (
  mode: BenchMode,
  settings: BenchSettings,
  receiver: OtlpReceiver,
): Promise<ModeResult> => {
  let bench: BenchStack;
  try {
    bench = await startBenchStack(mode, settings, receiver);
  } catch (error) {
    return { mode, error: `the stack did not start: ${String(error)}` };
  }
  const { stack } = bench;
  let portkey: Portkey | undefined;
  const result: ModeResult = { mode, catalogModels: bench.catalogModels };
  try {
    if (!stack.providerSimUrl) return { ...result, error: 'the stack reported no provider-sim URL to compare with' };
    const scenario = simScenario(settings);
    const direct = directTarget(stack.providerSimUrl, scenario);
    const gateway = gatewayTarget(stack.ingressUrl, bench.bootstrapKey);
    await preflight(direct, settings);
    await preflightPatiently(gateway, settings, 30_000);
    let viaPortkey: Target | undefined;
    if (settings.portkey) {
      try {
        portkey = await startPortkey(join(stack.logDir, 'portkey.log'));
        result.portkeyVersion = portkey.version;
        viaPortkey = portkeyTarget(portkey.url, stack.providerSimUrl, scenario);
        await preflight(viaPortkey, settings);
      } catch (error) {
        result.portkeyError = `${String(error)} (log: ${join(stack.logDir, 'portkey.log')})`;
        viaPortkey = undefined;
      }
    }
    const bystanders: Bystanders = { portkeyPid: portkey?.child.pid, receiverPid: receiver.pid };
    result.processes = Object.fromEntries(
      [...stack.processes].filter(([name]) => name !== 'provider-sim').map(([name, child]) => [name, child.pid ?? -1]),
    );
    result.direct = await measure(bench, `${mode} direct`, direct, settings, bystanders);
    const traced = await measureTraced(bench, gateway, settings, receiver, bystanders);
    result.gateway = traced.results;
    result.tracing = traced.tracing;
    result.added = addedCost(result.direct, result.gateway, polymuxCpuMsPerRequest(result.gateway));
    if (viaPortkey) {
      result.portkey = await measure(bench, `${mode} portkey`, viaPortkey, settings, bystanders);
      result.portkeyAdded = addedCost(result.direct, result.portkey, result.portkey.load.cpuMsPerRequest?.gateway);
    }
    return result;
  } catch (error) {
    return { ...result, error: `${String(error)} (process logs: ${stack.logDir})` };
  } finally {
    await portkey?.stop();
    await bench.stop();
  }
};
