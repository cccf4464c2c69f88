// Every full message of ../shared/corpus (340, listed by the folders' SOURCE.md) goes through
// parseMessage: parsed, or refused with UnparseableMessageError, never anything else.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseMessage, UnparseableMessageError, type Message } from '../../src/mail/index.js';
import { corpusMessages, corpusSkip } from '../support/mail-corpus.js';
import { HashingSink } from '../support/mail-sink.js';

const skip = corpusSkip();

test('every full corpus message parses (or is refused as unparseable) with sane fields', { skip }, async () => {
  const messages = corpusMessages();
  assert.equal(messages.length, 340, 'SOURCE.md files list 340 full messages');
  const receivedAt = new Date('2024-01-01T00:00:00.000Z');
  const parsed: { name: string; message: Message; raw: Buffer; sink: HashingSink }[] = [];
  const refused: string[] = [];
  for (const { name, path } of messages) {
    const raw = readFileSync(path);
    const sink = new HashingSink();
    try {
      parsed.push({ name, message: await parseMessage(raw, { receivedAt, sink }), raw, sink });
    } catch (err) {
      assert.ok(err instanceof UnparseableMessageError, `${name}: ${String(err)}`);
      refused.push(name);
    }
  }
  // All of them parse today; a refusal would show up here by name.
  assert.deepEqual(refused, []);
  assert.equal(parsed.length, 340);

  for (const { name, message, raw, sink } of parsed) {
    assert.ok(message.messageId.length > 0 && !/[<>\s]/.test(message.messageId), `${name}: messageId ${message.messageId}`);
    if (message.messageIdSynthesized) {
      assert.equal(message.messageId, `${createHash('sha256').update(raw).digest('hex').slice(0, 32)}@mailbind.invalid`, name);
    }
    assert.equal(message.size, raw.length, `${name}: size`);
    assert.ok(!Number.isNaN(Date.parse(message.date)), `${name}: date`);
    assert.doesNotMatch(message.subject, /[\r\n\t]|^\s|\s$/, `${name}: subject is one trimmed line`);
    for (const h of message.headers) {
      assert.match(h.name, /^[!-9;-~]+$/, `${name}: header name`);
      assert.doesNotMatch(h.value, /[\r\n]/, `${name}: header ${h.name} unfolded`);
    }
    for (const a of [message.from, message.sender, ...message.to, ...message.cc, ...message.replyTo]) {
      if (a) assert.match(a.address, /.@./, `${name}: address`);
    }
    assert.deepEqual(
      message.attachments.map((a) => [a.blobRef, a.size]),
      sink.saved.map((s) => [s.ref, s.size]),
      `${name}: every attachment went through the sink once`,
    );
    for (const a of message.attachments) {
      assert.ok(a.fileName.length > 0 && !/[/\\]|^\./.test(a.fileName), `${name}: file name ${a.fileName}`);
      assert.equal(a.contentType, a.contentType.toLowerCase(), name);
    }
  }
});

test('parsing is deterministic: the same bytes give the same message', { skip }, async () => {
  const receivedAt = new Date('2024-01-01T00:00:00.000Z');
  for (const { name, path } of corpusMessages().filter((_, i) => i % 10 === 0)) {
    const raw = readFileSync(path);
    const a = await parseMessage(raw, { receivedAt, sink: new HashingSink() });
    const b = await parseMessage(raw, { receivedAt, sink: new HashingSink() });
    assert.deepEqual(a, b, name);
  }
});
