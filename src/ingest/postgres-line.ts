// PostgreSQL's stderr line: `<log_line_prefix><SEVERITY>:  <message>`. Shared by the postgres
// formats and by the Railway formats, whose messages are often PostgreSQL lines.
// The hot path is char-code scanning: one pass for the timestamp, a bounded walk over the colons
// of the prefix for the severity, and field extraction only over the prefix's few characters.
import type { Level, LogEvent, PgFields } from '../model.js';
import { parseTimestampAt, ZONE_OFFSETS } from './timestamp.js';
import type { EventSink } from './format.js';

export const PG_SEVERITIES = [
  'DEBUG5', 'DEBUG4', 'DEBUG3', 'DEBUG2', 'DEBUG1', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'LOG', 'FATAL', 'PANIC',
] as const;

/** Severity words that continue the record before them rather than start a new one. */
export const PG_CONTINUATIONS = ['DETAIL', 'HINT', 'STATEMENT', 'CONTEXT', 'QUERY', 'LOCATION'] as const;

/** Canonical (interned) severity strings by word, for lookups without keeping sliced copies. */
const SEVERITY_WORDS: ReadonlyMap<string, string> = new Map(
  [...PG_SEVERITIES, ...PG_CONTINUATIONS].map((w) => [w, w] as const),
);
const CONTINUATION_SET: ReadonlySet<string> = new Set(PG_CONTINUATIONS);

/** Words by first letter and length, to recognise one in a line without slicing it out. */
function byShape(words: Iterable<string>): ReadonlyMap<number, readonly string[]> {
  const m = new Map<number, string[]>();
  for (const w of words) {
    const k = w.charCodeAt(0) * 16 + w.length;
    const list = m.get(k) ?? [];
    list.push(w);
    m.set(k, list);
  }
  return m;
}
const SEVERITY_BY_SHAPE = byShape(SEVERITY_WORDS.keys());
/**
 * Level words of PostgreSQL and of the loggers that write a pid in brackets before their level
 * (gunicorn's `[2026-12-07 23:38:06 +0000] [23559] [ERROR] `, Python logging's `[%(process)d]
 * %(levelname)s: `): none stands in a log_line_prefix, whose escapes write times, pids, names and
 * addresses, and after which PostgreSQL writes the severity.
 */
const PREFIX_LEVEL_WORDS = byShape(new Set([...PG_SEVERITIES, 'WARN', 'CRITICAL', 'CRIT', 'TRACE', 'SEVERE', 'ERR', 'ALERT', 'EMERGENCY']));

/** The severity word of `len` characters at `at` of `s`, or null. */
function severityAt(s: string, at: number, len: number, shapes = SEVERITY_BY_SHAPE): string | null {
  const list = shapes.get(s.charCodeAt(at) * 16 + len);
  if (list === undefined) return null;
  for (let k = 0; k < list.length; k++) {
    const w = list[k]!;
    // Char codes, not startsWith (a call costs more than comparing a few characters).
    let i = 1;
    while (i < len && s.charCodeAt(at + i) === w.charCodeAt(i)) i++;
    if (i === len) return w;
  }
  return null;
}

/** The canonical severity word PostgreSQL writes, or null when `word` is not one. */
export function pgSeverityWord(word: string): string | null {
  return SEVERITY_WORDS.get(word) ?? null;
}

/** Whether a severity word continues the record before it (DETAIL, HINT, STATEMENT, CONTEXT, QUERY, LOCATION). */
export function isPgContinuation(severity: string): boolean {
  return CONTINUATION_SET.has(severity);
}

/** hindsight level of a PostgreSQL severity word. */
export function levelOfPgSeverity(sev: string): Level {
  switch (sev) {
    case 'PANIC':
    case 'FATAL':
      return 'fatal';
    case 'ERROR':
      return 'error';
    case 'WARNING':
      return 'warn';
    case 'LOG':
    case 'INFO':
    case 'NOTICE':
      return 'info';
    default:
      return sev.startsWith('DEBUG') ? 'debug' : 'info';
  }
}

