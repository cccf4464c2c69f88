// Layer 4: [#N] or [CODE-N] in the subject, only when the profile turns subject tokens on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSubjectToken, subjectTokenBinder } from '../../../src/engine/binders/subject-token.js';
import { binderInput } from './binder-input.js';
import { fakeSnapshot, item } from './fake-snapshot.js';

const snapshot = fakeSnapshot({
  items: [item(12, { projectId: 2 }), item(13, { projectId: 1 })],
  projects: [
    { id: 1, name: 'General', live: true, companyId: null, code: null },
    { id: 2, name: 'Acme', live: true, companyId: null, code: 'ACME' },
  ],
});

test('subject tokens are off by default: a [#N] is refused with the setting named', async () => {
  const input = await binderInput({ subject: 'Re: [#12] printer' }, snapshot);
  assert.deepEqual(subjectTokenBinder.bind(input), { refused: "[#12] in the subject was not read: the profile's subject tokens are off" });
});

test('[#N] binds when turned on', async () => {
  const input = await binderInput({ subject: 'Re: [#12] printer' }, snapshot, { subjectTokens: true });
  assert.deepEqual(subjectTokenBinder.bind(input), { itemId: 12, layer: 'subject-token', evidence: '[#12] in the subject names request 12' });
});

test('[CODE-N] binds by project code, without regard to case', async () => {
  const input = await binderInput({ subject: 'Re: [acme-12] printer' }, snapshot, { subjectTokens: true });
  assert.equal((subjectTokenBinder.bind(input) as any).itemId, 12);
});

test('[CODE-N] naming an item of another project, or an unknown code, is refused', async () => {
  const other = await binderInput({ subject: '[ACME-13] x' }, snapshot, { subjectTokens: true });
  assert.match((subjectTokenBinder.bind(other) as any).refused, /request 13 is in project 1, not in ACME/);
  const unknown = await binderInput({ subject: '[NOPE-12] x' }, snapshot, { subjectTokens: true });
  assert.match((subjectTokenBinder.bind(unknown) as any).refused, /no project has the code NOPE/);
});

test('finding tokens: the first one, ids above zero, bounded work on a hostile subject', () => {
  assert.deepEqual(findSubjectToken('[#3] and [#4]'), { text: '[#3]', code: null, id: 3 });
  assert.equal(findSubjectToken('[#0] zero'), null);
  assert.equal(findSubjectToken('[#12345678901] too long'), null);
  assert.equal(findSubjectToken('no [brackets] here #5'), null);
  const hostile = '[A' + 'a-'.repeat(200_000) + '1';
  const started = performance.now();
  assert.equal(findSubjectToken(hostile), null);
  assert.ok(performance.now() - started < 500, 'linear in the (capped) subject');
});
