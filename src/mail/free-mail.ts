// Free-mail domains: mailbox providers whose addresses belong to unrelated people. A shared domain
// says nothing about who someone works for, so it never makes anyone a company's (engine/reply-access.ts
// companyMayReply). A short list of the large providers, kept here and only here; a company that does
// use one of them names its people one by one (their requester records).

const EXACT = new Set([
  'gmail.com', 'googlemail.com',
  'outlook.com', 'hotmail.com', 'live.com', 'msn.com',
  'yahoo.com', 'ymail.com', 'rocketmail.com',
  'icloud.com', 'me.com', 'mac.com',
  'aol.com',
  'proton.me', 'protonmail.com', 'pm.me',
  'web.de', 'freenet.de', 't-online.de',
  'mail.ru', 'bk.ru', 'inbox.ru', 'list.ru',
  'zoho.com', 'fastmail.com', 'tutanota.com', 'tuta.io',
  'qq.com', '163.com', '126.com',
]);

/** Providers spread over many country domains: `gmx.net`, `gmx.de`, `yandex.ru`, `yahoo.co.uk`, `hotmail.fr`, … */
const ANY_COUNTRY = ['gmx', 'yandex', 'yahoo', 'hotmail', 'outlook', 'live'];

/** Whether the (lowercase) domain is a free-mail provider's, where unrelated people have addresses. */
export function isFreeMailDomain(domain: string): boolean {
  const d = domain.toLowerCase();
  if (EXACT.has(d)) return true;
  const dot = d.indexOf('.');
  // `gmx.net`, `yahoo.co.uk`: the provider's name, then only a country or generic ending.
  return dot > 0 && ANY_COUNTRY.includes(d.slice(0, dot)) && /^(?:[a-z]{2,3}\.)?[a-z]{2,3}$/.test(d.slice(dot + 1));
}
