// Bundles the command line (after tsc) into dist/bundle/: one file per lazily loaded part instead of
// hundreds of modules (Kysely alone is 279 files), so a command starts in about twice a bare `node`.
// Native and optional drivers stay outside: better-sqlite3 (a compiled addon) and pg (loaded only for
// PostgreSQL). The tsc output in dist/src stays what the tests import.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { BIN_NODE_OPTIONS, MALLOC_ARENA_MAX } from '../dist/src/app/heap.js';

// Chunk names change with their contents: start empty so that old chunks do not pile up.
rmSync('dist/bundle', { recursive: true, force: true });
await build({
  // The parse threads' script is loaded by URL beside the chunk that starts them (engine/parsing/parse-pool.ts).
  entryPoints: { main: 'dist/src/cli/main.js', 'parse-worker': 'dist/src/engine/parsing/parse-worker.js' },
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

// The bin starts node with the options of src/app/heap.ts (the heap, V8's helper threads), which node
// and V8 take only at start-up, and glibc's arena cap (MALLOC_ARENA_MAX, read when the process starts;
// an operator's own value wins). Its first two lines are read by sh and by JavaScript alike: sh runs the
// second line, which puts the options in front of NODE_OPTIONS (an operator's own NODE_OPTIONS comes
// after them and wins) and replaces itself with node on this same file, so there is one process, as
// before; to JavaScript the line is a string and a comment. `node dist/bundle/main.js` skips it: the
// tests run it so, and `npm start` runs the bin.
const MAIN = 'dist/bundle/main.js';
const HASHBANG = '#!/usr/bin/env node\n';
const main = readFileSync(MAIN, 'utf8');
if (!main.startsWith(HASHBANG)) throw new Error(`${MAIN} no longer starts with ${JSON.stringify(HASHBANG)}; adapt scripts/bundle.mjs`);
writeFileSync(MAIN, `#!/bin/sh\n':' //; MALLOC_ARENA_MAX="\${MALLOC_ARENA_MAX:-${MALLOC_ARENA_MAX}}" NODE_OPTIONS="${BIN_NODE_OPTIONS} $NODE_OPTIONS" exec node "$0" "$@"\n${main.slice(HASHBANG.length)}`);
