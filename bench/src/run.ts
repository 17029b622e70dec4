/**
 * `npm run bench`: per mode, starts the provider simulator, Polymux (tracing on, exporting to a
 * local OTLP receiver) and Portkey OSS as separate processes, then measures throughput, added
 * latency, added time to first streamed chunk, added gap between chunks, CPU per request and
 * memory against direct calls to the simulator with the same request bodies. `--soak` adds a
 * long distributed run sampling memory, `--scale` the catalog/key scaling check. First, in this
 * process, the routing benchmark (./routing.ts; `BENCH_ROUTING=0` leaves it out). Writes
 * bench/results/latest.{json,md}. Settings: see ./settings.ts.
 */
import type { ModeFigures } from './compare';
import { checkTargets, compare } from './compare';
import type { ModeResult } from './modes';
import { benchMode } from './modes';
import { startOtlpReceiver } from './otlp';
import { log } from './phases';
import type { BenchReport } from './report';
import { machineInfo, toMarkdown, writeReport } from './report';
import { scaleLabel } from './report-summary';
import { runRoutingBench } from './routing';
import { runScale } from './scale';
import { readSettings, simScenario } from './settings';
import { runSoak } from './soak';

const main = async (): Promise<number> => {
  const settings = readSettings();
  const { outputDir, ...reported } = settings;
  // Before any process of the bench starts, so nothing else competes for the cores while it times.
  if (settings.routingRounds) log(`routing: ${settings.routingRounds} rounds in process`);
  const routing = settings.routingRounds ? runRoutingBench(settings.routingRounds) : undefined;
  const receiver = await startOtlpReceiver();
  const results: ModeResult[] = [];
  let report: BenchReport;
  try {
    for (const mode of settings.modes) results.push(await benchMode(mode, settings, receiver));
    const soak = settings.soakRequests ? await runSoak(settings, receiver) : undefined;
    const scale = settings.scale ? await runScale(settings, receiver) : undefined;
    const figures: ModeFigures[] = results;
    report = {
      generatedAt: new Date().toISOString(),
      machine: machineInfo(),
      settings: reported,
      scenario: simScenario(settings),
      portkeyVersion: results.find((result) => result.portkeyVersion)?.portkeyVersion,
      results,
      comparisons: figures.flatMap((result) => compare(result) ?? []),
      targets: settings.modes.length > 0 ? checkTargets(figures, settings.connections) : [],
      soak,
      scale,
      routing,
    };
  } finally {
    await receiver.stop();
  }
  const files = writeReport(outputDir, report);
  process.stdout.write(toMarkdown(report));
  log(`wrote ${files.markdown} and ${files.json}`);
  // Something that could not be measured is a failure of the benchmark; slow numbers never are.
  const failed = [
    ...results.flatMap((result) => [
      ...(result.error ? [`${result.mode}: ${result.error}`] : []),
      ...(result.portkeyError ? [`${result.mode} Portkey: ${result.portkeyError}`] : []),
    ]),
    ...(report.soak?.error ? [`soak: ${report.soak.error}`] : []),
    ...(routing?.error ? [`routing: ${routing.error}`] : []),
    ...(report.scale?.points ?? []).flatMap((point) =>
      point.error ? [`scale ${scaleLabel(point)}: ${point.error}`] : [],
    ),
  ];
  for (const failure of failed) log(failure);
  return failed.length > 0 ? 1 : 0;
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('benchmark failed:', error);
    process.exit(1);
  },
);
