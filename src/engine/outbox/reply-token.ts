// The reply token: what our outgoing mail puts in its Reply-To (`support+tm3k4q7x@example.com`) so
// that an answer finds its item even when the mail client dropped In-Reply-To and References. The
// token is `t`, the item id in base32, and 6 base32 characters (30 bits) of an HMAC-SHA256 of the id
// under the installation's secret: it cannot be guessed for another item (one in a billion per try,
// and each try is a mail), and lowercase base32 survives servers that lowercase local parts. Pure.
// The return-path token (VERP) is the same shape with `b` and the outbox row's id, signed under its
// own MAC label: a bounce addressed to `support+b…@` finds the mail it returns even when it quotes no
// Message-ID, and neither token can be passed off as the other (different prefix, different MAC).
import { createHmac, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const MAC_CHARS = 6;
const MAX_ID = 2_147_483_647;
// 't', 1-7 id characters (2^31 needs 7), the MAC. Anchored and bounded: linear, no backtracking blow-up.
const TOKEN = /^t([a-z2-7]{1,7})([a-z2-7]{6})$/;
// The same for the return-path token: 'b', the outbox row id, the MAC.
const BOUNCE_TOKEN = /^b([a-z2-7]{1,7})([a-z2-7]{6})$/;
const REPLY_LABEL = 'mailbind reply token v1';
const BOUNCE_LABEL = 'mailbind return path v1';

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

function mac(key: Buffer, label: string, id: number): string {
  const digest = createHmac('sha256', key).update(`${label}:${id}`).digest();
  // The first 30 bits, as 6 characters of 5 bits.
  const bits = digest.readUInt32BE(0) >>> 2;
  let out = '';
  for (let i = MAC_CHARS - 1; i >= 0; i--) out += ALPHABET[(bits >>> (i * 5)) & 31]!;
  return out;
}

export function makeReplyToken(key: Buffer, itemId: number): string {
  return `t${base32(itemId)}${mac(key, REPLY_LABEL, itemId)}`;
}

/** The return-path token of an outbox row: `b`, its id, the MAC. Our envelope sender carries it. */
export function makeBounceToken(key: Buffer, outboxId: number): string {
  return `b${base32(outboxId)}${mac(key, BOUNCE_LABEL, outboxId)}`;
}

/** `local+TOKEN@domain` of our own address. */
export function replyTokenAddress(ownAddress: string, token: string): string {
  const at = ownAddress.lastIndexOf('@');
  const local = ownAddress.slice(0, at).split('+')[0];
  return `${local}+${token}${ownAddress.slice(at)}`;
}

export type TokenCheck = { kind: 'valid'; itemId: number } | { kind: 'forged'; itemId: number } | { kind: 'not-a-token' };

/** Whether a plus tag is one of our reply tokens, and whether its signature holds (compared in constant time). */
export function checkReplyToken(key: Buffer, tag: string): TokenCheck {
  const check = checkToken(TOKEN, REPLY_LABEL, key, tag);
  return check.kind === 'not-a-token' ? check : { kind: check.kind, itemId: check.id };
}

export type BounceTokenCheck = { kind: 'valid'; outboxId: number } | { kind: 'forged'; outboxId: number } | { kind: 'not-a-token' };

/** Whether a plus tag is one of our return-path tokens, and whether its signature holds (constant time). */
export function checkBounceToken(key: Buffer, tag: string): BounceTokenCheck {
  const check = checkToken(BOUNCE_TOKEN, BOUNCE_LABEL, key, tag);
  return check.kind === 'not-a-token' ? check : { kind: check.kind, outboxId: check.id };
}

function checkToken(shape: RegExp, label: string, key: Buffer, tag: string): { kind: 'valid' | 'forged'; id: number } | { kind: 'not-a-token' } {
  // A tag longer than any token is none: the pattern never sees an unbounded string.
  if (tag.length > 16) return { kind: 'not-a-token' };
  const match = shape.exec(tag.toLowerCase());
  if (!match) return { kind: 'not-a-token' };
  const id = fromBase32(match[1]!);
  if (!(id > 0 && id <= MAX_ID)) return { kind: 'not-a-token' };
  const expected = Buffer.from(mac(key, label, id));
  const given = Buffer.from(match[2]!);
  return { kind: timingSafeEqual(expected, given) ? 'valid' : 'forged', id };
}

/** The item id a token claims, signature unchecked: what the snapshot must load before decide checks it. */
export function claimedItemId(tag: string): number | null {
  const match = TOKEN.exec(tag.toLowerCase());
  if (!match) return null;
  const itemId = fromBase32(match[1]!);
  return itemId > 0 && itemId <= MAX_ID ? itemId : null;
}
