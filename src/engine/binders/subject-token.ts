// Layer 4: `[#N]` or `[CODE-N]` (CODE a project's code) in the subject, as trackers put them in the
// subjects of their notifications. Off unless the profile turns it on: people type such tokens, and
// copy subjects between threads, so it is the weakest evidence.
import { itemWords } from './item-words.js';
import type { Binder, Binding, Refusal } from './types.js';

/** A subject is read this far: the tokens sit at its start, and the scan stays bounded. */
const MAX_SUBJECT = 1000;
/** This many tokens are tried, first to last (`[EXT-9] [ACME-12] …`: a forwarded tracker's token may come first). */
export const MAX_SUBJECT_TOKENS = 5;
// Each match is at most ~35 characters long and has no nested repetition: linear over the subject.
const TOKEN = /\[(?:#|([A-Za-z][A-Za-z0-9_]{1,19})-)0*(\d{1,10})\]/g;
const MAX_ID = 2_147_483_647;

export interface SubjectToken {
  text: string;
  code: string | null;
  id: number;
}

/** The `[#N]` and `[CODE-N]` tokens of the subject, first to last, at most MAX_SUBJECT_TOKENS. */
export function findSubjectTokens(subject: string): SubjectToken[] {
  const found: SubjectToken[] = [];
  for (const match of subject.slice(0, MAX_SUBJECT).matchAll(TOKEN)) {
    const id = Number(match[2]);
    if (!(id > 0 && id <= MAX_ID)) continue;
    found.push({ text: match[0], code: match[1] ?? null, id });
    if (found.length === MAX_SUBJECT_TOKENS) break;
  }
  return found;
}

export const subjectTokenBinder: Binder = {
  layer: 'subject-token',
  *candidates({ message, settings, snapshot }) {
    const tokens = findSubjectTokens(message.subject);
    if (!tokens.length) return;
    if (!settings.subjectTokens) {
      yield { refused: `${tokens.map((t) => t.text).join(' ')} in the subject was not read: the profile's subject tokens are off` };
      return;
    }
    for (const token of tokens) yield candidate(token, snapshot);
  },
};

function candidate(token: SubjectToken, snapshot: Parameters<Binder['candidates']>[0]['snapshot']): Binding | Refusal {
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
}
