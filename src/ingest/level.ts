// Mapping the many spellings of a severity onto hindsight's levels.
import type { Level } from '../model.js';
import { CONVENTIONS, type LevelShape } from './log-conventions.js';
import { vocabularyTest } from './error-vocabulary.js';

// No prototype: `constructor` or `toString` is not a level word.
const WORDS: Record<string, Level> = Object.assign(Object.create(null) as Record<string, Level>, {
  trace: 'trace', verbose: 'debug',
  debug: 'debug', debug1: 'debug', debug2: 'debug', debug3: 'debug', debug4: 'debug', debug5: 'debug', dbug: 'debug', dbg: 'debug',
  info: 'info', information: 'info', informational: 'info', notice: 'info', log: 'info', inf: 'info', statement: 'info',
  warn: 'warn', warning: 'warn', wrn: 'warn', warnin: 'warn',
  error: 'error', err: 'error', erro: 'error', eror: 'error', exception: 'error', severe: 'error',
  fatal: 'fatal', panic: 'fatal', critical: 'fatal', crit: 'fatal', emerg: 'fatal', emergency: 'fatal', alert: 'fatal',
});

/** Words read only where their convention puts them: a lower-case word and a colon, Ruby's letters, Next.js's symbols. */
const COLON_WORDS: Record<string, Level> = Object.create(null) as Record<string, Level>;
const RUBY_LETTERS: Record<string, Level> = Object.create(null) as Record<string, Level>;
const SYMBOLS: Record<string, Level> = Object.create(null) as Record<string, Level>;
/** Words of JSON conventions (winston's `http`, `silly`), read only as the value of a level member. */
const JSON_WORDS: Record<string, Level> = Object.create(null) as Record<string, Level>;
/** Tags after which a level word follows (`[Nest] 1234  - date   LOG [Ctx]`, `PHP Warning:`). */
const TAGS: string[] = [];
/** Words read right after their tag only (PHP's `Fatal error` is an error, not the shared `fatal`). */
const TAG_WORDS: Record<string, Record<string, Level>> = Object.create(null) as Record<string, Record<string, Level>>;
/** Texts after which a line carries another program's line, whose own level wins (log-conventions.ts `carries`). */
const CARRIED: string[] = [];
/** Texts right after a bracketed time that alone give the line's level (log-conventions.ts `afterTime`). */
const AFTER_TIME: (readonly [string, Level])[] = [];
/** JSON members that hold a level, in the order they are looked for. */
export const LEVEL_KEYS: string[] = [];
for (const c of CONVENTIONS) {
  const table = c.shape === 'word-colon' ? COLON_WORDS : c.shape === 'ruby-letter' ? RUBY_LETTERS : c.shape === 'symbol' ? SYMBOLS : c.shape === 'json' ? JSON_WORDS
    : c.shape === 'after-tag' && c.tag !== undefined ? (TAG_WORDS[c.tag] ??= Object.create(null) as Record<string, Level>) : WORDS;
  for (const [w, l] of Object.entries(c.words ?? {})) table[w] ??= l;
  if (c.tag !== undefined && !TAGS.includes(c.tag)) TAGS.push(c.tag);
  if (c.carries !== undefined) CARRIED.push(c.carries);
  if (c.afterTime !== undefined && c.level !== null) AFTER_TIME.push([c.afterTime, c.level]);
  for (const k of c.keys ?? []) if (!LEVEL_KEYS.includes(k)) LEVEL_KEYS.push(k);
}
const QUOTED_LEVEL_KEYS = LEVEL_KEYS.map((k) => `"${k}"`);

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
type ByLength = (readonly [string, Level])[][];
function byLength(table: Record<string, Level>): ByLength {
  const t: ByLength = [];
  for (const w of Object.keys(table)) (t[w.length] ??= []).push([w, table[w]!]);
  return t;
}
const WORDS_BY_LENGTH = byLength(WORDS);
const COLON_WORDS_BY_LENGTH = byLength(COLON_WORDS);
const TAG_WORDS_BY_LENGTH: Record<string, ByLength> = Object.create(null) as Record<string, ByLength>;
for (const tag of Object.keys(TAG_WORDS)) TAG_WORDS_BY_LENGTH[tag] = byLength(TAG_WORDS[tag]!);

