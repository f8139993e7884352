// A bound on the text of one record. A line may be up to 64 MiB, and the whole line is read and
// counted, but templating, the detectors' patterns and the kept events only need its beginning:
// a 60 MB message took 74-100 s and 2.5 GB there. A longer message (or PostgreSQL statement,
// detail, query, context, hint) is cut to its first MAX_TEXT_CHARS characters, at the last
// separator before that (space, punctuation that no token or URL holds), so that the cut never
// leaves the head of a credential for the redaction to miss; an ellipsis marks the cut.
import type { LogEvent, PgFields } from '../model.js';

/** Characters of a record's message (and of each PostgreSQL text field) kept for analysis. */
export const MAX_TEXT_CHARS = 64 * 1024;
/** How far back from the bound a separator is looked for; a token longer than this is cut inside. */
const SEPARATOR_WINDOW = 4096;

/** `s` cut to at most MAX_TEXT_CHARS characters and an ellipsis, at a separator when one is near. */
export function cutLongText(s: string): string {
  if (s.length <= MAX_TEXT_CHARS) return s;
  let end = MAX_TEXT_CHARS;
  for (let i = MAX_TEXT_CHARS; i > MAX_TEXT_CHARS - SEPARATOR_WINDOW; i--) {
    if (isSeparator(s.charCodeAt(i))) {
      end = i;
      break;
    }
  }
  // Not in the middle of a surrogate pair.
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return s.slice(0, end) + '…';
}

/** Cuts the long texts of `ev` in place; whether there was one. */
export function cutLongTexts(ev: LogEvent): boolean {
  let cut = false;
  if (ev.message.length > MAX_TEXT_CHARS) {
    ev.message = cutLongText(ev.message);
    cut = true;
  }
  const pg = ev.pg;
  if (pg !== undefined) {
    for (const k of PG_TEXTS) {
      const v = pg[k];
      if (v !== undefined && v.length > MAX_TEXT_CHARS) {
        pg[k] = cutLongText(v);
        cut = true;
      }
    }
  }
  return cut;
}

const PG_TEXTS = ['statement', 'detail', 'query', 'context', 'hint'] as const satisfies readonly (keyof PgFields)[];

/** Whitespace and punctuation that ends a word, a token or a URL. */
function isSeparator(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 44 || c === 59 || c === 34 || c === 39 || c === 40 || c === 41 || c === 91 || c === 93 || c === 123 || c === 125 || c === 60 || c === 62 || c === 96;
}
