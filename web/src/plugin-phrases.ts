// The phrases the server's plugins add to the rule language (MAILBIND_PLUGINS). The editor parses
// rules here in the browser with src/rules, so it learns their words once after sign-in, from GET
// /rules/vocabulary, as definitions that only parse: their code stays on the server, which evaluates
// rules (the rule tester and previews ask it). Parsing, errors, suggestions, formatting, highlighting
// and the reference then know the plugin words as they know the built-in ones.
import { usePlugins, type ActionDefinition, type ConditionDefinition, type PhraseGroup, type PluginPhrase } from '../../src/rules/index.js';
import { api } from './api.js';


/** A plugin's phrases as definitions that parse and print but do nothing: evaluation is the server's. */
export function inertGroups(phrases: readonly PluginPhrase[]): PhraseGroup[] {
  const groups = new Map<string, { origin: string; conditions: ConditionDefinition[]; actions: ActionDefinition[] }>();
  for (const p of phrases) {
    let group = groups.get(p.origin);
    if (!group) groups.set(p.origin, (group = { origin: p.origin, conditions: [], actions: [] }));
    const written = { pattern: p.pattern, help: p.help, ...(p.alsoWritten ? { alsoWritten: p.alsoWritten } : {}) };
    if (p.kind === 'condition') {
      group.conditions.push({ ...written, test: () => ({ matched: false, reason: 'evaluated on the server' }) });
    } else {
      group.actions.push({ ...written, role: p.role ?? 'plain', ...(p.onlyFor ? { onlyFor: p.onlyFor } : {}), steps: () => [] });
    }
  }
  return [...groups.values()];
}

let loaded: Promise<void> | null = null;

/**
 * Fetches the plugin phrases once per page load and puts them in use. A failure leaves the built-in
 * phrases alone (the server still checks every save) and is tried again at the next sign-in.
 */
export function loadPluginPhrases(): Promise<void> {
  loaded ??= api<{ phrases: PluginPhrase[] }>('/rules/vocabulary', { background: true })
    .then(({ phrases }) => {
      if (phrases.length) usePlugins(inertGroups(phrases));
    })
    .catch((error: unknown) => {
      loaded = null;
      console.warn('the rule editor knows only the built-in phrases: the plugin phrases could not be loaded', error);
    });
  return loaded;
}
