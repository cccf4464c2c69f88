// The HTML of a stranger's mail, made safe to show (DESIGN §5: untrusted content is sanitised before
// it is shown). An allow-list, not a block-list: what is not named here is dropped — scripts, styles
// sheets, forms and their fields, frames, objects, event handlers, javascript: and data: links, CSS
// that loads anything (url(), image-set, @import, expression). Remote images are counted and, unless
// the reader asked for them, lose their address: opening a mail must not tell its sender it was read.
// The page that serves the result adds a strict CSP and a sandbox as a second wall.
import sanitizeHtml from 'sanitize-html';

export interface SafeHtml {
  html: string;
  /** Images that load from the network (http/https), shown or not. */
  remoteImages: number;
}

const REMOTE = /^\s*https?:/i;
/** CSS that can fetch or run anything; backslash escapes could spell `url` in disguise. */
const DANGEROUS_CSS = /url\s*\(|image-set|image\s*\(|@import|expression|behavior|-moz-binding|\\|javascript:/i;

const TAGS = [
  ...sanitizeHtml.defaults.allowedTags.filter((tag) => tag !== 'style'),
  'img', 'font', 'center', 'span', 'div', 'hr', 'br',
];

export function safeMailHtml(html: string, options: { images: boolean }): SafeHtml {
  let remoteImages = 0;
  const out = sanitizeHtml(html, {
    allowedTags: TAGS,
    // No on* handler, no srcset, no background= (a remote image by another name), no form attributes.
    allowedAttributes: {
      '*': ['style', 'align', 'valign', 'width', 'height', 'dir', 'lang', 'title', 'colspan', 'rowspan', 'bgcolor', 'color', 'border', 'cellpadding', 'cellspacing'],
      a: ['href', 'name', 'rel', 'target'],
      img: ['src', 'alt', 'data-blocked'],
      font: ['face', 'size', 'color'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https', 'data'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
    allowProtocolRelative: false,
    // script, style, textarea, option and friends: their text goes with them.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'template', 'select', 'button'],
    transformTags: {
      '*': (tagName, attribs) => ({ tagName, attribs: withSafeStyle(attribs) }),
      a: (tagName, attribs) => ({ tagName, attribs: { ...withSafeStyle(attribs), rel: 'noopener noreferrer nofollow', target: '_blank' } }),
      img: (tagName, attribs) => {
        const safe = withSafeStyle(attribs);
        const src = safe.src ?? '';
        if (REMOTE.test(src)) remoteImages++;
        else if (!/^data:image\/(png|gif|jpeg|webp);/i.test(src)) delete safe.src; // cid:, svg and the rest
        if (!options.images && REMOTE.test(src)) {
          delete safe.src;
          safe['data-blocked'] = 'remote image';
          safe.alt = safe.alt ? `[image not loaded: ${safe.alt}]` : '[image not loaded]';
        }
        return { tagName, attribs: safe };
      },
    },
  });
  return { html: out, remoteImages };
}

/** A style attribute keeps only declarations that fetch and run nothing. */
function withSafeStyle(attribs: sanitizeHtml.Attributes): sanitizeHtml.Attributes {
  if (attribs.style === undefined) return attribs;
  const kept = attribs.style.split(';').filter((decl) => decl.trim() && !DANGEROUS_CSS.test(decl));
  const { style: _dropped, ...rest } = attribs;
  return kept.length ? { ...rest, style: kept.join(';') } : rest;
}
