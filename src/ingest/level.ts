// Mapping the many spellings of a severity onto hindsight's levels.
import type { Level } from '../model.js';

// No prototype: `constructor` or `toString` is not a level word.
const WORDS: Record<string, Level> = Object.assign(Object.create(null) as Record<string, Level>, {
  trace: 'trace',
  debug: 'debug', debug1: 'debug', debug2: 'debug', debug3: 'debug', debug4: 'debug', debug5: 'debug', dbug: 'debug', dbg: 'debug',
  info: 'info', information: 'info', informational: 'info', notice: 'info', log: 'info', inf: 'info', statement: 'info',
  warn: 'warn', warning: 'warn', wrn: 'warn', warnin: 'warn',
  error: 'error', err: 'error', erro: 'error', eror: 'error', exception: 'error', severe: 'error',
  fatal: 'fatal', panic: 'fatal', critical: 'fatal', crit: 'fatal', emerg: 'fatal', emergency: 'fatal', alert: 'fatal',
});

/** Level of a severity word (`ERROR`, `warn`, `LOG`, `err`, `CRITICAL`), or null when it is not one. */
export function levelOfWord(word: string): Level | null {
  // Consecutive lines mostly repeat a level word: comparing with the last one avoids hashing it.
  if (word === lastWord) return lastLevel;
  const w = WORDS[word] ?? WORDS[word.toLowerCase()] ?? null;
  lastWord = word;
  lastLevel = w;
  return w;
}

let lastWord = '';
let lastLevel: Level | null = null;

/** The level words by length, for recognising one where it stands in a message (no slice, no hashing). */
const WORDS_BY_LENGTH: (readonly [string, Level])[][] = [];
for (const w of Object.keys(WORDS)) (WORDS_BY_LENGTH[w.length] ??= []).push([w, WORDS[w]!]);

/**
 * levelOfWord of s[from, to) when those characters are ASCII letters, without slicing them out:
 * the words are lower case, so comparing with the letters' lower case is what levelOfWord's
 * `toLowerCase()` fallback does.
 */
function levelOfLettersAt(s: string, from: number, to: number): Level | null {
  const words = WORDS_BY_LENGTH[to - from];
  if (words === undefined) return null;
  const c0 = s.charCodeAt(from) | 32;
  for (let k = 0; k < words.length; k++) {
    const w = words[k]![0];
    if (w.charCodeAt(0) !== c0) continue;
    let i = 1;
    while (i < w.length && (s.charCodeAt(from + i) | 32) === w.charCodeAt(i)) i++;
    if (i === w.length) return words[k]![1];
  }
  return null;
}

/** Level of a numeric severity (pino/bunyan: 10..60; syslog: 0..7 when `syslog` is set). */
export function levelOfNumber(n: number, syslog = false): Level {
  if (syslog) return n <= 2 ? 'fatal' : n === 3 ? 'error' : n === 4 ? 'warn' : n === 7 ? 'debug' : 'info';
  return n >= 60 ? 'fatal' : n >= 50 ? 'error' : n >= 40 ? 'warn' : n >= 30 ? 'info' : n >= 20 ? 'debug' : 'trace';
}

/**
 * The level a plain-text message announces at its start, if any: `INFO:`, `[ERROR]`, `WARNING -`,
 * `ERROR:root:`, `2026-02-07 19:12:02,123 - app - ERROR - ...`, `level=error`.
 * Railway labels everything on stderr `error`; this is how an INFO line written to stderr is told apart.
 */
export function levelCueOf(message: string): Level | null {
  const n = message.length;
  if (n === 0) return null;
  let i = 0;
  const c0 = message.charCodeAt(0);
  if (c0 === 91 /* [ */) i = 1;
  else if (c0 >= 48 && c0 <= 57) {
    // Leading timestamp (python logging's default asctime), then a separator, then the level.
    const m = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\s*(?:-\s*)?(?:\[[^\]]*\]\s*|[\w.\-]+\s+-\s+|[\w.\-]+:\s*)?\[?([A-Za-z]+)\]?[\s:|-]/.exec(message.slice(0, 120));
    if (m) return levelOfWord(m[1]!);
    return null;
  }
  if (c0 === 108 /* l */ && message.startsWith('level=')) {
    const m = /^level=("?)(\w+)\1/.exec(message);
    return m ? levelOfWord(m[2]!) : null;
  }
  // Only upper-case or bracketed words count, so that "Error connecting" or "info about" do not;
  // a lower-case letter outside brackets ends the look at once (most messages), before any slicing.
  let j = i;
  while (j < n && j < i + 12) {
    const c = message.charCodeAt(j);
    if (c >= 65 && c <= 90) j++;
    else if (c >= 97 && c <= 122) {
      if (c0 !== 91) return null;
      j++;
    } else break;
  }
  if (j === i) return null;
  const next = j < n ? message.charCodeAt(j) : 32;
  // The word must be followed by a delimiter (`:`, `]`, space, `|`, `-`), and be a level word.
  if (c0 === 91 ? next !== 93 : !(next === 58 || next === 32 || next === 124 || next === 9)) return null;
  return levelOfLettersAt(message, i, j);
}
