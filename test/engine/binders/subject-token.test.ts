// Layer 4: [#N] or [CODE-N] in the subject, only when the profile turns subject tokens on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSubjectTokens, MAX_SUBJECT_TOKENS, subjectTokenBinder } from '../../../src/engine/binders/subject-token.js';
import { bindReply } from '../../../src/engine/binders/index.js';
import { allCandidates, binderInput, firstCandidate } from './binder-input.js';
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
  assert.deepEqual(firstCandidate(subjectTokenBinder, input), { refused: "[#12] in the subject was not read: the profile's subject tokens are off" });
});

test('[#N] binds when turned on', async () => {
  const input = await binderInput({ subject: 'Re: [#12] printer' }, snapshot, { subjectTokens: true });
  assert.deepEqual(firstCandidate(subjectTokenBinder, input), { itemId: 12, layer: 'subject-token', evidence: '[#12] in the subject names request 12' });
});

test('[CODE-N] binds by project code, without regard to case', async () => {
  const input = await binderInput({ subject: 'Re: [acme-12] printer' }, snapshot, { subjectTokens: true });
  assert.equal((firstCandidate(subjectTokenBinder, input) as any).itemId, 12);
});

test('[CODE-N] naming an item of another project, or an unknown code, is refused', async () => {
  const other = await binderInput({ subject: '[ACME-13] x' }, snapshot, { subjectTokens: true });
  assert.match((firstCandidate(subjectTokenBinder, other) as any).refused, /request 13 is in project 1, not in ACME/);
  const unknown = await binderInput({ subject: '[NOPE-12] x' }, snapshot, { subjectTokens: true });
  assert.match((firstCandidate(subjectTokenBinder, unknown) as any).refused, /no project has the code NOPE/);
});

test('finding tokens: each one in order, ids above zero, bounded work on a hostile subject', () => {
  assert.deepEqual(findSubjectTokens('[#3] and [#4]'), [{ text: '[#3]', code: null, id: 3 }, { text: '[#4]', code: null, id: 4 }]);
  assert.deepEqual(findSubjectTokens('[#0] zero'), []);
  assert.deepEqual(findSubjectTokens('[#12345678901] too long'), []);
  assert.deepEqual(findSubjectTokens('no [brackets] here #5'), []);
  assert.equal(findSubjectTokens('[#1] [#2] [#3] [#4] [#5] [#6] [#7]').length, MAX_SUBJECT_TOKENS, 'at most the first five');
  const hostile = '[A' + 'a-'.repeat(200_000) + '1';
  const started = performance.now();
  assert.deepEqual(findSubjectTokens(hostile), []);
  assert.deepEqual(findSubjectTokens('[#1]'.repeat(100_000)).length, MAX_SUBJECT_TOKENS);
  assert.ok(performance.now() - started < 500, 'linear in the (capped) subject');
});

test("every token is tried: a forwarded tracker's [EXT-9] before ours does not hide it", async () => {
  const input = await binderInput({ subject: 'Fwd: [EXT-9] [#99] [ACME-12] printer' }, snapshot, { subjectTokens: true });
  assert.deepEqual(allCandidates(subjectTokenBinder, input), [
    { refused: '[EXT-9] in the subject names no item' },
    { refused: '[#99] in the subject names no item' },
    { itemId: 12, layer: 'subject-token', evidence: '[ACME-12] in the subject names request 12' },
  ]);
  const result = bindReply(input, () => ({ allowed: true, as: 'allowed' }));
  assert.equal(result.binding?.itemId, 12);
});
