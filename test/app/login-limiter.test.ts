// The sign-in limiter: per account name and per address, a sliding window, a clear message with
// retryAfterSeconds; a success clears the account's failures only. Time is moved, not waited for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/app/errors.js';
import { LoginLimiter } from '../../src/app/login-limiter.js';

function clock(start = 1_000_000) {
  let at = start;
  return { now: () => at, advance: (ms: number) => (at += ms) };
}

function refusal(fn: () => void): AppError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error;
  }
  assert.fail('expected a refusal');
}

test('after N failures for one account it is refused, from any address, with when to try again', () => {
  const time = clock();
  const limiter = new LoginLimiter({ perAccount: 3, perIp: 100, windowMs: 5 * 60_000, now: time.now });
  for (let i = 0; i < 3; i++) {
    limiter.assertAllowed('alice', `10.0.0.${i}`);
    limiter.recordFailure('alice', `10.0.0.${i}`);
    time.advance(20_000);
  }
  const error = refusal(() => limiter.assertAllowed('ALICE', '10.9.9.9'));
  assert.equal(error.category, 'rate-limited');
  // The first failure was 60 s ago: it leaves the 5-minute window in 240 s.
  assert.equal(error.details.retryAfterSeconds, 240);
  assert.equal(error.message, 'too many failed sign-ins for this account; try again in 4 minutes');
  limiter.assertAllowed('bob', '10.9.9.9');
  time.advance(240_000);
  limiter.assertAllowed('alice', '10.9.9.9');
});

test('after N failures from one address it is refused for every name', () => {
  const time = clock();
  const limiter = new LoginLimiter({ perAccount: 100, perIp: 4, windowMs: 60_000, now: time.now });
  for (const name of ['a', 'b', 'c', 'd']) limiter.recordFailure(name, '192.0.2.7');
  const error = refusal(() => limiter.assertAllowed('someone-else', '192.0.2.7'));
  assert.equal(error.category, 'rate-limited');
  assert.equal(error.details.retryAfterSeconds, 60);
  assert.equal(error.message, 'too many failed sign-ins from this address; try again in 1 minute');
  limiter.assertAllowed('someone-else', '192.0.2.8');
  time.advance(30_500);
  assert.equal(refusal(() => limiter.assertAllowed('x', '192.0.2.7')).message, 'too many failed sign-ins from this address; try again in 30 seconds');
});

test("a success clears the account's failures but not the address's", () => {
  const limiter = new LoginLimiter({ perAccount: 2, perIp: 3, now: clock().now });
  limiter.recordFailure('alice', '10.0.0.1');
  limiter.recordSuccess('Alice');
  limiter.recordFailure('alice', '10.0.0.1');
  limiter.assertAllowed('alice', '10.0.0.2'); // one failure since the success: under 2
  limiter.recordFailure('bob', '10.0.0.1');
  assert.match(refusal(() => limiter.assertAllowed('carol', '10.0.0.1')).message, /from this address/);
});
