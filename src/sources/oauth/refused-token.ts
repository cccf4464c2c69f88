// Which login failures a fresh access token can cure. A mail server that refuses the token itself
// (expired, revoked, another account's) gets one refreshed token, and refused again the sign-in is marked
// stopped. A refusal for another reason is the connection's or the server's, and neither a refresh nor a
// new sign-in helps: plaintext logins disabled on an unencrypted connection, the server's authentication
// backend down (IMAP [UNAVAILABLE], POP3 [SYS/TEMP]), a mailbox in use. Those stay poll errors.

/** Response codes (IMAP RFC 5530, POP3 RFC 2449/3206) that say the refusal was not about the credential. */
const NOT_THE_CREDENTIAL = new Set([
  'UNAVAILABLE', 'PRIVACYREQUIRED', 'CONTACTADMIN', 'LIMIT', 'INUSE', 'SERVERBUG',
  'IN-USE', 'LOGIN-DELAY', 'SYS/TEMP', 'SYS/PERM',
]);
/**
 * A server's words for "not over an unencrypted connection" (Dovecot's POP3 says it with [AUTH], the code
 * of a refused credential). Literal alternatives over a clipped text: linear.
 */
const NEEDS_TLS = /plaintext|ssl\/tls|non-secure|not secure|encrypt/i;
const MAX_TEXT = 600;

/** True when a source's failure (ImapSourceError, Pop3Error) is the server refusing the credential it was given. */
export function isRefusedCredential(error: unknown): boolean {
  const e = error as {
    step?: unknown; responseCode?: unknown; serverText?: unknown;
    cause?: { serverResponseCode?: unknown; response?: unknown; responseText?: unknown } | null;
  } | null;
  if (e?.step !== 'auth') return false;
  const code = text(e.responseCode) ?? text(e.cause?.serverResponseCode);
  if (code && NOT_THE_CREDENTIAL.has(code.toUpperCase())) return false;
  const said = [e.serverText, e.cause?.response, e.cause?.responseText].map(text).filter(Boolean).join(' ').slice(0, MAX_TEXT);
  return !NEEDS_TLS.test(said);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, MAX_TEXT) : undefined;
}
