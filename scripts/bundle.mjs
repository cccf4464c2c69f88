// Bundles the command line (after tsc) into dist/bundle/: one file per lazily loaded part instead of
// hundreds of modules (Kysely alone is 279 files), so a command starts in about twice a bare `node`.
// Native and optional drivers stay outside: better-sqlite3 (a compiled addon) and pg (loaded only for
// PostgreSQL). The tsc output in dist/src stays what the tests import.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names change with their contents: start empty so that old chunks do not pile up.
rmSync('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints: { main: 'dist/src/cli/main.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'pg', 'pg-native'],
  // CommonJS packages inside an ESM bundle still call require() for Node's own modules.
  banner: { js: "import { createRequire as __mailbindRequire } from 'node:module'; const require = __mailbindRequire(import.meta.url);" },
  logLevel: 'warning',
});
