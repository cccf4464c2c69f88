// Plugins: modules named by MAILBIND_PLUGINS that add conditions and actions to the rule language in
// plain words (docs/plugins.md). Loaded once, where the process starts (cli/main.ts), before any
// command parses a rule: every face then understands the same words. A plugin is site code that runs
// inside the pure decide step, so its shape is checked here at start-up and its answers at each call,
// and every mistake names the plugin and the entry instead of surfacing as a stack trace later.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  usePlugins,
  vocabulary,
  type ActionDefinition,
  type ActionStep,
  type ConditionDefinition,
  type ItemKind,
  type PhraseGroup,
} from '../rules/index.js';
// Not in the rules' index: building a vocabulary without installing it, to find which entry is wrong.
import { buildVocabulary } from '../rules/language.js';
import { userError } from './errors.js';

export interface PluginInfo {
  /** As written in MAILBIND_PLUGINS. */
  spec: string;
  /** The origin its phrases carry (errors, the reference, the editor): its `name`, or the spec. */
  name: string;
  /** Where the module was loaded from. */
  url: string;
  /** The patterns it added. */
  conditions: string[];
  actions: string[];
}

const ROLES = ['create', 'modifier', 'alone', 'plain'] as const;
const ITEM_KINDS: readonly ItemKind[] = ['request', 'story', 'bug', 'task'];
const CONDITION_KEYS = ['pattern', 'help', 'test', 'holds', 'check', 'alsoWritten'];
const ACTION_KEYS = ['pattern', 'help', 'role', 'onlyFor', 'steps', 'check', 'alsoWritten'];
/** The origin of mailbind's own phrases: no plugin may take it. */
const BUILT_IN = 'built-in';

interface Loaded extends PhraseGroup {
  spec: string;
  url: string;
  conditions: ConditionDefinition[];
  actions: ActionDefinition[];
}

/**
 * Loads the plugins of `spec` (a comma list of paths, file: URLs or package names), checks each one's
 * shape, and installs all their phrases with the built-in ones in one go. An empty spec leaves the
 * built-in phrases alone in use. Any problem is a user error in one line naming the plugin (and the
 * entry), and the phrases in use stay as they were.
 */
export async function loadPlugins(spec: string | undefined = process.env.MAILBIND_PLUGINS, cwd = process.cwd()): Promise<PluginInfo[]> {
  const specs = (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const loaded: Loaded[] = [];
  for (const one of specs) {
    const plugin = await loadOne(one, cwd);
    const same = loaded.find((p) => p.origin === plugin.origin);
    if (same) throw userError(`plugin ${one}: the name '${plugin.origin}' is already used by plugin ${same.spec}`);
    loaded.push(plugin);
  }
  try {
    usePlugins(loaded);
  } catch (error) {
    // A malformed pattern or a clash: say which entry, found by adding the entries one at a time.
    throw userError(culprit(loaded) ?? `cannot use the plugins: ${messageOf(error)}`);
  }
  return loaded.map((p) => ({
    spec: p.spec,
    name: p.origin,
    url: p.url,
    conditions: p.conditions.map((c) => c.pattern),
    actions: p.actions.map((a) => a.pattern),
  }));
}

async function loadOne(spec: string, cwd: string): Promise<Loaded> {
  const fail = (message: string) => userError(`plugin ${spec}: ${message}`);
  const url = moduleUrl(spec, cwd);
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw fail(`cannot load it: ${loadProblem(error, url)}`);
  }
  const exported = namespace.default !== undefined ? namespace.default : namespace;
  if (!isObject(exported)) {
    throw fail('its default export must be an object { name, conditions, actions } (or leave it out and export those by name)');
  }
  const { name, conditions = [], actions = [] } = exported as { name?: unknown; conditions?: unknown; actions?: unknown };
  if (name !== undefined && (typeof name !== 'string' || !name.trim())) throw fail('name must be a non-empty string');
  const origin = (name as string | undefined)?.trim() ?? spec;
  if (origin === BUILT_IN) throw fail(`the name '${BUILT_IN}' belongs to mailbind's own phrases`);
  if (!Array.isArray(conditions)) throw fail('conditions must be an array');
  if (!Array.isArray(actions)) throw fail('actions must be an array');
  if (conditions.length + actions.length === 0) {
    throw fail('it exports no conditions and no actions: a plugin exports { conditions: [...], actions: [...] } (docs/plugins.md)');
  }
  const condition = conditions.map((entry: unknown, i) => {
    const problem = conditionProblem(entry);
    if (problem) throw fail(`${label('condition', i, entry)}: ${problem}`);
    return guardCondition(entry as ConditionDefinition, origin);
  });
  const action = actions.map((entry: unknown, i) => {
    const problem = actionProblem(entry);
    if (problem) throw fail(`${label('action', i, entry)}: ${problem}`);
    return guardAction(entry as ActionDefinition, origin);
  });
  return { spec, url, origin, conditions: condition, actions: action };
}

