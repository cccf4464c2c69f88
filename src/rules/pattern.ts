// How a condition or action is written, declared as a pattern: words, then slots in braces, an optional
// tail in brackets. `header {text:header name} contains {keywords}`, `sender is {known|unknown}`,
// `create bug in project {project} [with title {text:title}]`. Built-in phrases and plugins declare
// themselves the same way, so both get the same parser, errors, suggestions, formatter and highlighting.

export type Slot =
  | { type: 'keywords'; what: string } // 'a, b, c': any of them (TargetProcess's keyword list)
  | { type: 'text'; what: string } // one single-quoted text; in actions {capture} placeholders are filled in
  | { type: 'regex' } // /pattern/flags, RE2 syntax
  | { type: 'project' } // an id, a project code, or {capture}
  | { type: 'team' } // a team id
  | { type: 'number'; what: string } // digits, optionally with a decimal part
  | { type: 'size' } // a number and a unit: bytes, KB, MB, GB
  | { type: 'choice'; options: readonly string[] }; // one of a few words

export type Part =
  | { words: readonly string[] }
  | { slot: Slot }
  /** `[with title {text}]`: the words, then one slot, or nothing. */
  | { optional: readonly string[]; slot: Slot };

export interface Pattern {
  /** As declared; also the clause's `kind`, with slot details dropped: `header {text} contains {keywords}`. */
  key: string;
  parts: Part[];
}

const SLOT_TYPES = ['keywords', 'text', 'regex', 'project', 'team', 'number', 'size'] as const;

/** Reads a pattern. Throws on a malformed one: a built-in's or a plugin's mistake, found at start-up. */
export function parsePattern(pattern: string): Pattern {
  const parts: Part[] = [];
  const keyParts: string[] = [];
  const re = /\s*(?:\[([^\]]*)\]|\{([^}]*)\}|([a-z]+))/gy;
  let match: RegExpExecArray | null;
  let at = 0;
  while (at < pattern.trimEnd().length && (match = re.exec(pattern))) {
    at = re.lastIndex;
    const [, optional, slot, word] = match;
    if (word !== undefined) {
      const last = parts[parts.length - 1];
      if (last && 'words' in last) (last.words as string[]).push(word);
      else parts.push({ words: [word] });
      keyParts.push(word);
    } else if (slot !== undefined) {
      const s = readSlot(slot, pattern);
      parts.push({ slot: s });
      keyParts.push(`{${slotName(s)}}`);
    } else {
      const inner = parsePattern(optional!);
      const [words, tail, ...rest] = inner.parts;
      if (!words || !('words' in words) || !tail || !('slot' in tail) || 'optional' in tail || rest.length) {
        throw new Error(`pattern '${pattern}': an optional part is words and then one slot, as in [with title {text}]`);
      }
      parts.push({ optional: words.words, slot: tail.slot });
      keyParts.push(`[${inner.key}]`);
    }
  }
  if (at < pattern.trimEnd().length) throw new Error(`pattern '${pattern}': cannot read it from column ${at + 1}`);
  if (!parts[0] || !('words' in parts[0])) throw new Error(`pattern '${pattern}' must start with words`);
  return { key: keyParts.join(' '), parts };
}

function readSlot(text: string, pattern: string): Slot {
  const [type, what] = text.split(':', 2) as [string, string | undefined];
  if (type.includes('|')) {
    const options = type.split('|');
    if (options.some((o) => !/^[a-z]+$/.test(o))) throw new Error(`pattern '${pattern}': choices are lowercase words`);
    return { type: 'choice', options };
  }
  if (!(SLOT_TYPES as readonly string[]).includes(type)) {
    throw new Error(`pattern '${pattern}': unknown slot {${text}}; slots are ${SLOT_TYPES.join(', ')} or a|b choice`);
  }
  switch (type) {
    case 'keywords':
      return { type, what: what ?? 'keyword list' };
    case 'text':
      return { type, what: what ?? 'text' };
    case 'number':
      return { type, what: what ?? 'number' };
    default:
      return { type } as Slot;
  }
}

export function slotName(slot: Slot): string {
  return slot.type === 'choice' ? slot.options.join('|') : slot.type;
}

/** The words a clause starts with: what tells it apart (together with later words when slots come between). */
export function leadingWords(pattern: Pattern): readonly string[] {
  return (pattern.parts[0] as { words: readonly string[] }).words;
}

/** Every keyword a pattern uses, for highlighting. */
export function patternWords(pattern: Pattern): string[] {
  const words: string[] = [];
  for (const part of pattern.parts) {
    if ('words' in part) words.push(...part.words);
    else if ('optional' in part) words.push(...part.optional);
    if ('slot' in part && part.slot.type === 'choice') words.push(...part.slot.options);
  }
  return words;
}
