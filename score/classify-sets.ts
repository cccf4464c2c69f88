// The labelled sets the classifier is scored on, all from the real-world corpus (../shared/corpus,
// read-only): what each file is expected to be, where the label comes from, and every place where
// we label a file differently from upstream or leave it out, each with its reason.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClassificationKind } from '../src/mail/index.js';

// dist/score → the repository root is two levels up; the corpus sits next to the repository.
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function corpusRoot(): string {
  return resolve(process.env.MAILBIND_CORPUS ?? join(repoRoot, '..', 'shared', 'corpus'));
}

export interface LabelledFile {
  /** Path relative to the corpus root, e.g. `bounceparser/quota.msg`. */
  name: string;
  expected: ClassificationKind;
  /** Where the label comes from when it is not the set's own rule (a correction, a hand label). */
  note?: string;
}

export interface LabelledSet {
  name: string;
  /** Where the labels come from. */
  source: string;
  files: LabelledFile[];
  /** Files of the set's folders left out, with why. */
  excluded: Array<{ name: string; why: string }>;
}

/** The full messages a corpus folder lists in its SOURCE.md (never bodies, fragments or expectations). */
export function folderMessages(root: string, folder: string): string[] {
  const source = join(root, folder, 'SOURCE.md');
  if (!existsSync(source)) return [];
  const names: string[] = [];
  for (const line of readFileSync(source, 'utf8').split('\n')) {
    const match = /^\|\s*`([^`]+)`\s*\|[^|]*\|\s*message\s*\|\s*$/.exec(line);
    if (match?.[1]) names.push(`${folder}/${match[1]}`);
  }
  return names.sort();
}

// Where we read a file differently from its upstream label.
const BOUNCEPARSER_CORRECTIONS: Record<string, { expected: ClassificationKind; why: string }> = {
  'bounceparser/spam-with-image.msg': {
    expected: 'human',
    why: 'labelled is_bounce=1 upstream (whose test expects zero bounce reports), but it is plain image spam from an Outlook Express client: no report, no mail-system sender or wording',
  },
};

function bounceparserSet(root: string): LabelledSet {
  const labels = JSON.parse(readFileSync(join(root, 'bounceparser/expected/labels.json'), 'utf8')) as {
    labels: Record<string, { is_bounce: number; kind?: string }>;
  };
  const files: LabelledFile[] = [];
  for (const [file, label] of Object.entries(labels.labels)) {
    const name = `bounceparser/${file}`;
    const correction = BOUNCEPARSER_CORRECTIONS[name];
    if (correction) {
      files.push({ name, expected: correction.expected, note: correction.why });
      continue;
    }
    // is_bounce 0 are the automatic answers that are not bounces; their "kind" says which.
    const expected: ClassificationKind = label.is_bounce ? 'bounce' : /challenge|whitelist/i.test(label.kind ?? '') ? 'challenge' : 'auto-reply';
    files.push({ name, expected });
  }
  return {
    name: 'bounceparser',
    source: 'expected/labels.json (is_bounce 1 → bounce; 0 → auto-reply or challenge as its kind says)',
    files: files.sort((a, b) => a.name.localeCompare(b.name)),
    excluded: [],
  };
}

function sisimaiBsdSet(root: string): LabelledSet {
  const files = folderMessages(root, 'sisimai')
    .filter((name) => name.startsWith('sisimai/bsd/'))
    .map((name): LabelledFile => ({
      name,
      expected: name.endsWith('/arf-01.eml') ? 'feedback' : /\/rfc3834-\d+\.eml$/.test(name) ? 'auto-reply' : 'bounce',
    }));
  return { name: 'sisimai bsd/', source: 'SOURCE.md: bounces, arf-01 = abuse feedback report, rfc3834-0x = auto-replies', files, excluded: [] };
}

// sisimai's not/ folder is "not a bounce" for a bounce parser; read, two are a person's mail and one
// is automatic after all.
const SISIMAI_NOT: Record<string, { expected: ClassificationKind; why: string }> = {
  'sisimai/not/is-not-bounce-01.eml': { expected: 'human', why: 'a one-line personal message sent with curl through an HTTP-to-SMTP gateway' },
  'sisimai/not/is-not-bounce-02.eml': { expected: 'human', why: 'Apple Mail message from a person carrying an earlier mail as an attachment' },
  'sisimai/not/rb-issue-368-bug.eml': {
    expected: 'bounce',
    why: 'a regression fixture for a parser crash, but itself a "Mailbox full" rejection: postmaster@, Return-Path <>, Auto-Submitted: auto-replied, "automatic bounce notification"',
  },
};

function sisimaiNotSet(root: string): LabelledSet {
  const files = folderMessages(root, 'sisimai')
    .filter((name) => name.startsWith('sisimai/not/'))
    .map((name): LabelledFile => {
      const label = SISIMAI_NOT[name];
      if (!label) throw new Error(`${name} is new in sisimai/not/: read it and label it in score/classify-sets.ts`);
      return { name, expected: label.expected, note: label.why };
    });
  return { name: 'sisimai not/', source: 'read by hand (upstream: "not a bounce")', files, excluded: [] };
}

// The other automatic reports of the corpus (README: "DSN", "ARF", "MDN" rows), read by hand.
const OTHER_REPORTS: Record<string, ClassificationKind> = {
  'cpython-email/msg_05.txt': 'bounce',
  'cpython-email/msg_16.txt': 'bounce',
  'cpython-email/msg_25.txt': 'bounce',
  'cpython-email/msg_43.txt': 'bounce',
  'mikel-mail/mime_emails/raw_email_with_mimepart_without_content_type.eml': 'bounce',
  'mikel-mail/multipart_report_emails/multi_address_bounce1.eml': 'bounce',
  'mikel-mail/multipart_report_emails/multi_address_bounce2.eml': 'bounce',
  'mikel-mail/multipart_report_emails/multipart_report_multiple_status.eml': 'bounce',
  'mikel-mail/multipart_report_emails/report_422.eml': 'bounce',
  'mikel-mail/multipart_report_emails/report_530.eml': 'bounce',
  'mimekit/messages/bounce.txt': 'bounce',
  'mimekit/messages/delivery-status-multiple-blank-lines.txt': 'bounce',
  'mimekit/messages/delivery-status-no-blank-line.txt': 'bounce',
  'mimekit/messages/delivery-status.txt': 'bounce',
  'mimekit/messages/delivery-status2.txt': 'bounce',
  'mimekit/messages/disposition-notification.txt': 'auto-reply',
  'mimekit/messages/feedback-report.txt': 'feedback',
  'nodemailer-mailparser/delivery-status.eml': 'bounce',
  'postal-mime/arf.eml': 'feedback',
  'postal-mime/bounce.eml': 'bounce',
  'spamscope-mail-parser/mail_malformed_2': 'bounce',
};

function otherReportsSet(): LabelledSet {
  const files = Object.entries(OTHER_REPORTS).map(([name, expected]) => ({ name, expected }));
  return { name: 'other reports', source: 'read by hand: DSNs (bounce), ARF (feedback) and the MDN (auto-reply) of the other folders', files, excluded: [] };
}

// Bulk mail of the corpus, read by hand: list traffic and junk that says so in its headers. Newsletters
// without any such header are left out of the person set instead (they read as human, by design), and
// so is the Mailman digest msg_02.txt: its Precedence headers are on the digested posts, not on it.
const BULK_MAIL: Record<string, string> = {
  'nodemailer-mailparser/large_text.eml': 'Launchpad bug mail relayed by Mailman: Precedence: bulk, List-Id, List-Unsubscribe',
  'cpython-email/msg_32.txt': 'majordomo relay stamped Precedence: bulk (DESIGN 5a: bulk, even on a person\'s post)',
  'cpython-email/msg_33.txt': 'as msg_32.txt (the same post, PGP-signed)',
  'mikel-mail/error_emails/bad_date_header.eml': 'spam that says Precedence: junk',
};

function bulkMailSet(): LabelledSet {
  const files = Object.entries(BULK_MAIL).map(([name, note]): LabelledFile => ({ name, expected: 'bulk', note }));
  return { name: 'bulk mail', source: 'read by hand: list traffic and junk whose headers say so', files, excluded: [] };
}

// Person mail: every message of these folders, less the ones that are not a person's mail. Web-form
// and lead notifications stay in: a machine sends them, but on a person's behalf, and they are
// exactly the requests a support mailbox must not drop.
const PERSON_FOLDERS = ['talon', 'redmine', 'mikel-mail', 'cpython-email'];

const NEWSLETTER = 'newsletter or marketing mail (no Precedence header, so we read it as human; it is not a person writing)';
const SPAM = 'spam: not a person writing to us (classify leaves spam to the spam filter)';

export const PERSON_MAIL_EXCLUDED: Record<string, string> = {
  ...Object.fromEntries(Object.keys(OTHER_REPORTS).filter((name) => PERSON_FOLDERS.some((f) => name.startsWith(`${f}/`))).map((name) => [name, 'automatic report, scored in "other reports"'])),
  'cpython-email/msg_02.txt': 'Mailman digest: assembled and sent by the list software',
  'cpython-email/msg_19.txt': 'body of a Mailman digest without headers',
  'cpython-email/msg_32.txt': 'a person\'s post as a majordomo list relays it, stamped "Precedence: bulk": bulk by the recorded decision (DESIGN 5a: Precedence bulk/junk is bulk, list is not), not a classifier miss',
  'cpython-email/msg_33.txt': 'as msg_32.txt (the same post, PGP-signed)',
  'cpython-email/msg_36.txt': 'IETF Internet-Draft announcement, sent by the I-D system',
  'mikel-mail/error_emails/bad_date_header.eml': `${SPAM}; it says "Precedence: junk" and is bulk`,
  'mikel-mail/error_emails/bad_date_header2.eml': NEWSLETTER,
  'mikel-mail/error_emails/bad_subject.eml': 'MySurvey.com survey notification',
  'mikel-mail/error_emails/cant_parse_from.eml': NEWSLETTER,
  'mikel-mail/error_emails/content_transfer_encoding_7-bit.eml': NEWSLETTER,
  'mikel-mail/error_emails/content_transfer_encoding_empty.eml': SPAM,
  'mikel-mail/error_emails/content_transfer_encoding_plain.eml': SPAM,
  'mikel-mail/error_emails/content_transfer_encoding_qp_with_space.eml': SPAM,
  'mikel-mail/error_emails/content_transfer_encoding_spam.eml': SPAM,
  'mikel-mail/error_emails/content_transfer_encoding_text-html.eml': SPAM,
  'mikel-mail/error_emails/content_transfer_encoding_with_8bits.eml': NEWSLETTER,
  'mikel-mail/error_emails/content_transfer_encoding_with_semi_colon.eml': SPAM,
  'mikel-mail/error_emails/empty_group_lists.eml': SPAM,
  'mikel-mail/error_emails/encoding_madness.eml': 'eBay bid notification from a no-reply CRM',
  'mikel-mail/error_emails/invalid_subject_characters.eml': NEWSLETTER,
  'mikel-mail/error_emails/must_supply_encoding.eml': SPAM,
  'mikel-mail/mime_emails/raw_email_encoded_stack_level_too_deep.eml': 'Gmail invitation notification from gmail-noreply@google.com',
  'mikel-mail/plain_emails/raw_email_bad_time.eml': `${SPAM} (X-Spam-Status: Yes)`,
  'mikel-mail/plain_emails/raw_email_incorrect_header.eml': SPAM,
  'mikel-mail/plain_emails/raw_email_multiple_from.eml': 'Subversion commit notification',
  'mikel-mail/plain_emails/raw_email_with_bad_date.eml': SPAM,
};

function personMailSet(root: string): LabelledSet {
  const files: LabelledFile[] = [];
  const excluded: LabelledSet['excluded'] = [];
  for (const folder of PERSON_FOLDERS) {
    for (const name of folderMessages(root, folder)) {
      const why = PERSON_MAIL_EXCLUDED[name];
      if (why) excluded.push({ name, why });
      else files.push({ name, expected: 'human' });
    }
  }
  return { name: 'person mail', source: `every message of ${PERSON_FOLDERS.join(', ')}, less the listed ones that are not a person's mail`, files, excluded };
}

export function labelledSets(root = corpusRoot()): LabelledSet[] {
  if (!existsSync(join(root, 'README.md')) || readdirSync(root).length === 0) throw new Error(`no mail corpus at ${root} (../shared/corpus next to the repository, or MAILBIND_CORPUS)`);
  return [bounceparserSet(root), sisimaiBsdSet(root), sisimaiNotSet(root), otherReportsSet(), bulkMailSet(), personMailSet(root)];
}