export interface PgLine {
  ts: number | null;
  severity: string;
  message: string;
  fields: PgFields;
  /** True for DETAIL/HINT/STATEMENT/CONTEXT/QUERY/LOCATION lines. */
  continuation: boolean;
  /** A time zone abbreviation after the time that hindsight does not know (the time was read as UTC). */
  unknownZone?: string;
}

/** The zone abbreviation ending a time string (csvlog's, jsonlog's) when hindsight does not know it, else null. */
export function unknownTrailingZone(t: string): string | null {
  const last = t.charCodeAt(t.length - 1);
  if (last < 65 || last > 90) return null;
  const sp = t.lastIndexOf(' ');
  if (sp === -1) return null;
  const z = t.slice(sp + 1);
  return ZONE_OFFSETS[z] === undefined && /^[A-Z]{2,6}$/.test(z) ? z : null;
}

/**
 * The zone word after a time that parseTimestampAt left unread (`2026-02-07 19:21:03 NZST`), or
 * null. `end` is where the parsed time ended; a zone it read leaves no upper-case word there.
 */
export function unknownZoneAt(s: string, end: number): string | null {
  if (s.charCodeAt(end) !== 32 || !isDigit(s.charCodeAt(end - 1))) return null;
  let j = end + 1;
  while (j < s.length && j < end + 8) {
    const c = s.charCodeAt(j);
    if (c < 65 || c > 90) break;
    j++;
  }
  const n = j - end - 1;
  if (n < 2 || n > 6) return null;
  const next = s.charCodeAt(j);
  return j === s.length || next === 32 || next === 58 || next === 44 || next === 93 || next === 62 ? s.slice(end + 1, j) : null;
}

/** A prefix is short; a "severity" found deeper than this inside a line is part of a message. */
const MAX_PREFIX = 300;

/**
 * Parses a PostgreSQL stderr line whose prefix starts with a timestamp (`%m`, `%t`, `%n`, optionally
 * inside `<`/`[`) or with a process id in brackets, and carries the process id as `[%p]` (the
 * default `%m [%p] `, Debian's `%m [%p] %q%u@%d `, `%t [%p]: [%l-1] user=%u,db=%d,...`, RDS's
 * `%t:%r:%u@%d:[%p]:`, `[%p-%l]`, ...). Returns null when the line is not one. Other prefixes: `--pg-prefix`.
 */
export function parsePgLine(line: string): PgLine | null {
  let i = 0;
  const c0 = line.charCodeAt(0);
  let ts: number | null = null;
  if (c0 === 60 /* < */ || c0 === 91 /* [ */) {
    // `<%m>`, `[%t]`: the time inside brackets; `[%p]`: no time at all.
    const j = line.charCodeAt(1) === 32 ? 2 : 1;
    const t = isDigit(line.charCodeAt(j)) ? timeAt(line, j) : -1;
    if (t >= 0) {
      ts = epochMs;
      i = t;
    } else if (c0 === 60 || !isDigit(line.charCodeAt(j))) {
      // `[%p]` opens with a digit: `[ERRO] ...` is Railway's marker before a line, not a prefix.
      return null;
    }
  } else if (isDigit(c0)) {
    const t = timeAt(line, 0);
    if (t < 0) return null;
    ts = epochMs;
    i = t;
  } else {
    return null;
  }
  // `2026-12-07 23:09:03,653`: Python logging's asctime, whose fraction follows a comma; %m's follows a dot.
  if (ts !== null && (line.charCodeAt(i) === 44 || (line.charCodeAt(i - 4) === 44 && line.charCodeAt(i - 7) === 58))) return null;
  const pl = parsePgTail(line, i, ts);
  if (pl === null || pl.fields.pid === undefined) return null;
  if (ts !== null) {
    const z = unknownZoneAt(line, i);
    if (z !== null) pl.unknownZone = z;
  }
  return pl;
}

/** Index after a `%m`/`%t` timestamp or a `%n` epoch at `at`, its value in `epochMs`; -1 when there is none. */
function timeAt(s: string, at: number): number {
  const t = parseTimestampAt(s, at);
  if (t !== null) {
    epochMs = t.ms;
    return t.end;
  }
  return epochAt(s, at);
}

