// The one way the UI talks to the service: JSON over /api/v1 with the session cookie, the CSRF token
// on every change, and errors turned into ApiError with the per-field or per-line details the API
// gives, so each page can show a message next to what caused it.
export interface FieldError {
  field: string;
  message: string;
}

export interface LineError {
  line: number;
  column: number;
  endColumn: number;
  message: string;
  suggestion?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: FieldError[] = [],
    readonly lines: LineError[] = [],
  ) {
    super(message);
  }

  /**
   * The message for one field, if the API named it: `closedReplies` finds `threading.closedReplies`.
   * SMTP fields are asked for by their full name (`smtp.password`): the mailbox has fields of the same names.
   */
  forField(field: string): string | undefined {
    return this.fields.find((f) => f.field === field || (f.field.endsWith(`.${field}`) && !f.field.startsWith('smtp.')))?.message;
  }
}

let csrfToken: string | undefined;
/**
 * Called when a request finds the session gone. It resolves true once the person has signed in again
 * (the request is then sent once more), false when they did not: the request fails with its 401.
 */
let onSignedOut: () => Promise<boolean> = async () => false;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export function whenSignedOut(handler: () => Promise<boolean>): void {
  onSignedOut = handler;
}

/** True when the request should be sent again: the session had ended and the person signed in again. */
async function signedInAgain(path: string, status: number): Promise<boolean> {
  // /session itself answers 401 for "signed out" and "wrong password": that is its answer, not an expiry.
  return status === 401 && path !== '/session' && (await onSignedOut());
}

/** `background`: the page asks by itself (polling), which must not count as the person's activity. */
export async function api<T = unknown>(path: string, options: { method?: string; body?: unknown; raw?: BodyInit; contentType?: string; background?: boolean } = {}, retried = false): Promise<T> {
  const method = options.method ?? (options.body !== undefined || options.raw !== undefined ? 'POST' : 'GET');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.raw !== undefined) headers['content-type'] = options.contentType ?? 'application/octet-stream';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (options.background) headers['x-mailbind-background'] = '1';
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : options.raw !== undefined ? { body: options.raw } : {}),
    });
  } catch {
    throw new ApiError(0, 'the service cannot be reached; is it running?');
  }
  if (response.status === 204) return undefined as T;
  const json = parseJson(await response.text());
  if (!retried && (await signedInAgain(path, response.status))) return api<T>(path, options, true);
  if (!response.ok) throw refusal(path, response.status, json);
  return json as T;
}

/** The answer's JSON, or undefined when it has none (an empty body, or a proxy's HTML error page). */
function parseJson(text: string): any {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** A refused request as an ApiError; a session that ended (and was not renewed) is said for a person. */
function refusal(path: string, status: number, json: any): ApiError {
  const errors: any[] = Array.isArray(json?.errors) ? json.errors : [];
  const ended = status === 401 && path !== '/session';
  return new ApiError(
    status,
    ended ? 'Not done: your session has ended. Sign in again when asked, then try once more.' : json?.error ?? `the service answered ${status}`,
    errors.filter((e) => typeof e.field === 'string'),
    errors.filter((e) => typeof e.line === 'number'),
  );
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A POST whose answer streams as NDJSON (Check Connection): `onLine` hears each JSON line the moment
 * it arrives, so a page can show progress. A refusal before the stream starts is an ApiError as usual.
 */
export async function apiLines(path: string, body: unknown, onLine: (line: any) => void, retried = false): Promise<void> {
  const headers: Record<string, string> = { accept: 'application/x-ndjson', 'content-type': 'application/json' };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify(body ?? {}) });
  } catch {
    throw new ApiError(0, 'the service cannot be reached; is it running?');
  }
  if (!response.ok || !response.body) {
    const json = parseJson(await response.text());
    if (!retried && (await signedInAgain(path, response.status))) return apiLines(path, body, onLine, true);
    throw refusal(path, response.status, json);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) onLine(JSON.parse(line));
    }
  }
  if (buffered.trim()) onLine(JSON.parse(buffered));
}
