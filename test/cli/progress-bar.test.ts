// The import progress bar (cli/output.ts) and a line said while it is drawn: the line gets a line of its
// own, the bar's partial line cleared first, and the bar is drawn again below it. Each case runs in a
// node of its own, and its stderr is read whole.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { sayWhenWaiting } from '../../src/cli/output.js';

const OUTPUT = new URL('../../src/cli/output.js', import.meta.url).href;

/** What `body` (with ProgressBar in scope) writes to stderr. */
function stderrOf(body: string): string {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { ProgressBar } from '${OUTPUT}';\n${body}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stderr;
}

test('a line said while the bar is drawn clears the bar, has a line of its own, and the bar comes back below it', () => {
  const out = stderrOf(`const bar = new ProgressBar(3);
    bar.tick();
    bar.say('mailbind import: message 7 is waiting for message 6, …');
    bar.tick();
    bar.tick();`);
  const bar1 = `\r[${'#'.repeat(10)}${'.'.repeat(20)}] 1/3`;
  assert.equal(out, `${bar1}\r\x1b[Kmailbind import: message 7 is waiting for message 6, …\n${bar1}`
    + `\r[${'#'.repeat(20)}${'.'.repeat(10)}] 2/3\r[${'#'.repeat(30)}] 3/3\n`);
});

test('before the bar is drawn, and after it is done, a line said is just a line', () => {
  assert.equal(stderrOf(`new ProgressBar(2).say('first');`), 'first\n');
  const out = stderrOf(`const bar = new ProgressBar(1);
    bar.tick();
    bar.say('after');`);
  assert.equal(out, `\r[${'#'.repeat(30)}] 1/1\nafter\n`);
});

test('the wait notice names the command, the message, why, and how long at most', () => {
  const said: string[] = [];
  sayWhenWaiting('import', (line) => said.push(line)).onWait!({ itemId: 57, reason: 'waiting for message 41, the one it replies to, which is being processed right now', upToMs: 29_500 });
  assert.deepEqual(said, ['mailbind import: message 57 is waiting for message 41, the one it replies to, which is being processed right now; waiting for it, 30 s at most']);
});
