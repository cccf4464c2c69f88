// The web UI's build: web/ → dist/web/, hashed assets served with a long cache by src/server/web-ui.ts.
// Preact through esbuild's automatic JSX runtime (no Babel plugin: nothing here needs hot reload in
// production). The module-preload polyfill is off: it is an inline script, which our CSP forbids.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'web',
  base: '/',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  logLevel: 'warn',
});
