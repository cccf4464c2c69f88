// Whether our receiving server says the From domain failed authentication: read only to refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromAuthenticationFailure } from '../../src/mail/authentication-results.js';

const from = (address: string) => ({ address, name: '' });
const message = (address: string, ...results: string[]) => ({ from: from(address), headers: results.map((value) => ({ name: 'authentication-results', value })) });

test('dmarc=fail for the From domain is a failure, named with the server that said it', () => {
  assert.equal(
    fromAuthenticationFailure(message('boss@us.example', 'mx.us.example; spf=pass smtp.mailfrom=evil.example; dkim=none; dmarc=fail (p=REJECT sp=REJECT; dis=NONE) header.from=us.example')),
    'the Authentication-Results of mx.us.example says dmarc=fail for us.example',
  );
});

test('spf=fail together with dkim=fail for the From domain is a failure; either alone is not', () => {
  assert.match(fromAuthenticationFailure(message('a@us.example', 'mx; spf=fail smtp.mailfrom=a@us.example; dkim=fail header.d=us.example'))!, /spf=fail and dkim=fail for us\.example/);
  assert.equal(fromAuthenticationFailure(message('a@us.example', 'mx; spf=fail smtp.mailfrom=a@us.example; dkim=pass header.d=us.example')), null);
  assert.equal(fromAuthenticationFailure(message('a@us.example', 'mx; spf=pass smtp.mailfrom=a@us.example; dkim=fail header.d=us.example')), null);
  assert.equal(
    fromAuthenticationFailure(message('a@us.example', 'mx; spf=fail smtp.mailfrom=a@us.example; dkim=fail header.d=us.example; dkim=pass header.d=us.example')),
    null,
    'one good signature is enough',
  );
});

test('results about another domain, a pass, or no header at all say nothing', () => {
  assert.equal(fromAuthenticationFailure(message('a@us.example', 'mx; dmarc=fail header.from=list.example')), null);
  assert.equal(fromAuthenticationFailure(message('a@us.example', 'mx; dmarc=pass header.from=us.example')), null);
  assert.equal(fromAuthenticationFailure(message('a@us.example')), null);
  assert.equal(fromAuthenticationFailure({ from: null, headers: [] }), null);
});

test('only the topmost header counts: the one our receiving server put there', () => {
  const forgedBelow = message('a@us.example', 'mx.us.example; dmarc=pass header.from=us.example', 'evil; dmarc=fail header.from=us.example');
  assert.equal(fromAuthenticationFailure(forgedBelow), null);
});

test('a hostile header is read in bounded time', () => {
  const hostile = 'mx; ' + '('.repeat(100_000) + 'dmarc=fail ' + 'a=b '.repeat(100_000);
  const started = performance.now();
  fromAuthenticationFailure(message('a@us.example', hostile));
  assert.ok(performance.now() - started < 200);
});
