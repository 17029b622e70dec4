// Brings every service's schema up to date (after `npm run build`), against DATABASE_URL.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

for (const service of ['control', 'billing', 'audit']) {
  execFileSync(process.execPath, [join(__dirname, '..', 'dist', 'apps', service, 'src', 'main.js'), '--migrate-only'], {
    stdio: 'inherit',
    env: { ...process.env, POLYMUX_MODE: process.env.POLYMUX_MODE ?? 'distributed', OTEL_SDK_DISABLED: 'true' },
  });
}