/**
 * levelOfWord of s[from, to) when those characters are ASCII letters, without slicing them out:
 * the words are lower case, so comparing with the letters' lower case is what levelOfWord's
 * `toLowerCase()` fallback does.
 */
function levelOfLettersAt(s: string, from: number, to: number, table = WORDS_BY_LENGTH): Level | null {
  const words = table[to - from];
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
 * Level of a numeric `level` member on a scale a logger writes: pino's and bunyan's 10..60,
 * Monolog's 100..600 (DEBUG 100 ... EMERGENCY 600). Other numbers (`"level":3` of a game, a
 * tree) are no severity: null.
 */
function levelOfLevelNumber(n: number): Level | null {
  if (n >= 10 && n <= 60) return levelOfNumber(n);
  if (n < 100 || n > 600) return null;
  return n >= 500 ? 'fatal' : n >= 400 ? 'error' : n >= 300 ? 'warn' : n >= 200 ? 'info' : 'debug';
}

/** Level of a JSON member that holds one (see LEVEL_KEYS): a word, or a number on its scale. */
export function levelOfMember(value: unknown): Level | null {
  if (typeof value === 'string') return levelOfWord(value) ?? JSON_WORDS[value] ?? null;
  return typeof value === 'number' && Number.isFinite(value) ? levelOfLevelNumber(value) : null;
}

/** The reader that found the last cue, null when none did (tests check each convention is read by its own). */
let cueShape: LevelShape | null = null;
export function lastCueShape(): LevelShape | null {
  return cueShape;
}

function found(level: Level | null, shape: LevelShape): Level | null {
  cueShape = level === null ? null : shape;
  return level;
}

/**
 * The level a plain-text message announces, if any, in one of the conventions of
 * log-conventions.ts: `INFO:`, `[ERROR]`, `2026-02-07 19:12:02,123 - app - ERROR - ...`,
 * `[2026-12-07 17:07:18,250: INFO/MainProcess]`, `{"level":30,...}`, `level=error`, ...
 * Railway labels everything on stderr `error`; this is how an INFO line written to stderr is told
 * apart. The first character chooses one reader; most messages (a capitalised word) are done after
 * two comparisons.
 */
export function levelCueOf(message: string): Level | null {
  const own = ownLevelCue(message);
  return own === null || CARRIED.length === 0 ? own : carriedLevel(message, own);
}

/** How far into a line a carrier's text may stand (after its time, level, pool and pid). */
const CARRIED_WITHIN = 200;

/**
 * The level of a line another program passed on under its own (php-fpm's caught worker output,
 * all WARNING; nginx's `FastCGI sent in stderr`, all [error]): the carried line's, when it announces
 * one; else the carrier's. The carrier's text is looked for near the start only (lastIndexOf from
 * CARRIED_WITHIN: no scan of a long line).
 */
function carriedLevel(message: string, own: Level): Level {
  const shape = cueShape;
  for (const text of CARRIED) {
    const at = message.lastIndexOf(text, CARRIED_WITHIN);
    if (at === -1) continue;
    const inner = levelCueOf(message.slice(at + text.length));
    if (inner !== null) return inner;
    cueShape = shape;
  }
  return own;
}

function ownLevelCue(message: string): Level | null {
  cueShape = null;
  if (message.length === 0) return null;
  const c0 = message.charCodeAt(0);
  if (c0 >= 65 && c0 <= 90) return upperFirst(message);
  if (c0 >= 97 && c0 <= 122) return lowerFirst(message);
  if (c0 >= 48 && c0 <= 57) return digitFirst(message);
  if (c0 === 91 /* [ */) return bracketFirst(message);
  if (c0 === 123 /* { */) return found(jsonLevel(message), 'json');
  if (c0 === 32) {
    // werkzeug's ` * Running on http://...`; Next.js before 15 put a space before its symbol.
    if (message.charCodeAt(1) === 42 && message.charCodeAt(2) === 32) return found('info', 'access-log');
    return symbolFirst(message, 1);
  }
  if (c0 === 40 /* ( */ || c0 === 47 /* / */ || c0 === 60 /* < */) return warningLevel(message);
  return c0 >= 128 ? symbolFirst(message, 0) : null;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}
