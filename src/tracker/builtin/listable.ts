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
