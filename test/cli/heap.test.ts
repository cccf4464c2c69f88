// The shipped command line sizes V8's heap (src/app/heap.ts): the bin, linked as npm links it, starts
// node with a young generation of 2 × 4 MiB, and whichever way main.js is started it lets the old
// generation grow by half its live size, not V8's up to 4× (V8 13, Node 24, stays lean by itself). Each is seen in what V8 then does: a probe
// (loaded with --import) churns objects and reports the largest size its space reached, against the same
// probe in a node started without the setting. The bin also caps glibc's malloc arenas: a probe reads
// the environment node was started with, where glibc reads it. And it runs fewer of V8's helper threads:
// a probe counts the process's threads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLI } from '../support/cli.js';

let dir: string;
let bin: string;
let youngProbe: string;
let oldProbe: string;

// Objects that live through a few scavenges: V8 grows the young generation up to its limit for them.
const YOUNG = `
import v8 from 'node:v8';
let window = [];
let max = 0;
for (let i = 0; i < 1500000; i++) {
  window.push({ i, s: 'x' + i });
  if (window.length > 50000) window = window.slice(25000);
  if (i % 10000 === 0) max = Math.max(max, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
}
process.stderr.write('NEW_SPACE_MAX ' + max + '\\n');
`;

// At exit, after main.js ran: a live set, then garbage that dies old. How far old space grows past the
// live set is V8's growing factor at work.
const OLD = `
import v8 from 'node:v8';
process.on('exit', () => {
  const live = [];
  for (let i = 0; i < 400000; i++) live.push({ i, s: 'live' + i, a: [i, i + 1] });
  const liveSize = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_used_size;
  let window = [];
  let max = 0;
  for (let i = 0; i < 6000000; i++) {
    window.push({ i, s: 'tmp' + i });
    if (window.length >= 200000) window = [];
    if (i % 20000 === 0) max = Math.max(max, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size);
  }
  process.stderr.write('OLD_SPACE_MAX ' + max + ' ' + live.length + '\\n');
  process.stderr.write('OLD_SPACE_LIVE ' + liveSize + '\\n');
});
`;

// What glibc reads when the process starts.
const ARENAS = `process.stderr.write('MALLOC_ARENA_MAX ' + (process.env.MALLOC_ARENA_MAX ?? 'unset') + '\\n');`;
let arenaProbe: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-heap-'));
  // As npm installs a bin: a symlink in node_modules/.bin, run through its own first line.
  mkdirSync(join(dir, '.bin'));
  bin = join(dir, '.bin', 'mailbind');
  symlinkSync(CLI, bin);
  youngProbe = join(dir, 'young.mjs');
  writeFileSync(youngProbe, YOUNG);
  oldProbe = join(dir, 'old.mjs');
  writeFileSync(oldProbe, OLD);
  arenaProbe = join(dir, 'arenas.mjs');
  writeFileSync(arenaProbe, ARENAS);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command (its --version) and returns what the probe reported on stderr. */
function run(command: string, args: string[], nodeOptions: string, env: Record<string, string> = {}): string {
  const r = spawnSync(command, args, { env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: nodeOptions, MAILBIND_DATA_DIR: join(dir, 'data'), ...env } });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.match(r.stdout.toString(), /^\d+\.\d+\.\d+\n$/, 'the command itself ran (--version)');
  return r.stderr.toString();
}

/** A figure the probe reported, in MiB. */
function figure(stderr: string, label: 'NEW_SPACE_MAX' | 'OLD_SPACE_MAX' | 'OLD_SPACE_LIVE'): number {
  const found = new RegExp(`${label} (\\d+)`).exec(stderr);
  assert.ok(found, `no ${label} in ${stderr}`);
  return Number(found[1]) / 1048576;
}

function measure(command: string, args: string[], nodeOptions: string, label: 'NEW_SPACE_MAX' | 'OLD_SPACE_MAX'): number {
  return figure(run(command, args, nodeOptions), label);
}

// V8 13 (Node 24) reports a little more than the two semi-spaces (10 MiB for 2 × 4) and grows 64 MiB by
// default; V8 11 and 12 (Node 20, 22) report exactly 8 and grow 32.
test('the bin starts node with a young generation of 2 × 4 MiB; node without it grows one several times that', () => {
  const viaBin = measure(bin, ['--version'], `--import=${youngProbe}`, 'NEW_SPACE_MAX');
  const plain = measure(process.execPath, [`--import=${youngProbe}`, CLI, '--version'], '', 'NEW_SPACE_MAX');
  assert.ok(viaBin < 16, `the bin's young generation reached ${viaBin} MiB`);
  assert.ok(plain >= 2 * viaBin, `control: without the bin's options the young generation reached only ${plain} MiB (${viaBin} with them)`);
});

