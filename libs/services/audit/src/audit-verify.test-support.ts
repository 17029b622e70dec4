import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root, where `npm run build` runs. */
const ROOT = join(__dirname, '..', '..', '..', '..');

export interface VerifyRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * What `npm run audit:verify` runs, built from the current sources into a directory of the test's
 * own (so a test never rewrites `dist` while other suites start processes from it).
 */
export const buildVerifyCommand = (): { run: (env: NodeJS.ProcessEnv) => Promise<VerifyRun>; remove: () => void } => {
  const out = join(ROOT, 'tmp', `audit-verify-${randomUUID().slice(0, 8)}`);
  const swc = require.resolve('@swc/cli/bin/swc.js');
  execFileSync(process.execPath, [swc, 'apps/audit', 'libs', '-d', out, '--copy-files', '--quiet'], { cwd: ROOT });
  const main = join(out, 'apps', 'audit', 'src', 'main.js');
  return {
    run: (env) =>
      new Promise((resolve) => {
        execFile(
          process.execPath,
          [main, '--verify'],
          { cwd: ROOT, env: { ...process.env, OTEL_SDK_DISABLED: 'true', ...env }, timeout: 60_000 },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number((error as { code?: number }).code ?? -1) : 0, stdout, stderr }),
        );
      }),
    remove: () => rmSync(out, { recursive: true, force: true }),
  };
};
