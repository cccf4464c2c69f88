// Text from a message that goes into an indexed database column (Message-ID, From) is bounded: a
// sender chooses it, and PostgreSQL refuses an index entry above about 2.7 KB ("index row requires …
// bytes"), so an absurd header would keep the whole message out of the inbox. Values up to 998 bytes
// of UTF-8 (RFC 5322's line limit: no real Message-ID or address comes near it) are kept as they
// are; a longer one keeps its start, for people to read, and a SHA-256 of the whole value, so that
// two long values are equal exactly when the values are: matching by Message-ID stays exact.
import { createHash } from 'node:crypto';

/** The longest value, in UTF-8 bytes, stored whole in an indexed column. */
export const MAX_INDEXED_BYTES = 998;

const HASH_MARK = '…sha256:';

/** `value` as stored in an indexed column: itself when short enough, else its start and a hash of the whole. */
export function indexable(value: string): string {
  // A UTF-16 unit is at most 3 bytes of UTF-8: short strings need no counting.
  if (value.length * 3 <= MAX_INDEXED_BYTES || Buffer.byteLength(value, 'utf8') <= MAX_INDEXED_BYTES) return value;
  const suffix = HASH_MARK + createHash('sha256').update(value, 'utf8').digest('hex');
  return utf8Prefix(value, MAX_INDEXED_BYTES - Buffer.byteLength(suffix, 'utf8')) + suffix;
}

/** The longest start of `value` that is at most `bytes` of UTF-8, cut between characters. */
function utf8Prefix(value: string, bytes: number): string {
  const encoded = Buffer.from(value.slice(0, bytes), 'utf8');
  let end = Math.min(bytes, encoded.length);
  // Step back over continuation bytes (10xxxxxx) so no character is cut in half.
  while (end > 0 && end < encoded.length && (encoded[end]! & 0xc0) === 0x80) end--;
  return encoded.subarray(0, end).toString('utf8');
}
