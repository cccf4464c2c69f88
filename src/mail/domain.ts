// The domain of an email address: how a new sender is matched to a company. A plain string function,
// kept apart from header parsing so that the tracker can use it without loading the parser.

/** The domain of an address, lowercased, or null when the address has none. */
export function domainOf(email: string): string | null {
  const at = email.lastIndexOf('@');
  return at > 0 && at < email.length - 1 ? email.slice(at + 1).toLowerCase() : null;
}
