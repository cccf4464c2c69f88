// Lines a mail program or a habit appends under what was written: "Sent from my iPhone" and its kin in
// many languages (the list is ported from discourse/email_reply_trimmer's SignatureMatcher, MIT,
// Copyright (c) Discourse), and a "-Name" sign-off. Whether such a line is really a signature also
// depends on where it stands: see the caller, which only drops them at the end of the written part.
import { MARKER_LINE_MAX } from './limits.js';

/**
 * Openings of device signatures. Each also has to be the whole line in a few words (DEVICE_WORDS_MAX,
 * no sentence going on after it): "Login from mobile still fails." opens like "Nik from mobile".
 */
const DEVICE_SIGNATURES: readonly RegExp[] = [
  /^從我的 iPhone 傳送/iu, // Chinese
  /^[\p{L}\p{N}_]+ from mobile[.!]?$/iu, // "Nik from mobile"
  /^Get Outlook for /iu,
  /^Envoyé (?:depuis|de) (?:mon|ma|Yahoo Mail)/iu, // French
  /^Von meinem .+ gesendet/iu, // German
  /^Gesendet (?:von|mit) (?:meinem|der|dem|iPhone|iPad|Android)/iu,
  /^Diese Nachricht wurde von .+ gesendet/iu,
  /^Inviato da /iu, // Italian
  /^Sendt fra min /iu, // Danish, Norwegian
  /^Enviado do meu /iu, // Portuguese
  /^Enviado desde mi /iu, // Spanish
  /^Verzonden (?:met|vanaf mijn) /iu, // Dutch
  /^Verstuurd vanaf mijn /iu,
  /^Skickat från min /iu, // Swedish
  /^Wysłane z (?:mojego|iPhone|iPada|urządzenia)/iu, // Polish
  /^Отправлено (?:с|из) /iu, // Russian
  /^Надіслано (?:з|із) /iu, // Ukrainian
];

/** Openings that are as often a sentence ("Från min sida …", "Sent by courier …"): a device must be named. */
const DEVICE_NAMED_SIGNATURES: readonly RegExp[] = [/^från min /iu];

/** Words that name a device or a mail program, for the openings that need one. */
const DEVICE_WORD =
  /iphone|ipad|ipod|android|blackberry|mobil|phone|handy|telefon|tablet|galaxy|samsung|pixel|huawei|xiaomi|nokia|outlook|mail|yahoo|airmail|spark|device|watch|kindle|surface|cell|sparrow|superhuman|k-9/iu;

/** A device signature names the phrase and the device; "Diese Nachricht wurde von … gesendet." is 12. */
const DEVICE_WORDS_MAX = 12;

/**
 * "Sent from my iPhone", "Sent with Airmail", "(sent from a phone)", "From My Iphone 6": the phrase and
 * a device name only. The rest of the line, once links are taken out, may add an apology ("please excuse
 * typos") but nothing else: "Sent from my desk, is much easier then my mobile phone." is a sentence.
 */
