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
});