let epochMs = 0;

/** Index after a `%n` epoch (`1700000000.123`) at `at`, with its value in `epochMs`; -1 when there is none. */
function epochAt(s: string, at: number): number {
  let i = at;
  let sec = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) sec = sec * 10 + (s.charCodeAt(i++) - 48);
  if (i - at !== 10) return -1;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    i++;
    let scale = 100;
    while (i < s.length && isDigit(s.charCodeAt(i))) {
      ms += (s.charCodeAt(i++) - 48) * scale;
      scale /= 10;
    }
  }
  epochMs = sec * 1000 + Math.floor(ms);
  return i;
}

/**
 * Parses `<rest of a prefix><SEVERITY>:  <message>` from index `from` of `line` (the part after a
 * timestamp, a syslog header or a logplex header). The process id comes from the first `[digits]`
 * or `[digits-digits]` of the prefix when there is one. Returns null when no severity is found.
 */
export function parsePgTail(line: string, from: number, ts: number | null): PgLine | null {
  const limit = Math.min(line.length, from + MAX_PREFIX);
  let colon = line.indexOf(':', from);
  while (colon !== -1 && colon < limit) {
    let w = colon;
    while (w > from && isUpperOrDigit(line.charCodeAt(w - 1))) w--;
    const len = colon - w;
    if (len >= 3 && len <= 9 && (w === from || isDelimiter(line.charCodeAt(w - 1)))) {
      const after = line.charCodeAt(colon + 1);
      if (colon + 1 === line.length || after === 32 || after === 9) {
        const sev = severityAt(line, w, len);
        if (sev !== null) {
          let m = colon + 1;
          if (line.charCodeAt(m) === 32) m++;
          if (line.charCodeAt(m) === 32) m++;
          // Another program's level before it: its line quotes PostgreSQL (gunicorn's `[ERROR]
          // ... failed: FATAL:  database "nope" does not exist`, libpq's text in a log line).
          if (w > from && hasLevelWord(line, from, w)) return null;
          const fields: PgFields = { severity: sev };
          const bracketPid = w > from && scanPrefix(line, from, w, fields);
          // elog.c writes `SEVERITY:  ` with two spaces. One space is another logger's `INFO: `
          // (Sidekiq's `pid=19206 tid=efu INFO: start`, Python's `[%(process)d] %(levelname)s: `)
          // or a line typed again (pgbadger's RDS sample, pg-timezones.log): taken only after a
          // time and a `[%p]`, as in that sample.
          if (m === colon + 2 && !(bracketPid && ts !== null)) return null;
          return { ts, severity: sev, message: line.slice(m), fields, continuation: CONTINUATION_SET.has(sev) };
        }
      }
    }
    colon = line.indexOf(':', colon + 1);
  }
  return null;
}

/**
 * Fills pid, user, database, application, client, session and sqlstate from the prefix text
 * [from, to). True when the pid stands in brackets (`[%p]`).
 */
