import { routeOf } from './route';
import { call, deployment, plan } from './testing/call-fixtures';

describe('routeOf', () => {
  const a = deployment('a');

  it('says first choice when nothing moved the call along', () => {
    expect(routeOf(call({ plan: { ...plan([a]), strategy: 'cheapest-capable' } }))).toBe(
      'cheapest-capable; first choice',
    );
  });

  it("names the second opinion's task before the attempts when the plan followed it", () => {
    const planned = {
      ...plan([a]),
      task: 'creative' as const,
      strategy: 'cheapest-capable',
      secondOpinion: { model: 'nano', outcome: 'used' as const, classifierTask: 'chat' as const },
    };
    expect(routeOf(call({ plan: planned }))).toBe('cheapest-capable; second opinion nano: creative, first choice');
    expect(routeOf(call({ plan: planned, route: ['fallback after 500 on a'] }))).toBe(
      'cheapest-capable; second opinion nano: creative, fallback after 500 on a',
    );
  });

  it("says why the classifier's task stood when the second opinion gave none", () => {
    const planned = {
      ...plan([a]),
      secondOpinion: { model: 'nano', outcome: 'failed' as const, classifierTask: 'chat' as const },
    };
    expect(routeOf(call({ plan: planned }))).toBe('ordered; second opinion nano failed, first choice');
  });

  it('names the strategy and what moved the call, or first choice', () => {
    expect(routeOf(call({ plan: { ...plan(), strategy: 'cheapest-capable' } }))).toBe('cheapest-capable; first choice');
    expect(
      routeOf(
        call({
          plan: { ...plan(), strategy: 'ordered', skipped: [{ deploymentId: 'a/m', reason: 'open' }] },
          route: ['fallback after 500 on b/m'],
        }),
      ),
    ).toBe('ordered; skipped a/m (breaker open), fallback after 500 on b/m');
  });

  it('says when budget pressure ordered the candidates, and which budget how far spent', () => {
    const pressed = {
      ...plan(),
      strategy: 'cheapest-capable',
      budgetPressure: { budgetId: 'b-1', scope: 'project', usedPercent: 82.5, atPercent: 80 },
    };
    expect(routeOf(call({ plan: pressed }))).toBe(
      'cheapest-capable (budget pressure: project budget 82.5% spent); first choice',
    );
  });
});
