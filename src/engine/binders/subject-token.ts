// Layer 4: `[#N]` or `[CODE-N]` (CODE a project's code) in the subject, as trackers put them in the
// subjects of their notifications. Off unless the profile turns it on: people type such tokens, and
// copy subjects between threads, so it is the weakest evidence.
import { itemWords } from './item-words.js';
import type { Binder } from './types.js';

/** A subject is read this far: the tokens sit at its start, and the scan stays bounded. */
const MAX_SUBJECT = 1000;
// Each match is at most ~35 characters long and has no nested repetition: linear over the subject.
const TOKEN = /\[(?:#|([A-Za-z][A-Za-z0-9_]{1,19})-)0*(\d{1,10})\]/;
const MAX_ID = 2_147_483_647;

export interface SubjectToken {
  text: string;
  code: string | null;
  id: number;
}

/** The first `[#N]` or `[CODE-N]` in the subject, or null. */
export function findSubjectToken(subject: string): SubjectToken | null {
  const match = TOKEN.exec(subject.slice(0, MAX_SUBJECT));
  if (!match) return null;
  const id = Number(match[2]);
  if (!(id > 0 && id <= MAX_ID)) return null;
  return { text: match[0], code: match[1] ?? null, id };
}

export const subjectTokenBinder: Binder = {
  layer: 'subject-token',
  bind({ message, settings, snapshot }) {
    const token = findSubjectToken(message.subject);
    if (!token) return null;
    if (!settings.subjectTokens) return { refused: `${token.text} in the subject was not read: the profile's subject tokens are off` };
    const item = snapshot.item(token.id);
    if (!item) return { refused: `${token.text} in the subject names no item` };
    if (token.code !== null) {
      const project = snapshot.projectByCode(token.code);
      if (!project) return { refused: `${token.text} in the subject: no project has the code ${token.code}` };
      if (project.id !== item.projectId) {
        return { refused: `${token.text} in the subject: ${itemWords(snapshot, token.id)} is in project ${item.projectId}, not in ${token.code} (project ${project.id})` };
      }
    }
    return { itemId: token.id, layer: 'subject-token', evidence: `${token.text} in the subject names ${itemWords(snapshot, token.id)}` };
  },
};
