import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeRuleText } from '../../src/rules/index.js';

/** Text parts as UTF-8, number arrays as raw bytes. */
function bytes(...parts: (string | number[])[]): Uint8Array {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
}

const BOM = [0xef, 0xbb, 0xbf];

// [name, input, expected text]
const valid: [string, Uint8Array, string][] = [
  ['ASCII', bytes('then attach to project 1\n'), 'then attach to project 1\n'],
  ['multi-byte characters of every length', bytes("when subject contains 'Ä, 日本, 😀'"), "when subject contains 'Ä, 日本, 😀'"],
  ['a byte order mark at the start is dropped', bytes(BOM, 'then attach to project 1'), 'then attach to project 1'],
  ['a byte order mark elsewhere is a character', bytes('a', BOM), 'a\uFEFF'],
  ['empty', bytes(), ''],
];

// [name, input, line, column, offset, byte]
const invalid: [string, Uint8Array, number, number, number, number][] = [
  ['bad lead byte (a lone continuation byte)', bytes('ab', [0x80], 'c'), 1, 3, 2, 0x80],
  ['bad lead byte 0xFF', bytes([0xff]), 1, 1, 0, 0xff],
  ['Latin-1 é before ASCII', bytes('caf', [0xe9], ' x'), 1, 4, 3, 0xe9],
  ['truncated sequence at the end', bytes('x', [0xe2, 0x82]), 1, 2, 1, 0xe2],
  ['truncated four-byte sequence at the end', bytes('x\n', [0xf0, 0x9f, 0x98]), 2, 1, 2, 0xf0],
  ['overlong two-byte form of /', bytes([0xc0, 0xaf]), 1, 1, 0, 0xc0],
  ['overlong three-byte form', bytes('ab', [0xe0, 0x80, 0xaf]), 1, 3, 2, 0xe0],
  ['overlong four-byte form', bytes([0xf0, 0x80, 0x80, 0xaf]), 1, 1, 0, 0xf0],
  ['UTF-16 surrogate encoded as UTF-8', bytes('a', [0xed, 0xa0, 0x80]), 1, 2, 1, 0xed],
  ['code point past U+10FFFF', bytes([0xf4, 0x90, 0x80, 0x80]), 1, 1, 0, 0xf4],
  // '# Überschrift\r\n' is 16 bytes, 'then\n' 5; on line 3, "when subject contains '" is 23 code units and
  // 23 bytes, 日本 2 units in 6 bytes, 😀 2 units (a surrogate pair) in 4 bytes.
  ['bad byte on line 3 after multi-byte characters', bytes('# Überschrift\r\nthen\n', "when subject contains '日本😀", [0xe9], "'"), 3, 28, 54, 0xe9],
  ['lines end in CR too, as the parser counts them', bytes('a\rb\r', [0xff]), 3, 1, 4, 0xff],
  ['a byte order mark takes no column', bytes(BOM, 'ab', [0xff]), 1, 3, 5, 0xff],
  ['only the first bad byte counts', bytes('x', [0xff], '\n', [0xfe]), 1, 2, 1, 0xff],
];

describe('decodeRuleText accepts', () => {
  for (const [name, input, text] of valid) {
    test(name, () => assert.deepEqual(decodeRuleText(input), { ok: true, text }));
  }
});

describe('decodeRuleText locates the first bad byte', () => {
  for (const [name, input, line, column, offset, byte] of invalid) {
    test(name, () => {
      const result = decodeRuleText(input);
      assert.equal(result.ok, false);
      if (result.ok) return;
      const { message, ...where } = result.error;
      assert.deepEqual(where, { line, column, offset, byte });
      assert.ok(message.includes(`byte 0x${byte.toString(16).toUpperCase()} at offset ${offset}`), message);
    });
  }

  test('the message says what is wrong and what to do', () => {
    const result = decodeRuleText(bytes('caf', [0xe9]));
    assert.equal(!result.ok && result.error.message, 'the file is not valid UTF-8 (byte 0xE9 at offset 3); save it as UTF-8');
  });

  test('a bad byte at the end of a megabyte is found in one pass', () => {
    const result = decodeRuleText(bytes('é'.repeat(500_000), [0xff]));
    assert.deepEqual(!result.ok && [result.error.line, result.error.column, result.error.offset], [1, 500_001, 1_000_000]);
  });
});