function scanPrefix(s: string, from: number, to: number, f: PgFields): boolean {
  // One pass over the prefix finds where each kind of field may start (indexOf would run on
  // into a long message when the prefix has no such character).
  let b = -1;
  let eq = -1;
  let at = -1;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 91) { if (b === -1) b = i; }
    else if (c === 61) { if (eq === -1) eq = i; }
    else if (c === 64) { if (at === -1) at = i; }
  }
  // pid: the first `[digits]` or `[digits-digits]`.
  let bracketPid = false;
  while (b !== -1 && b < to) {
    let j = b + 1;
    let pid = 0;
    while (j < to && isDigit(s.charCodeAt(j))) pid = pid * 10 + (s.charCodeAt(j++) - 48);
    const cj = s.charCodeAt(j);
    if (j > b + 1 && (cj === 93 || cj === 45)) {
      f.pid = pid;
      bracketPid = true;
      break;
    }
    b = nextIn(s, 91, b + 1, to);
    if (b >= to) break;
  }
  // key=value pairs (`user=%u,db=%d,app=%a,client=%h`, Heroku's `sql_error_code = 00000`).
  let sawUser = false;
  while (eq !== -1 && eq < to) {
    let ke = eq;
    while (ke > from && s.charCodeAt(ke - 1) === 32) ke--;
    let ks = ke;
    while (ks > from && isKeyChar(s.charCodeAt(ks - 1))) ks--;
    let vs = eq + 1;
    while (vs < to && s.charCodeAt(vs) === 32 && vs - eq < 3) vs++;
    let ve: number;
    let v: string;
    if (s.charCodeAt(vs) === 34 /* " */) {
      ve = s.indexOf('"', vs + 1);
      if (ve === -1 || ve > to) ve = to;
      v = s.slice(vs + 1, ve);
    } else {
      // `[local]`, `[unknown]` are values; a `]` otherwise closes a bracketed pair (`[queryid=42]`).
      ve = s.charCodeAt(vs) === 91 ? s.indexOf(']', vs) + 1 : vs;
      if (ve === 0 || ve > to) ve = vs;
      while (ve < to) {
        const cv = s.charCodeAt(ve);
        if (cv === 44 || cv === 32 || cv === 9 || cv === 93) break;
        ve++;
      }
      v = s.slice(vs, ve);
    }
    if (ke > ks && v.length > 0 && v !== '[unknown]') {
      const key = s.slice(ks, ke);
      switch (key) {
        case 'user': case 'usr': case 'u': case 'user_name':
          f.user = v; sawUser = true; break;
        case 'db': case 'database': case 'dbname': case 'database_name': case 'd':
          f.database = v; sawUser = true; break;
        case 'app': case 'appli': case 'application': case 'application_name': case 'a':
          f.application = v; break;
        case 'client': case 'host': case 'remote': case 'client_addr': case 'connection_source': case 'h': case 'r':
          f.client = stripPort(v); break;
        case 'session': case 'session_id': case 'c':
          f.sessionId = v; break;
        case 'sql_error_code': case 'sqlstate': case 'state': case 'e':
          if (isSqlstate(v, 0, v.length)) f.sqlstate = v; break;
        case 'pid': case 'p':
          if (f.pid === undefined && /^\d+$/.test(v)) f.pid = Number(v); break;
        default: break;
      }
    }
    eq = nextIn(s, 61, Math.max(eq + 1, ve), to);
  }
  // `%u@%d` (`[78798] gilles@gilles ERROR:`, RDS's `:10.1.91.65:user@my_db:[24743]:`).
  if (!sawUser) {
    if (at !== -1) {
      let us = at;
      while (us > from && !isFieldEnd(s.charCodeAt(us - 1))) us--;
      let de = at + 1;
      while (de < to && !isFieldEnd(s.charCodeAt(de))) de++;
      if (at > us && !s.startsWith('[unknown]', us)) f.user = s.slice(us, at);
      if (de > at + 1 && !s.startsWith('[unknown]', at + 1)) f.database = s.slice(at + 1, de);
      // RDS: `%t:%r:%u@%d:` puts the client between the first two colons.
      if (s.charCodeAt(from) === 58 && us > from + 1 && s.charCodeAt(us - 1) === 58 && f.client === undefined) {
        const client = stripPort(s.slice(from + 1, us - 1));
        if (client.length > 0 && client !== '[unknown]') f.client = client;
      }
    }
  }
  // `%e` right before the severity.
  let e = to;
  while (e > from && s.charCodeAt(e - 1) === 32) e--;
  if (e - from >= 5 && isSqlstate(s, e - 5, e) && (e - 5 === from || isDelimiter(s.charCodeAt(e - 6))) && f.sqlstate === undefined) {
    f.sqlstate = s.slice(e - 5, e);
  }
  return bracketPid;
}

