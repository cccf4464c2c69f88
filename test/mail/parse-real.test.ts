// Targeted assertions on real messages from ../shared/corpus (see each folder's SOURCE.md).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { parseMessage, type Message } from '../../src/mail/index.js';
import { corpusFile, corpusSkip } from '../support/mail-corpus.js';
import { HashingSink } from '../support/mail-sink.js';

const skip = corpusSkip();
const receivedAt = new Date('2024-05-06T07:08:09.000Z');

function parse(name: string): Promise<Message> {
  return parseMessage(corpusFile(name), { receivedAt, sink: new HashingSink() });
}

test('RFC 2047 ISO-2022-JP subject; the line break inside the encoded word becomes nothing', { skip }, async () => {
  assert.equal((await parse('redmine/subject_japanese_1.eml')).subject, 'テスト');
});

test('ISO-2022-JP subject folded across two encoded words, and an ISO-2022-JP body', { skip }, async () => {
  const message = await parse('mimekit/messages/japanese.txt');
  assert.equal(message.subject, '日本語メールテスト (testing Japanese emails)');
  assert.match(message.text, /日本語が\n正常に\n送れているか/);
});

test('folded subjects are unfolded to single spaces', { skip }, async () => {
  assert.equal((await parse('bounceparser/boxbe-cr.msg')).subject, 'Re: Dear Mr bloggs, get your Emerging Markets factsheet (Action Required)');
  // Four UTF-8 encoded words on four CRLF-folded lines; one holds a double space.
  assert.equal((await parse('mikel-mail/error_emails/bad_subject.eml')).subject, 'MySurvey.com: You have a survey waiting! 91123105');
  const long = (await parse('cpython-email/msg_27.txt')).subject;
  assert.match(long, /^bug demonstration 1234\S+ more text$/);
});

test('raw 8-bit subject in the body charset is decoded (not U+FFFD)', { skip }, async () => {
  const message = await parse('mikel-mail/error_emails/invalid_subject_characters.eml');
  assert.equal(message.subject, 'Formação FrenetikPolis: Mega Campanha Final Verão | Cursos de Setembro');
});

test('RFC 2231 non-ASCII attachment name (ISO-8859-1, percent-encoded)', { skip }, async () => {
  const [attachment] = (await parse('mikel-mail/attachment_emails/attachment_with_quoted_filename.eml')).attachments;
  assert.equal(attachment?.fileName, 'Eelanalüüsi päring.jpg');
  assert.equal(attachment?.contentType, 'image/jpeg');
});

test('attachment names: raw UTF-8, RFC 2047 in quotes, Japanese', { skip }, async () => {
  assert.equal((await parse('mikel-mail/attachment_emails/attachment_nonascii_filename.eml')).attachments[0]?.fileName, 'ciële.txt');
  const latin = (await parse('redmine/gmail_with_attachment_iso-8859-1.eml')).attachments[0];
  assert.equal(latin?.fileName, `${'ÄäÖöÜü'.repeat(11)}.txt`);
  assert.equal((await parse('redmine/gmail_with_attachment_ja.eml')).attachments[0]?.fileName, 'テスト.txt');
  assert.equal((await parse('mikel-mail/attachment_emails/attachment_with_base64_encoded_name.eml')).attachments[0]?.fileName, 'This is a test.pdf');
});

test('missing Message-ID is synthesised from the bytes, stable across parses and input kinds', { skip }, async () => {
  const name = 'redmine/invalid_utf8.eml';
  const raw = corpusFile(name);
  const first = await parse(name);
  const second = await parse(name);
  const streamed = await parseMessage(Readable.from([raw.subarray(0, 100), raw.subarray(100)]), { receivedAt, sink: new HashingSink() });
  const expected = `${createHash('sha256').update(raw).digest('hex').slice(0, 32)}@mailbind.invalid`;
  assert.equal(first.messageIdSynthesized, true);
  assert.equal(first.messageId, expected);
  assert.equal(second.messageId, expected);
  assert.equal(streamed.messageId, expected);
});

test('a present Message-ID is taken without brackets', { skip }, async () => {
  const message = await parse('redmine/apple_mail_with_attachment.eml');
  assert.equal(message.messageId, '7ABE3636-07E8-47C9-90A1-FCB1AA894DA1@somenet.foo');
  assert.equal(message.messageIdSynthesized, false);
});

test('unparsable Date falls back to receivedAt; a good one is used', { skip }, async () => {
  for (const name of ['mikel-mail/error_emails/bad_date_header2.eml', 'mikel-mail/plain_emails/raw_email_with_bad_date.eml', 'mime4j/obsolete.msg']) {
    const message = await parse(name);
    assert.equal(message.date, receivedAt.toISOString(), name);
    assert.equal(message.dateFromHeader, false, name);
  }
  const good = await parse('redmine/ticket_reply.eml'); // Sat, 21 Jun 2008 18:41:39 +0200
  assert.equal(good.date, '2008-06-21T16:41:39.000Z');
  assert.equal(good.dateFromHeader, true);
});

test('In-Reply-To and References', { skip }, async () => {
  const reply = await parse('redmine/ticket_reply.eml');
  assert.equal(reply.inReplyTo, 'redmine.issue-2.20060719210421@osiris');
  assert.deepEqual(reply.references, ['485d0ad366c88_d7014663a025f@osiris.tmail']);
  const news = await parse('mimekit/messages/epilogue.txt');
  assert.deepEqual(news.references, ['3ohapq$h3b@gandalf.rutgers.edu', '3notqh$b52@ns2.ny.ubs.com', '3npoh0$2oo@news.blkbox.com', '3nqp09$r7t@ns2.ny.ubs.com']);
  // Two References headers are read in order.
  const two = await parse('mikel-mail/error_emails/multiple_references_with_one_invalid.eml');
  assert.deepEqual(two.references.slice(0, 2), ['foo@bar.net', 'baz@bar.net']);
});

