// Header fields of an embedded mail as clients print them above a quote: Outlook's "From: … Sent: …
// To: … Subject: …" block (also "*From:*" from HTML turned into text) in the languages our users write.
// Ported from discourse/email_reply_trimmer's EmailHeaderMatcher (MIT, Copyright (c) Discourse), with
// Polish, Russian, Ukrainian and more German, French and Swedish labels added.
import { MARKER_LINE_MAX } from './limits.js';

/** Labels whose value is a date: the line counts only when a digit follows. Case as clients write them. */
const DATE_LABELS: readonly string[] = [
  'Sent', 'Date', // English
  'Envoyé', 'Date', 'Le', // French
  'Gesendet', 'Datum', // German
  'Enviado', 'Enviado el', 'Fecha', // Spanish
  'Enviada em', 'Enviado em', // Portuguese
  'Data', 'Inviato', // Italian, Polish
  'Verzonden', 'Verstuurd', 'Datum', // Dutch
  'Wysłano', 'Wysłane', // Polish
  'Skickat', 'Sendt', // Swedish, Danish, Norwegian
  'Отправлено', 'Дата', // Russian
  'Надіслано', 'Відправлено', // Ukrainian
  '发送时间', '日期', // Chinese
  '送信日時', '日付', // Japanese
];

/** Labels whose value is text: the line counts when any word character follows. Compared ignoring case. */
const TEXT_LABELS: readonly string[] = [
  'From', 'To', 'Cc', 'Bcc', 'Reply-To', 'Subject', // English
  'De', 'Expéditeur', 'À', 'A', 'Destinataire', 'Répondre à', 'Objet', 'Cc', // French
  'Von', 'An', 'Betreff', 'Kopie', // German
  'Para', 'Asunto', 'Assunto', // Spanish, Portuguese
  'Da', 'Risposta', 'Oggetto', // Italian
  'Van', 'Aan', 'Beantwoorden - Aan', 'Onderwerp', // Dutch
  'Od', 'Do', 'Temat', 'DW', 'Kopia', // Polish
  'Från', 'Till', 'Ämne', 'Fra', 'Til', 'Emne', // Swedish, Danish, Norwegian
  'От', 'Кому', 'Копия', 'Тема', // Russian
  'Від', 'Копія', // Ukrainian
  '发件人', '收件人', '抄送', '主题', // Chinese
  '差出人', '宛先', '件名', // Japanese
];

/** Labels only a mail header has: a block of header fields holding one is an embedded mail's. */
const SUBJECT_LABELS: readonly string[] = [
  'Subject', 'Objet', 'Betreff', 'Asunto', 'Assunto', 'Oggetto', 'Onderwerp', 'Temat', 'Ämne', 'Emne', 'Тема', '主题', '件名',
];

function labelPattern(labels: readonly string[], flags: string): RegExp {
  const escaped = [...new Set(labels)].map((label) => label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // `[blank*]*` around the label: "*From:*" is what HTML's <b>From:</b> becomes as text. Chinese and
  // Japanese clients may write the full-width colon.
  return new RegExp(`^[\\t\\p{Zs}*]*(?:${escaped.join('|')})[\\t\\p{Zs}*]*[:：]`, flags);
}

const DATE_FIELD = labelPattern(DATE_LABELS, 'u');
const TEXT_FIELD = labelPattern(TEXT_LABELS, 'iu');
const SUBJECT_FIELD = labelPattern(SUBJECT_LABELS, 'iu');

/** Whether `line` is one header field of an embedded mail ("Sent: Friday, 23 March 2012 5:08 p.m."). */
export function isHeaderField(line: string): boolean {
  if (line.length > MARKER_LINE_MAX || !/[:：]/u.test(line)) return false;
  if (isDateField(line)) return true;
  const text = TEXT_FIELD.exec(line);
  return text !== null && /[\p{L}\p{N}_]/u.test(line.slice(text[0].length));
}

/** Whether `line` is a header field with a date label and a date ("Sent: 5 May 2026 10:00"). */
export function isDateField(line: string): boolean {
  if (line.length > MARKER_LINE_MAX) return false;
  const date = DATE_FIELD.exec(line);
  return date !== null && /\d/u.test(line.slice(date[0].length));
}

/**
 * Whether a header field line shows it belongs to a mail: a subject label, or an address. "From: Berlin",
 * "To: Paris", "Date: 5 May 2026" in a booking are header-shaped too; a block of them without either is
 * the reply's own text.
 */
export function isMailHeaderEvidence(line: string): boolean {
  return line.length <= MARKER_LINE_MAX && (line.includes('@') || SUBJECT_FIELD.test(line));
}
