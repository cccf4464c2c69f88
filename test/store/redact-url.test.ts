// Database URLs shown in logs and errors never carry the password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactUrl } from '../../src/store/database.js';

test('the password is hidden however it is written', () => {
  const cases: Array<[string, string]> = [
    ['postgres://mailbind:s3cret@db.example:5432/mail', 'postgres://mailbind:***@db.example:5432/mail'],
    ['postgres://u:p@ss@db/mail', 'postgres://u:***@db/mail'],
    ['postgres://:secret@db/mail', 'postgres://:***@db/mail'],
    ['postgres://u:a%3Ab@db/mail', 'postgres://u:***@db/mail'],
    ['postgres://nobody@127.0.0.1:1/none', 'postgres://nobody@127.0.0.1:1/none'],
  ];
  for (const [url, shown] of cases) {
    assert.equal(redactUrl(url), shown, url);
    assert.doesNotMatch(redactUrl(url), /s3cret|p@ss|secret|a%3Ab/);
  }
});
