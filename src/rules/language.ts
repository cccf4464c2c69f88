// The vocabulary of the rule language: every condition and action, built-in or from a plugin, is one
// definition here. The parser, the formatter, the evaluator, error suggestions and the editor's
// highlighting all read this registry, so a new phrase is one entry in conditions.ts or actions.ts (or a
// plugin) and nothing else.
import { parsePattern, type Pattern } from './pattern.js';
import type { ArgValue, EvalContext, ItemKind, MessageView, ProjectRef, RuleSet } from './types.js';

/** A condition's verdict. `reason` may be a function: most reasons are never shown, so they are built on demand. */
export interface Verdict {
  matched: boolean;
  reason: string | (() => string);
  /**
   * Named captures of a regular expression that matched, for the rule's actions; may be a function, read
   * only if the whole rule matches (reading captures is the slow part of a match).
   */
  captures?: Record<string, string> | (() => Record<string, string>);
}

/** Per message: a place for a condition kind to keep work shared by all its clauses (one regex pass). */
export interface EvalScope {
  ruleSet: RuleSet;
  memo: Map<unknown, unknown>;
}

export interface ConditionDefinition {
  /** How it is written: `from contains {keywords}`; see pattern.ts. */
  pattern: string;
  /** One line for the reference and the editor's completion. */
  help: string;
  /** Other spellings that mean exactly this, e.g. TargetProcess's `create private request`. */
  alsoWritten?: readonly string[];
  /** A further check when parsed: an error message for the whole clause, or undefined. */
  check?(args: readonly ArgValue[]): string | undefined;
  /** Pure: the clause's slot values and what is known about the message and the tracker. */
  test(args: readonly ArgValue[], ctx: EvalContext, scope: EvalScope): Verdict;
  /**
   * Optional fast path, compiled once per clause: whether the clause holds, without a verdict to build.
   * Must agree with `test`. A rule set of a thousand rules is scanned with these; verdicts are built
   * for the rules a trace shows.
   */
  holds?(args: readonly ArgValue[]): (ctx: EvalContext, scope: EvalScope) => boolean;
}

/** What an action asks for, in order; the evaluator folds modifiers into the item created before them. */
export type ActionStep =
  | { do: 'attach'; project: ProjectRef }
  | { do: 'create'; item: ItemKind; project: ProjectRef; visibility: 'private' | 'public'; title: string | null }
  | { do: 'team'; teamId: number }
  | { do: 'set'; setting: 'state' | 'priority' | 'severity'; value: string }
  | { do: 'assign'; email: string }
  | { do: 'tag'; tag: string }
  | { do: 'field'; name: string; value: string }
  | { do: 'ignore'; reason: string | null }
  | { do: 'reply'; template: string };

export interface ActionDefinition {
  pattern: string;
  help: string;
  /**
   * create: makes an item; modifier: changes the item the rule created just before it (`onlyFor` kinds);
   * alone: must be the rule's only action (ignore); plain: anything else (attach to project).
   */
  role: 'create' | 'modifier' | 'alone' | 'plain';
  onlyFor?: readonly ItemKind[];
  alsoWritten?: readonly string[];
  check?(args: readonly ArgValue[]): string | undefined;
  /** Pure: the steps this clause asks for; text slots have their {captures} filled in already. */
  steps(args: readonly ArgValue[], message: MessageView): ActionStep[];
}

export interface Vocabulary {
  conditions: ReadonlyMap<string, Defined<ConditionDefinition>>;
  actions: ReadonlyMap<string, Defined<ActionDefinition>>;
}

export function buildVocabulary(
  groups: ReadonlyArray<{ origin: string; conditions?: readonly ConditionDefinition[]; actions?: readonly ActionDefinition[] }>,
): Vocabulary {
  const conditions = new Map<string, Defined<ConditionDefinition>>();
  const actions = new Map<string, Defined<ActionDefinition>>();
  for (const group of groups) {
    for (const definition of group.conditions ?? []) add(conditions, definition, group.origin);
    for (const definition of group.actions ?? []) add(actions, definition, group.origin);
  }
  checkUnambiguous([...conditions.values()]);
  checkUnambiguous([...actions.values()]);
  return { conditions, actions };
}

export interface Defined<D> {
  definition: D;
  pattern: Pattern;
  /** For a spelling in `alsoWritten`, the pattern that is printed (the definition's own). */
  canonical: Pattern;
  /** Where it came from: 'built-in' or the plugin's name. */
  origin: string;
}

/** Words the grammar itself reads: a phrase starting with one could not be told from a rule's structure. */
const GRAMMAR_WORDS = new Set(['when', 'then', 'and', 'or', 'not']);

function add<D extends { pattern: string; alsoWritten?: readonly string[] }>(map: Map<string, Defined<D>>, definition: D, origin: string): void {
  const canonical = parsePattern(definition.pattern);
  const first = (canonical.parts[0] as { words: readonly string[] }).words[0]!;
  if (GRAMMAR_WORDS.has(first)) throw new Error(`'${definition.pattern}' from ${origin} starts with '${first}', a word of the rule grammar`);
  for (const written of [definition.pattern, ...(definition.alsoWritten ?? [])]) {
    const pattern = written === definition.pattern ? canonical : parsePattern(written);
    const existing = map.get(pattern.key);
    if (existing) throw new Error(`'${written}' from ${origin} is already defined by ${existing.origin}`);
    map.set(pattern.key, { definition, pattern, canonical, origin });
  }
}

/**
 * Phrases that start alike must part by words before they part by slots: `header {text} contains` and
 * `header {text} matches` can be told apart; `size above {number}` and `size above {size}` cannot.
 */
function checkUnambiguous(defined: Defined<unknown>[]): void {
  const shapes = new Map<string, string>();
  for (const d of defined) {
    let shape = '';
    for (const part of d.pattern.parts) {
      if ('words' in part) {
        // The first words are chosen by the longest match; after a slot, words and a slot cannot meet.
        if (shape !== '') {
          const seen = shapes.get(shape);
          if (seen !== undefined && seen !== 'words') {
            throw new Error(`'${d.pattern.key}' (${d.origin}) cannot be told apart from another phrase starting '${shape.trim()}'`);
          }
          shapes.set(shape, 'words');
        }
        shape += ` ${part.words.join(' ')}`;
      } else if ('optional' in part) break;
      else {
        const seen = shapes.get(shape);
        const mine = part.slot.type;
        // Where one phrase reads a slot, another starting alike may end or go on with words (the parser
        // looks at the token), but not read words or a different kind of slot.
        if (seen !== undefined && seen !== mine) {
          throw new Error(`'${d.pattern.key}' (${d.origin}) cannot be told apart from another phrase starting '${shape.trim()}'`);
        }
        shapes.set(shape, mine);
        shape += ` {${mine}}`;
      }
    }
  }
}

/**
 * A plugin's phrase as data (GET /rules/vocabulary): what a process without the plugin's code (the web
 * editor) needs to parse and print it.
 */
export interface PluginPhrase {
  kind: 'condition' | 'action';
  /** As declared: `spam score above {number:score}`. */
  pattern: string;
  help: string;
  /** Other spellings that mean the same. */
  alsoWritten?: string[];
  /** Actions: create, modifier, alone or plain. */
  role?: ActionDefinition['role'];
  /** Modifiers: the kinds of item they apply to. */
  onlyFor?: ItemKind[];
  /** The plugin's name (or its entry in MAILBIND_PLUGINS). */
  origin: string;
}