/** Whether s[from, to) holds one of PREFIX_LEVEL_WORDS as a word of its own (`[ERROR]`, ` INFO `). */
function hasLevelWord(s: string, from: number, to: number): boolean {
  let i = from;
  while (i < to) {
    if (!isUpper(s.charCodeAt(i))) {
      i++;
      continue;
    }
    const a = i;
    while (i < to && isUpperOrDigit(s.charCodeAt(i))) i++;
    const n = i - a;
    if (n >= 3 && n <= 9 && !isWordChar(s.charCodeAt(a - 1)) && !isWordChar(s.charCodeAt(i)) && severityAt(s, a, n, PREFIX_LEVEL_WORDS) !== null) return true;
  }
  return false;
}

/** Index of char code `c` in s[from, to), or -1. */
function nextIn(s: string, c: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === c) return i;
  return -1;
}

/** `10.0.0.1(52306)` → `10.0.0.1` (`%r` carries the port in parentheses). */
function stripPort(v: string): string {
  const p = v.indexOf('(');
  return p > 0 && v.charCodeAt(v.length - 1) === 41 ? v.slice(0, p) : v;
}

/** Five characters of [0-9A-Z] with at least one digit (a SQLSTATE, not an upper-case word). */
function isSqlstate(s: string, from: number, to: number): boolean {
  if (to - from !== 5) return false;
  let digit = false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) digit = true;
    else if (c < 65 || c > 90) return false;
  }
  return digit;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** A letter, a digit or `_` (NaN, past either end of a string, is none). */
function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

