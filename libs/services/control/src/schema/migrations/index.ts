import type { MigrationSet } from '@polymux/database';

import * as init from './1763712000000-Init';

export const controlMigrations: MigrationSet = {
  '1763712000000-Init': init,
};
