// The service's log: JSON lines where a program reads them, readable lines where a person watches a
// terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/app/logger.js';

function capture(isTTY: boolean): { stream: Writable & { isTTY?: boolean }; text(): string } {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => chunks.join('') };
}

test('not a terminal: one JSON object a line', async () => {
  const out = capture(false);
  const logger = await createLogger('mailbind', { stream: out.stream });
  logger.info({ profile: 'support', item: 7 }, 'processed');
  const line = JSON.parse(out.text().trim());
  assert.deepEqual([line.name, line.msg, line.profile, line.item, line.level], ['mailbind', 'processed', 'support', 7, 30]);
});

test('a terminal: pretty lines (level, message, fields), not JSON', async () => {
  const out = capture(true);
  const logger = await createLogger('mailbind', { stream: out.stream, level: 'debug' });
  logger.info({ profile: 'support', item: 7 }, 'processed');
  logger.debug('details');
  const text = out.text();
  assert.throws(() => JSON.parse(text.split('\n')[0]!), 'not JSON');
  assert.match(text, /INFO \(mailbind\/\d+\): processed/);
  assert.match(text, /profile: "support"/);
  assert.match(text, /DEBUG.*details/, 'the level is applied');
});
