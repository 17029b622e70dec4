import { cpuAccountingAvailable } from './cpu';
import type { LoadResult } from './load';
import { runLoad } from './load';
import type { MemorySample } from './memory';
import { startMemorySampler } from './memory';
import type { OtlpReceiver } from './otlp';
import type { MeteredCpu } from './phases';
import { cpuOf, log, metered, preflightPatiently } from './phases';
import { startBenchStack } from './polymux';
import { meterFor } from './probes';
import type { BenchSettings } from './settings';
import { chatBody, gatewayTarget } from './target';

/** An end no more than this fraction above the middle sample counts as flat. */
export const FLAT_TOLERANCE = 0.1;

export interface SoakSeries {
  label: string;
  startMb: number;
  middleMb: number;
  endMb: number;
  growthMb: number;
  flat: boolean;
}

export interface SoakResult {
  requests: number;
  connections: number;
  sampleS: number;
  error?: string;
  load?: LoadResult & MeteredCpu;
  samples?: number;
  /** Each Polymux process and backing service, then `stack` (their sum). */
  series?: SoakSeries[];
  /** Whether the stack's RSS at the end is within the tolerance of its middle sample. */
  flat?: boolean;
}

/** First, middle and last sample of one label (or of a sum), and whether it stayed flat. */
export const soakSeries = (
  label: string,
  samples: MemorySample[],
  value: (sample: MemorySample) => number,
): SoakSeries => {
  const start = value(samples[0]);
  const middle = value(samples[Math.floor((samples.length - 1) / 2)]);
  const end = value(samples[samples.length - 1]);
  return {
    label,
    startMb: start,
    middleMb: middle,
    endMb: end,
    growthMb: end - start,
    // Memory handed back is not a leak: only growth past the tolerance counts.
    flat: end - middle <= FLAT_TOLERANCE * middle,
  };
};

/**
 * Distributed mode under sustained load: `settings.soakRequests` non-streaming requests at
 * `settings.connections` connections after a warm-up, sampling every process's RSS every
 * `settings.soakSampleS` seconds; start is the first sample after the warm-up.
 */
export const runSoak = async (settings: BenchSettings, receiver: OtlpReceiver): Promise<SoakResult> => {
  const requests = settings.soakRequests ?? 0;
  const base = { requests, connections: settings.connections, sampleS: settings.soakSampleS };
  let bench;
  try {
    bench = await startBenchStack('distributed', settings, receiver);
  } catch (error) {
    return { ...base, error: `the stack did not start: ${String(error)}` };
  }
  try {
    const target = gatewayTarget(bench.stack.ingressUrl, bench.bootstrapKey);
    await preflightPatiently(target, settings, 30_000);
    const body = chatBody(settings.model, settings.maxTokens, false);
    const meter = cpuAccountingAvailable() ? meterFor(bench, 'gateway', { receiverPid: receiver.pid }) : undefined;
    if (!meter) return { ...base, error: 'no /proc to sample memory from' };
    if (settings.warmupS > 0) {
      log(`soak: warm-up, ${settings.warmupS} s`);
      await runLoad(target, body, settings.connections, { durationS: settings.warmupS });
    }
    log(`soak: ${requests} requests at ${settings.connections} connections`);
    const sampler = startMemorySampler(meter.probes, settings.soakSampleS * 1000, meter.memoryGroups, 1);
    const load = await metered(
      meter,
      () => runLoad(target, body, settings.connections, { requests }),
      (result) => result.ok,
    );
    const usage = sampler.stop();
    const samples = sampler.series;
    const own = usage.processes.filter((process) => meter.memoryGroups.includes(process.group));
    const series = own.map((process) =>
      soakSeries(process.label, samples, (sample) => sample.rssMb[process.label] ?? 0),
    );
    const stack = soakSeries('stack', samples, (sample) =>
      own.reduce((sum, process) => sum + (sample.rssMb[process.label] ?? 0), 0),
    );
    return {
      ...base,
      load: { ...load.result, ...cpuOf(load) },
      samples: samples.length,
      series: [...series, stack],
      flat: stack.flat,
    };
  } catch (error) {
    return { ...base, error: `${String(error)} (process logs: ${bench.stack.logDir})` };
  } finally {
    await bench.stop();
  }
};
