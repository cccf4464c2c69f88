// The reply token: what our outgoing mail puts in its Reply-To (`support+tm3k4q7x@example.com`) so
// that an answer finds its item even when the mail client dropped In-Reply-To and References. The
// token is `t`, the item id in base32, and 6 base32 characters (30 bits) of an HMAC-SHA256 of the id
// under the installation's secret: it cannot be guessed for another item (one in a billion per try,
// and each try is a mail), and lowercase base32 survives servers that lowercase local parts. Pure.
import { createHmac, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const MAC_CHARS = 6;
const MAX_ID = 2_147_483_647;
// 't', 1-7 id characters (2^31 needs 7), the MAC. Anchored and bounded: linear, no backtracking blow-up.
const TOKEN = /^t([a-z2-7]{1,7})([a-z2-7]{6})$/;

function base32(n: number): string {
  let out = '';
  do {
    out = ALPHABET[n % 32]! + out;
    n = Math.floor(n / 32);
  } while (n > 0);
  return out;
}

function fromBase32(text: string): number {
  let n = 0;
  for (const c of text) n = n * 32 + ALPHABET.indexOf(c);
  return n;
}

function mac(key: Buffer, itemId: number): string {
  const digest = createHmac('sha256', key).update(`mailbind reply token v1:${itemId}`).digest();
  // The first 30 bits, as 6 characters of 5 bits.
  const bits = digest.readUInt32BE(0) >>> 2;
  let out = '';
  for (let i = MAC_CHARS - 1; i >= 0; i--) out += ALPHABET[(bits >>> (i * 5)) & 31]!;
  return out;
}

export function makeReplyToken(key: Buffer, itemId: number): string {
  return `t${base32(itemId)}${mac(key, itemId)}`;
}

/** `local+TOKEN@domain` of our own address. */
export function replyTokenAddress(ownAddress: string, token: string): string {
  const at = ownAddress.lastIndexOf('@');
  const local = ownAddress.slice(0, at).split('+')[0];
  return `${local}+${token}${ownAddress.slice(at)}`;
}

export type TokenCheck = { kind: 'valid'; itemId: number } | { kind: 'forged'; itemId: number } | { kind: 'not-a-token' };

/** Whether a plus tag is one of our tokens, and whether its signature holds (compared in constant time). */
export function checkReplyToken(key: Buffer, tag: string): TokenCheck {
  const match = TOKEN.exec(tag.toLowerCase());
  if (!match) return { kind: 'not-a-token' };
  const itemId = fromBase32(match[1]!);
  if (!(itemId > 0 && itemId <= MAX_ID)) return { kind: 'not-a-token' };
  const expected = Buffer.from(mac(key, itemId));
  const given = Buffer.from(match[2]!);
  return timingSafeEqual(expected, given) ? { kind: 'valid', itemId } : { kind: 'forged', itemId };
}

/** The item id a token claims, signature unchecked: what the snapshot must load before decide checks it. */
export function claimedItemId(tag: string): number | null {
  const match = TOKEN.exec(tag.toLowerCase());
  if (!match) return null;
  const itemId = fromBase32(match[1]!);
  return itemId > 0 && itemId <= MAX_ID ? itemId : null;
}
