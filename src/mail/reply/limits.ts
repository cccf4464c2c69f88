// The bounds that keep reply splitting linear in the size of the mail, whatever the mail holds. Every
// regular expression of the text splitter runs on one line of at most MARKER_LINE_MAX characters (or
// on the one-letter-per-line kind string), on at most TEXT_INPUT_MAX characters of text; the HTML
// splitter parses at most HTML_INPUT_MAX characters and never deeper than HTML_DEPTH_MAX elements.

/**
 * Longer lines are never quote headers, header fields, delimiters or signatures: real ones stay well
 * under 200 characters ("On Mon, Feb 1, 2016 at 6:32 PM, A Long Name via A Forum <reply+…@…> wrote:"
 * is about 150), and a cap keeps each pattern's work per line a constant.
 */
export const MARKER_LINE_MAX = 300;

/** A quote header split over lines (Gmail wraps at the address) is rejoined from at most this many. */
export const HEADER_JOIN_LINES_MAX = 5;

/**
 * Text past this many characters is not split: the reply is decided on the first MiB (far more than
 * anyone writes above a quote) and the rest follows the last line read, into the reply or the removed
 * part (see text.ts). Without it a 40 MB body took 46 s and 2.5 GB of heap.
 */
export const TEXT_INPUT_MAX = 1024 * 1024;

/** HTML past this many characters is not parsed (2 MiB of markup is far more than any reply). */
export const HTML_INPUT_MAX = 2 * 1024 * 1024;

/**
 * Parsing stops at an element this deep. htmlparser2 keeps its open-element stack at the front of an
 * array, so parsing alone is quadratic in the depth, and html-to-text walks recursively; Chrome
 * flattens anything deeper than 512 levels, so real mail never gets here.
 */
export const HTML_DEPTH_MAX = 512;
