// Address headers → flat Address lists. Splitting and RFC 2047 decoding of display names is
// mailparser's (parseAddressHeader, nodemailer's addressparser); it is fed our own header text so
// raw 8-bit names get the same charset treatment as every other header. What is left is policy:
// groups are flattened (a group name is no one's address), and entries without a usable address
// ("undisclosed-recipients:;", a bare word) are dropped because nothing downstream can use them.
import { parseAddressHeader, type EmailAddress } from 'mailparser';
import type { HeaderField } from './headers.js';
import type { Address } from './message.js';

/** Every address in every occurrence of the header, in order. */
export function addressList(fields: readonly HeaderField[], name: string): Address[] {
  const values = fields.filter((f) => f.name === name).map((f) => f.raw);
  if (values.length === 0) return [];
  const out: Address[] = [];
  collect(parseAddressHeader(values).value, out);
  return out;
}

/** The first usable address of the first such header (From and Sender name one mailbox). */
export function firstAddress(fields: readonly HeaderField[], name: string): Address | null {
  const field = fields.find((f) => f.name === name);
  if (!field) return null;
  const out: Address[] = [];
  collect(parseAddressHeader(field.raw).value, out);
  return out[0] ?? null;
}

function collect(entries: EmailAddress[], out: Address[]): void {
  for (const entry of entries) {
    if (entry.group) {
      collect(entry.group, out);
      continue;
    }
    const address = cleanAddress(entry.address);
    if (address === null) continue;
    out.push({ name: cleanName(entry.name), address });
  }
}

function cleanAddress(raw: string | undefined): string | null {
  const address = (raw ?? '').trim();
  // An address needs a local part and a domain; "root" or "@example.com" cannot be replied to.
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  return address;
}

function cleanName(raw: string | undefined): string {
  // Encoded names can decode to line breaks and control characters; a display name is one line.
  return (raw ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
}
