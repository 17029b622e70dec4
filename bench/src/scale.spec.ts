import { scaleLabel } from './report-summary';
import { scaleSizes } from './scale';

describe('the scaling check sizes', () => {
  it('starts with the shipped catalog as it is and ten keys, then the asked size', () => {
    expect(scaleSizes({ models: 2_000, keys: 100_000 })).toEqual([{ keys: 10 }, { models: 2_000, keys: 100_000 }]);
  });

  it('names a size by the models the stack loaded, the shipped catalog before it started', () => {
    expect(scaleLabel({ keys: 10 })).toBe('shipped catalog / 10 keys');
    expect(scaleLabel({ models: 243, keys: 10 })).toBe('243 models / 10 keys');
  });
});
