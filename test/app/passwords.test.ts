// Password hashing: scrypt in the stored format, verified only by the right password; the policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from '../../src/app/passwords.js';

test('a hash is scrypt$N$r$p$salt$hash and verifies only the password it was made from', async () => {
  const stored = await hashPassword('correct horse battery');
  assert.match(stored, /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.doesNotMatch(stored, /correct horse/);
  assert.equal(await verifyPassword('correct horse battery', stored), true);
  assert.equal(await verifyPassword('correct horse batterY', stored), false);
  assert.equal(await verifyPassword('', stored), false);
});

test('the same password hashes differently each time (a random salt), and both verify', async () => {
  const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword('same password', a), true);
  assert.equal(await verifyPassword('same password', b), true);
});

test('a stored value that is not one of our hashes verifies nothing', async () => {
  for (const stored of ['', 'plain text', 'scrypt$0$8$1$AAAA$AAAA', 'bcrypt$1$2$3$a$b', 'scrypt$16384$8$1$c2FsdA==$']) {
    assert.equal(await verifyPassword('plain text', stored), false, stored);
  }
});

test('a password shorter than 10 characters is refused, in words, on the password field', () => {
  assert.deepEqual(passwordProblem('123456789'), { field: 'password', message: 'Password should have at least 10 characters' });
  assert.equal(passwordProblem('1234567890'), null);
  assert.ok(generatePassword().length >= 20 && passwordProblem(generatePassword()) === null);
});
