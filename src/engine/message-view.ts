// The message and the tracker as rule conditions see them (rules/types MessageView, EvalContext):
// plain data built from the parsed message and the snapshot, so evaluation stays pure.
import type { Address, Message } from '../mail/message.js';
import type { EvalContext, MessageView, ProjectInfo } from '../rules/index.js';
import type { ProjectView, TrackerSnapshot } from '../tracker/port.js';
import type { SenderResolution } from './plan.js';
import { senderAddress } from './sender.js';

const written = (a: Address) => (a.name ? `${a.name} <${a.address}>` : a.address);

export function messageView(message: Message, snapshot: TrackerSnapshot, sender: SenderResolution): MessageView {
  let headers: Map<string, string[]> | undefined;
  const header = (name: string): string[] => {
    if (!headers) {
      headers = new Map();
      for (const h of message.headers) {
        const key = h.name.toLowerCase();
        headers.set(key, [...(headers.get(key) ?? []), h.value]);
      }
    }
    return headers.get(name.toLowerCase()) ?? [];
  };
  const from = senderAddress(message);
  const to = message.to.map(written);
  const cc = message.cc.map(written);
  const company = sender.companyId === null ? undefined : snapshot.company(sender.companyId);
  return {
    subject: message.subject,
    from: from ? written(from) : '',
    to,
    cc,
    get recipients() {
      return [...to, ...cc, ...header('delivered-to'), ...header('x-original-to')];
    },
    body: message.text,
    header,
    attachments: message.attachments.map((a) => ({ name: a.fileName, type: a.contentType, size: a.size })),
    size: message.size,
    sender: {
      email: sender.email,
      is: sender.userId !== null ? 'user' : sender.requesterId !== null ? 'requester' : 'unknown',
      companyId: sender.companyId,
      companyName: company?.name ?? null,
    },
  };
}

const info = (p: ProjectView | undefined): ProjectInfo | undefined => (p ? { id: p.id, live: p.live, companyId: p.companyId } : undefined);

export function evalContext(message: Message, snapshot: TrackerSnapshot, sender: SenderResolution): EvalContext {
  return {
    message: messageView(message, snapshot, sender),
    project: (id) => info(snapshot.project(id)),
    projectByCode: (code) => info(snapshot.projectByCode(code)),
    staff: (email) => snapshot.staffByEmail(email)?.id,
    teamExists: (id) => snapshot.teamExists(id),
  };
}
