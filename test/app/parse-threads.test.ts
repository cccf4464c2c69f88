// MAILBIND_PARSE_THREADS (issue 14): parse threads beside the processing thread, one per spare core up
// to four by default; a setting that is not a number of threads is refused with its name and range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/app/errors.js';
import { defaultParseThreads, parseThreadsOf } from '../../src/app/parse-threads.js';

test('by default one parse thread per core beyond the processing thread, at most four, none on one core', () => {
  assert.deepEqual([1, 2, 3, 4, 8, 64].map(defaultParseThreads), [0, 1, 2, 3, 4, 4]);
  assert.equal(parseThreadsOf({}, 2), 1);
  assert.equal(parseThreadsOf({ MAILBIND_PARSE_THREADS: '' }, 6), 4);
});

test('MAILBIND_PARSE_THREADS sets the number; 0 parses on the processing thread', () => {
  assert.equal(parseThreadsOf({ MAILBIND_PARSE_THREADS: '0' }, 8), 0);
  assert.equal(parseThreadsOf({ MAILBIND_PARSE_THREADS: ' 3 ' }, 1), 3);
  assert.equal(parseThreadsOf({ MAILBIND_PARSE_THREADS: '16' }, 2), 16);
});

test('a setting that is not a number of threads from 0 to 16 is refused, naming it', () => {
  for (const bad of ['abc', '-1', '17', '1.5', '2 threads']) {
    assert.throws(() => parseThreadsOf({ MAILBIND_PARSE_THREADS: bad }, 2), (error: unknown) => {
      assert.ok(error instanceof AppError && error.category === 'user', String(error));
      assert.equal(error.message, `MAILBIND_PARSE_THREADS must be a whole number of parse threads from 0 (parse on the processing thread) to 16, got '${bad}'`);
      return true;
    });
  }
});
