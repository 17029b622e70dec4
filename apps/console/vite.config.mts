import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The console's static build: `dist/console`, served by control at `/console/` (hashed files under assets/). */
export default defineConfig({
  root,
  base: '/console/',
  // Vite's and Vitest's caches under the workspace's tmp/, not a node_modules of the app.
  cacheDir: fileURLToPath(new URL('../../tmp/vite-console', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    // Files control serves as they are: no inlined scripts or styles (its CSP allows 'self' only).
    assetsInlineLimit: 0,
  },
  logLevel: 'warn',
});
