// The shipped command line makes V8 wait longer before it optimizes a function with TurboFan
// (src/app/tiering.ts): main.js, however started, sets an interrupt budget four times Node 20's. Seen in
// what V8 then does: a probe (loaded with --import) runs a function 1,900 times at exit, after main.js
// ran, under node's --trace-opt. That is about three times what Node 20's budget (66 KB) needs before V8
// marks the function for TurboFan and 1.4 times what a 132 KB budget (Node 22 and 24's) needs, and about
// 0.7 times what ours needs (measured on Node 20: 668, 1,325 and 2,643 calls).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLI } from '../support/cli.js';

let dir: string;
let probe: string;

// Too big for V8's early optimization of small functions: it is marked only once it has run enough.
const PROBE = `
function probeHot(a) {
  let s = 0;
  const o = { a, b: a + 1, c: String(a) };
  for (let i = 0; i < 4; i++) { s += (a * i) ^ (s >>> 1); if (s % 7 === 3) s += o.b; else s -= o.c.length; }
  const t = [a, s, o.b].map((v) => v + 1);
  if (t[0] > 100000) s += t[1]; else s -= t[2];
  return s + o.c.length + (o.a > 5 ? 1 : 2);
}
process.on('exit', () => {
  let x = 0;
  for (let i = 0; i < 1900; i++) x += probeHot(i);
  process.stderr.write('PROBE_RAN ' + (x & 1) + '\\n');
});
`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-tiering-'));
  probe = join(dir, 'probe.mjs');
  writeFileSync(probe, PROBE);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Whether V8 marked the probe's function for TurboFan, running `args` (main.js --version, or a control). */
function markedForTurbofan(args: string[]): boolean {
  const r = spawnSync(process.execPath, ['--trace-opt', `--import=${probe}`, ...args], {
    env: { PATH: process.env.PATH ?? '', MAILBIND_DATA_DIR: join(dir, 'data') },
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.match(r.stderr.toString(), /PROBE_RAN/, 'the probe ran');
  return r.stdout.toString().split('\n').some((line) => line.includes('probeHot') && /marking .* for optimization to TURBOFAN/.test(line));
}

test('main.js, however started, lets a function run longer before V8 optimizes it; plain node optimizes it sooner', () => {
  assert.equal(markedForTurbofan([CLI, '--version']), false, `under main.js the probe's function was marked for TurboFan within 1,900 calls`);
  assert.equal(markedForTurbofan(['-e', 'console.log("0.0.0")']), true, 'control: plain node did not mark the probe function for TurboFan within 1,900 calls');
});

test("an operator's own --interrupt-budget wins over main.js's", () => {
  assert.equal(markedForTurbofan([`--interrupt-budget=${66 * 1024}`, CLI, '--version']), true, 'with --interrupt-budget=67584 given to node the probe function was not marked');
});