function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}
function isLetter(c: number): boolean {
  return (c | 32) >= 97 && (c | 32) <= 122;
}

/** `INFO:root:...`, `WARNING:  ...`, `CRITICAL | ...`, `ERROR 2026-...`; Ruby's `I, [time #pid]  INFO -- : ...`. */
function upperFirst(s: string): Level | null {
  const c1 = s.charCodeAt(1);
  if (c1 === 44 /* , */ && s.charCodeAt(2) === 32 && s.charCodeAt(3) === 91) return found(RUBY_LETTERS[s[0]!] ?? null, 'ruby-letter');
  // Only an upper-case word counts, so that "Error connecting" does not: the first lower-case
  // letter ends the look (most messages, at their second character).
  let j = 1;
  while (j < s.length && j < 12) {
    const c = s.charCodeAt(j);
    if (isUpper(c)) j++;
    else if (isLower(c)) return null;
    else break;
  }
  const next = j < s.length ? s.charCodeAt(j) : 32;
  if (!(next === 58 || next === 32 || next === 124 || next === 9)) return null;
  const l = levelOfLettersAt(s, 0, j);
  if (l === null && next === 32) for (const tag of TAGS) if (tag.length === j && s.startsWith(tag)) return found(wordAfterTag(s, j + 1, tag), 'after-tag');
  return found(l, 'word-first');
}

/** winston's `info: ...` (a colon and a space after the word); logfmt's `time=... level=info`; npm's `npm warn ...`, Prisma's `prisma:warn ...`. */
function lowerFirst(s: string): Level | null {
  let j = 1;
  while (j < s.length && j < 12 && isLower(s.charCodeAt(j))) j++;
  const next = s.charCodeAt(j);
  // A Python warning from a relative path or from the interpreter itself (`sys:1: ResourceWarning: ...`).
  if (next === 46 /* . */ || next === 47 /* / */ || next === 95 /* _ */) return warningLevel(s);
  if (next === 58 /* : */) {
    const after = s.charCodeAt(j + 1);
    if (after === 32 || after !== after) return found(levelOfLettersAt(s, 0, j, COLON_WORDS_BY_LENGTH), 'word-colon');
    if (after >= 48 && after <= 57) return warningLevel(s);
    for (const tag of TAGS) if (tag.length === j + 1 && s.startsWith(tag)) return found(wordAfterTag(s, j + 1, tag), 'after-tag');
    return null;
  }
  if (next === 61 /* = */) return found(logfmtLevel(s), 'logfmt');
  if (next === 32) for (const tag of TAGS) if (tag.length === j && s.startsWith(tag)) return found(wordAfterTag(s, j + 1, tag), 'after-tag');
  return null;
}

/**
 * The word right after a bare tag, in any case, ended by a space, `!` or `:`: npm's `warn`,
 * `error`, `WARN`, `ERR!`; Prisma's `warn`; PHP's `Warning:`, `Fatal error:`. The tag's own words
 * first (TAG_WORDS), then the shared ones.
 */
function wordAfterTag(s: string, i: number, tag: string): Level | null {
  let j = i;
  while (j < s.length && j < i + 12 && isLetter(s.charCodeAt(j))) j++;
  const d = j < s.length ? s.charCodeAt(j) : 32;
  if (j === i || !(d === 32 || d === 33 || d === 58)) return null;
  const own = TAG_WORDS_BY_LENGTH[tag];
  return (own !== undefined ? levelOfLettersAt(s, i, j, own) : null) ?? levelOfLettersAt(s, i, j);
}

