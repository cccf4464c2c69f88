// The rate limit's decision and its words, without a database (engine/sender-rate.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ordinal, rateLimitReason } from '../../src/engine/sender-rate.js';

test('ordinals as the reason writes them', () => {
  const cases: [number, string][] = [[1, '1st'], [2, '2nd'], [3, '3rd'], [4, '4th'], [11, '11th'], [12, '12th'], [13, '13th'], [21, '21st'], [22, '22nd'], [101, '101st'], [111, '111th'], [112, '112th']];
  for (const [n, text] of cases) assert.equal(ordinal(n), text);
});

test('held once the messages that got through reach the limit; held ones count in the number only', () => {
  assert.equal(rateLimitReason('x@y', { reached: 19, held: 0 }, 20), null);
  assert.equal(rateLimitReason('x@y', { reached: 20, held: 0 }, 20), 'rate limited: 21st message from x@y in an hour (limit 20 per hour for this profile)');
  assert.equal(rateLimitReason('x@y', { reached: 20, held: 5 }, 20), 'rate limited: 26th message from x@y in an hour (limit 20 per hour for this profile)');
});

test('no limit: 0, no sender, or no history looked up (a dry run)', () => {
  assert.equal(rateLimitReason('x@y', { reached: 500, held: 0 }, 0), null);
  assert.equal(rateLimitReason(null, { reached: 500, held: 0 }, 20), null);
  assert.equal(rateLimitReason('x@y', undefined, 20), null);
});
