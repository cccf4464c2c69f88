/**
 * Case-insensitive comparison key. TargetProcess used .NET's culture-aware invariant ignore-case search;
 * composing (NFC) and upper-then-lower casing comes close: 'Ä' finds 'ä', 'STRASSE' finds 'straße'.
 */
export function fold(s: string): string {
  return s.normalize('NFC').toUpperCase().toLowerCase();
}
