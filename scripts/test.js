// `npm test` (after `npm run build`): the whole Jest suite with its output captured, then the scan of
// that output and of every log the suite's stacks wrote for keys and secrets (the `log-scan` project),
// then the console's component tests (Vitest). Fails when any fails. Arguments go to the suite's Jest run (`npm test -- --selectProjects unit`).
const { spawn } = require('node:child_process');
const { createWriteStream, mkdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const jest = require.resolve('jest/bin/jest');
// startStack writes each process's log under POLYMUX_TEST_LOG_DIR; the run's own output goes beside them.
const logDir = join(root, 'tmp', 'test-logs');
rmSync(logDir, { recursive: true, force: true });
mkdirSync(logDir, { recursive: true });

const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');

const run = (args, env, capture, bin = jest) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['inherit', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
    });
    if (capture) {
      const log = createWriteStream(capture);
      child.stdout.on('data', (chunk) => (process.stdout.write(chunk), log.write(chunk)));
      child.stderr.on('data', (chunk) => (process.stderr.write(chunk), log.write(chunk)));
      child.on('close', (code, signal) => log.end(() => resolve(code ?? (signal ? 1 : 0))));
    } else child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

(async () => {
  const suite = await run(
    ['--runInBand=false', '--maxWorkers=2', ...process.argv.slice(2)],
    { POLYMUX_TEST_LOG_DIR: logDir },
    join(logDir, 'jest.log'),
  );
  const scan = await run(['--selectProjects', 'log-scan'], { POLYMUX_LOG_SCAN_DIR: logDir });
  const components = await run(['run', '--config', 'apps/console/vitest.config.mts'], {}, undefined, vitest);
  process.exit(suite || scan || components);
})();