/**
 * A path (absolute, `./` or `../`, a file: URL, or a file that exists relative to `cwd`) becomes a
 * file URL; anything else is a package, found from `cwd` (the site's node_modules) or else from
 * mailbind's own.
 */
function moduleUrl(spec: string, cwd: string): string {
  if (spec.startsWith('file:')) return spec;
  if (isAbsolute(spec)) return pathToFileURL(spec).href;
  const path = resolve(cwd, spec);
  if (spec.startsWith('./') || spec.startsWith('../') || existsSync(path)) return pathToFileURL(path).href;
  try {
    return pathToFileURL(createRequire(join(cwd, 'noop.js')).resolve(spec)).href;
  } catch {
    return spec; // import() looks next to mailbind and says what it could not find
  }
}

/** Why import() failed, in a line. Node 20 keeps a syntax error's place out of the error itself. */
function loadProblem(error: unknown, url: string): string {
  // "imported from …/app/plugins.js" names our file, not the user's.
  const message = messageOf(error).replace(/ imported from \S+$/, '');
  if (error instanceof SyntaxError && url.startsWith('file:')) return `${message} (node --check ${fileURLToPath(url)} shows where)`;
  return message;
}

// ---- the shape of an entry ----

function label(kind: 'condition' | 'action', index: number, entry: unknown): string {
  const pattern = isObject(entry) && typeof entry.pattern === 'string' ? ` ('${entry.pattern}')` : '';
  return `${kind} ${index + 1}${pattern}`;
}

function common(entry: Record<string, unknown>, keys: readonly string[], kind: string): string | undefined {
  const unknown = Object.keys(entry).find((k) => !keys.includes(k));
  if (unknown !== undefined) return `unknown property '${unknown}' (${kind} has ${keys.slice(0, -1).join(', ')} and ${keys.at(-1)})`;
  if (typeof entry.pattern !== 'string' || !entry.pattern.trim()) return "pattern must be a string, such as 'spam score above {number}'";
  if (typeof entry.help !== 'string' || !entry.help.trim()) return 'help must be a string: one line for the reference and the editor';
  if (entry.alsoWritten !== undefined && (!Array.isArray(entry.alsoWritten) || entry.alsoWritten.some((w) => typeof w !== 'string'))) {
    return 'alsoWritten must be an array of patterns';
  }
  if (entry.check !== undefined && typeof entry.check !== 'function') return 'check must be a function';
  return undefined;
}

function conditionProblem(entry: unknown): string | undefined {
  if (!isObject(entry)) return 'must be an object { pattern, help, test }';
  const problem = common(entry, CONDITION_KEYS, 'a condition');
  if (problem) return problem;
  if (typeof entry.test !== 'function') return 'test must be a function';
  if (entry.holds !== undefined && typeof entry.holds !== 'function') return 'holds must be a function';
  return undefined;
}

