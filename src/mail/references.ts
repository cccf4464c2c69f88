// How a message points at earlier work: the TargetProcess `Ticket#N` token in the body, and the
// Message-IDs of the thread. Pure string functions; the engine decides what a match binds to.

// TargetProcess matches `Ticket#(\d+)`, case-sensitive, anywhere in the body (quoted text
// included), takes the first match only, and ignores it unless the number is above zero. We read the
// same token without ever taking more than 11 digits into a number: leading zeros are skipped, the
// significant digits are capped at 10 (a 32-bit id has at most 10), and an 11th digit right after
// them means "too large", as the long number would be. Same answer, bounded work on "Ticket#999…".
const TICKET_TOKEN = /Ticket#0*(\d{1,10})(\d?)/;
/** TargetProcess entity ids are 32-bit integers; a longer number cannot name one. */
const MAX_TICKET_ID = 2_147_483_647;

/**
 * The entity id of the first `Ticket#N` in the text, as TargetProcess finds it: case-sensitive, the
 * first occurrence decides (a first `Ticket#0` means no reference, later ones are not tried).
 */
export function findTicketReference(text: string): number | null {
  const match = TICKET_TOKEN.exec(text);
  if (!match?.[1] || match[2]) return null;
  const id = Number(match[1]);
  return id > 0 && id <= MAX_TICKET_ID ? id : null;
}

/**
 * The first Message-ID in a header value, without angle brackets and whitespace, or null when
 * there is none. Accepts `<id@host>`, bare `id@host`, old-style `In-Reply-To: Your message of …
 * <id@host>`, comments, and ids folded across lines.
 */
export function normalizeMessageId(value: string | null | undefined): string | null {
  return messageIds(value ?? '')[0] ?? null;
}

/** Every Message-ID in a header value (References), in order, without brackets, duplicates dropped. */
export function parseMessageIdList(value: string | null | undefined): string[] {
  return [...new Set(messageIds(value ?? ''))];
}

function messageIds(value: string): string[] {
  // Linear: [^()] cannot pass a parenthesis, so each "(" is tried against the text up to the next
  // one only ("((((…" costs one step per character; classify-deadline.test.ts holds it to that).
  const text = value.replace(/\([^()]*\)/g, ' ');
  if (text.includes('<')) {
    const ids: string[] = [];
    for (const match of text.matchAll(/<([^<>]*)>?/g)) {
      const id = clean(match[1] ?? '');
      if (id) ids.push(id);
    }
    return ids;
  }
  // No brackets at all: senders that forgot them still separate ids by whitespace or commas.
  // Prefer the tokens that look like ids (id@host) over stray words next to them.
  const tokens = text
    .split(/[\s,]+/)
    .map(clean)
    .filter((id) => id !== '');
  const withAt = tokens.filter((id) => id.includes('@'));
  return withAt.length > 0 ? withAt : tokens;
}

function clean(id: string): string {
  // Whitespace is never part of an id (RFC 5322 msg-id); it appears when long ids are folded.
  return id.replace(/[\s<>]+/g, '');
}
