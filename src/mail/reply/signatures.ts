// Lines a mail program or a habit appends under what was written: "Sent from my iPhone" and its kin in
// many languages (the list is ported from discourse/email_reply_trimmer's SignatureMatcher, MIT,
// Copyright (c) Discourse), and a "-Name" sign-off. Whether such a line is really a signature also
// depends on where it stands: see the caller, which only drops them at the end of the written part.
import { MARKER_LINE_MAX } from './limits.js';

/** Openings of device signatures. A "Sent from …" one needs the device check below as well. */
const DEVICE_SIGNATURES: readonly RegExp[] = [
  /^從我的 iPhone 傳送/iu, // Chinese
  /^[\p{L}\p{N}_]+ from mobile/iu, // "Nik from mobile"
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
  /^(?:Skickat )?från min /iu, // Swedish
  /^Wysłane z (?:mojego|iPhone|iPada|urządzenia)/iu, // Polish
  /^Отправлено (?:с|из) /iu, // Russian
  /^Надіслано (?:з|із) /iu, // Ukrainian
];

/**
 * "Sent from my iPhone", "Sent with Airmail", "(sent from a phone)", "From My Iphone 6": the phrase and
 * a device name only. The rest of the line, once links are taken out, may add an apology ("please excuse
 * typos") but nothing else: "Sent from my desk, is much easier then my mobile phone." is a sentence.
 */
const SENT_FROM = /^[(<]*(?:sent (?:from|via|with|by)|from my) /iu;
/** The point where a sentence goes on: punctuation followed by a word. */
const SENTENCE_GOES_ON = /[,.;:!?]\s+\p{L}/u;
const APOLOGY = /excuse|typo|brevity|pardon|sorry|apolog|short|autocorrect/iu;

function isSentFromDevice(line: string): boolean {
  const found = SENT_FROM.exec(line);
  if (!found) return false;
  const rest = line.slice(found[0].length);
  const goesOn = SENTENCE_GOES_ON.exec(rest);
  if (goesOn && !APOLOGY.test(rest.slice(goesOn.index))) return false;
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

/** Whether `line` is a device or mail-program signature ("Sent from my iPhone", "Von meinem … gesendet"). */
export function isDeviceSignature(line: string): boolean {
  if (line.length > MARKER_LINE_MAX) return false;
  const text = withoutLinks(line);
  return isSentFromDevice(text) || DEVICE_SIGNATURES.some((pattern) => pattern.test(text));
}

/**
 * "-Abhishek Kona": a dash glued to a name of one to three capitalised words signs a mail off. A bullet
 * has a space after its dash ("- item"), so it never looks like this.
 */
const DASH_SIGN_OFF = /^[\t\p{Zs}]*[-—]\p{Lu}[\p{L}.'’]*(?:[\t\p{Zs}]+\p{Lu}[\p{L}.'’]*){0,2}[\t\p{Zs}]*$/u;

export function isDashSignOff(line: string): boolean {
  return line.length <= MARKER_LINE_MAX && DASH_SIGN_OFF.test(line);
}
