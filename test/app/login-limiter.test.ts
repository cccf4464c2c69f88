// The sign-in limiter: per account and address, per account overall, per address; a sliding window; a
// clear message with retryAfterSeconds; an attempt counts from the moment it begins, so parallel
// guesses cannot slip through while a password is being checked. Time is moved, not waited for.
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

test('after N failures for one account from one address it is refused there, with when to try again', () => {
  const time = clock();
  const limiter = new LoginLimiter({ perAccount: 3, perIp: 100, windowMs: 5 * 60_000, now: time.now });
  for (let i = 0; i < 3; i++) {
    limiter.begin('alice', '10.0.0.1');
    time.advance(20_000);
  }
  const error = refusal(() => limiter.begin('ALICE', '10.0.0.1'));
  assert.equal(error.category, 'rate-limited');
  // The first failure was 60 s ago: it leaves the 5-minute window in 240 s.
  assert.equal(error.details.retryAfterSeconds, 240);
  assert.equal(error.message, 'too many failed sign-ins for this account; try again in 4 minutes');
  // The account's owner at another address is not locked out by a stranger's guesses.
  limiter.begin('alice', '10.9.9.9');
  time.advance(240_000);
  limiter.begin('alice', '10.0.0.1');
});

test('guesses at one account spread over many addresses hit the account-wide limit', () => {
  const limiter = new LoginLimiter({ perAccount: 5, perAccountTotal: 4, perIp: 100, now: clock().now });
  for (let i = 0; i < 4; i++) limiter.begin('admin', `203.0.113.${i}`);
  assert.match(refusal(() => limiter.begin('admin', '198.51.100.1')).message, /for this account/);
});

test('after N failures from one address it is refused for every name', () => {
  const time = clock();
  const limiter = new LoginLimiter({ perAccount: 100, perIp: 4, windowMs: 60_000, now: time.now });
  for (const name of ['a', 'b', 'c', 'd']) limiter.begin(name, '192.0.2.7');
  const error = refusal(() => limiter.begin('someone-else', '192.0.2.7'));
  assert.equal(error.category, 'rate-limited');
  assert.equal(error.details.retryAfterSeconds, 60);
  assert.equal(error.message, 'too many failed sign-ins from this address; try again in 1 minute');
  limiter.begin('someone-else', '192.0.2.8');
  time.advance(30_500);
  assert.equal(refusal(() => limiter.begin('x', '192.0.2.7')).message, 'too many failed sign-ins from this address; try again in 30 seconds');
});

test('attempts in flight count: the N+1th parallel attempt is refused before any password is checked', () => {
  const limiter = new LoginLimiter({ perAccount: 5, now: clock().now });
  const started = Array.from({ length: 5 }, () => limiter.begin('alice', '10.0.0.1'));
  assert.equal(started.length, 5);
  assert.match(refusal(() => limiter.begin('alice', '10.0.0.1')).message, /too many/);
});

test("a success clears that account's failures from that address, but not the address's other failures", () => {
  const limiter = new LoginLimiter({ perAccount: 2, perIp: 3, now: clock().now });
  limiter.begin('alice', '10.0.0.1');
  limiter.succeeded(limiter.begin('Alice', '10.0.0.1'));
  limiter.begin('alice', '10.0.0.1'); // one failure since the success: under 2
  limiter.begin('bob', '10.0.0.1');
  assert.match(refusal(() => limiter.begin('carol', '10.0.0.1')).message, /from this address/);
});
