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

/** The states an item can be in; every item starts open. */
export const ITEM_STATES = ['open', 'in-progress', 'done'] as const;
export type ItemState = (typeof ITEM_STATES)[number];
