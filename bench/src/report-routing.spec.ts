import { toMarkdown } from './report';
import type { RoutingBenchResult } from './routing';
import type { LatencySummary } from './routing-latency';
import { LATENCY_POLICY } from './routing-latency';
import { routingSections, usd } from './report-routing';
import { readSettings } from './settings';

const summary = (p50: number, p99: number): LatencySummary => ({
  calls: 100,
  wallP50Ms: p50,
  wallP99Ms: p99,
  wallMaxMs: p99 * 2,
  cpuP50Ms: p50,
  cpuP99Ms: p99 / 2,
});

const result = (classifyP99: number): RoutingBenchResult => ({
  latency: {
    rounds: 100,
    warmupRounds: 10,
    catalogModels: 243,
    policy: LATENCY_POLICY,
    kinds: [
      {
        kind: 'chat',
        label: 'simple chat',
        task: 'chat',
        complexity: 'low',
        model: 'gpt-4.1-nano',
        classify: summary(0.05, classifyP99),
        route: summary(0.08, 0.3),
      },
    ],
    classify: summary(0.05, classifyP99),
    route: summary(0.08, 0.3),
    target: { thresholdMs: 1, measuredMs: classifyP99, met: classifyP99 <= 1 },
    load: { average: 0.84, cpus: 2 },
  },
  saving: {
    requests: 30,
    strongest: { model: 'big-model', tier: 'frontier' },
    kinds: [
      {
        kind: 'chat',
        label: 'simple chat',
        intended: 'chat',
        count: 20,
        inputTokens: 120,
        outputTokens: 150,
        task: 'chat',
        complexity: 'low',
        tier: 'economy',
        auto: { model: 'small', deploymentId: 'openai/small', costPerRequestNano: '60000', costNano: '1200000' },
        strongest: {
          model: 'big-model',
          deploymentId: 'a/big-model',
          costPerRequestNano: '2520000',
          costNano: '50400000',
        },
      },
      {
        kind: 'reasoning',
        label: 'a puzzle',
        intended: 'reasoning',
        count: 10,
        inputTokens: 160,
        outputTokens: 2_000,
        task: 'creative',
        complexity: 'low',
        auto: { model: 'big-model', deploymentId: 'a/big-model', costPerRequestNano: '300000', costNano: '3000000' },
        strongest: {
          model: 'big-model',
          deploymentId: 'a/big-model',
          costPerRequestNano: '300000',
          costNano: '3000000',
        },
      },
    ],
    autoCostNano: '4200000',
    strongestCostNano: '53400000',
    savingPercent: 92.13,
  },
});

describe('the routing sections of the report', () => {
  it('formats nano-USD as dollars to four decimals, rounded half up', () => {
    expect(usd('24150000')).toBe('$0.0242');
    expect(usd('49999')).toBe('$0.0000');
    expect(usd('50000')).toBe('$0.0001');
    expect(usd('9422700000')).toBe('$9.4227');
    expect(usd('12000000000')).toBe('$12.0000');
  });

  it('shows the classification target met or not, with the p99 it was judged on', () => {
    const met = routingSections(result(0.4)).join('\n');
    expect(met).toContain(
      'Target: classification p99 ≤ 1 ms for a typical request — 0.4 ms over all the requests above',
    );
    expect(met).toMatch(/: met\.$/m);
    expect(met).toContain('Load average 0.8 on 2 CPUs when the timed rounds ended');
    const missed = routingSections(result(1.7)).join('\n');
    expect(missed).toContain('— 1.7 ms over all the requests above');
    expect(missed).toContain('(CPU time p99 0.85 ms, slowest call 3.4 ms): **not met**.');
    expect(missed).toContain(`Policy: \`${JSON.stringify(LATENCY_POLICY)}\``);
  });

  it('lists each request kind with its latency, and the row of all of them', () => {
    const text = routingSections(result(0.4)).join('\n');
    expect(text).toContain('over the\nshipped catalog (243 models) with the policy below');
    expect(text).toContain('| simple chat | chat, low | gpt-4.1-nano | 0.05 ms | 0.4 ms | 0.08 ms | 0.3 ms |');
    expect(text).toContain('| **all 1 requests** (100 calls) |  |  | 0.05 ms | 0.4 ms | 0.08 ms | 0.3 ms |');
  });

  it('names the strongest model and gives each kind its cost both ways, the saving, and the totals', () => {
    const text = routingSections(result(0.4)).join('\n');
    expect(text).toContain('**big-model**, the strongest model by the router');
    expect(text).toContain('| `auto` cost | big-model cost | Saving |');
    expect(text).toContain(
      '| simple chat | 20 | 120 | 150 | chat, low → economy | openai/small | $0.0012 | $0.0504 | 97.6 % |',
    );
    // A request the classifier read as another task says so; its saving is none.
    expect(text).toContain(
      '| a puzzle | 10 | 160 | 2000 | creative (written as reasoning), low | a/big-model | $0.0030 | $0.0030 | 0 % |',
    );
    expect(text).toContain('| **total** | 30 |  |  |  |  | **$0.0042** | **$0.0534** | **92.1 %** |');
  });

  it('says why when it could not measure, and nothing when it was not asked for', () => {
    expect(routingSections({ error: 'Error: no catalog' })).toEqual([
      '## Routing',
      '',
      'Not measured: Error: no catalog',
      '',
    ]);
    expect(routingSections(undefined)).toEqual([]);
  });

  it('are part of latest.md when the bench ran them', () => {
    const report = {
      generatedAt: '2026-01-01T00:00:00.000Z',
      machine: { cpuModel: 'cpu', cores: 2, memoryGiB: 4, os: 'Linux', node: 'v20' },
      settings: readSettings([]),
      scenario: 'tokens=32,rate=1000',
      results: [],
      comparisons: [],
      targets: [],
    };
    expect(toMarkdown({ ...report, routing: result(0.4) })).toContain(routingSections(result(0.4)).join('\n'));
    expect(toMarkdown(report)).not.toContain('## Routing');
  });
});
