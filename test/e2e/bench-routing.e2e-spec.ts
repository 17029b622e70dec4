import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

// `npm run bench:routing` from the build output, with few rounds: the routing sections of the bench
// on their own (the classifier and the router in process). It checks what is reported, never how fast.
jest.setTimeout(120_000);

const RUN = resolve(__dirname, '../../dist/bench/src/routing-run.js');

interface Summary {
  calls: number;
  wallP50Ms: number;
  wallP99Ms: number;
  cpuP99Ms: number;
}
interface RoutingReport {
  error?: string;
  latency: {
    catalogModels: number;
    kinds: Array<{ kind: string; model: string; classify: Summary; route: Summary }>;
    classify: Summary;
    route: Summary;
    target: { thresholdMs: number; measuredMs: number; met: boolean };
  };
  saving: {
    requests: number;
    strongest: { model: string; tier: string };
    kinds: Array<{ kind: string; auto: { costNano: string }; strongest: { costNano: string } }>;
    autoCostNano: string;
    strongestCostNano: string;
    savingPercent: number;
  };
}

const runRouting = (args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [RUN, ...args], {
      env: { ...process.env, BENCH_ROUTING_ROUNDS: '20' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => done({ code, stdout, stderr }));
  });

describe('npm run bench:routing', () => {
  beforeAll(() => {
    if (!existsSync(RUN)) throw new Error(`${RUN} is missing: run npm run build first`);
  });

  it('times classification and routing of every request over the shipped catalog, with the target judged', async () => {
    const { code, stdout, stderr } = await runRouting(['--json']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const { error, latency } = JSON.parse(stdout) as RoutingReport;
    expect(error).toBeUndefined();
    expect(latency.catalogModels).toBeGreaterThan(200);
    expect(latency.kinds).toHaveLength(8);
    for (const summary of [...latency.kinds.flatMap((kind) => [kind.classify, kind.route])]) {
      expect(summary.calls).toBe(20);
      expect(Number.isFinite(summary.wallP99Ms) && Number.isFinite(summary.cpuP99Ms)).toBe(true);
    }
    expect(latency.classify.calls).toBe(160);
    expect(latency.target).toEqual({
      thresholdMs: 1,
      measuredMs: latency.classify.wallP99Ms,
      met: latency.classify.wallP99Ms <= 1,
    });
  });

  it("prices the mixed workload with auto against the strongest model, auto's total the lower", async () => {
    const { code, stdout } = await runRouting(['--json']);
    expect(code).toBe(0);
    const { saving } = JSON.parse(stdout) as RoutingReport;
    expect(saving.requests).toBe(1_000);
    expect(saving.strongest.tier).toBe('frontier');
    expect(saving.kinds).toHaveLength(8);
    expect(BigInt(saving.autoCostNano)).toBeLessThan(BigInt(saving.strongestCostNano));
    expect(saving.savingPercent).toBeGreaterThan(0);
  });

  it('prints both sections as Markdown, and refuses an unknown argument', async () => {
    const markdown = await runRouting([]);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain('## Routing: classification and routing latency');
    expect(markdown.stdout).toMatch(
      /Target: classification p99 ≤ 1 ms for a typical request — .*: (met|\*\*not met\*\*)\./,
    );
    expect(markdown.stdout).toContain('## Routing: mixed workload, `auto` vs the strongest model');
    const refused = await runRouting(['--bogus']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('unknown argument --bogus');
  });
});