function actionProblem(entry: unknown): string | undefined {
  if (!isObject(entry)) return 'must be an object { pattern, help, role, steps }';
  const problem = common(entry, ACTION_KEYS, 'an action');
  if (problem) return problem;
  if (!(ROLES as readonly unknown[]).includes(entry.role)) return `role must be ${ROLES.map((r) => `'${r}'`).join(', ')}, not ${shown(entry.role)}`;
  if (typeof entry.steps !== 'function') return 'steps must be a function';
  if (entry.onlyFor !== undefined) {
    if (entry.role !== 'modifier') return "onlyFor applies to a 'modifier' only";
    if (!Array.isArray(entry.onlyFor) || entry.onlyFor.length === 0 || entry.onlyFor.some((k) => !ITEM_KINDS.includes(k as ItemKind))) {
      return `onlyFor must be a list of item kinds (${ITEM_KINDS.map((k) => `'${k}'`).join(', ')})`;
    }
  }
  return undefined;
}

/** The first entry that cannot join the vocabulary, with the reason; the entries are added one by one. */
function culprit(plugins: readonly Loaded[]): string | undefined {
  const seen = new Set<unknown>();
  const builtIn = { origin: BUILT_IN, conditions: [] as ConditionDefinition[], actions: [] as ActionDefinition[] };
  const v = vocabulary();
  for (const d of v.conditions.values()) if (d.origin === BUILT_IN && !seen.has(d.definition) && seen.add(d.definition)) builtIn.conditions.push(d.definition);
  for (const d of v.actions.values()) if (d.origin === BUILT_IN && !seen.has(d.definition) && seen.add(d.definition)) builtIn.actions.push(d.definition);
  const before: PhraseGroup[] = [builtIn];
  for (const plugin of plugins) {
    const partial = { origin: plugin.origin, conditions: [] as ConditionDefinition[], actions: [] as ActionDefinition[] };
    const entries = [
      ...plugin.conditions.map((d, i) => ({ kind: 'condition' as const, i, d })),
      ...plugin.actions.map((d, i) => ({ kind: 'action' as const, i, d })),
    ];
    for (const { kind, i, d } of entries) {
      if (kind === 'condition') partial.conditions.push(d as ConditionDefinition);
      else partial.actions.push(d as ActionDefinition);
      try {
        buildVocabulary([...before, partial]);
      } catch (error) {
        return `plugin ${plugin.spec}: ${label(kind, i, d)}: ${messageOf(error)}`;
      }
    }
    before.push(partial);
  }
  return undefined;
}

// ---- guards around a plugin's code ----
// The evaluator trusts a definition's answers; a plugin's are checked at every call, so a wrong one
// fails the message with the plugin named (and the message is retried once the plugin is fixed).

function guardCondition(d: ConditionDefinition, origin: string): ConditionDefinition {
  const where = `plugin ${origin}: condition '${d.pattern}'`;
  const guarded: ConditionDefinition = {
    pattern: d.pattern,
    help: d.help,
    ...(d.alsoWritten ? { alsoWritten: [...d.alsoWritten] } : {}),
    ...(d.check ? { check: guardCheck(d.check.bind(d), where) } : {}),
    test(args, ctx, scope) {
      const verdict = call(where, 'test', () => d.test(args, ctx, scope));
      const problem = verdictProblem(verdict);
      if (problem) throw new Error(`${where}: test returned ${shown(verdict)}: ${problem}`);
      return verdict;
    },
  };
  if (d.holds) {
    const holds = d.holds.bind(d);
    guarded.holds = (args) => {
      const check = call(where, 'holds', () => holds(args));
      if (typeof check !== 'function') throw new Error(`${where}: holds returned ${shown(check)}: it must return a function (ctx, scope) => boolean`);
      // No closure per call: this runs for every message the rule set sees.
      return (ctx, scope) => {
        let held: unknown;
        try {
          held = check(ctx, scope);
        } catch (error) {
          throw new Error(`${where}: holds threw: ${messageOf(error)}`, { cause: error });
        }
        if (typeof held !== 'boolean') throw new Error(`${where}: the function from holds returned ${shown(held)}: it must return true or false`);
        return held;
      };
    };
  }
  return guarded;
}