const SENT_FROM = /^[(<]*(?:sent (?:from|via|with|by)|from my) /iu;
/** "Sent by courier on Monday", "sent via DHL": these two need a device or program named after them. */
const SENT_BY_OR_VIA = /^[(<]*sent (?:by|via) /iu;
/** The point where a sentence goes on: punctuation followed by a word. */
const SENTENCE_GOES_ON = /[,.;:!?]\s+\p{L}/u;
const APOLOGY = /excuse|typo|brevity|pardon|sorry|apolog|short|autocorrect/iu;

function isSentFromDevice(line: string): boolean {
  const found = SENT_FROM.exec(line);
  if (!found) return false;
  const rest = line.slice(found[0].length);
  const goesOn = SENTENCE_GOES_ON.exec(rest);
  if (goesOn && !APOLOGY.test(rest.slice(goesOn.index))) return false;
  if (SENT_BY_OR_VIA.test(found[0]) && !DEVICE_WORD.test(rest)) return false;
  // "From my …" is also how a sentence opens; as a signature it names a device in a few words.
  return !/^from my /iu.test(found[0]) || rest.split(/\s+/u).length <= 4;
}

/**
 * A markdown link keeps its text, an <http://…> link goes: neither is part of the phrase. Each class
 * stops at the next bracket, so no two attempts scan the same characters: linear.
 */
function withoutLinks(line: string): string {
  return line.replace(/\[([^[\]]*)\]\([^()]*\)/gu, '$1').replace(/<[^<>\s]*>/gu, '').trim();
}

/**
 * The words every signature above opens with (past brackets and a link's '['), or "X from mobile": a
 * line opening otherwise is none, and most lines are answered by this one test.
 */
const MAY_BE_DEVICE_SIGNATURE =
  /^[\t\p{Zs}(<[]*(?:sent|from|get|envoy|von|gesendet|diese|inviato|sendt|enviado|verzonden|verstuurd|skickat|från|wysłane|отправлено|надіслано|從我的|[\p{L}\p{N}_]{1,30} from mobile)/iu;

/** Whether `line` is a device or mail-program signature ("Sent from my iPhone", "Von meinem … gesendet"). */
export function isDeviceSignature(line: string): boolean {
  if (line.length > MARKER_LINE_MAX || !MAY_BE_DEVICE_SIGNATURE.test(line)) return false;
  const text = withoutLinks(line);
  if (isSentFromDevice(text)) return true;
  if (text.split(/\s+/u).length > DEVICE_WORDS_MAX || goesOnAsSentence(text)) return false;
  return (
    DEVICE_SIGNATURES.some((pattern) => pattern.test(text)) ||
    DEVICE_NAMED_SIGNATURES.some((pattern) => pattern.test(text) && DEVICE_WORD.test(text))
  );
}

/** Punctuation and then a word, past what an apology adds: the line is a sentence, not a signature. */
function goesOnAsSentence(text: string): boolean {
  const goesOn = SENTENCE_GOES_ON.exec(text);
  return goesOn !== null && !APOLOGY.test(text.slice(goesOn.index));
}

/**
 * "-Abhishek Kona": a dash glued to a name of one to three capitalised words signs a mail off. A bullet
 * has a space after its dash ("- item"), so it never looks like this.
 */
const DASH_SIGN_OFF = /^[\t\p{Zs}]*[-—]\p{Lu}[\p{L}.'’]*(?:[\t\p{Zs}]+\p{Lu}[\p{L}.'’]*){0,2}[\t\p{Zs}]*$/u;

export function isDashSignOff(line: string): boolean {
  return line.length <= MARKER_LINE_MAX && DASH_SIGN_OFF.test(line);
}

/**
 * Whether the "-Name" line at `i` signs off rather than lists: a list ("To export:\n-Open Settings\n
 * -Click Save") has a dash line next to it or a line ending in ':' above it.
 */
export function isDashSignOffAt(lines: readonly string[], i: number): boolean {
  const line = lines[i]!;
  if (!line.includes('-') && !line.includes('—')) return false;
  if (!isDashSignOff(line)) return false;
  const dashed = (line: string | undefined): boolean => line !== undefined && /^[\t\p{Zs}]*[-—]\S/u.test(line);
  const above = lines[i - 1];
  return !dashed(above) && !dashed(lines[i + 1]) && !(above !== undefined && above.trimEnd().endsWith(':'));
}

const LINK_OR_CONTACT = /https?:\/\/|www\.|@|\+\d|\|/iu;
const SENTENCE_END = /[.!?:…]$/u;

/**
 * Whether a line is shaped like part of a footer or a signature under a quote: a link, an address, a
 * phone number or "a | b" columns, or a few words that end no sentence ("Anna Smith", "ACME Corp").
 * "Version 3.2 on Windows 11." is a sentence someone wrote.
 */
export function isFooterLine(line: string): boolean {
  const text = line.trim();
  if (text === '' || LINK_OR_CONTACT.test(text.slice(0, MARKER_LINE_MAX))) return true;
  return text.split(/\s+/u).length <= 4 && !SENTENCE_END.test(text);
}
