// Layer 2: our reply token, a signed plus-address (`support+tm3k4q7x@…`) that our outgoing mail puts in
// its Reply-To. An answer is addressed to it, so it turns up in To, Cc or (after the mail server
// delivered it) Delivered-To, even when the mail client dropped In-Reply-To and References. Only
// plus-addresses of the profile's own addresses count, and only with a signature that holds: a forged
// token is refused with the reason and the next layer is tried.
import { headerValues } from '../../mail/headers.js';
import type { Message } from '../../mail/message.js';
import { checkReplyToken } from '../outbox/reply-token.js';
import { itemWords } from './item-words.js';
import type { Binder } from './types.js';

/** Delivered-To values are read this far: an address, not a body. */
const MAX_HEADER = 998;
const ADDRESS = /[^\s<>,;:"]{1,254}@[^\s<>,;:"]{1,254}/g;

/** Every address the message was sent or delivered to, lowercased, each with where it was found. */
export function deliveryAddresses(message: Message): Array<{ address: string; where: string }> {
  const found = [
    ...message.to.map((a) => ({ address: a.address, where: 'To' })),
    ...message.cc.map((a) => ({ address: a.address, where: 'Cc' })),
  ];
  // X-Original-To: the address Postfix was asked to deliver to, before aliases rewrote it.
  for (const [header, where] of [['delivered-to', 'Delivered-To'], ['x-original-to', 'X-Original-To']] as const) {
    for (const value of headerValues(message.headers, header)) {
      for (const m of value.slice(0, MAX_HEADER).matchAll(ADDRESS)) found.push({ address: m[0], where });
    }
  }
  return found.map((f) => ({ ...f, address: f.address.toLowerCase() }));
}

/** `local+tag@domain` split into the address without its tag and the tag; null without a tag. */
export function plusTag(address: string): { base: string; tag: string } | null {
  const at = address.lastIndexOf('@');
  const plus = address.indexOf('+');
  if (at <= 0 || plus <= 0 || plus > at) return null;
  return { base: address.slice(0, plus) + address.slice(at), tag: address.slice(plus + 1, at) };
}

export const replyTokenBinder: Binder = {
  layer: 'reply-token',
  *candidates({ message, snapshot, ownAddresses, replyTokenKey }) {
    if (!replyTokenKey || !ownAddresses?.size) return;
    for (const { address, where } of deliveryAddresses(message)) {
      const plus = plusTag(address);
      if (!plus || !ownAddresses.has(plus.base)) continue;
      const check = checkReplyToken(replyTokenKey, plus.tag);
      if (check.kind === 'valid') {
        yield { itemId: check.itemId, layer: 'reply-token', evidence: `the reply token in ${where} <${address}> names ${itemWords(snapshot, check.itemId)}` };
      } else if (check.kind === 'forged') {
        yield { refused: `the reply token in ${where} <${address}> claims item ${check.itemId} but its signature is wrong (forged or mistyped)` };
      }
    }
  },
};
