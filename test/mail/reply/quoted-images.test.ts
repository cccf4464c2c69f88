// Inline images only the quote of an HTML reply shows are the quoted mail's, not the reply's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quotedImageIds } from '../../../src/mail/reply/quoted-images.js';

test('an image referenced only inside the quote is the quote\'s; one the reply shows is not', () => {
  const html =
    '<div>See my screenshot <img src="cid:Shot@Mine"></div>' +
    '<div class="gmail_quote"><div class="gmail_attr">On Tue, Support wrote:</div>' +
    '<blockquote class="gmail_quote"><img src="cid:logo%40us"> Did you restart it? <img src="cid:shot@mine"></blockquote></div>';
  assert.deepEqual([...quotedImageIds(html)], ['logo@us']);
});

test('no quote mark in the DOM, or a cut that would leave nothing: no image is the quote\'s', () => {
  assert.deepEqual([...quotedImageIds('<p>Hello <img src="cid:a@b"></p>')], []);
  assert.deepEqual([...quotedImageIds('<div class="gmail_quote"><blockquote type="cite"><img src="cid:a@b"> old</blockquote></div>')], []);
});
