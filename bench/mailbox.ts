// The ingest benchmark's mailbox: generated from a fixed seed, so every run (and every machine) measures
// the same bytes. The mix is issue 14's: 70% plain text of 1–5 KB, 20% multipart/alternative (text and
// HTML) of 5–30 KB, 10% with a 50–500 KB attachment. Messages are generated one at a time (a 10,000-
// message mailbox is ~300 MB), and message i is the same whichever others are generated.
import { prng } from '../test/support/prng.js';

export const MAILBOX_SEED = 14;

export type MessageKind = 'plain' | 'multipart' | 'attachment';

const WORDS = (
  'the a printer invoice order account password login error screen report monthly please help urgent ' +
  'cannot open file attached server down since yesterday morning customer ticket update status delivery ' +
  'payment failed again thanks regards team office network slow email calendar meeting tomorrow request ' +
  'access new laptop license renewal contract question about our the when will it be fixed'
).split(' ');
const DOMAINS = ['acme.example', 'acme.example', 'globex.example', 'initech.example', 'mail.example'];

/** Message `index` of the mailbox: the same bytes on every call. */
export function benchMessage(index: number, seed = MAILBOX_SEED): { raw: Buffer; kind: MessageKind } {
  const random = prng(seed * 1_000_003 + index);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const roll = random();
  const kind: MessageKind = roll < 0.7 ? 'plain' : roll < 0.9 ? 'multipart' : 'attachment';
  const text = (bytes: number) => {
    const lines: string[] = [];
    let size = 0;
    while (size < bytes) {
      const words: string[] = [];
      let line = 0;
      while (line < 66) {
        const word = pick(WORDS);
        words.push(word);
        line += word.length + 1;
      }
      const joined = words.join(' ');
      lines.push(joined);
      size += joined.length + 2;
    }
    return lines.join('\r\n');
  };
  const subject = `${random() < 0.1 ? 'urgent: ' : ''}${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} #${index}`;
  const head = [
    `From: User ${index % 97} <user${index % 97}@${pick(DOMAINS)}>`,
    'To: support@mailbind.test',
    `Subject: ${subject}`,
    `Date: ${new Date(Date.UTC(2026, 0, 1) + index * 60_000).toUTCString()}`,
    `Message-ID: <bench-${seed}-${index}@example.org>`,
    'MIME-Version: 1.0',
  ];
  const headBytes = head.join('\r\n').length;
  const boundary = `b${seed}x${index}`;
  let body: string[];
  if (kind === 'plain') {
    body = ['Content-Type: text/plain; charset=utf-8', '', text(between(1024, 5050) - headBytes - 50), ''];
  } else if (kind === 'multipart') {
    const plain = text(Math.floor((between(5 * 1024, 30 * 1024) - headBytes - 300) / 2.1));
    const html = `<html><body><p>${plain.split('\r\n').join('</p>\r\n<p>')}</p></body></html>`;
    body = [`Content-Type: multipart/alternative; boundary="${boundary}"`, '',
      `--${boundary}`, 'Content-Type: text/plain; charset=utf-8', '', plain,
      `--${boundary}`, 'Content-Type: text/html; charset=utf-8', '', html,
      `--${boundary}--`, ''];
  } else {
    // Base64 grows the file by 4/3; the attachment is what makes the message 50–500 KB.
    const fileBytes = Math.floor((between(50 * 1024, 500 * 1024) - headBytes - 1500) * (3 / 4) * (76 / 78));
    const words = new Uint32Array(Math.ceil(fileBytes / 4));
    for (let i = 0; i < words.length; i++) words[i] = Math.floor(random() * 0x1_0000_0000);
    const file = Buffer.from(words.buffer, 0, fileBytes);
    const base64 = file.toString('base64');
    const lines: string[] = [];
    for (let i = 0; i < base64.length; i += 76) lines.push(base64.slice(i, i + 76));
    body = [`Content-Type: multipart/mixed; boundary="${boundary}"`, '',
      `--${boundary}`, 'Content-Type: text/plain; charset=utf-8', '', text(800),
      `--${boundary}`, `Content-Type: application/pdf; name="report-${index}.pdf"`,
      `Content-Disposition: attachment; filename="report-${index}.pdf"`, 'Content-Transfer-Encoding: base64', '',
      lines.join('\r\n'), `--${boundary}--`, ''];
  }
  return { raw: Buffer.from([...head, ...body].join('\r\n'), 'utf8'), kind };
}
