// Every built-in action, one entry each: how it is written and the steps it asks for. Steps are data;
// the evaluator folds modifiers into the item created before them and the engine carries them out.
import type { ActionDefinition } from './language.js';
import type { ItemKind, ProjectRef } from './types.js';

/** The states of every kind of item, as written in rules (any case; 'in progress' or 'in-progress'). */
export const ITEM_STATES = ['New', 'Open', 'In Progress', 'Done', 'Closed'] as const;

/** 'In Progress' → 'in-progress', the stored form; null when it is not a state. */
export function normalizeState(written: string): string | null {
  const key = written.trim().toLowerCase().replace(/[\s-]+/g, '-');
  return ITEM_STATES.some((s) => s.toLowerCase().replace(/ /g, '-') === key) ? key : null;
}

function create(words: string, item: ItemKind, visibility: 'private' | 'public' = 'private'): ActionDefinition {
  return {
    pattern: `create ${words} in project {project} [with title {text:title}]`,
    help: `creates a ${words} in the project, titled by the subject unless a title is given; the message is its source`,
    role: 'create',
    steps: ([project, title]) => [{ do: 'create', item, project: project as ProjectRef, visibility, title: (title as string | null) ?? null }],
  };
}

function setting(name: 'state' | 'priority' | 'severity', onlyFor?: ItemKind[]): ActionDefinition {
  return {
    pattern: `set ${name} {text:${name}}`,
    help: `sets the ${name} of the item the rule created${onlyFor ? ` (${onlyFor.join(', ')}s only)` : ''}`,
    role: 'modifier',
    ...(onlyFor ? { onlyFor } : {}),
    steps: ([value]) => [{ do: 'set', setting: name, value: name === 'state' ? normalizeState(value as string) ?? (value as string) : (value as string).trim() }],
  };
}

export const BUILTIN_ACTIONS: readonly ActionDefinition[] = [
  // TargetProcess's actions, first. Plain "create request" is its spelling of a private request.
  {
    pattern: 'attach to project {project}',
    help: "puts the message in the project's inbox",
    role: 'plain',
    steps: ([project]) => [{ do: 'attach', project: project as ProjectRef }],
  },
  { ...create('request', 'request'), alsoWritten: ['create private request in project {project} [with title {text:title}]'] },
  create('public request', 'request', 'public'),
  {
    pattern: 'attach request to team {team}',
    help: 'gives the request created just before it a team',
    role: 'modifier',
    onlyFor: ['request'],
    steps: ([team]) => [{ do: 'team', teamId: team as number }],
  },
  create('user story', 'story'),
  create('bug', 'bug'),
  create('task', 'task'),
  {
    pattern: 'assign to {text:staff email}',
    help: 'assigns the item the rule created to a staff user',
    role: 'modifier',
    steps: ([email]) => [{ do: 'assign', email: (email as string).trim().toLowerCase() }],
  },
  setting('priority'),
  setting('severity', ['bug']),
  {
    ...setting('state'),
    check: ([value]) =>
      normalizeState(value as string) ? undefined : `'${value as string}' is not a state: the states are ${ITEM_STATES.map((s) => `'${s}'`).join(', ')}`,
  },
  {
    pattern: 'add tag {text:tag}',
    help: 'tags the item the rule created',
    role: 'modifier',
    steps: ([tag]) => [{ do: 'tag', tag: (tag as string).trim() }],
  },
  {
    pattern: 'set field {text:field name} to {text:value}',
    help: 'sets a custom field of the item the rule created',
    role: 'modifier',
    steps: ([name, value]) => [{ do: 'field', name: (name as string).trim(), value: value as string }],
  },
  {
    pattern: 'reply with template {text:template}',
    help: "mails the sender the profile's reply template about the item the rule created (sent by the outbox, never to automatic mail)",
    role: 'plain',
    steps: ([template]) => [{ do: 'reply', template: (template as string).trim() }],
  },
  {
    pattern: 'ignore [because {text:reason}]',
    help: 'the message is ignored with that reason: no requester, no item',
    role: 'alone',
    steps: ([reason]) => [{ do: 'ignore', reason: (reason as string | null) ?? null }],
  },
];
