import type { loadConfig } from '@polymux/config';
import { startService } from '@polymux/runtime';

import { ExecutorModule } from '../executor.module';

/** Runs the executor exactly as its `main.ts` does, with configuration overrides for a test. */
export const startExecutor = async (overrides: Parameters<typeof loadConfig>[1]) => {
  const service = await startService({ name: 'executor', modules: [ExecutorModule] }, overrides);
  return { config: service.config, close: service.close };
};