/**
 * A warning's category after the program's prefix: Python's warnings module
 * (`/app/main.py:3: DeprecationWarning: ...`) and Node's process warnings
 * (`(node:26512) [DEP0005] DeprecationWarning: ...`, and the hint it prints after the first,
 * `(Use \`node --trace-warnings ...\` to show where the warning was created)`).
 */
function warningLevel(s: string): Level | null {
  if (s.startsWith('(Use `node --trace-warnings')) return found('warn', 'warning-line');
  const at = s.indexOf('Warning: ');
  if (at === -1 || at > 240) return null;
  let w = at;
  while (w > 0 && isLetter(s.charCodeAt(w - 1))) w--;
  const before = s.charCodeAt(w - 2);
  return w > 1 && s.charCodeAt(w - 1) === 32 && (before === 58 || before === 93 || before === 41) ? found('warn', 'warning-line') : null;
}

const LOGFMT_KEYS = ['level=', 'lvl='];

/** The value of the first `level=` or `lvl=` pair that starts a token at `from` or within 200 characters after it. */
function logfmtLevel(s: string, from = 0): Level | null {
  for (const key of LOGFMT_KEYS) {
    let at = s.indexOf(key, from);
    while (at > from && s.charCodeAt(at - 1) !== 32) at = s.indexOf(key, at + 1);
    if (at === -1 || at > from + 200) continue;
    let a = at + key.length;
    if (s.charCodeAt(a) === 34) a++;
    let z = a;
    while (z < s.length && isLetter(s.charCodeAt(z))) z++;
    return levelOfLettersAt(s, a, z);
  }
  return null;
}

/**
 * A line that opens with a time (the first token holds `:`, `-` or `/`, so "3 workers" is no
 * time): the level among the tokens after it; or a request line of an access log (`127.0.0.1 - -
 * [date] "GET ...`), which the server logs at info whatever its status.
 */
function digitFirst(s: string): Level | null {
  let i = 1;
  let timeLike = false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9) break;
    if (c === 58 || c === 45 || c === 47) timeLike = true;
  }
  // ` - user [` after an address.
  if (s.charCodeAt(i + 1) === 45 && s.charCodeAt(i + 2) === 32) {
    const user = s.indexOf(' ', i + 3);
    if (user !== -1 && s.charCodeAt(user + 1) === 91) {
      const end = s.indexOf('] "', user);
      if (end !== -1 && end < user + 40) return found('info', 'access-log');
    }
  }
  return timeLike ? found(levelAmongTokens(s, i), 'after-time') : null;
}

/**
 * `[2026-... INFO ...]` and alike (Celery, gunicorn, Flask, Monolog, env_logger, Django's status
 * line); `[error] ...`; a tag such as NestJS's `[Nest]` before pid, time and level.
 */
function bracketFirst(s: string): Level | null {
  const c1 = s.charCodeAt(1);
  if (c1 >= 48 && c1 <= 57) {
    const l = levelAmongTokens(s, 1) ?? afterTimeLevel(s);
    if (l !== null) return found(l, 'after-bracketed-time');
    return found(statusLineLevel(s), 'status-line');
  }
  let j = 1;
  while (j < s.length && j < 14 && isLetter(s.charCodeAt(j))) j++;
  if (j === 1 || s.charCodeAt(j) !== 93 /* ] */) return null;
  const l = levelOfLettersAt(s, 1, j);
  if (l !== null) return found(l, 'bracketed-word');
  for (const tag of TAGS) if (tag.length === j + 1 && s.startsWith(tag)) return found(levelAmongTokens(s, j + 1), 'after-tag');
  return null;
}

/** The level a text right after the bracketed time gives (AFTER_TIME): php-fpm's slow log. */
function afterTimeLevel(s: string): Level | null {
  const close = s.indexOf(']');
  if (close === -1 || close > 40) return null;
  for (const [text, level] of AFTER_TIME) if (s.startsWith(text, close + 1)) return level;
  return null;
}

