// The HTML of a stranger's mail, made safe to show (DESIGN §5: untrusted content is sanitised before
// it is shown). An allow-list, not a block-list: what is not named here is dropped — scripts, styles
// sheets, forms and their fields, frames, objects, event handlers, javascript: and data: links, CSS
// that loads anything (url(), image-set, @import, expression). Remote images are counted and, unless
// the reader asked for them, lose their address: opening a mail must not tell its sender it was read.
// Links keep only absolute http(s) and mailto: addresses: a relative one (`/api/v1/admin`) would resolve
// to our own origin, an invitation to a cross-site request dressed as the sender's link. CSS cannot pin
// anything over the page (position fixed/absolute/sticky): that is how a mail draws a fake "sign in
// again" panel. The page that serves the result adds a strict CSP and a sandbox as a second wall (it
// allows popups, so that links open in a new tab, and nothing else).
import sanitizeHtml from 'sanitize-html';

export interface SafeHtml {
  html: string;
  /** Images that load from the network (http/https), shown or not. */
  remoteImages: number;
}

const REMOTE = /^\s*https?:/i;
/** `https:foo` without the slashes is relative to a page served over https, so the slashes are required. */
const ABSOLUTE_LINK = /^\s*(https?:\/\/|mailto:)/i;
/** Positions that take an element out of the mail's flow and can lay it over everything else. */
const OVERLAY_POSITION = /fixed|absolute|sticky/i;
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
      a: (tagName, attribs) => {
        const safe: sanitizeHtml.Attributes = { ...withSafeStyle(attribs), rel: 'noopener noreferrer nofollow', target: '_blank' };
        if (safe.href !== undefined && !ABSOLUTE_LINK.test(safe.href)) delete safe.href;
        return { tagName, attribs: safe };
      },
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

// A style attribute keeps only declarations that fetch and run nothing and overlay nothing. CSS comments
// go first (a comment between `position` and its colon still leaves `position`), so what is checked is
// exactly what is served.
function withSafeStyle(attribs: sanitizeHtml.Attributes): sanitizeHtml.Attributes {
  if (attribs.style === undefined) return attribs;
  const kept = attribs.style
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split(';')
    .filter((decl) => decl.trim() && !decl.includes('/*') && !DANGEROUS_CSS.test(decl) && !overlays(decl));
  const { style: _dropped, ...rest } = attribs;
  return kept.length ? { ...rest, style: kept.join(';') } : rest;
}

function overlays(declaration: string): boolean {
  const colon = declaration.indexOf(':');
  return colon > 0 && declaration.slice(0, colon).trim().toLowerCase() === 'position' && OVERLAY_POSITION.test(declaration.slice(colon + 1));
}
