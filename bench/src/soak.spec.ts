import type { MemorySample } from './memory';
import { soakSeries } from './soak';

const samples = (values: number[]): MemorySample[] =>
  values.map((value, index) => ({ atS: index * 5, rssMb: { ingress: value } }));

describe('soakSeries', () => {
  it('takes the first, middle and last sample and calls the series flat within 10 % of the middle', () => {
    const series = soakSeries('ingress', samples([100, 120, 130, 131, 140]), (sample) => sample.rssMb.ingress);
    expect(series).toEqual({ label: 'ingress', startMb: 100, middleMb: 130, endMb: 140, growthMb: 40, flat: true });
  });

  it('calls a series growing past the tolerance after the middle not flat', () => {
    const series = soakSeries('ingress', samples([100, 110, 120, 150, 180]), (sample) => sample.rssMb.ingress);
    expect(series.middleMb).toBe(120);
    expect(series.flat).toBe(false);
  });
});

describe('soakSeries on shrinking memory', () => {
  it('calls memory handed back flat', () => {
    const series = soakSeries('nats-server', samples([55, 56, 55, 40, 37]), (sample) => sample.rssMb.ingress);
    expect(series.growthMb).toBe(-18);
    expect(series.flat).toBe(true);
  });
});

describe('soakSeries on shrinking memory', () => {
  it('calls memory handed back flat', () => {
    const series = soakSeries('nats-server', samples([55, 56, 55, 40, 37]), (sample) => sample.rssMb.ingress);
    expect(series.growthMb).toBe(-18);
    expect(series.flat).toBe(true);
  });
});