test("an operator's own NODE_OPTIONS wins over the bin's", () => {
  const chosen = measure(bin, ['--version'], `--max-semi-space-size=16 --import=${youngProbe}`, 'NEW_SPACE_MAX');
  assert.ok(chosen >= 16, `with --max-semi-space-size=16 in NODE_OPTIONS the young generation reached only ${chosen} MiB`);
});

test("the bin starts node with glibc's malloc arenas capped at 2; an operator's own MALLOC_ARENA_MAX wins; plain node has no cap", () => {
  const arenas = (stderr: string) => /MALLOC_ARENA_MAX (\S+)/.exec(stderr)?.[1];
  assert.equal(arenas(run(bin, ['--version'], `--import=${arenaProbe}`)), '2');
  assert.equal(arenas(run(bin, ['--version'], `--import=${arenaProbe}`, { MALLOC_ARENA_MAX: '8' })), '8');
  assert.equal(arenas(run(process.execPath, [`--import=${arenaProbe}`, CLI, '--version'], '')), 'unset', 'control: the probe reads what node was started with');
});

// The probe's live set is about 50 MiB. Under main.js old space stays within 3× of it (118–132 MiB on
// Node 20, 22 and 24). Plain node on V8 before 13 lets it grow past 4× (259–291 MiB): the control that the
// probe sees the setting. V8 13 (Node 24) keeps near its live size by itself (133–150 MiB) and no longer
// reads --heap-growing-percent, so there the bound alone is checked.
test('main.js, however started, keeps the old generation near its live size; plain node before V8 13 lets it grow far past it', () => {
  const probed = run(process.execPath, [`--import=${oldProbe}`, CLI, '--version'], '');
  const [sized, live] = [figure(probed, 'OLD_SPACE_MAX'), figure(probed, 'OLD_SPACE_LIVE')];
  assert.ok(live > 20, `the probe's live set is ${live} MiB`);
  assert.ok(sized <= 3 * live, `old space reached ${sized.toFixed(0)} MiB under main.js for ${live.toFixed(0)} MiB live`);
  const plain = measure(process.execPath, [`--import=${oldProbe}`, '-e', 'console.log("0.0.0")'], '', 'OLD_SPACE_MAX');
  if (v8Major() < 13) assert.ok(plain > 4 * live, `control: plain node's old space reached only ${plain.toFixed(0)} MiB for ${live.toFixed(0)} MiB live`);
});

function v8Major(): number {
  return Number(process.versions.v8.split('.')[0]);
}

// node's own threads when the probe loads: V8's helpers are as many as --v8-pool-size says (node starts
// 4), the rest (libuv's pool, node's platform) the same in every run.
const THREADS = `import { readdirSync } from 'node:fs'; process.stderr.write('THREADS ' + readdirSync('/proc/self/task').length + '\\n');`;

test("the bin starts node with 2 of V8's helper threads, 2 fewer than plain node; an operator's --v8-pool-size wins", { skip: process.platform !== 'linux' && 'reads /proc/self/task' }, () => {
  const probe = join(dir, 'threads.mjs');
  writeFileSync(probe, THREADS);
  const threads = (stderr: string) => Number(/THREADS (\d+)/.exec(stderr)?.[1]);
  const viaBin = threads(run(bin, ['--version'], `--import=${probe}`));
  const plain = threads(run(process.execPath, [`--import=${probe}`, CLI, '--version'], ''));
  const chosen = threads(run(bin, ['--version'], `--v8-pool-size=4 --import=${probe}`));
  assert.ok(viaBin > 0, `the probe counted ${viaBin} threads under the bin`);
  // The bin runs the node on PATH; plain node is this one (the same in CI). The first check is on one node.
  assert.equal(chosen - viaBin, 2, `the bin's node runs ${viaBin} threads, ${chosen} with --v8-pool-size=4 in NODE_OPTIONS`);
  assert.equal(plain, chosen, `plain node runs ${plain} threads, as many as with --v8-pool-size=4 (node's own)`);
});
