// The multi-line decoder alone: table cases, every possible split point, and random chunkings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MultilineDecoder } from '../../../src/sources/pop3/multiline-decoder.js';
import { prng, stuff, trickyMessage } from './helpers.js';

/** Feeds `chunks` and returns the decoded body and the bytes after the terminator (undefined: not done). */
function decode(chunks: Buffer[]): { body: Buffer; rest?: Buffer } {
  const decoder = new MultilineDecoder();
  const out: Buffer[] = [];
  for (const chunk of chunks) {
    const r = decoder.feed(chunk);
    out.push(...r.out);
    if (r.rest) return { body: Buffer.concat(out), rest: r.rest };
  }
  return { body: Buffer.concat(out) };
}

const b = (s: string) => Buffer.from(s, 'latin1');

describe('MultilineDecoder', () => {
  const cases: Array<[name: string, wire: string, body: string, rest?: string]> = [
    ['empty body', '.\r\n', ''],
    ['one line, final CRLF kept', 'hello\r\n.\r\n', 'hello\r\n'],
    ['stuffed leading dot', '..one dot\r\n.\r\n', '.one dot\r\n'],
    ['stuffed two dots', '...two dots\r\n.\r\n', '..two dots\r\n'],
    ['lone dot line (stuffed to "..")', 'a\r\n..\r\nb\r\n.\r\n', 'a\r\n.\r\nb\r\n'],
    ['dot not at line start is content', 'a.b\r\n .\r\n.\r\n', 'a.b\r\n .\r\n'],
    ['bytes after the terminator are the rest', 'x\r\n.\r\n+OK next\r\n', 'x\r\n', '+OK next\r\n'],
    ['".\\r" + other byte: CR kept as content', '.\rx\r\n.\r\n', '\rx\r\n'],
    ['".\\n" alone does not terminate', 'a\r\n.\nb\r\n.\r\n', 'a\r\n\nb\r\n'],
    ['bare LF starts a line', 'a\n..b\n.\r\n', 'a\n.b\n'],
    ['8-bit bytes untouched', 'Gr\xfc\xdfe \xff\x80\r\n.\r\n', 'Gr\xfc\xdfe \xff\x80\r\n'],
    ['CR CR LF', 'line\r\r\n.\r\n', 'line\r\r\n'],
  ];
  for (const [name, wire, body, rest] of cases) {
    test(name, () => {
      const whole = decode([b(wire)]);
      assert.equal(whole.body.toString('latin1'), body);
      assert.equal(whole.rest?.toString('latin1'), rest ?? '');
      // The same wire bytes one at a time must give the same result.
      const bytewise = decode([...b(wire)].map((x) => Buffer.from([x])));
      assert.equal(bytewise.body.toString('latin1'), body);
      assert.equal(bytewise.rest?.length, 0); // the terminator's LF was the last byte of its chunk
    });
  }

  test('unterminated input is not done', () => {
    const decoder = new MultilineDecoder();
    const r = decoder.feed(b('a\r\n.\r'));
    assert.equal(r.rest, undefined);
    assert.equal(decoder.done, false);
    assert.equal(Buffer.concat(r.out).toString(), 'a\r\n');
  });

  test('every two-chunk split of a tricky message decodes identically', () => {
    const message = b('Subject: x\r\n\r\n.\r\n..\r\n.a\r\n\r\n.\r\r\nend\r\n');
    const wire = stuff(message);
    for (let cut = 0; cut <= wire.length; cut++) {
      const { body, rest } = decode([wire.subarray(0, cut), wire.subarray(cut)]);
      assert.ok(rest, `terminator not found with a cut at ${cut}`);
      assert.deepEqual(body, message, `cut at ${cut}`);
    }
  });

  test('2000 random messages in random 1–7 byte chunks decode byte-identically', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const rand = prng(seed);
      const message = trickyMessage(rand);
      const wire = stuff(message);
      const chunks: Buffer[] = [];
      for (let i = 0; i < wire.length; ) {
        const n = 1 + Math.floor(rand() * 7);
        chunks.push(wire.subarray(i, i + n));
        i += n;
      }
      const { body, rest } = decode(chunks);
      assert.ok(rest, `seed ${seed}: terminator not found`);
      assert.equal(rest.length, 0, `seed ${seed}`);
      assert.ok(body.equals(message), `seed ${seed}: body differs`);
    }
  });

  test('output is slices of the input, not copies', () => {
    const wire = b('abc\r\ndef\r\n.\r\n');
    const r = new MultilineDecoder().feed(wire);
    assert.equal(r.out.length, 1);
    assert.equal(r.out[0]!.buffer, wire.buffer);
  });
});
