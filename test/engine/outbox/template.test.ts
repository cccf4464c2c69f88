// Reply templates: placeholders filled in (HTML-escaped in HTML), unknown ones refused with their
// position when saved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTemplate, DEFAULT_ACKNOWLEDGEMENT, MAX_VALUE_CHARS, renderTemplate, type TemplateValues } from '../../../src/engine/outbox/template.js';

const values: TemplateValues = {
  'item.id': '12',
  'item.kind': 'request',
  'item.title': 'Printer <on> "fire" & smoke',
  'project.name': 'Acme Support',
  'item.link': 'https://help.example/items/12',
  'requester.name': 'Ann',
};

test('every placeholder is filled in; the HTML body escapes values, the text body does not', () => {
  const rendered = renderTemplate(
    { name: 't', subject: '[#{{item.id}}] {{ item.title }}', text: '{{requester.name}}: {{item.kind}} {{item.id}} in {{project.name}} {{item.link}}', html: '<p>{{item.title}}</p>' },
    values,
  );
  assert.equal(rendered.subject, '[#12] Printer <on> "fire" & smoke');
  assert.equal(rendered.text, 'Ann: request 12 in Acme Support https://help.example/items/12');
  assert.equal(rendered.html, '<p>Printer &lt;on&gt; &quot;fire&quot; &amp; smoke</p>');
});

test('a value never breaks the subject into lines', () => {
  const rendered = renderTemplate({ name: 't', subject: '{{item.title}}', text: 'x', html: null }, { ...values, 'item.title': 'one\r\nBcc: x@evil.example' });
  assert.equal(rendered.subject, 'one Bcc: x@evil.example');
});

test('an unknown placeholder is an error naming its field, line and column', () => {
  const errors = checkTemplate({ name: 'thanks', subject: 'ok', text: 'Hello,\n  see {{item.url}} soon', html: null });
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.field, 'text');
  assert.equal(errors[0]!.line, 2);
  assert.equal(errors[0]!.column, 7);
  assert.match(errors[0]!.message, /^unknown placeholder \{\{item\.url\}\}: use one of \{\{item\.id\}\}/);
});

test("a '{{' not closed on its line is an error where it starts", () => {
  const [error] = checkTemplate({ name: 't', subject: 'ok', text: 'x', html: '<p>{{item.id</p>\n}}' });
  assert.deepEqual({ field: error!.field, line: error!.line, column: error!.column }, { field: 'html', line: 1, column: 4 });
});

test('a name, a subject and a text body are needed; the built-in acknowledgement checks clean', () => {
  const fields = checkTemplate({ name: '', subject: ' ', text: '', html: null }).map((e) => e.field);
  assert.deepEqual(fields, ['name', 'subject', 'text']);
  assert.deepEqual(checkTemplate(DEFAULT_ACKNOWLEDGEMENT), []);
});

test('a long value is cut at its cap with an ellipsis, so a huge display name cannot blow up a mail', () => {
  const huge = { ...values, 'requester.name': 'N'.repeat(1_000_000), 'item.title': `${'t'.repeat(199)}😀😀` };
  const mail = renderTemplate({ name: 'x', subject: '{{item.title}}', text: 'Hello {{requester.name}}\n{{requester.name}}', html: null }, huge);
  const cap = MAX_VALUE_CHARS['requester.name'];
  assert.equal(mail.text, `Hello ${'N'.repeat(cap - 1)}…\n${'N'.repeat(cap - 1)}…`);
  assert.equal(mail.subject, `${'t'.repeat(199)}…`, 'never half an emoji');
  assert.equal(renderTemplate({ name: 'x', subject: '{{item.title}}', text: '{{requester.name}}', html: null }, values).text, 'Ann', 'short values are untouched');
});
