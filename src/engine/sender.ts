// Who sent the message and who else becomes a requester. Follows the TargetProcess plugin (From, Cc
// and Reply-To are requesters; names from display names) with our fixes: staff users and our own
// addresses (any profile's, our reply-token plus-addresses, our domains) never become requesters, and a new requester whose email domain belongs to a
// company joins that company, so `company matched` works for first-time senders.
import type { Address, Message } from '../mail/message.js';
import type { TrackerSnapshot } from '../tracker/port.js';
import { domainOf } from '../mail/index.js';
import { isOwnAddress, type OwnMail } from './own-address.js';
import type { PlannedRequester, SenderResolution } from './plan.js';

export function senderAddress(message: Message): Address | null {
  return message.from ?? message.sender ?? message.replyTo[0] ?? null;
}

export function resolveSender(message: Message, snapshot: TrackerSnapshot): SenderResolution {
  const from = senderAddress(message);
  if (!from) {
    return { email: null, name: '', userId: null, requesterId: null, companyId: null, companyVia: null, summary: 'the message names no sender' };
  }
  const email = from.address.toLowerCase();
  const user = snapshot.userByEmail(email);
  const requester = snapshot.requesterByEmail(email);
  if (requester) {
    const company = requester.companyId;
    return {
      email,
      name: from.name,
      userId: user?.id ?? null,
      requesterId: requester.id,
      companyId: company,
      companyVia: company === null ? null : 'requester',
      summary: `known requester #${requester.id}` + (company === null ? ' without a company' : ` of company ${company}`),
    };
  }
  if (user) {
    return { email, name: from.name, userId: user.id, requesterId: null, companyId: null, companyVia: null, summary: `staff user #${user.id} (staff never match a company)` };
  }
  const domain = domainOf(email);
  const company = domain ? snapshot.companyByDomain(domain) : undefined;
  return {
    email,
    name: from.name,
    userId: null,
    requesterId: null,
    companyId: company?.id ?? null,
    companyVia: company ? 'domain' : null,
    summary: company
      ? `new sender; domain ${domain} belongs to company ${company.id} (${company.name})`
      : `new sender; no company has the domain ${domain ?? '(none)'}`,
  };
}

export function planRequesters(
  message: Message,
  snapshot: TrackerSnapshot,
  own: OwnMail,
): PlannedRequester[] {
  const seen = new Set<string>();
  const planned: PlannedRequester[] = [];
  const from = senderAddress(message);
  const candidates: Array<[Address, PlannedRequester['role']]> = [
    ...(from ? [[from, 'from'] as [Address, PlannedRequester['role']]] : []),
    ...message.cc.map((a) => [a, 'cc'] as [Address, PlannedRequester['role']]),
    ...message.replyTo.map((a) => [a, 'reply-to'] as [Address, PlannedRequester['role']]),
  ];
  for (const [address, role] of candidates) {
    const email = address.address.toLowerCase();
    if (!email.includes('@') || seen.has(email) || isOwnAddress(email, own)) continue;
    seen.add(email);
    const existing = snapshot.requesterByEmail(email);
    if (!existing && snapshot.userByEmail(email)) continue;
    const domain = domainOf(email);
    planned.push({
      email,
      name: existing?.name ?? address.name.trim(),
      role,
      existingId: existing?.id ?? null,
      companyId: existing ? existing.companyId : (domain ? snapshot.companyByDomain(domain)?.id ?? null : null),
    });
  }
  return planned;
}