function guardAction(d: ActionDefinition, origin: string): ActionDefinition {
  const where = `plugin ${origin}: action '${d.pattern}'`;
  return {
    pattern: d.pattern,
    help: d.help,
    role: d.role,
    ...(d.onlyFor ? { onlyFor: [...d.onlyFor] } : {}),
    ...(d.alsoWritten ? { alsoWritten: [...d.alsoWritten] } : {}),
    ...(d.check ? { check: guardCheck(d.check.bind(d), where) } : {}),
    steps(args, message) {
      const steps = call(where, 'steps', () => d.steps(args, message));
      if (!Array.isArray(steps)) throw new Error(`${where}: steps returned ${shown(steps)}: it must return an array of steps`);
      for (const step of steps) {
        const problem = stepProblem(step);
        if (problem) throw new Error(`${where}: steps returned the step ${shown(step)}: ${problem}`);
      }
      return steps;
    },
  };
}

function guardCheck(check: NonNullable<ConditionDefinition['check']>, where: string): NonNullable<ConditionDefinition['check']> {
  return (args) => {
    const problem = call(where, 'check', () => check(args));
    if (problem !== undefined && (typeof problem !== 'string' || !problem)) {
      throw new Error(`${where}: check returned ${shown(problem)}: it must return an error message or undefined`);
    }
    return problem;
  };
}

function call<T>(where: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw new Error(`${where}: ${what} threw: ${messageOf(error)}`, { cause: error });
  }
}

function verdictProblem(v: unknown): string | undefined {
  if (!isObject(v) || typeof v.matched !== 'boolean') return 'it must return { matched: true or false, reason }';
  if (typeof v.reason !== 'string' && typeof v.reason !== 'function') return 'the reason must be a string (or a function making one)';
  if (v.captures !== undefined && (!isObject(v.captures) || Object.values(v.captures).some((c) => typeof c !== 'string'))) {
    return 'captures must map names to strings';
  }
  return undefined;
}

const text = (v: unknown) => typeof v === 'string';
const textOrNull = (v: unknown) => v === null || typeof v === 'string';
const isProject = (p: unknown) =>
  isObject(p) && ((Number.isInteger(p.id) && (p.id as number) > 0) || (typeof p.code === 'string' && !!p.code) || (typeof p.capture === 'string' && !!p.capture));

/** What each kind of step needs (language.ts ActionStep); a step of another kind is refused. */
const STEP_FIELDS: Record<ActionStep['do'], Record<string, (v: unknown) => boolean>> = {
  attach: { project: isProject },
  create: {
    item: (v) => ITEM_KINDS.includes(v as ItemKind),
    project: isProject,
    visibility: (v) => v === 'private' || v === 'public',
    title: textOrNull,
  },
  team: { teamId: (v) => Number.isInteger(v) && (v as number) > 0 },
  set: { setting: (v) => v === 'state' || v === 'priority' || v === 'severity', value: text },
  assign: { email: text },
  tag: { tag: text },
  field: { name: text, value: text },
  ignore: { reason: textOrNull },
  reply: { template: text },
};

function stepProblem(step: unknown): string | undefined {
  const kinds = Object.keys(STEP_FIELDS);
  if (!isObject(step) || !Object.hasOwn(STEP_FIELDS, step.do as string)) return `a step's 'do' is one of ${kinds.join(', ')}`;
  const fields = STEP_FIELDS[step.do as ActionStep['do']];
  const bad = Object.entries(fields).find(([field, ok]) => !ok(step[field]));
  return bad ? `'${bad[0]}' is missing or of the wrong type for a '${step.do as string}' step (docs/plugins.md)` : undefined;
}

// ---- small things ----

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/** A value as an error message quotes it: short. */
function shown(v: unknown): string {
  if (typeof v === 'function') return 'a function';
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
