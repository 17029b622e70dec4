import './instrument';

import { ControlModule, controlMigrations } from '@polymux/control';
import { migrateOnly, runService } from '@polymux/runtime';

if (process.argv.includes('--migrate-only')) migrateOnly('control', 'control', controlMigrations);
else runService({ name: 'control', modules: [ControlModule], httpPort: (config) => config.http.controlPort });
