// The kinds of tracker object a face can list (light: no tracker loaded).
export { LISTABLE, type Listable } from '../tracker/builtin/listable.js';