/**
 * Django's development server: `[07/Dec/2026 11:08:09] "GET / HTTP/1.1" 404 2192`, which it logs
 * at error for a 5xx, warning for a 4xx, info otherwise (django/core/servers/basehttp.py).
 */
function statusLineLevel(s: string): Level | null {
  const open = s.indexOf('] "');
  if (open === -1 || open > 40) return null;
  const close = s.indexOf('" ', open + 3);
  if (close === -1) return null;
  const d = s.charCodeAt(close + 2);
  if (d < 49 || d > 53 || !(s.charCodeAt(close + 5) === 32 || close + 5 === s.length)) return null;
  return d === 53 ? 'error' : d === 52 ? 'warn' : 'info';
}

/** Next.js's prefix symbols (`⚠ ...`, `⨯ ...`), followed by a space. */
function symbolFirst(s: string, i: number): Level | null {
  if (s.charCodeAt(i + 1) !== 32) return null;
  return found(SYMBOLS[s[i]!] ?? null, 'symbol');
}

/**
 * The level word among the first tokens from `i` on, as loggers put it after a time, a pid, a
 * logger or thread name: `INFO`, `INFO:`, `INFO/MainProcess]` (Celery), `[INFO]`, `[info]`,
 * `app.INFO:` (Monolog), `level=info`. Tokens that open with a digit (times, pids) and
 * lower-case names are passed over; a non-level word ending in `:` ends the prefix (the message
 * follows), and so does a quote.
 */
function levelAmongTokens(s: string, i: number): Level | null {
  const n = s.length;
  for (let t = 0; t < 9; t++) {
    let c = s.charCodeAt(i);
    while (c === 32 || c === 9 || c === 124) c = s.charCodeAt(++i);
    if (i >= n || i > 160) return null;
    if (c === 34) return null;
    if (c === 91 || c === 60 /* < */) {
      let j = i + 1;
      while (j < n && isLetter(s.charCodeAt(j))) j++;
      const close = s.charCodeAt(j);
      if (j > i + 1 && (close === 93 || close === 62)) {
        const l = levelOfLettersAt(s, i + 1, j);
        if (l !== null) return l;
      }
    } else if (isLetter(c)) {
      let j = i + 1;
      let upper = isUpper(c);
      while (j < n && isLetter(s.charCodeAt(j))) {
        if (!isUpper(s.charCodeAt(j))) upper = false;
        j++;
      }
      const d = j < n ? s.charCodeAt(j) : 32;
      if (upper && (d === 32 || d === 9 || d === 58 || d === 93 || d === 47 || d === 124 || d === 44)) {
        const l = levelOfLettersAt(s, i, j);
        if (l !== null) return l;
      } else if (d === 61 /* = */ && (j - i === 5 || j - i === 3)) {
        const l = logfmtLevel(s, i);
        if (l !== null) return l;
      } else if (d === 46 /* . */) {
        // Monolog's `channel.LEVEL:`.
        let k = j;
        while (k < n && s.charCodeAt(k) !== 32) k++;
        const dot = s.lastIndexOf('.', k);
        if (s.charCodeAt(k - 1) === 58 && isUpper(s.charCodeAt(dot + 1))) {
          const l = levelOfLettersAt(s, dot + 1, k - 1);
          if (l !== null) return l;
        }
      }
    }
    const first = c;
    while (i < n && c !== 32 && c !== 9) c = s.charCodeAt(++i);
    // A word ending in `:` that is no level and no time ends the prefix: the message follows.
    if (s.charCodeAt(i - 1) === 58 && !(first >= 48 && first <= 57)) return null;
  }
  return null;
}

/**
 * A JSON line's level: the first of LEVEL_KEYS it holds, read where it stands (no parse of the
 * line). Braces, brackets and strings are followed up to each match: a key inside a string is
 * none, and in a nested object (winston's logstash `{"@fields":{"level":"info"}}`) only a
 * severity word counts, so that `{"game":{"level":3}}` is no level. A number counts on a
 * severity scale only (levelOfLevelNumber).
 */
