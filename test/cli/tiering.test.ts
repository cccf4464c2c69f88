// The shipped command line makes V8 wait longer before it optimizes a function with TurboFan
// (src/app/tiering.ts): main.js, however started, sets a larger interrupt budget. Seen in what V8 then
// does: a probe (loaded with --import) runs a function N times at exit, after main.js ran, under node's
// --trace-opt, and the test finds the least N for which V8 marks it for TurboFan. Found, not assumed
// (Node 20 marks the probe after about 668 calls by default and about 2,643 under main.js).
//
// Only Node 20's V8 has an interrupt budget; on Node 21 and later main.js leaves V8's tiering alone, and
// those two tests do not apply there (CI runs Node 20). Whichever Node runs it, main.js must not make
// V8 print a word: on Node 22 every command began with "Error: unrecognized flag --interrupt-budget".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hasInterruptBudget } from '../../src/app/tiering.js';
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
  const calls = Number(process.env.PROBE_CALLS);
  let x = 0;
  for (let i = 0; i < calls; i++) x += probeHot(i);
  process.stderr.write('PROBE_RAN ' + (x & 1) + '\\n');
});
`;

/** Calls beyond which a function is taken as never optimized. */
const NEVER = 40_000;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailbind-tiering-'));
  probe = join(dir, 'probe.mjs');
  writeFileSync(probe, PROBE);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Whether V8 marked the probe's function for TurboFan within `calls` calls, running `args` (main.js --version, or a control). */
function marked(args: string[], calls: number): boolean {
  const r = spawnSync(process.execPath, ['--trace-opt', `--import=${probe}`, ...args], {
    env: { PATH: process.env.PATH ?? '', MAILBIND_DATA_DIR: join(dir, 'data'), PROBE_CALLS: String(calls) },
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, `${r.error?.message ?? ''} ${r.stderr.toString()}`);
  assert.match(r.stderr.toString(), /PROBE_RAN/, 'the probe ran');
  return r.stdout.toString().split('\n').some((line) => line.includes('probeHot') && /marking .* for optimization to TURBOFAN/.test(line));
}

/** The least number of calls (within 5%) after which V8 marks the probe for TurboFan; NEVER if not by then. */
function callsBeforeMarked(args: string[]): number {
  let low = 50;
  let high = NEVER;
  assert.equal(marked(args, low), false, 'the probe is not optimized at once');
  if (!marked(args, high)) return NEVER;
  while (high > low * 1.05) {
    const middle = Math.round(Math.sqrt(low * high));
    if (marked(args, middle)) high = middle;
    else low = middle;
  }
  return high;
}

const noBudget = !hasInterruptBudget() && `V8 ${process.versions.v8} has no interrupt budget (Node 21 and later)`;

test('main.js, however started, lets a function run longer before V8 optimizes it, and V8 still optimizes it', { skip: noBudget }, () => {
  const plain = callsBeforeMarked(['-e', 'console.log("0.0.0")']);
  const ours = callsBeforeMarked([CLI, '--version']);
  assert.ok(plain < NEVER, 'control: plain node never marked the probe function');
  assert.ok(ours < NEVER, `under main.js the probe function was never optimized (plain node: after ${plain} calls)`);
  assert.ok(ours >= 1.6 * plain, `under main.js the probe function was marked after ${ours} calls, plain node after ${plain}`);
});

test("an operator's own --interrupt-budget wins over main.js's", { skip: noBudget }, () => {
  const ours = callsBeforeMarked([CLI, '--version']);
  // Node 20's default budget, given to node on its command line.
  const operators = callsBeforeMarked([`--interrupt-budget=${66 * 1024}`, CLI, '--version']);
  assert.ok(operators * 1.6 <= ours, `with --interrupt-budget=67584 given to node the probe was marked after ${operators} calls, under main.js alone after ${ours}`);
});

test('main.js sets no V8 flag that V8 refuses: a command prints nothing on stderr, whichever Node runs it', () => {
  const r = spawnSync(process.execPath, [CLI, '--version'], { env: { PATH: process.env.PATH ?? '', MAILBIND_DATA_DIR: join(dir, 'data') } });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.match(r.stdout.toString(), /^\d+\.\d+\.\d+/);
  assert.equal(r.stderr.toString(), '');
});

test('hasInterruptBudget agrees with the running V8\'s own list of flags', () => {
  const r = spawnSync(process.execPath, ['--v8-options'], { maxBuffer: 16 * 1024 * 1024 });
  assert.equal(r.status, 0);
  // Exactly this flag: V8 lists others that begin the same (--interrupt-budget-for-maglev, …).
  const listed = /^\s+--interrupt-budget \(/m.test(r.stdout.toString());
  assert.equal(hasInterruptBudget(), listed, `V8 ${process.versions.v8} ${listed ? 'lists' : 'does not list'} --interrupt-budget`);
});

test('the interrupt budget is V8 11.3\'s (Node 20); 11.8 (Node 21) and later count invocations instead', () => {
  assert.equal(hasInterruptBudget('11.3.244.8-node.38'), true, 'Node 20');
  assert.equal(hasInterruptBudget('11.8.172.17-node.20'), false, 'Node 21');
  assert.equal(hasInterruptBudget('12.4.254.21-node.57'), false, 'Node 22');
  assert.equal(hasInterruptBudget('13.6.233.10-node.18'), false, 'Node 24');
  assert.equal(hasInterruptBudget('10.2.154.26-node.26'), true, 'Node 18');
});
