// What is left of a mail's links and positioning: only absolute http(s) and mailto: links survive (a
// relative one would point at our own origin), every link opens in a new tab without an opener, and no
// CSS can pin a panel over the page (position fixed, absolute or sticky, even behind a comment).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { safeMailHtml } from '../../src/mail/safe-html.js';

const clean = (html: string) => safeMailHtml(html, { images: false }).html;

describe('links and positioning in mail HTML', () => {
  test('absolute http(s) and mailto: links keep their address, open in a new tab, without opener or referrer', () => {
    for (const href of ['https://example.com/invoice?id=1', 'http://example.com/', 'mailto:ada@example.com']) {
      const out = clean(`<a href="${href}">link</a>`);
      assert.ok(out.includes(`href="${href.replace('&', '&amp;')}"`), out);
      assert.match(out, /target="_blank"/);
      assert.match(out, /rel="noopener noreferrer nofollow"/);
    }
  });

  test('relative, protocol-relative and slash-less links lose their address but keep their text', () => {
    for (const href of ['/api/v1/admin', 'api/v1/admin', '../x', '?a=1', '#top', '//evil.example/x', 'https:api/v1/admin', 'http:/api/v1/admin', ' /api/v1/admin', 'javascript:alert(1)', 'data:text/html,x']) {
      const out = clean(`<a href="${href}">the text</a>`);
      assert.doesNotMatch(out, /href=/, `${href} -> ${out}`);
      assert.match(out, /the text/);
    }
  });

  test('position fixed, absolute and sticky are dropped, in any case and behind comments; harmless CSS stays', () => {
    for (const style of ['position:fixed', 'POSITION: Fixed', 'position: absolute !important', 'position:sticky', 'position:-webkit-sticky', 'position/**/:fixed', 'position:/* x */fixed', 'position:fix/**/ed']) {
      const out = clean(`<div style="${style};color:red">Sign in again</div>`);
      assert.doesNotMatch(out, /position/i, `${style} -> ${out}`);
      assert.match(out, /style="color:red"/, `${style} -> ${out}`);
    }
    assert.match(clean('<div style="position:relative;z-index:-1">x</div>'), /position:relative;z-index:-1/);
  });

  test('an unterminated comment drops its declaration', () => {
    assert.doesNotMatch(clean('<div style="color:red;position:/*fixed">x</div>'), /position|\/\*/);
  });
});
