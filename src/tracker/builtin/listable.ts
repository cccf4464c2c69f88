// What the builtin tracker can list, declared once and free of imports so that a face can name the
// kinds (in --help, in an API enum) without loading the tracker.
export const LISTABLE = [
  'projects',
  'companies',
  'requesters',
  'users',
  'teams',
  'messages',
  'requests',
  'stories',
  'bugs',
  'tasks',
  'comments',
  'attachments',
] as const;
export type Listable = (typeof LISTABLE)[number];

/** The listings that hold items, and the kind of item each holds. */
export const ITEM_LISTS = { requests: 'request', stories: 'story', bugs: 'bug', tasks: 'task' } as const;

/** The states an item of any kind can be in; a new item is open unless its rule sets another. */
export const ITEM_STATES = ['new', 'open', 'in-progress', 'done', 'closed'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/**
 * The state `raw` names, or null: any case, and a space for the hyphen ('In Progress'), as people
 * write it in rules and on the command line. The rule parser checks `set state '…'` with it.
 */
export function normalizeItemState(raw: string): ItemState | null {
  const word = raw.trim().toLowerCase().replace(/\s+/g, '-');
  return ITEM_STATES.find((s) => s === word) ?? null;
}
