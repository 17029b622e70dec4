import { pressureOf } from './budget-pressure';

describe('budget pressure', () => {
  const policy = { budgetPressure: { atPercent: 80 } };
  const budget = (budgetId: string, spent: string, amount = '1000') => ({
    budgetId,
    scope: 'key' as const,
    amount,
    spent,
  });

  it("applies once the most spent of the call's budgets reaches the threshold", () => {
    expect(pressureOf(policy, [budget('a', '799'), budget('b', '100')])).toBeUndefined();
    expect(pressureOf(policy, [budget('a', '100'), budget('b', '800')])).toEqual({
      budgetId: 'b',
      scope: 'key',
      usedPercent: 80,
      atPercent: 80,
    });
    expect(pressureOf(policy, [budget('a', '1234', '1000')])).toMatchObject({ usedPercent: 123.4 });
  });

  it('never applies without the option or without budgets', () => {
    expect(pressureOf({}, [budget('a', '1000')])).toBeUndefined();
    expect(pressureOf(undefined, [budget('a', '1000')])).toBeUndefined();
    expect(pressureOf(policy, undefined)).toBeUndefined();
    expect(pressureOf(policy, [])).toBeUndefined();
  });

  it('rounds the spent share down, so a threshold is reached only when it is', () => {
    expect(pressureOf(policy, [budget('a', '7999999', '10000000')])).toBeUndefined();
    expect(pressureOf(policy, [budget('a', (2n ** 60n).toString(), (2n ** 60n).toString())])).toMatchObject({
      usedPercent: 100,
    });
  });
});
