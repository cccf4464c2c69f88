// The shipped command line sizes V8's heap (src/app/heap.ts): the bin, linked as npm links it, starts
// node with a young generation of 2 × 4 MiB, and whichever way main.js is started it lets the old
// generation grow by half its live size, not V8's up to 4×. Each is seen in what V8 then does: a probe
// (loaded with --import) churns objects and reports the largest size its space reached, against the same
// probe in a node started without the setting.
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
  let window = [];
  let max = 0;
  for (let i = 0; i < 6000000; i++) {
    window.push({ i, s: 'tmp' + i });
    if (window.length >= 200000) window = [];
    if (i % 20000 === 0) max = Math.max(max, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size);
  }
  process.stderr.write('OLD_SPACE_MAX ' + max + ' ' + live.length + '\\n');
});
`;

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
});
after(() => rmSync(dir, { recursive: true, force: true }));

function measure(command: string, args: string[], nodeOptions: string, label: 'NEW_SPACE_MAX' | 'OLD_SPACE_MAX'): number {
  const r = spawnSync(command, args, { env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: nodeOptions, MAILBIND_DATA_DIR: join(dir, 'data') } });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.match(r.stdout.toString(), /^\d+\.\d+\.\d+\n$/, 'the command itself ran (--version)');
  const found = new RegExp(`${label} (\\d+)`).exec(r.stderr.toString());
  assert.ok(found, `no ${label} in ${r.stderr}`);
  return Number(found[1]) / 1048576;
}

test('the bin starts node with a young generation of 2 × 4 MiB; node without it grows one of 32 MiB', () => {
  const viaBin = measure(bin, ['--version'], `--import=${youngProbe}`, 'NEW_SPACE_MAX');
  const plain = measure(process.execPath, [`--import=${youngProbe}`, CLI, '--version'], '', 'NEW_SPACE_MAX');
  assert.ok(viaBin <= 8, `the bin's young generation reached ${viaBin} MiB`);
  assert.ok(plain > 8, `control: without the bin's options the young generation reached only ${plain} MiB`);
});

test("an operator's own NODE_OPTIONS wins over the bin's", () => {
  const chosen = measure(bin, ['--version'], `--max-semi-space-size=16 --import=${youngProbe}`, 'NEW_SPACE_MAX');
  assert.ok(chosen > 8, `with --max-semi-space-size=16 in NODE_OPTIONS the young generation reached only ${chosen} MiB`);
});

test('main.js, however started, keeps the old generation near its live size; plain node lets it grow far past it', () => {
  const sized = measure(process.execPath, [`--import=${oldProbe}`, CLI, '--version'], '', 'OLD_SPACE_MAX');
  const plain = measure(process.execPath, [`--import=${oldProbe}`, '-e', 'console.log("0.0.0")'], '', 'OLD_SPACE_MAX');
  assert.ok(sized < plain * 0.75, `old space reached ${sized.toFixed(0)} MiB under main.js, ${plain.toFixed(0)} MiB in plain node`);
});
