// The vocabulary in use: the built-in phrases and those of the plugins the process loaded at start-up
// (MAILBIND_PLUGINS). One per process, like the plugins themselves, so every face that parses rules (the
// API, the CLI, the engine, the editor's bundle) understands the same words without passing them around.
import { BUILTIN_ACTIONS } from './actions.js';
import { BUILTIN_CONDITIONS } from './conditions.js';
import { buildVocabulary, type ActionDefinition, type ConditionDefinition, type Vocabulary } from './language.js';

export interface PhraseGroup {
  /** Named in errors about the group ('built-in', a plugin's name). */
  origin: string;
  conditions?: readonly ConditionDefinition[];
  actions?: readonly ActionDefinition[];
}

const BUILT_IN: PhraseGroup = { origin: 'built-in', conditions: BUILTIN_CONDITIONS, actions: BUILTIN_ACTIONS };

let current: Vocabulary = buildVocabulary([BUILT_IN]);
const listeners = new Set<() => void>();

export function vocabulary(): Vocabulary {
  return current;
}

/**
 * Adds plugins' phrases to the built-in ones (replacing earlier plugins). Throws, changing nothing, when a
 * phrase is malformed or clashes with another.
 */
export function usePlugins(plugins: readonly PhraseGroup[]): void {
  current = buildVocabulary([BUILT_IN, ...plugins]);
  for (const listener of listeners) listener();
}

/** Caches derived from the vocabulary (phrase lists) subscribe to be rebuilt when plugins arrive. */
export function onVocabularyChange(listener: () => void): void {
  listeners.add(listener);
}
