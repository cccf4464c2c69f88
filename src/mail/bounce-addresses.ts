// Addresses as delivery reports write them: bare (`ann@example.com`), bracketed (`<ann@example.com>`),
// comma-separated (X-Failed-Recipients). Not RFC 5322 address lists (reports carry no display names).
const ADDRESS = /<?([^\s<>,;"()@]{1,200}@[^\s<>,;"()@]{1,200})>?/g;

/** Every address in `value`, lowercase, in order, without duplicates. */
export function addressesIn(value: string): string[] {
  const found: string[] = [];
  for (const match of value.slice(0, 4000).matchAll(ADDRESS)) {
    const address = match[1]!.toLowerCase().replace(/[.]+$/, '');
    if (!found.includes(address)) found.push(address);
  }
  return found;
}
