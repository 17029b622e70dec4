import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// A very short `npm run bench` (from the build output): both modes and Portkey, phases of one
// second. It checks the report is produced with a number for every target, never the numbers.
jest.setTimeout(300_000);

const RUN = resolve(__dirname, '../../dist/bench/src/run.js');

interface Report {
  targets: Array<{ target: string; measured?: number }>;
  comparisons: Array<{ mode: string; throughputRatio: number }>;
  results: Array<{
    mode: string;
    error?: string;
    portkeyError?: string;
    direct?: Measured;
    gateway?: Measured & { memory?: { load: { stack: { peakRssMb: number } } } };
    portkey?: Measured & { memory?: { load: { stack: { peakRssMb: number } } } };
    tracing?: { ratio: number; spans: number; spansPerRequest: number; contentTypes: string[] };
  }>;
}
/** A metered phase: CPU per successful request, or why there is none (JSON has no NaN: it would be null). */
interface Phase {
  ok: number;
  cpuMsPerRequest?: Record<string, unknown>;
  cpuUnmeasured?: string;
}
interface Measured {
  load: Phase;
  latency: Phase;
  streaming: Phase & { contentEventsPerStream: { mean: number } };
}

/** A phase's CPU as the report states it: whether every figure is a number, or the reason there are none. */
const cpuStated = (phase: Phase): boolean | string | undefined =>
  phase.cpuMsPerRequest
    ? Object.values(phase.cpuMsPerRequest).every((ms) => typeof ms === 'object' || Number.isFinite(ms))
    : phase.cpuUnmeasured;

const runBench = (outputDir: string) =>
  new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = spawn(process.execPath, [RUN], {
      env: {
        ...process.env,
        DATABASE_URL: process.env.E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/polymux_e2e',
        BENCH_MODES: 'distributed,embedded',
        BENCH_DURATION_S: '1',
        BENCH_WARMUP_S: '0',
        BENCH_MEMORY_SAMPLE_MS: '100',
        // The in-process routing sections, briefly (test/e2e/bench-routing.e2e-spec.ts checks their figures).
        BENCH_ROUTING_ROUNDS: '50',
        // Spans are exported within half a second, so the run need not wait the default 5 s for them.
        BENCH_STACK_ENV: 'OTEL_BSP_SCHEDULE_DELAY=500',
        // Every call traced (the bench's default is the manifests' ratio, 0.1): a second of load is
        // too few calls to count spans per traced call from a sample.
        BENCH_TRACE_RATIO: '1',
        BENCH_OUTPUT_DIR: outputDir,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => done({ code, stderr }));
  });

describe('npm run bench (smoke)', () => {
  let outputDir: string;
  let report: Report;

  beforeAll(async () => {
    if (!existsSync(RUN)) throw new Error(`${RUN} is missing: run npm run build first`);
    outputDir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    const { code, stderr } = await runBench(outputDir);
    if (code !== 0) throw new Error(`the bench exited with ${code}:\n${stderr}`);
    report = JSON.parse(readFileSync(join(outputDir, 'latest.json'), 'utf8')) as Report;
  });

  afterAll(() => rmSync(outputDir, { recursive: true, force: true }));

  it('measured Polymux in both modes and Portkey in each run, streaming several chunks', () => {
    expect(report.results.map((result) => result.mode)).toEqual(['distributed', 'embedded']);
    for (const result of report.results) {
      expect([result.error, result.portkeyError]).toEqual([undefined, undefined]);
      for (const target of [result.direct, result.gateway, result.portkey]) {
        expect(target?.streaming.ok).toBeGreaterThan(0);
        expect(target?.streaming.contentEventsPerStream.mean).toBeGreaterThan(1);
      }
      expect(result.gateway?.memory?.load.stack.peakRssMb).toBeGreaterThan(0);
      expect(result.portkey?.memory?.load.stack.peakRssMb).toBeGreaterThan(0);
    }
    expect(report.comparisons.map((comparison) => comparison.mode)).toEqual(['distributed', 'embedded']);
  });

  it('states the CPU per successful request of every phase, or that the phase had none', () => {
    for (const result of report.results) {
      for (const target of [result.direct, result.gateway, result.portkey]) {
        for (const phase of target ? [target.load, target.latency, target.streaming] : []) {
          expect({ ok: phase.ok, cpu: cpuStated(phase) }).toEqual({
            ok: phase.ok,
            cpu: phase.ok > 0 ? true : 'no successful requests',
          });
        }
      }
    }
  });

  it('received the spans of every call through Polymux at its OTLP receiver', () => {
    const tracing = report.results.find((result) => result.mode === 'distributed')?.tracing;
    expect(tracing?.contentTypes.length).toBeGreaterThan(0);
    // Every call is sampled (ratio 1, BENCH_TRACE_RATIO) and crosses several services, each with spans of its own.
    expect(tracing?.ratio).toBe(1);
    expect(tracing?.spansPerRequest).toBeGreaterThan(1);
  });

  it('reports a number for every target, in JSON and in Markdown', () => {
    expect(report.targets).toHaveLength(9);
    for (const target of report.targets) {
      expect({ target: target.target, finite: Number.isFinite(target.measured) }).toEqual({
        target: target.target,
        finite: true,
      });
    }
    const markdown = readFileSync(join(outputDir, 'latest.md'), 'utf8');
    for (const heading of [
      '## Targets',
      '## Polymux vs Portkey OSS',
      '## distributed mode',
      '## embedded mode',
      '## Routing: classification and routing latency',
      '## Routing: mixed workload, `auto` vs the strongest model',
    ])
      expect(markdown).toContain(heading);
  });
});
