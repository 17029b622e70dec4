import type { CpuUsage } from './cpu';
import { NO_SUCCESSFUL_REQUESTS, cpuOf, metered, perRequest } from './phases';

const usage: CpuUsage = {
  byGroup: { gateway: 120, simulator: 40, backing: 20, loadGenerator: 60, other: 0 },
  byLabel: { ingress: 80, router: 40 },
};

describe('CPU per request', () => {
  it('divides the CPU of a phase by its successful requests', () => {
    expect(perRequest(usage, 40)).toEqual({
      cpuMsPerRequest: {
        gateway: 3,
        simulator: 1,
        backing: 0.5,
        loadGenerator: 1.5,
        other: 0,
        byProcess: { ingress: 2, router: 1 },
      },
    });
  });

  it('says there were no successful requests instead of a NaN, in the JSON report too', () => {
    const none = perRequest(usage, 0);
    expect(none).toEqual({ cpuUnmeasured: NO_SUCCESSFUL_REQUESTS });
    expect(JSON.parse(JSON.stringify(cpuOf(none)))).toEqual({ cpuUnmeasured: 'no successful requests' });
  });

  it('meters a phase by the successes its result counts, and leaves CPU out without a meter', async () => {
    const meter = { probes: () => [], memoryGroups: [] };
    const failed = await metered(
      meter,
      () => Promise.resolve({ ok: 0, errors: 5 }),
      (result) => result.ok,
    );
    expect(failed).toEqual({ result: { ok: 0, errors: 5 }, cpuUnmeasured: NO_SUCCESSFUL_REQUESTS });
    const succeeded = await metered(
      meter,
      () => Promise.resolve({ ok: 2, errors: 0 }),
      (result) => result.ok,
    );
    expect(succeeded.cpuMsPerRequest?.gateway).toBe(0);
    expect(succeeded.cpuUnmeasured).toBeUndefined();
    expect(
      await metered(
        undefined,
        () => Promise.resolve(1),
        () => 1,
      ),
    ).toEqual({ result: 1 });
  });
});
