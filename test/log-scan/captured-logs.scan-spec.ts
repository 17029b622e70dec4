import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { detectors, logFilesUnder, scanDir } from './secret-scanner';
import { TEST_SECRETS } from './test-secrets';

/**
 * The last step of `npm test` (`scripts/test.js`): the output of the whole suite and the logs of
 * every process its stacks started, captured in `POLYMUX_LOG_SCAN_DIR`, hold no key and no secret.
 */
const dir = process.env.POLYMUX_LOG_SCAN_DIR!;

describe('the logs of the whole test suite', () => {
  it('were captured: the suite output and every stack process log', () => {
    expect(existsSync(join(dir, 'jest.log'))).toBe(true);
    expect(statSync(join(dir, 'jest.log')).size).toBeGreaterThan(0);
    console.log(`scanned ${logFilesUnder(dir).length} log files in ${dir}`);
  });

  it('hold no key, token, webhook secret or credential', () => {
    expect(scanDir(dir, detectors(TEST_SECRETS))).toEqual([]);
  });
});
