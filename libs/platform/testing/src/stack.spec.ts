import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { cpuProfileArgs } from './stack';

describe('cpuProfileArgs (POLYMUX_CPU_PROFILE_DIR)', () => {
  it('adds nothing without a directory', () => {
    expect(cpuProfileArgs('ingress', undefined)).toEqual([]);
  });

  it('makes a process write its V8 CPU profile, named after it, into the directory when it exits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'polymux-profile-'));
    try {
      execFileSync(process.execPath, [
        ...cpuProfileArgs('probe', dir),
        '-e',
        'let n = 0; for (let i = 0; i < 1e5; i++) n += i;',
      ]);
      expect(existsSync(join(dir, 'probe.cpuprofile'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
