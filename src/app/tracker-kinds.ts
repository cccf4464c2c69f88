// The kinds of tracker object a face can list, and the states of items (light: no tracker loaded).
export { ITEM_LISTS, ITEM_STATES, LISTABLE, type ItemState, type Listable } from '../tracker/builtin/listable.js';
