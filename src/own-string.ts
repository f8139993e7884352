// Strings that outlive the line they came from. V8 makes a substring of 13 characters or more a
// *slice*: a view that keeps its whole parent alive. A message sliced from a line (or a line from a
// 1 MiB read chunk) and then kept (a cached message, an example, a kept event) would pin its parent
// for as long as it is kept. ownString makes a copy that shares nothing with the parent.
import { cutText } from './redact.js';

/** V8 copies substrings shorter than this anyway (SlicedString::kMinLength is 13). */
export const MIN_SLICE = 13;

/** Appended to a string that was cut, so nobody mistakes it for the whole value. */
export const CUT_MARKER = '…[cut]';

/**
 * A copy of `s` that shares no memory with the string it was sliced from, cut at `max` characters
 * (with CUT_MARKER; the secrets of a value that is cut are redacted first, see cutText). Slicing a concatenation makes V8 flatten it into a fresh string first, so
 * `(' ' + s).slice(1)` is a view of a new copy of `s` (one character longer), never of `s`'s
 * parent; test/own-string.test.ts checks that. It costs ~75 ns for an 80-character string where
 * the JSON round trip used before (`JSON.parse(JSON.stringify(s))`) cost ~620 ns.
 */
export function ownString(s: string, max = Infinity): string {
  if (s.length > max) return (' ' + cutText(s, max, CUT_MARKER)).slice(1);
  if (s.length < MIN_SLICE) return s;
  return (' ' + s).slice(1);
}
