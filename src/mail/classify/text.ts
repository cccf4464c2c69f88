// How reasons quote what the mail said: header names as people write them, values clipped.

/** `x-auto-response-suppress` → `X-Auto-Response-Suppress`. */
export function display(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/** A value short enough for a reason line. */
export function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
