import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

/** Component tests (`*.test.tsx`, jsdom): `npm run test:console`, and part of `npm test`. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Vite's and Vitest's caches under the workspace's tmp/, not a node_modules of the app.
  cacheDir: fileURLToPath(new URL('../../tmp/vite-console', import.meta.url)),
  plugins: [react()],
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
});
