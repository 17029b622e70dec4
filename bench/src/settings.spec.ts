import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse } from 'yaml';

import { productionTraceRatio, readSettings } from './settings';

describe('bench settings: warm-up', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const withEnv = (env: Record<string, string>) => {
    for (const name of ['BENCH_DURATION_S', 'BENCH_WARMUP_S', 'BENCH_INITIAL_WARMUP_S']) delete process.env[name];
    Object.assign(process.env, env);
    return readSettings([]);
  };

  it('warms a target up for 15 s before its first phase, 3 s before the others, by default', () => {
    expect(withEnv({})).toMatchObject({ warmupS: 3, initialWarmupS: 15 });
  });

  it('never warms up less before the first phase than before the others, and not at all when told none', () => {
    expect(withEnv({ BENCH_WARMUP_S: '20' })).toMatchObject({ warmupS: 20, initialWarmupS: 20 });
    expect(withEnv({ BENCH_WARMUP_S: '0' })).toMatchObject({ warmupS: 0, initialWarmupS: 0 });
    expect(withEnv({ BENCH_INITIAL_WARMUP_S: '2' })).toMatchObject({ warmupS: 3, initialWarmupS: 2 });
  });
});

describe('bench settings: the routing benchmark', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const withEnv = (env: Record<string, string>) => {
    for (const name of ['BENCH_ROUTING', 'BENCH_ROUTING_ROUNDS']) delete process.env[name];
    Object.assign(process.env, env);
    return readSettings([]);
  };

  it('runs 2,000 rounds by default, the asked number otherwise, and none with BENCH_ROUTING=0', () => {
    expect(withEnv({}).routingRounds).toBe(2_000);
    expect(withEnv({ BENCH_ROUTING_ROUNDS: '300' }).routingRounds).toBe(300);
    expect(withEnv({ BENCH_ROUTING: '0', BENCH_ROUTING_ROUNDS: '300' }).routingRounds).toBeUndefined();
    expect(() => withEnv({ BENCH_ROUTING_ROUNDS: '0' })).toThrow('BENCH_ROUTING_ROUNDS must be a number between 1');
  });
});

describe('bench settings: the trace sampler', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("traces at the Kubernetes manifests' ratio by default, which Compose defaults to as well", () => {
    delete process.env.BENCH_TRACE_RATIO;
    const compose = readFileSync('docker-compose.yml', 'utf8');
    const composeRatio = /OTEL_TRACES_SAMPLER_ARG: \$\{OTEL_TRACES_SAMPLER_ARG:-([0-9.]+)\}/.exec(compose)?.[1];
    const manifests = parse(readFileSync('deploy/k8s/configmap.yaml', 'utf8')) as { data: Record<string, string> };
    expect(readSettings([]).traceRatio).toBe(Number(manifests.data.OTEL_TRACES_SAMPLER_ARG));
    expect(Number(composeRatio)).toBe(readSettings([]).traceRatio);
    expect(withRatio('1')).toBe(1);
  });

  const withRatio = (ratio: string) => {
    process.env.BENCH_TRACE_RATIO = ratio;
    return readSettings([]).traceRatio;
  };

  it('refuses a config map without a ratio sampler', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bench-settings-')), 'configmap.yaml');
    writeFileSync(file, 'data:\n  OTEL_TRACES_SAMPLER: always_on\n');
    expect(() => productionTraceRatio(file)).toThrow('names no parent-based trace-id ratio sampler');
    writeFileSync(file, "data:\n  OTEL_TRACES_SAMPLER: parentbased_traceidratio\n  OTEL_TRACES_SAMPLER_ARG: '0.25'\n");
    expect(productionTraceRatio(file)).toBe(0.25);
  });
});
