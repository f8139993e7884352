// A bound on how deeply nested a JSON value read from a log may be. JSON.parse itself takes any
// depth, but everything after it that walks a value (JSON.stringify, the compact copy of kept
// events, the report) recurses, and a value nested a few thousand levels deep ends the run with a
// stack overflow. No log writer nests that deep on purpose; such a value is kept, as its JSON text,
// below MAX_JSON_DEPTH, and counted so the input's warnings say so.
import type { EventSink } from './format.js';
import { plural } from '../words.js';

/** Objects and arrays nested deeper than this are kept as their JSON text (a string). */
export const MAX_JSON_DEPTH = 64;

/** Values of one input kept as text for their depth, and the first line that had one. */
export interface DepthTally {
  cut: number;
  firstLine: number;
}

export function depthTally(): DepthTally {
  return { cut: 0, firstLine: 0 };
}

/**
 * JSON.parse of `text`, with each value that opens deeper than MAX_JSON_DEPTH replaced by a
 * string of its JSON text (counted in `tally` for line `lineNo`). Throws as JSON.parse does.
 * The common case pays a few indexOf calls: a line with no more than MAX_JSON_DEPTH brackets
 * cannot nest deeper than that.
 */
export function parseJsonBounded(text: string, tally: DepthTally, lineNo: number): unknown {
  if (!mayNestTooDeep(text)) return JSON.parse(text);
  const cut = cutDeepValues(text);
  if (cut.n > 0) {
    if (tally.cut === 0) tally.firstLine = lineNo;
    tally.cut += cut.n;
  }
  return JSON.parse(cut.text);
}

/** Reports the values kept as text, once per input, through the sink's warnings. */
export function warnDeepValues(sink: EventSink, tally: DepthTally): void {
  if (tally.cut === 0) return;
  sink.warn?.(`${plural(tally.cut, 'JSON value')} nested deeper than ${MAX_JSON_DEPTH} levels (the first at line ${tally.firstLine}) ${tally.cut === 1 ? 'was' : 'were'} kept as ${tally.cut === 1 ? 'its' : 'their'} JSON text`);
}

function mayNestTooDeep(text: string): boolean {
  let openers = 0;
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) if (++openers > MAX_JSON_DEPTH) return true;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) if (++openers > MAX_JSON_DEPTH) return true;
  return false;
}

/**
 * `text` with every object or array opening at depth MAX_JSON_DEPTH + 1 written as a JSON string
 * of itself, in one pass. Brackets inside strings do not count. Unbalanced text is returned as is
 * (JSON.parse then says why it is not JSON).
 */
function cutDeepValues(text: string): { text: string; n: number } {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  let deepStart = -1;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Past the string: a backslash escapes the next character.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) {
      depth++;
      if (depth === MAX_JSON_DEPTH + 1) deepStart = i;
    } else if (c === 125 || c === 93) {
      if (depth === MAX_JSON_DEPTH + 1) {
        parts.push(text.slice(from, deepStart), JSON.stringify(text.slice(deepStart, i + 1)));
        from = i + 1;
        n++;
      }
      depth--;
      if (depth < 0) return { text, n: 0 };
    }
  }
  if (n === 0 || depth !== 0) return { text, n: 0 };
  parts.push(text.slice(from));
  return { text: parts.join(''), n };
}