function jsonLevel(s: string): Level | null {
  for (const key of QUOTED_LEVEL_KEYS) {
    let depth = 0;
    let inString = false;
    let scanned = 0;
    for (let at = s.indexOf(key); at !== -1; at = s.indexOf(key, at + 1)) {
      for (; scanned < at; scanned++) {
        const c = s.charCodeAt(scanned);
        if (inString) {
          if (c === 92) scanned++;
          else if (c === 34) inString = false;
        } else if (c === 34) inString = true;
        else if (c === 123 || c === 91) depth++;
        else if (c === 125 || c === 93) depth--;
      }
      if (inString) continue;
      let i = at + key.length;
      while (s.charCodeAt(i) === 32) i++;
      if (s.charCodeAt(i) !== 58) continue;
      i++;
      while (s.charCodeAt(i) === 32) i++;
      const c = s.charCodeAt(i);
      if (c === 34) {
        const z = s.indexOf('"', i + 1);
        if (z === -1 || z - i >= 24) break;
        const l = levelOfMember(s.slice(i + 1, z));
        if (l !== null || depth === 1) return l;
      } else if (depth === 1) {
        if (!(c >= 48 && c <= 57)) break;
        let z = i + 1;
        while (z < s.length && s.charCodeAt(z) >= 48 && s.charCodeAt(z) <= 57) z++;
        return levelOfMember(Number(s.slice(i, z)));
      }
    }
  }
  return null;
}

/**
 * Words that say a line is an error, in a line whose program gave it no level (stderrLevelOf):
 * Go's `http: panic serving ...`, log.Fatal's `failed to ...`, a driver's `connection refused`.
 */
const SAYS_ERROR = /\b(?:errors?|exception|fail(?:s|ed|ure)?|fatal|panic(?:s|ked)?|refused|denied|unable|cannot|can't|could not|couldn't|timed out|deadline exceeded|killed|abort(?:s|ed)?|crash(?:es|ed)?|unreachable|invalid|out of memory|reset by peer|broken pipe)\b/i;

/** The error vocabulary's failures (a pool timeout, an exit, a broker lost: the detectors' words), which say error too. */
const IN_FAILURE_VOCABULARY = vocabularyTest(['pool-exhaustion', 'worker-timeout', 'out-of-memory', 'process-exit', 'broker-outage', 'database-outage']);

/** How the lines of a convention with a `stderrLevel` are recognised, by its id (log-conventions.ts says the same in words). */
const STDERR_SHAPES: Readonly<Record<string, (s: string) => boolean>> = {
  // `2026/12/07 22:57:04 ` (log.LstdFlags), with `.000000` when Lmicroseconds is set.
  'go-log': (s) => s.length > 20 && s.charCodeAt(4) === 47 && s.charCodeAt(7) === 47 && s.charCodeAt(10) === 32 && s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58 && isDigit(s.charCodeAt(0)) && isDigit(s.charCodeAt(18)),
  // Redis.deprecate!'s notices (redis-rb 4: lib/redis.rb, commands/*.rb).
  'ruby-warn': (s) => s.indexOf('deprecated') !== -1 || (s.endsWith("')") && s.indexOf('(called from: ') !== -1),
};

const STDERR_CONVENTIONS = CONVENTIONS.filter((c) => c.stderrLevel !== undefined).map((c) => ({ level: c.stderrLevel!, test: STDERR_SHAPES[c.id]! }));

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * The level of a line labelled `error` (written to stderr) that announces none, when it is a line
 * of a program known to write its ordinary lines there (a convention with a `stderrLevel`): that
 * level, unless its words say error (SAYS_ERROR, or the error vocabulary's failures). Null for any
 * other line: the label stands. Railway labels every stderr line `error`, so Go's log lines and
 * Ruby's warnings would count as errors.
 */
export function stderrLevelOf(message: string): Level | null {
  for (const c of STDERR_CONVENTIONS) if (c.test(message)) return SAYS_ERROR.test(message) || IN_FAILURE_VOCABULARY(message) ? 'error' : c.level;
  return null;
}
