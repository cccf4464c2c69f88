// How a trace names an item: "request 12", "user story 7", or "item 9" when its kind is unknown.
import type { ItemKind, TrackerSnapshot } from '../../tracker/port.js';

const KIND_WORDS: Record<ItemKind, string> = { request: 'request', story: 'user story', bug: 'bug', task: 'task' };

export function itemWords(snapshot: TrackerSnapshot, itemId: number): string {
  const item = snapshot.item(itemId);
  return `${item ? KIND_WORDS[item.kind] : 'item'} ${itemId}`;
}