test('display names are decoded (RFC 2047, RFC 6532 UTF-8, comma inside a quoted name)', { skip }, async () => {
  assert.deepEqual((await parse('redmine/fullname_of_sender_as_utf8_encoded.eml')).from, { name: 'Ää Öö', address: 'foo@example.org' });
  assert.deepEqual((await parse('mikel-mail/error_emails/header_fields_with_empty_values.eml')).from, { name: 'Jørn Støylen', address: 'jorn@prikkprikkprikk.no' });
  const utf8 = await parse('mikel-mail/rfc6532/utf8_headers.eml');
  assert.deepEqual(utf8.from, { name: 'Jöhn Doe', address: 'jdöe@mächine.example' });
  assert.deepEqual(utf8.to, [{ name: 'Märy Smith', address: 'märy@exämple.net' }]);
  assert.deepEqual((await parse('spamscope-mail-parser/mail_test_18')).from, { name: 'LastßlName, FirstName', address: 'comma.name@example.com' });
});

test('"undisclosed recipients: ;" is an empty group: no To entries', { skip }, async () => {
  assert.deepEqual((await parse('mikel-mail/error_emails/empty_group_lists.eml')).to, []);
});

test('inline image with Content-ID (Apple Mail, multipart/related)', { skip }, async () => {
  const message = await parse('redmine/apple_mail_with_attachment.eml');
  assert.equal(message.attachments.length, 1);
  const [image] = message.attachments;
  assert.equal(image?.fileName, 'paella.jpg');
  assert.equal(image?.contentType, 'image/jpg');
  assert.equal(image?.contentId, '1207F0B5-9F9D-4AB4-B547-AF9033E82111');
  assert.equal(image?.inline, true);
  assert.equal(image?.size, 10790);
  assert.match(image?.blobRef ?? '', /^[0-9a-f]{64}$/);
});

test('cid images referenced from the HTML, next to a regular attachment', { skip }, async () => {
  const message = await parse('nodemailer-mailparser/nodemailer.eml');
  assert.match(message.html ?? '', /cid:note@example\.com/); // not rewritten: stored as sent
  const byName = new Map(message.attachments.map((a) => [a.fileName, a]));
  assert.deepEqual([byName.get('image.png')?.contentId, byName.get('image.png')?.inline], ['note@example.com', true]);
  assert.deepEqual([byName.get('nyan cat ✔.gif')?.contentId, byName.get('nyan cat ✔.gif')?.inline], ['nyan@example.com', true]);
  assert.deepEqual([byName.get('notes.txt')?.contentId, byName.get('notes.txt')?.inline], [null, false]);
});

test('legacy charsets in bodies: windows-1252, ISO-8859-1, ISO-8859-15', { skip }, async () => {
  // Quoted-printable =92 in windows-1252 is U+2019 (Node 20's TextDecoder gets this wrong).
  assert.match((await parse('sisimai/bsd/lhost-office365-01.eml')).text, /The email address wasn\u2019t found/);
  assert.match((await parse('mikel-mail/error_emails/header_fields_with_empty_values.eml')).text, /Jørn Støylen -- http/);
  assert.match((await parse('mime4j/qp-body.msg')).text, /euro € symbol/);
});

test('embedded message/rfc822 parts become .eml attachments', { skip }, async () => {
  const named = (await parse('mikel-mail/attachment_emails/attachment_message_rfc822.eml')).attachments;
  assert.deepEqual(named.map((a) => [a.fileName, a.contentType]), [['ForwardedMessage.eml', 'message/rfc822']]);
  const original = (await parse('sisimai/not/is-not-bounce-02.eml')).attachments;
  assert.deepEqual(original.map((a) => a.fileName), ['original.eml']);
  const dsn = (await parse('sisimai/bsd/rfc3464-01.eml')).attachments;
  assert.deepEqual(dsn.map((a) => [a.fileName, a.contentType]), [['attachment.eml', 'message/rfc822']]);
});

test('html-only mail: html kept, text derived; text-only mail: html null', { skip }, async () => {
  const htmlOnly = await parse('redmine/ticket_html_only.eml');
  assert.match(htmlOnly.html ?? '', /This is a <b>html-only<\/b> email/);
  assert.match(htmlOnly.text, /This is a html-only email/);
  const plain = await parse('mime4j/qp-body.msg');
  assert.equal(plain.html, null);
});

test('headers: every top-level header, in order, unfolded, decoded', { skip }, async () => {
  const message = await parse('redmine/apple_mail_with_attachment.eml');
  assert.deepEqual(message.headers.slice(0, 3).map((h) => h.name), ['return-path', 'x-original-to', 'delivered-to']);
  const subject = (await parse('mimekit/messages/japanese.txt')).headers.find((h) => h.name === 'subject');
  assert.equal(subject?.value, '日本語メールテスト (testing Japanese emails)');
  const received = (await parse('mikel-mail/error_emails/bad_subject.eml')).headers.filter((h) => h.name === 'received');
  assert.equal(received.length, 2);
  for (const h of received) assert.doesNotMatch(h.value, /[\r\n]/);
});

test('size is the raw byte count', { skip }, async () => {
  assert.equal((await parse('redmine/ticket_reply.eml')).size, corpusFile('redmine/ticket_reply.eml').length);
});
