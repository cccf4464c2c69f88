// Reply templates: subject, text and optional HTML with {{placeholders}}. Checked when saved (an unknown
// placeholder is an error naming its line and column) and rendered when a mail is queued (values
// HTML-escaped in the HTML body). Pure. One scan with indexOf: linear in the template's length.
import type { ReplyTemplate } from '../../store/templates.js';

export const PLACEHOLDERS = ['item.id', 'item.kind', 'item.title', 'project.name', 'item.link', 'requester.name'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Record<Placeholder, string>;

/** The template `acknowledgement` a profile uses until it saves its own under that name. */
export const DEFAULT_ACKNOWLEDGEMENT: ReplyTemplate = Object.freeze({
  name: 'acknowledgement',
  subject: 'Re: {{item.title}} [#{{item.id}}]',
  text: [
    'Hello {{requester.name}},',
    '',
    'thank you for your message. We have recorded it as {{item.kind}} #{{item.id}} ("{{item.title}}")',
    'in {{project.name}}, and will come back to you.',
    '',
    'To add to it, answer this mail.',
    '{{item.link}}',
  ].join('\n'),
  html: null,
});

export const ACKNOWLEDGEMENT = DEFAULT_ACKNOWLEDGEMENT.name;

export const MAX_TEMPLATE_CHARS = 100_000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;

export interface TemplateError {
  field: 'name' | 'subject' | 'text' | 'html';
  line: number;
  column: number;
  message: string;
}

type Piece = { text: string } | { placeholder: Placeholder };

/** The template's parts, or the first error with its position. */
function parse(source: string, field: TemplateError['field']): Piece[] | TemplateError {
  const pieces: Piece[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    if (open === -1) break;
    if (open > at) pieces.push({ text: source.slice(at, open) });
    const close = source.indexOf('}}', open + 2);
    // A placeholder never spans lines: a '{{' with no '}}' on its line is a typo, said where it starts.
    const lineEnd = source.indexOf('\n', open);
    if (close === -1 || (lineEnd !== -1 && lineEnd < close)) return errorAt(source, open, field, "'{{' is not closed by '}}' on its line");
    const name = source.slice(open + 2, close).trim();
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      return errorAt(source, open, field, `unknown placeholder {{${name.slice(0, 40)}}}: use one of ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`);
    }
    pieces.push({ placeholder: name as Placeholder });
    at = close + 2;
  }
  if (at < source.length) pieces.push({ text: source.slice(at) });
  return pieces;
}

function errorAt(source: string, offset: number, field: TemplateError['field'], message: string): TemplateError {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { field, line, column, message };
}

/** Every error of the template (one per field at most), empty when it may be saved. */
export function checkTemplate(template: ReplyTemplate): TemplateError[] {
  const errors: TemplateError[] = [];
  if (!NAME.test(template.name)) {
    errors.push({ field: 'name', line: 1, column: 1, message: 'a template name is 1 to 100 letters, digits, space, dot, dash or underscore, starting with a letter or digit' });
  }
  if (!template.subject.trim()) errors.push({ field: 'subject', line: 1, column: 1, message: 'the subject should not be empty' });
  if (/[\r\n]/.test(template.subject)) errors.push({ field: 'subject', line: 1, column: 1, message: 'the subject is one line' });
  if (!template.text.trim()) errors.push({ field: 'text', line: 1, column: 1, message: 'the text body should not be empty (the HTML body is optional, the text one is not)' });
  for (const field of ['subject', 'text', 'html'] as const) {
    const source = template[field];
    if (source === null) continue;
    if (source.length > MAX_TEMPLATE_CHARS) {
      errors.push({ field, line: 1, column: 1, message: `at most ${MAX_TEMPLATE_CHARS} characters` });
      continue;
    }
    const parsed = parse(source, field);
    if (!Array.isArray(parsed)) errors.push(parsed);
  }
  return errors;
}

export function templateErrorText(e: TemplateError): string {
  return `${e.field} ${e.line}:${e.column}: ${e.message}`;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string | null;
}

/**
 * The most characters a value fills in: names and titles come from whoever wrote the mail, and a
 * display name of a megabyte repeated in every placeholder must not make a mail of many. A link may be
 * longer than a name, never unbounded.
 */
export const MAX_VALUE_CHARS: Record<Placeholder, number> = {
  'item.id': 200,
  'item.kind': 200,
  'item.title': 200,
  'project.name': 200,
  'item.link': 2000,
  'requester.name': 200,
};

/** At most `max` characters, the last an ellipsis when cut; never half a surrogate pair. */
export function capValue(value: string, max: number): string {
  if (value.length <= max) return value;
  let kept = value.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  return `${kept}…`;
}

/** Fill in the values (each capped); HTML-escaped in the HTML body. A template that does not parse throws (it was checked when saved). */
export function renderTemplate(template: ReplyTemplate, values: TemplateValues): RenderedMail {
  const fill = (source: string, field: TemplateError['field'], escape: (v: string) => string) => {
    const parsed = parse(source, field);
    if (!Array.isArray(parsed)) throw new Error(`template '${template.name}': ${templateErrorText(parsed)}`);
    return parsed.map((p) => ('text' in p ? p.text : escape(capValue(values[p.placeholder], MAX_VALUE_CHARS[p.placeholder])))).join('');
  };
  const plain = (v: string) => v;
  return {
    // A value never breaks the subject into header lines.
    subject: fill(template.subject, 'subject', (v) => v.replace(/[\r\n]+/g, ' ')),
    text: fill(template.text, 'text', plain),
    html: template.html === null ? null : fill(template.html, 'html', escapeHtml),
  };
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
