import { routeOf } from './route';
import { call, plan } from './testing/call-fixtures';

describe('x-polymux-route', () => {
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
