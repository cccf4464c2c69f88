// Every failure of the POP3 client is a Pop3Error that says at which step it happened, so callers (intake,
// Check Connection) can tell a bad password from a bad certificate from a hung server without parsing text.
// Messages never contain the password: commands are named by their verb only, and server text is redacted
// of the password and the encoded credentials in case a server echoes them.

/** Where a session failed. 'timeout' errors carry the step that timed out in `during`. */
export type Pop3ErrorStep = 'connect' | 'tls' | 'greeting' | 'capa' | 'stls' | 'auth' | 'command' | 'timeout';

export interface Pop3ErrorDetails {
  /** The server's response text after `-ERR ` (redacted), when the server answered. */
  serverText?: string;
  /** RFC 2449 / RFC 3206 response code, e.g. 'AUTH', 'IN-USE', 'SYS/TEMP', 'LOGIN-DELAY'. */
  responseCode?: string;
  /**
   * Node / OpenSSL error code, e.g. 'ECONNREFUSED', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', or
   * 'ERR_POP3_PROTOCOL' when the server's reply was not POP3 at all.
   */
  code?: string;
  /** For step 'timeout': the step that was waiting. */
  during?: Exclude<Pop3ErrorStep, 'timeout'>;
  cause?: unknown;
}

export class Pop3Error extends Error {
  override readonly name = 'Pop3Error';
  readonly step: Pop3ErrorStep;
  readonly serverText?: string;
  readonly responseCode?: string;
  readonly code?: string;
  readonly during?: Exclude<Pop3ErrorStep, 'timeout'>;

  constructor(step: Pop3ErrorStep, message: string, details: Pop3ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.step = step;
    if (details.serverText !== undefined) this.serverText = details.serverText;
    if (details.responseCode !== undefined) this.responseCode = details.responseCode;
    if (details.code !== undefined) this.code = details.code;
    if (details.during !== undefined) this.during = details.during;
  }
}

/** Removes every occurrence of the given secrets (pass encoded forms too, e.g. the AUTH PLAIN blob) from `text`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 3) continue; // too short to redact without mangling ordinary words
    out = out.split(secret).join('[redacted]');
  }
  return out;
}
