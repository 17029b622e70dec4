// One Jest run, three projects: unit tests beside the code, integration tests against the real
// Postgres/NATS/Redis, and end-to-end tests that drive the running gateway through the official SDK.
const fs = require('node:fs');

const swcrc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const transform = { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] };
const common = { rootDir: __dirname, transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,bench}/**/*.spec.ts', '<rootDir>/test/log-scan/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.integration-spec.ts'],
      globalSetup: '<rootDir>/test/integration-setup.ts',
      globalTeardown: '<rootDir>/test/integration-teardown.ts',
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    // `npm test`'s last step (scripts/test.js), once the suite has written the logs it scans.
    ...(process.env.POLYMUX_LOG_SCAN_DIR
      ? [{ ...common, displayName: 'log-scan', testMatch: ['<rootDir>/test/log-scan/**/*.scan-spec.ts'] }]
      : []),
  ],
};
