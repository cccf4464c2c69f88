// Free-mail domains: shared by unrelated people, so never a company's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFreeMailDomain } from '../../src/mail/free-mail.js';

test('the large providers are free mail, under any country ending where they have many', () => {
  for (const d of ['gmail.com', 'Outlook.com', 'hotmail.com', 'yahoo.com', 'icloud.com', 'gmx.net', 'gmx.de', 'web.de', 'mail.ru', 'yandex.ru', 'yandex.com', 'proton.me', 'protonmail.com', 'aol.com', 'yahoo.co.uk', 'hotmail.fr']) {
    assert.equal(isFreeMailDomain(d), true, d);
  }
});

test('company domains, and names that only begin like a provider, are not', () => {
  for (const d of ['acme.example', 'gmx-consulting.de', 'mail.acme.com', 'yandex.cloud.example', 'outlook.acme.com']) {
    assert.equal(isFreeMailDomain(d), false, d);
  }
});
