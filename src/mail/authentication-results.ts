// What our receiving server said about a message's sender (Authentication-Results, RFC 8601): whether
// the From domain failed authentication. Read only to refuse, never to grant: a header saying "pass"
// proves nothing (anyone can write one), but a "fail" the server added is worth believing. Pure.
import { domainOf } from './domain.js';
import type { Header, Message } from './message.js';

/** A header is read this far: real ones are a few hundred characters; the scan stays bounded. */
const MAX_HEADER = 8192;

interface MethodResult {
  method: string;
  result: string;
  /** Property → value: header.from, smtp.mailfrom, header.d, header.i, … (lowercase keys). */
  props: Map<string, string>;
}

/**
 * Why the message's From is not authenticated, in words, or null when nothing says so. Reads the
 * topmost Authentication-Results only: the receiving server prepends its own, so the topmost is ours
 * (those below came with the mail, from anyone). Counts as failed: dmarc=fail for the From domain, or
 * spf=fail and dkim=fail for it (with no dkim=pass). No header, or one that says nothing of the From
 * domain: null, as before Authentication-Results were read.
 */
export function fromAuthenticationFailure(message: Pick<Message, 'headers' | 'from'>): string | null {
  const fromDomain = message.from ? domainOf(message.from.address) : null;
  if (!fromDomain) return null;
  const header = topmost(message.headers);
  if (header === null) return null;
  const { server, results } = parseAuthenticationResults(header);
  const about = (r: MethodResult, ...keys: string[]) => keys.every((k) => !r.props.has(k) || domainPart(r.props.get(k)!) === fromDomain);
  const dmarc = results.find((r) => r.method === 'dmarc' && r.result === 'fail' && about(r, 'header.from'));
  if (dmarc) return `${server} says dmarc=fail for ${fromDomain}`;
  const spf = results.find((r) => r.method === 'spf' && r.result === 'fail' && about(r, 'smtp.mailfrom'));
  const dkim = results.filter((r) => r.method === 'dkim' && about(r, 'header.d', 'header.i'));
  if (spf && dkim.some((r) => r.result === 'fail') && !dkim.some((r) => r.result === 'pass')) {
    return `${server} says spf=fail and dkim=fail for ${fromDomain}`;
  }
  return null;
}

function topmost(headers: readonly Header[]): string | null {
  const found = headers.find((h) => h.name === 'authentication-results');
  return found ? found.value.slice(0, MAX_HEADER) : null;
}

/** `authserv-id; method=result (comment) prop=value …; …` into its parts. Linear: splits and one flat regex. */
export function parseAuthenticationResults(value: string): { server: string; results: MethodResult[] } {
  // Comments hold free text (and may hold ';'); one level of nesting is all real headers use.
  const plain = value.replace(/\([^()]*\)/g, ' ').replace(/\([^()]*\)/g, ' ');
  const [serverPart = '', ...parts] = plain.split(';');
  const results: MethodResult[] = [];
  for (const part of parts) {
    const words = part.trim().split(/\s+/).filter(Boolean);
    const head = words[0]?.split('=');
    if (!head || head.length !== 2) continue;
    const props = new Map<string, string>();
    for (const word of words.slice(1)) {
      const eq = word.indexOf('=');
      if (eq > 0) props.set(word.slice(0, eq).toLowerCase(), word.slice(eq + 1).replace(/^"|"$/g, ''));
    }
    results.push({ method: head[0]!.toLowerCase().replace(/\/.*$/, ''), result: head[1]!.toLowerCase(), props });
  }
  return { server: `the Authentication-Results of ${serverPart.trim().split(/\s+/)[0] || 'the receiving server'}`, results };
}

/** `bob@example.com`, `@example.com` or `example.com` → `example.com`. */
function domainPart(value: string): string {
  return value.slice(value.lastIndexOf('@') + 1).toLowerCase();
}
