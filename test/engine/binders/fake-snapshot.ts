// A small tracker snapshot for the pure binder tests: items by id, Message-IDs to items, projects by code.
import type { ItemView, MessageThread, ProjectView, TrackerSnapshot } from '../../../src/tracker/port.js';

export function item(id: number, more: Partial<ItemView> = {}): ItemView {
  return { id, kind: 'request', state: 'open', projectId: 1, deleted: false, requesterEmails: [], participantEmails: [], requesterCompanyIds: [], followedUpBy: [], ...more };
}

export function fakeSnapshot(spec: {
  items?: ItemView[];
  threads?: Record<string, MessageThread>;
  projects?: ProjectView[];
  staff?: string[];
  /** [item id, Message-ID]: the item already holds that message. */
  held?: Array<[number, string]>;
} = {}): TrackerSnapshot {
  const items = new Map((spec.items ?? []).map((i) => [i.id, i]));
  const projects = spec.projects ?? [];
  return {
    project: (id) => projects.find((p) => p.id === id),
    requesterByEmail: () => undefined,
    userByEmail: () => undefined,
    companyByDomain: () => undefined,
    company: () => undefined,
    projectByCode: (code) => projects.find((p) => p.code?.toLowerCase() === code.toLowerCase()),
    staffByEmail: (email) => (spec.staff ?? []).includes(email.toLowerCase()) ? { id: 1, email, name: 'Staff' } : undefined,
    item: (id) => items.get(id),
    teamExists: () => false,
    itemOfMessage: (messageId) => spec.threads?.[messageId],
    itemHoldsMessage: (itemId, messageId) => (spec.held ?? []).some(([i, m]) => i === itemId && m === messageId),
  };
}
