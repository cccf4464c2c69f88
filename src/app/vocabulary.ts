// The phrases plugins added to the rule language, as data: the web editor parses rules in the browser
// and learns the plugins' words from this (their code stays on the server, where rules are evaluated).
import { vocabulary, type ActionDefinition, type PluginPhrase } from '../rules/index.js';

export type { PluginPhrase };

/** Every plugin phrase in use, conditions first, each once (not once per spelling), in load order. */
export function pluginPhrases(): PluginPhrase[] {
  const v = vocabulary();
  const conditions = fromPlugins(v.conditions.values()).map(({ definition: d, origin }) => ({ kind: 'condition' as const, ...common(d), origin }));
  const actions = fromPlugins(v.actions.values()).map(({ definition: d, origin }) => ({
    kind: 'action' as const,
    ...common(d),
    role: d.role,
    ...(d.onlyFor ? { onlyFor: [...d.onlyFor] } : {}),
    origin,
  }));
  return [...conditions, ...actions];
}

/** A definition written several ways is in the vocabulary once per spelling: keep it once. */
function fromPlugins<D>(defined: Iterable<{ definition: D; origin: string }>): Array<{ definition: D; origin: string }> {
  const seen = new Set<D>();
  const found: Array<{ definition: D; origin: string }> = [];
  for (const { definition, origin } of defined) {
    if (origin === 'built-in' || seen.has(definition)) continue;
    seen.add(definition);
    found.push({ definition, origin });
  }
  return found;
}

function common(d: { pattern: string; help: string; alsoWritten?: readonly string[] }) {
  return { pattern: d.pattern, help: d.help, ...(d.alsoWritten?.length ? { alsoWritten: [...d.alsoWritten] } : {}) };
}