function isUpperOrDigit(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

function isKeyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/** Characters that may stand before a severity word in a prefix. */
function isDelimiter(c: number): boolean {
  return c === 32 || c === 9 || c === 93 || c === 58 || c === 62 || c === 124 || c === 41 || c === 44;
}

/** Characters that end a `%u` or `%d` value in the `%u@%d` form. */
function isFieldEnd(c: number): boolean {
  return c === 32 || c === 9 || c === 58 || c === 44 || c === 91 || c === 93;
}

/** Where a PostgreSQL record came from, beyond its own line. */
export interface PgOrigin {
  service: string;
  input: number;
  line: number;
  stream?: string;
  attrs?: Record<string, unknown>;
  /** Time to use when the PostgreSQL line has none of its own. */
  fallbackTs: number | null;
}

type PgTextField = 'message' | 'detail' | 'hint' | 'statement' | 'context' | 'query' | 'location';

interface Pending {
  ev: LogEvent;
  lines: number;
  key: number;
}

const MAX_PENDING = 16;

/**
 * Joins DETAIL/HINT/STATEMENT/CONTEXT/QUERY lines to the record before them of the same process,
 * and emits whole records. A record is held until the next record of its process (or until the
 * holding space is full, or the input ends), so interleaved processes join correctly. A
 * continuation line with no record of its process held becomes a record of its own (never lost).
 */
export class PgRecordAssembler {
  /**
   * Held records, oldest first (at most MAX_PENDING + 1, so a scan beats a hash). Not a Map: a
   * Map's table, once old, keeps the records it held alive through young-generation collections
   * after they left it (a rehash leaves the old table's entries in place), and on postgres-100mb
   * that promoted nearly every event to the old space (docs/PERFORMANCE.md, "Memory").
   */
  private readonly pending: Pending[] = [];
  /** The record the last line went to, and which of its texts, for tab-indented continuation lines. */
  private last: Pending | null = null;
  private lastField: PgTextField = 'message';
  /** Records emitted so far. */
  emitted = 0;

  constructor(private readonly sink: EventSink) {}

  /** Adds one parsed line; `lines` is how many input lines it took (1 unless the caller joined some). */
  push(pl: PgLine, origin: PgOrigin, lines = 1): void {
    this.add(pl, origin.service, origin.input, origin.line, origin.stream, origin.attrs, origin.fallbackTs, lines);
  }

  /** push() with the origin's fields as arguments (no origin object per line on the hot path). */
  add(pl: PgLine, service: string, input: number, line: number, stream: string | undefined, attrs: Record<string, unknown> | undefined, fallbackTs: number | null, lines = 1): void {
    const key = pl.fields.pid ?? -1;
    const held = this.held(key);
    if (held !== undefined) {
      if (pl.continuation) {
        this.lastField = attach(held.ev, pl.severity, pl.message);
        held.lines += lines;
        this.last = held;
        return;
      }
      this.emit(held);
    }
    const ts = pl.ts ?? fallbackTs;
    const level = levelOfPgSeverity(pl.severity);
    let ev: LogEvent;
    // The keys in the same order either way: stream and attrs come last, and only when known.
    if (stream !== undefined && attrs !== undefined) {
      ev = { ts, service, source: 'postgres', level, levelText: pl.severity, message: pl.message, pg: pl.fields, input, line, stream, attrs };
    } else {
      ev = { ts, service, source: 'postgres', level, levelText: pl.severity, message: pl.message, pg: pl.fields, input, line };
      if (stream !== undefined) ev.stream = stream;
      if (attrs !== undefined) ev.attrs = attrs;
    }
    const p: Pending = { ev, lines, key };
    this.pending.push(p);
    this.last = p;
    this.lastField = 'message';
    if (this.pending.length > MAX_PENDING) this.emit(this.pending[0]!);
  }

  /** The record held for process `key`, if any. */
  private held(key: number): Pending | undefined {
    const q = this.pending;
    for (let i = 0; i < q.length; i++) if (q[i]!.key === key) return q[i];
    return undefined;
  }

  /**
   * Adds a line that continues the text the previous line added to (a tab-indented line of a
   * multi-line statement or DETAIL), whatever its process; `lines`: the input lines it took (0
   * when it came inside a line already counted). False when no record is held.
   */
  continueLast(text: string, lines = 1): boolean {
    const p = this.last;
    if (p === null) return false;
    appendTo(p.ev, this.lastField, text);
    p.lines += lines;
    return true;
  }

  /**
   * Adds text that continues the latest record of process `pid` (syslog's `[3-2]` lines that carry
   * no severity of their own). False when no record of that process is held.
   */
  continueProcess(pid: number, text: string, lines = 1): boolean {
    const p = this.held(pid);
    if (p === undefined) return false;
    const field = p === this.last ? this.lastField : 'message';
    appendTo(p.ev, field, text);
    p.lines += lines;
    this.last = p;
    this.lastField = field;
    return true;
  }

  /**
   * A line of another program came between (an entrypoint's line in a Railway stream): the next
   * tab-indented line continues that line, not PostgreSQL's text. Held records stay held, so a
   * DETAIL line after it still joins its process's record.
   */
  interrupt(): void {
    this.last = null;
  }

  /** Whether a record of process `pid` is held. */
  holds(pid: number): boolean {
    return this.held(pid) !== undefined;
  }

  /** Emits everything held, oldest first. */
  flush(): void {
    while (this.pending.length > 0) this.emit(this.pending[0]!);
  }

  private emit(p: Pending): void {
    const q = this.pending;
    const i = q.indexOf(p);
    q.splice(i, 1);
    if (p === this.last) this.last = null;
    this.emitted++;
    this.sink.event(p.ev, p.lines);
  }
}

function appendTo(ev: LogEvent, field: PgTextField, text: string): void {
  if (field === 'message') {
    ev.message += '\n' + text;
    return;
  }
  if (field === 'location') return;
  const pg = ev.pg ?? (ev.pg = {});
  const cur = pg[field];
  pg[field] = cur === undefined ? text : cur + '\n' + text;
}

/** Attaches a continuation line's text to its record; returns the field it went to. */
function attach(ev: LogEvent, kind: string, text: string): PgTextField {
  const pg = ev.pg ?? (ev.pg = {});
  switch (kind) {
    case 'DETAIL': pg.detail = pg.detail === undefined ? text : pg.detail + '\n' + text; return 'detail';
    case 'HINT': pg.hint = pg.hint === undefined ? text : pg.hint + '\n' + text; return 'hint';
    case 'STATEMENT': pg.statement = pg.statement === undefined ? text : pg.statement + '\n' + text; return 'statement';
    case 'CONTEXT': pg.context = pg.context === undefined ? text : pg.context + '\n' + text; return 'context';
    case 'QUERY': pg.query = pg.query === undefined ? text : pg.query + '\n' + text; return 'query';
    default: return 'location'; // LOCATION: a source position, not useful in a report
  }
}
