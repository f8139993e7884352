// PostgreSQL statistics gathered in the timeline's single pass, counted the way pgBadger (13.x)
// counts them so that people who know its report recognise the figures (docs/postgres.md lists
// where and why they differ). Memory is bounded: per-statement aggregates are capped, and each
// keeps at most SAMPLE_CAP durations (a deterministic reservoir) for its percentiles.
//
// The hot path is one switch on the first character of the message and a few `startsWith`
// checks; the regular expressions below only run on the lines they are about.
//
// Time outliers (a record dated 1970 or 2099 among a day of logs, see Timeline.timeFences) are
// known only at the end, and they must not count. So the statistics are kept per time slice (an
// hour or so, doubled whenever more than MAX_SLICES slices hold records, which bounds memory at a
// few times one set of statistics), the fences are rounded out to slice boundaries, and the end
// adds up the slices inside them; records without a time count always. Two things carry from
// record to record and cannot be cut out afterwards: the open sessions of the peak
// (session-peak.ts keeps a count per possible start of the bulk) and a session's last statement,
// which a bare `duration:` line belongs to (session-statements.ts keeps a mark per slice).
import type { LogEvent } from '../model.js';
import { StatementCache, normalizeSql } from '../templates/sql-normalize.js';
import { cutText, redact } from '../redact.js';
import { ownString } from '../own-string.js';
import { SessionPeak, type SessionChanges } from './session-peak.js';
import { SessionStatements, statementInside, type Mark, type SessionStatementsPartial } from './session-statements.js';

/** Aggregates of one normalized statement's durations, like a row of pgBadger's top queries. */
export interface StatementStats {
  /** The statement normalized (literals and parameters as `?`), as pgBadger groups it. */
  statement: string;
  count: number;
  totalMs: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  /** 95th percentile; estimated from a sample when `sampled` is true. */
  p95Ms: number;
  /** True when the statement ran more often than the sample holds (`durations` is a sample). */
  sampled: boolean;
  /**
   * The durations (all of them, or a uniform sample when `sampled`), ascending. Not enumerable,
   * so the JSON output carries the aggregates without the raw values.
   */
  durations: number[];
  /** Where the slowest execution was logged. */
  slowest: StatementOccurrence;
}

/** One logged execution: time, input and line, the statement as written. */
export interface StatementOccurrence {
  ms: number;
  ts: number | null;
  service: string;
  input: number;
  line: number;
  /** The statement as logged (not normalized), redacted. */
  text: string;
}

export interface PostgresStatsSummary {
  /** Every PostgreSQL record seen, time outliers excepted. */
  records: number;
  /** PostgreSQL records dated far outside the rest (time outliers): left out of every figure here. */
  outlyingRecords: number;
  /**
   * Records by severity as pgBadger counts them: LOG lines that pgBadger files under "events"
   * (see `events`) and `DEALLOCATE` statements are not counted here.
   */
  bySeverity: Record<string, number>;
  /** Records by severity as written, every record counted once. */
  bySeverityRaw: Record<string, number>;
  /** LOG records pgBadger reports as events rather than as LOG ("database system was ...", lock waits still pending, resets, a server process killed by a signal). */
  events: number;
  /** ERROR/FATAL/PANIC records by SQLSTATE: from the log when it says, otherwise from the message catalogue; `unknown` for the rest. */
  errorsBySqlstate: Record<string, number>;
  /** `connection authorized` lines (not replication connections, counted apart). */
  connections: number;
  replicationConnections: number;
  /** `disconnection: session time ...` lines with a user and database (pgBadger's sessions). */
  sessions: number;
  /** Most sessions open at once (authorized and not yet disconnected or failed), and when. */
  peakSessions: { count: number; ts: number | null; approximate: boolean };
  /** Server starts (`database system is ready to accept connections`). */
  serverStarts: number;
  checkpoints: { started: number; completed: number; restartpoints: number; warnings: number };
  autovacuum: number;
  autoanalyze: number;
  tempFiles: { count: number; totalBytes: number; maxBytes: number };
  /** `acquired ... after N ms` lines (pgBadger's lock figure) and the waits still pending when logged. */
  lockWaits: { acquired: number; acquiredTotalMs: number; stillWaiting: number; maxWaitMs: number };
  deadlocks: number;
  cancelled: { statementTimeout: number; lockTimeout: number; userRequest: number };
  terminated: { idleInTransactionTimeout: number; idleSessionTimeout: number; administrator: number };
  tooManyClients: number;
  /** Clients that vanished: `could not receive data from client`, `connection to client lost`, unexpected EOF in a transaction. */
  clientResets: number;
  /** Records whose message starts with `duration:` for a statement or an execute (pgBadger's queries). */
  queries: { withDuration: number; totalMs: number; slowest: StatementOccurrence | null };
  /** Per normalized statement, by total time, most first. */
  statements: StatementStats[];
  /** Durations that did not fit under the statement cap (counted in `queries`, not in `statements`). */
  statementsOverflow: number;
}

const MAX_STATEMENTS = 2000;
const SAMPLE_CAP = 1000;
const MAX_STATEMENT_CHARS = 20_000;
const MAX_EXAMPLE_CHARS = 2000;
const MAX_PIDS = 10_000;
/** Slices of the statistics: the first width (64 minutes: a multiple of the histogram's minute buckets, so that their boundaries line up), and how many may hold records before it doubles. */
const SLICE_MS = 64 * 60_000;
const MAX_SLICES = 8;
/** Bare durations waiting for the fences to say which statement they are for, at most (past it, the newest statement is taken). */
const MAX_PENDING = 10_000;
/**
 * LOG messages pgBadger files as events rather than LOG: its `change_log_level`, word for word
 * (pgBadger 12.0, Debian's; "ending cancel" is its spelling). The LOG lines it names as its own
 * plain LOG lines (`incomplete startup packet`, `unexpected EOF`, `detected deadlock while
 * waiting for`, `automatic vacuum`, ...) stay LOG.
 */
const PGBADGER_EVENT_RE =
  /parameter "[^"]+" changed to "[^"]+"|database system was|recovery has paused|ending cancel to blocking autovacuum|skipping analyze of|using stale statistics|replication command:|still waiting for|server process.*was terminated by signal|could not (?:receive|send) data (?:from|to) client/;
const AUTOVACUUM_RE = /^automatic (?:aggressive )?vacuum (?:to prevent wraparound )?of table "[^"]+": index scans:/;
const DISCONNECTION_RE = /^disconnection: session time: \S+ user=\S+ database=\S+ host=\S+/;
const TEMPFILE_RE = /^temporary file: path .*, size (\d+)/;
const LOCK_RE = /^process \d+ (acquired|still waiting for|detected deadlock while waiting for) .* after ([0-9.]+) ms/;

/** SQLSTATEs of the catalogue's messages, for logs whose prefix does not carry `%e`. */
const SQLSTATE_BY_PREFIX: ReadonlyArray<[string, string]> = [
  ['canceling statement due to statement timeout', '57014'],
  ['canceling statement due to user request', '57014'],
  ['canceling statement due to lock timeout', '55P03'],
  ['canceling autovacuum task', '57014'],
  ['deadlock detected', '40P01'],
  ['sorry, too many clients already', '53300'],
  ['remaining connection slots are reserved', '53300'],
  ['terminating connection due to idle-in-transaction timeout', '25P03'],
  ['terminating connection due to idle-session timeout', '57P05'],
  ['terminating connection due to administrator command', '57P01'],
  ['terminating connection because of crash of another server process', '57P02'],
  ['the database system is starting up', '57P03'],
  ['the database system is shutting down', '57P03'],
  ['the database system is in recovery mode', '57P03'],
  ['the database system is not yet accepting connections', '57P03'],
  ['password authentication failed', '28P01'],
  ['could not serialize access', '40001'],
  ['duplicate key value violates unique constraint', '23505'],
  ['null value in column', '23502'],
  ['syntax error at or near', '42601'],
  ['out of memory', '53200'],
];
const RELATION_MISSING_RE = /^relation "[^"]*" does not exist/;
const COLUMN_MISSING_RE = /^column "[^"]*"(?: of relation "[^"]*")? does not exist/;
const DATABASE_MISSING_RE = /^database "[^"]*" does not exist/;
const ROLE_MISSING_RE = /^role "[^"]*" does not exist/;

/** SQLSTATE of a PostgreSQL error message known to the catalogue, or undefined. */
export function sqlstateOfMessage(msg: string): string | undefined {
  for (const [p, code] of SQLSTATE_BY_PREFIX) if (msg.startsWith(p)) return code;
  if (RELATION_MISSING_RE.test(msg)) return '42P01';
  if (COLUMN_MISSING_RE.test(msg)) return '42703';
  if (DATABASE_MISSING_RE.test(msg)) return '3D000';
  if (ROLE_MISSING_RE.test(msg)) return '28000';
  return undefined;
}

/** A duration record read: the milliseconds, what ran (statement, execute, parse, bind), and its text. */
export interface DurationRecord {
  ms: number;
  kind: 'statement' | 'execute' | 'parse' | 'bind' | 'none';
  text: string;
  /**
   * Where what ran starts in the message (its label or verb: `statement:`, `execute <name>:`),
   * the statement's context: outputs redact the statement with it (see shownStatement).
   */
  ran: number;
}

/**
 * Reads `duration: N ms  statement: ...` (and execute/parse/bind, or a bare duration; with
 * auto_explain-style `rows: N  size: N bytes` before what ran). Null otherwise. Read by hand, not
 * by a regular expression: it runs on every duration line, and a match allocated an array and
 * three strings for each (what ran only to find its first word).
 */
export function parseDuration(msg: string): DurationRecord | null {
  if (!msg.startsWith('duration: ')) return null;
  let i = 10;
  for (let c = msg.charCodeAt(i); (c >= 48 && c <= 57) || c === 46; c = msg.charCodeAt(++i));
  if (i === 10 || !msg.startsWith(' ms', i)) return null;
  const ms = Number(msg.slice(10, i));
  if (!Number.isFinite(ms)) return null;
  i += 3;
  if (i === msg.length) return { ms, kind: 'none', text: '', ran: i };
  let j = spacesEnd(msg, i);
  if (j === i) return null;
  if (msg.startsWith('rows: ', j)) {
    let k = digitsEnd(msg, j + 6);
    if (k === j + 6) return null;
    const s = spacesEnd(msg, k);
    if (s === k || !msg.startsWith('size: ', s)) return null;
    k = digitsEnd(msg, s + 6);
    if (k === s + 6 || !msg.startsWith(' bytes', k)) return null;
    j = spacesEnd(msg, k + 6);
    if (j === k + 6) return null;
  }
  const verb = RAN.find((v) => msg.startsWith(v.word, j));
  if (verb === undefined) return null;
  const k = statementStart(msg, j, verb);
  if (k === -1) return null;
  return { ms, kind: verb.kind, text: msg.slice(k), ran: j };
}

/** What ran, by its first word: a label before the statement, or a verb and the prepared statement's name (which runs to the first colon). */
const RAN: ReadonlyArray<{ word: string; kind: DurationRecord['kind']; named: boolean }> = [
  { word: 'statement:', kind: 'statement', named: false },
  { word: 'query:', kind: 'statement', named: false },
  { word: 'execute ', kind: 'execute', named: true },
  { word: 'parse ', kind: 'parse', named: true },
  { word: 'bind ', kind: 'bind', named: true },
];

/** Where the statement starts when what ran (`verb`) is written at `j`: after its label, or its name's colon, and the spaces after; -1 when a name has no colon. */
function statementStart(s: string, j: number, verb: (typeof RAN)[number]): number {
  const k = verb.named ? s.indexOf(':', j + verb.word.length) + 1 : j + verb.word.length;
  return k === 0 ? -1 : spacesEnd(s, k);
}

/** The index after the white space at `k` (what `\s` matches). */
function spacesEnd(s: string, k: number): number {
  for (let c = s.charCodeAt(k); c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff; c = s.charCodeAt(++k));
  return k;
}

function digitsEnd(s: string, k: number): number {
  for (let c = s.charCodeAt(k); c >= 48 && c <= 57; c = s.charCodeAt(++k));
  return k;
}

/** Groups statements the way pgBadger's top queries do (normalized, `?` for literals). Not redacted: shownStatement is what outputs show. */
export function statementKey(sql: string): string {
  const s = cutText(sql, MAX_STATEMENT_CHARS, '');
  const n = normalizeSql(s);
  let end = n.length;
  while (end > 0 && (n.charCodeAt(end - 1) === 59 /* ; */ || n.charCodeAt(end - 1) === 32)) end--;
  return end === n.length ? n : n.slice(0, end);
}

/**
 * A statement as reports show it: its key made from the statement with its secrets redacted first
 * (see redactedStatement for `labelled`). Normalizing lower-cases words and masks digits, which
 * leaves a token that was not quoted in a shape redaction no longer knows (`ghp_AbC1...` →
 * `ghp_abc?...`).
 */
export function shownStatement(logged: string, labelled = false): string {
  return statementKey(redactedStatement(logged, labelled));
}

/**
 * A statement as logged, without its secrets. When `labelled`, `logged` is what ran from its label
 * or verb (`execute <name>: SELECT ...`, a duration's message from DurationRecord.ran), redacted
 * whole and the statement cut from it afterwards: a prepared statement's name runs to its first
 * colon, so a name ending in `Access-Token` or `password` leaves the value alone at the start of the
 * statement, in no shape redaction knows. Redacted with its key, the value goes. When redaction took
 * the name's colon (a value running over it), the redacted name is shown with the statement.
 */
export function redactedStatement(logged: string, labelled = false): string {
  const r = redactSql(logged);
  if (!labelled) return r;
  const verb = RAN.find((v) => r.startsWith(v.word));
  if (verb === undefined) return r;
  const k = statementStart(r, 0, verb);
  return r.slice(k === -1 ? verb.word.length : k);
}

interface StatementAcc {
  /** The statement's key (statementKey), and the statement as shown (shownStatement). */
  statement: string;
  shown: string;
  count: number;
  totalMs: number;
  minMs: number;
  maxMs: number;
  samples: number[];
  slowest: KeptOccurrence;
}

/**
 * An occurrence until the summary redacts it: when `labelled`, `text` is what ran from its label or
 * verb, the statement at its end (see redactedStatement), redacted with it then, once.
 */
interface KeptOccurrence extends StatementOccurrence {
  labelled: boolean;
}

/** The occurrence of `text` logged by `ev`; from what ran in its message when `ran` (DurationRecord.ran) is given. */
function occurrence(ev: LogEvent, ms: number, text: string, ran = -1): KeptOccurrence {
  const labelled = ran !== -1;
  // The statement cut as it would be alone, its label and name kept before it (up to as long again).
  const kept = labelled ? cutText(ev.message.slice(ran), MAX_EXAMPLE_CHARS + Math.min(ev.message.length - ran - text.length, MAX_EXAMPLE_CHARS)) : cutText(text, MAX_EXAMPLE_CHARS);
  // Owned copies: a slice of the line would keep the whole read chunk it came from alive.
  return { ms, ts: ev.ts, service: ownString(ev.service, MAX_EXAMPLE_CHARS), input: ev.input, line: ev.line, text: ownString(kept), labelled };
}

/** p-th percentile (0..1) of ascending values, linear between ranks (R-7, as numpy and simple-statistics' quantileSorted interpolate). */
export function percentileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** What the slices share: the statements' keys and how they are shown (one copy, counted against MAX_STATEMENTS), and what carries from record to record. */
class Shared {
  readonly names = new Map<string, { key: string; shown: string }>();
  /** Statement keys by the statement's text (see StatementCache: the same text comes again and again). */
  readonly keys = new StatementCache(statementKey);
  width = SLICE_MS;
  /** Session opens, closes and server starts, for the most sessions open at once (see session-peak.ts). */
  readonly sessionPeak: SessionPeak;
  /** Each session's last `statement:` line, for bare `duration:` lines (log_statement + log_duration). */
  readonly statements: SessionStatements;
  pending = 0;

  /** `logged`: the statistics are a part's, handed over by partial() (see PostgresStats). */
  constructor(readonly logged: boolean) {
    this.sessionPeak = new SessionPeak(() => this.width, logged);
    this.statements = new SessionStatements(() => this.width, MAX_PIDS, logged);
  }

  /** The statement's one copy of its key and how it is shown (from its first run, `logged` as shownStatement takes it), or undefined when MAX_STATEMENTS others came first. */
  name(key: string, logged: string, labelled: boolean): { key: string; shown: string } | undefined {
    const known = this.names.get(key);
    if (known !== undefined || this.names.size >= MAX_STATEMENTS) return known;
    const own = ownString(key, Infinity);
    const name = { key: own, shown: ownString(shownStatement(logged, labelled), Infinity) };
    this.names.set(own, name);
    return name;
  }

  changeSessions(ev: LogEvent, delta: number, key: string): void {
    if (ev.ts !== null) this.sessionPeak.change(ev.ts, ev.line, delta, key);
  }
}

/** A bare duration whose statement the fences decide (see session-statements.ts), or the parts before (`head`). */
interface PendingDuration {
  ms: number;
  /** Its occurrence, the statement's text filled in at the end. */
  at: KeptOccurrence;
  marks: Mark[];
  /** Its index among the part's waiting durations (SessionStatements.waiting), or -1. */
  head: number;
}

/** One slice's statistics in a partial summary (see SliceStats). */
export interface SlicePartial {
  records: number;
  bySeverity: Record<string, number>;
  bySeverityRaw: Record<string, number>;
  events: number;
  errorsBySqlstate: Record<string, number>;
  counts: SliceStats['counts'];
  checkpoints: SliceStats['checkpoints'];
  tempFiles: SliceStats['tempFiles'];
  lockWaits: SliceStats['lockWaits'];
  cancelled: SliceStats['cancelled'];
  terminated: SliceStats['terminated'];
  queries: { withDuration: number; totalMs: number; slowest: KeptOccurrence | null };
  statements: StatementAcc[];
  pending: PendingDuration[];
}

/** The PostgreSQL statistics of a part of the input (see Timeline.partial). */
export interface PostgresPartial {
  /** Width of the slices (ms); `slices` are keyed by start / width. */
  width: number;
  slices: [number, SlicePartial][];
  untimed: SlicePartial;
  /** Statements' keys and how they are shown, in order of first run. */
  names: { key: string; shown: string }[];
  sessionChanges: SessionChanges;
  sessionStatements: SessionStatementsPartial;
}

/** The statistics of one time slice (or of the records without a time). */
class SliceStats {
  records = 0;
  readonly bySeverity: Record<string, number> = {};
  readonly bySeverityRaw: Record<string, number> = {};
  events = 0;
  readonly errorsBySqlstate: Record<string, number> = {};
  readonly counts = { connections: 0, replicationConnections: 0, sessions: 0, serverStarts: 0, autovacuum: 0, autoanalyze: 0, deadlocks: 0, tooManyClients: 0, clientResets: 0, statementsOverflow: 0 };
  readonly checkpoints = { started: 0, completed: 0, restartpoints: 0, warnings: 0 };
  readonly tempFiles = { count: 0, totalBytes: 0, maxBytes: 0 };
  readonly lockWaits = { acquired: 0, acquiredTotalMs: 0, stillWaiting: 0, maxWaitMs: 0 };
  readonly cancelled = { statementTimeout: 0, lockTimeout: 0, userRequest: 0 };
  readonly terminated = { idleInTransactionTimeout: 0, idleSessionTimeout: 0, administrator: 0 };
  readonly queries = { withDuration: 0, totalMs: 0, slowest: null as KeptOccurrence | null };
  readonly statements = new Map<string, StatementAcc>();
  pending: PendingDuration[] = [];
  /** Deterministic reservoir sampling (a fixed-seed xorshift, so runs repeat). */
  private rng = 0x9e3779b9;

  constructor(private readonly shared: Shared) {}

  /** Adds one PostgreSQL record. */
  add(ev: LogEvent): void {
    this.records++;
    const sev = (ev.pg?.severity ?? ev.levelText).toUpperCase();
    this.bySeverityRaw[sev] = (this.bySeverityRaw[sev] ?? 0) + 1;
    const msg = ev.message;
    // pgBadger drops DEALLOCATE statements before counting anything.
    if (msg.lastIndexOf('statement: DEALLOCATE', 200) !== -1) return;
    const pidKey = ev.service + '\u0000' + (ev.pg?.sessionId ?? ev.pg?.pid ?? '');
    if (sev === 'LOG') {
      if (this.logRecord(ev, msg, pidKey)) this.events++;
      else this.bySeverity.LOG = (this.bySeverity.LOG ?? 0) + 1;
      return;
    }
    this.bySeverity[sev] = (this.bySeverity[sev] ?? 0) + 1;
    if (sev === 'ERROR' || sev === 'FATAL' || sev === 'PANIC') {
      const code = ev.pg?.sqlstate ?? sqlstateOfMessage(msg) ?? 'unknown';
      this.errorsBySqlstate[code] = (this.errorsBySqlstate[code] ?? 0) + 1;
      this.errorRecord(ev, msg, pidKey, sev);
    }
  }

  /** Counts a LOG record; returns true when pgBadger files it as an event rather than LOG. */
  private logRecord(ev: LogEvent, msg: string, pidKey: string): boolean {
    switch (msg.charCodeAt(0)) {
      case 100 /* d */:
        if (msg.startsWith('duration: ')) {
          this.duration(ev, msg, pidKey);
          return false;
        }
        if (msg.startsWith('disconnection: ')) {
          if (DISCONNECTION_RE.test(msg)) this.counts.sessions++;
          this.closeSession(pidKey, ev);
          return false;
        }
        if (msg.startsWith('database system is ready to accept')) {
          this.counts.serverStarts++;
          this.shared.changeSessions(ev, 0, '');
          this.shared.statements.serverStart(ev.ts);
          return false;
        }
        break;
      case 115 /* s */:
        if (msg.startsWith('statement: ')) {
          this.shared.statements.statement(pidKey, ev.ts, ownString(msg.slice(11), MAX_STATEMENT_CHARS));
          return false;
        }
        break;
      case 99 /* c */:
        if (msg.startsWith('connection authorized')) {
          this.counts.connections++;
          this.shared.changeSessions(ev, 1, pidKey);
          return false;
        }
        if (msg.startsWith('checkpoint starting:')) {
          this.checkpoints.started++;
          return false;
        }
        if (msg.startsWith('checkpoint complete:')) {
          this.checkpoints.completed++;
          return false;
        }
        if (msg.startsWith('checkpoints are occurring too frequently')) {
          this.checkpoints.warnings++;
          return false;
        }
        if (msg.startsWith('could not receive data from client') || msg.startsWith('could not send data to client')) {
          this.counts.clientResets++;
          return true;
        }
        if (msg.startsWith('connection to client lost')) {
          this.counts.clientResets++;
          return false;
        }
        break;
      case 114 /* r */:
        if (msg.startsWith('replication connection authorized')) {
          this.counts.replicationConnections++;
          return false;
        }
        if (msg.startsWith('restartpoint complete:')) {
          this.checkpoints.restartpoints++;
          return false;
        }
        break;
      case 97 /* a */:
        if (msg.startsWith('automatic analyze of table')) {
          this.counts.autoanalyze++;
          return false;
        }
        if (msg.startsWith('automatic ') && AUTOVACUUM_RE.test(msg)) {
          this.counts.autovacuum++;
          return false;
        }
        break;
      case 116 /* t */:
        if (msg.startsWith('temporary file: ')) {
          const m = TEMPFILE_RE.exec(msg);
          if (m) {
            const size = Number(m[1]);
            this.tempFiles.count++;
            this.tempFiles.totalBytes += size;
            if (size > this.tempFiles.maxBytes) this.tempFiles.maxBytes = size;
          }
          return false;
        }
        break;
      case 112 /* p */:
        if (msg.startsWith('process ')) {
          const m = LOCK_RE.exec(msg);
          if (m) {
            const waited = Number(m[2]);
            if (waited > this.lockWaits.maxWaitMs) this.lockWaits.maxWaitMs = waited;
            if (m[1] === 'acquired') {
              this.lockWaits.acquired++;
              this.lockWaits.acquiredTotalMs += waited;
              return false;
            }
            // A wait that ends in a deadlock is LOG to pgBadger; one still pending is an event.
            if (m[1] === 'still waiting for') {
              this.lockWaits.stillWaiting++;
              return true;
            }
            return false;
          }
        }
        break;
      case 117 /* u */:
        if (msg.startsWith('unexpected EOF on client connection with an open transaction')) this.counts.clientResets++;
        break;
      default:
        break;
    }
    return PGBADGER_EVENT_RE.test(msg);
  }

  private errorRecord(ev: LogEvent, msg: string, pidKey: string, sev: string): void {
    // A FATAL ends its session (a refused slot is logged after "connection authorized", with no disconnection line).
    if (sev === 'FATAL' || sev === 'PANIC') this.closeSession(pidKey, ev);
    switch (msg.charCodeAt(0)) {
      case 99 /* c */:
        if (msg.startsWith('canceling statement due to statement timeout')) this.cancelled.statementTimeout++;
        else if (msg.startsWith('canceling statement due to lock timeout')) this.cancelled.lockTimeout++;
        else if (msg.startsWith('canceling statement due to user request')) this.cancelled.userRequest++;
        else if (msg.startsWith('connection to client lost')) this.counts.clientResets++;
        break;
      case 100 /* d */:
        if (msg.startsWith('deadlock detected')) this.counts.deadlocks++;
        break;
      case 116 /* t */:
        if (msg.startsWith('terminating connection due to idle-in-transaction timeout')) this.terminated.idleInTransactionTimeout++;
        else if (msg.startsWith('terminating connection due to idle-session timeout')) this.terminated.idleSessionTimeout++;
        else if (msg.startsWith('terminating connection due to administrator command')) this.terminated.administrator++;
        break;
      case 115 /* s */:
        if (msg.startsWith('sorry, too many clients already')) this.counts.tooManyClients++;
        break;
      case 114 /* r */:
        if (msg.startsWith('remaining connection slots are reserved')) this.counts.tooManyClients++;
        break;
      default:
        break;
    }
  }

  /** Closes a session (a second close of the same session, FATAL then disconnection, changes nothing). */
  private closeSession(pidKey: string, at: LogEvent): void {
    this.shared.changeSessions(at, -1, pidKey);
    this.shared.statements.end(pidKey, at.ts);
  }

  private duration(ev: LogEvent, msg: string, pidKey: string): void {
    const d = parseDuration(msg);
    if (d === null) return;
    // pgBadger's queries are statements and executes; parse and bind times are preparation.
    if (d.kind === 'parse' || d.kind === 'bind') return;
    this.queries.withDuration++;
    this.queries.totalMs += d.ms;
    let text = d.text;
    let ran = d.ran;
    if (d.kind === 'none') {
      const head = this.shared.statements.waiting(pidKey, ev.ts);
      if (head !== null) {
        const at = occurrence(ev, d.ms, '');
        if (this.queries.slowest === null || d.ms > this.queries.slowest.ms) this.queries.slowest = at;
        this.pending.push({ ms: d.ms, at, marks: [], head });
        return;
      }
      const found = this.shared.statements.lookup(pidKey, ev.ts);
      if (typeof found !== 'string' && this.shared.pending < MAX_PENDING) {
        this.shared.pending++;
        const at = occurrence(ev, d.ms, '');
        if (this.queries.slowest === null || d.ms > this.queries.slowest.ms) this.queries.slowest = at;
        this.pending.push({ ms: d.ms, at, marks: found, head: -1 });
        return;
      }
      text = typeof found === 'string' ? found : statementInside(found, () => true);
      ran = -1;
    }
    if (this.queries.slowest === null || d.ms > this.queries.slowest.ms) this.queries.slowest = occurrence(ev, d.ms, text, ran);
    this.attribute(text, d.ms, ev, ran);
  }

  /**
   * Counts a duration under its statement; `at` is where it was logged (an event, or its occurrence
   * made already), and `ran` where what ran starts in the event's message (DurationRecord.ran; -1
   * when the statement came from another line).
   */
  attribute(text: string, ms: number, at: LogEvent | KeptOccurrence, ran = -1): void {
    if (text.length === 0) return;
    const key = this.shared.keys.get(text);
    let acc = this.statements.get(key);
    const made = (): KeptOccurrence => ('message' in at ? occurrence(at, ms, text, ran) : at);
    if (acc === undefined) {
      const name = 'message' in at && ran !== -1 ? this.shared.name(key, at.message.slice(ran), true) : this.shared.name(key, text, false);
      if (name === undefined) {
        this.counts.statementsOverflow++;
        return;
      }
      acc = { statement: name.key, shown: name.shown, count: 0, totalMs: 0, minMs: Infinity, maxMs: -Infinity, samples: [], slowest: made() };
      this.statements.set(name.key, acc);
    }
    acc.count++;
    acc.totalMs += ms;
    if (ms < acc.minMs) acc.minMs = ms;
    if (ms > acc.maxMs) {
      acc.maxMs = ms;
      acc.slowest = made();
    }
    if (acc.samples.length < SAMPLE_CAP) acc.samples.push(ms);
    else {
      const j = this.random() % acc.count;
      if (j < SAMPLE_CAP) acc.samples[j] = ms;
    }
  }

  /** These statistics as plain data (the occurrences shared, not copied). */
  partial(): SlicePartial {
    const { records, bySeverity, bySeverityRaw, events, errorsBySqlstate, counts, checkpoints, tempFiles, lockWaits, cancelled, terminated, queries } = this;
    return {
      ...structuredClone({ records, bySeverity, bySeverityRaw, events, errorsBySqlstate, counts, checkpoints, tempFiles, lockWaits, cancelled, terminated }),
      queries: { ...queries },
      statements: [...this.statements.values()].map((a) => ({ ...a, samples: a.samples.slice() })),
      pending: this.pending.slice(),
    };
  }

  /** A slice holding a partial's slice (whose occurrences it takes over). */
  static of(shared: Shared, p: SlicePartial): SliceStats {
    const s = new SliceStats(shared);
    s.records = p.records;
    Object.assign(s.bySeverity, p.bySeverity);
    Object.assign(s.bySeverityRaw, p.bySeverityRaw);
    s.events = p.events;
    Object.assign(s.errorsBySqlstate, p.errorsBySqlstate);
    Object.assign(s.counts, p.counts);
    Object.assign(s.checkpoints, p.checkpoints);
    Object.assign(s.tempFiles, p.tempFiles);
    Object.assign(s.lockWaits, p.lockWaits);
    Object.assign(s.cancelled, p.cancelled);
    Object.assign(s.terminated, p.terminated);
    Object.assign(s.queries, p.queries);
    for (const a of p.statements) {
      // A statement that finds no room under MAX_STATEMENTS here is counted as one pass would.
      const name = shared.names.get(a.statement);
      if (name === undefined) s.counts.statementsOverflow += a.count;
      else s.statements.set(a.statement, { ...a, shown: name.shown });
    }
    s.pending = p.pending;
    return s;
  }

  /** Adds another slice's statistics to these (the other is left as it was). */
  merge(o: SliceStats): void {
    this.records += o.records;
    addCounts(this.bySeverity, o.bySeverity);
    addCounts(this.bySeverityRaw, o.bySeverityRaw);
    this.events += o.events;
    addCounts(this.errorsBySqlstate, o.errorsBySqlstate);
    addCounts(this.counts, o.counts);
    addCounts(this.checkpoints, o.checkpoints);
    addCounts(this.cancelled, o.cancelled);
    addCounts(this.terminated, o.terminated);
    this.tempFiles.count += o.tempFiles.count;
    this.tempFiles.totalBytes += o.tempFiles.totalBytes;
    this.tempFiles.maxBytes = Math.max(this.tempFiles.maxBytes, o.tempFiles.maxBytes);
    this.lockWaits.acquired += o.lockWaits.acquired;
    this.lockWaits.acquiredTotalMs += o.lockWaits.acquiredTotalMs;
    this.lockWaits.stillWaiting += o.lockWaits.stillWaiting;
    this.lockWaits.maxWaitMs = Math.max(this.lockWaits.maxWaitMs, o.lockWaits.maxWaitMs);
    this.queries.withDuration += o.queries.withDuration;
    this.queries.totalMs += o.queries.totalMs;
    this.queries.slowest = slower(this.queries.slowest, o.queries.slowest);
    for (const b of o.statements.values()) {
      const a = this.statements.get(b.statement);
      if (a === undefined) {
        this.statements.set(b.statement, { ...b, samples: b.samples.slice() });
        continue;
      }
      a.samples = this.mergeSamples(a, b);
      a.count += b.count;
      a.totalMs += b.totalMs;
      a.minMs = Math.min(a.minMs, b.minMs);
      a.maxMs = Math.max(a.maxMs, b.maxMs);
      a.slowest = slower(a.slowest, b.slowest)!;
    }
    this.pending = this.pending.concat(o.pending);
  }

  /** Two statements' samples as one: all of them when they fit, else a uniform sample of SAMPLE_CAP drawn from each in proportion to its count. */
  private mergeSamples(a: StatementAcc, b: StatementAcc): number[] {
    if (a.samples.length + b.samples.length <= SAMPLE_CAP) return a.samples.concat(b.samples);
    const fromA = Math.min(a.samples.length, Math.round((SAMPLE_CAP * a.count) / (a.count + b.count)));
    const fromB = Math.min(b.samples.length, SAMPLE_CAP - fromA);
    return this.draw(a.samples, fromA).concat(this.draw(b.samples, fromB));
  }

  /** `n` values drawn at random without replacement (a partial Fisher-Yates on a copy). */
  private draw(values: readonly number[], n: number): number[] {
    const v = values.slice();
    for (let i = 0; i < n; i++) {
      const j = i + (this.random() % (v.length - i));
      const t = v[i]!;
      v[i] = v[j]!;
      v[j] = t;
    }
    return v.slice(0, n);
  }

  private random(): number {
    this.rng = xorshift32(this.rng);
    return this.rng;
  }
}

/** The next state of a 32-bit xorshift generator (the reservoirs' fixed-seed randomness, so runs repeat). */
export function xorshift32(state: number): number {
  let x = state;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

/** Adds each count of `b` to `a`'s. */
function addCounts<T extends Record<string, number>>(a: T, b: T): void {
  for (const k of Object.keys(b) as (keyof T & string)[]) (a as Record<string, number>)[k] = (a[k] ?? 0) + b[k]!;
}

/** The slower of two occurrences; of two as slow, the one logged first (as one pass in file order keeps). */
function slower(a: KeptOccurrence | null, b: KeptOccurrence | null): KeptOccurrence | null {
  if (a === null || b === null) return a ?? b;
  if (a.ms !== b.ms) return a.ms > b.ms ? a : b;
  return a.input < b.input || (a.input === b.input && a.line <= b.line) ? a : b;
}

export class PostgresStats {
  private readonly shared: Shared;
  /** Slices by start (floor of time by `shared.width`), and the records without a time. */
  private slices = new Map<number, SliceStats>();
  private readonly untimed: SliceStats;
  private lastKey = NaN;
  private last: SliceStats;

  /** `partOfInput`: partial() will hand these statistics over, so keep what the merge needs (the order of session changes, the head of sessions). */
  constructor(partOfInput = false) {
    this.shared = new Shared(partOfInput);
    this.untimed = new SliceStats(this.shared);
    this.last = this.untimed;
  }

  /** These statistics as plain data for absorb() (see Timeline.partial). */
  partial(): PostgresPartial {
    return {
      width: this.shared.width,
      slices: [...this.slices].sort((a, b) => a[0] - b[0]).map(([k, s]) => [k, s.partial()]),
      untimed: this.untimed.partial(),
      names: [...this.shared.names.values()].map((n) => ({ ...n })),
      sessionChanges: this.shared.sessionPeak.changes() ?? { ts: [], line: [], delta: [], key: [] },
      sessionStatements: this.shared.statements.partial(),
    };
  }

  /**
   * Adds the statistics of a later part (its partial(); its input indexes are shifted by `inputOffset`):
   * the slices at the wider width (widened again while more than MAX_SLICES hold records, as one
   * pass widens), its session changes replayed after these, its waiting durations given the
   * statements of the sessions here, its statements' names after these.
   */
  absorb(p: PostgresPartial, inputOffset: number): void {
    const moved = new Set<KeptOccurrence>();
    const move = (o: KeptOccurrence | null) => {
      if (o !== null && !moved.has(o)) {
        moved.add(o);
        o.input += inputOffset;
      }
    };
    const all = [p.untimed, ...p.slices.map(([, s]) => s)];
    for (const s of all) {
      move(s.queries.slowest);
      for (const a of s.statements) move(a.slowest);
      for (const d of s.pending) move(d.at);
    }
    while (this.shared.width < p.width) this.widen();
    this.shared.sessionPeak.replay(p.sessionChanges);
    // The part's waiting durations, by index: their statement (or marks) from the sessions here.
    const waiting: PendingDuration[] = [];
    for (const s of all) for (const d of s.pending) if (d.head !== -1) waiting[d.head] = d;
    this.shared.statements.absorb(p.sessionStatements, (i, found) => {
      const d = waiting[i];
      if (d === undefined) return;
      d.head = -1;
      // Decided: a mark at its own time, which the fences keep exactly when they keep the duration.
      d.marks = typeof found === 'string' ? [{ ts: d.at.ts, seq: 0, text: found }] : found;
    });
    for (const n of p.names) if (!this.shared.names.has(n.key) && this.shared.names.size < MAX_STATEMENTS) this.shared.names.set(n.key, n);
    this.untimed.merge(SliceStats.of(this.shared, p.untimed));
    for (const [k, s] of p.slices) {
      const key = Math.floor((k * p.width) / this.shared.width);
      let into = this.slices.get(key);
      if (into === undefined) this.slices.set(key, (into = new SliceStats(this.shared)));
      into.merge(SliceStats.of(this.shared, s));
    }
    while (this.slices.size > MAX_SLICES) this.widen();
    this.lastKey = NaN;
  }

  /** The slices' width (ms): time fences that leave records out of these statistics must fall on its multiples. */
  get sliceMs(): number {
    return this.shared.width;
  }

  /** Adds one PostgreSQL record. */
  add(ev: LogEvent): void {
    (ev.ts === null ? this.untimed : this.sliceOf(ev.ts)).add(ev);
  }

  private sliceOf(ts: number): SliceStats {
    const key = Math.floor(ts / this.shared.width);
    if (key === this.lastKey) return this.last;
    let s = this.slices.get(key);
    if (s === undefined) {
      s = new SliceStats(this.shared);
      this.slices.set(key, s);
      if (this.slices.size > MAX_SLICES) {
        while (this.slices.size > MAX_SLICES) this.widen();
        return this.sliceOf(ts);
      }
    }
    this.lastKey = key;
    this.last = s;
    return s;
  }

  /** Doubles the slices' width, merging each pair. */
  private widen(): void {
    const slices = new Map<number, SliceStats>();
    for (const [k, s] of [...this.slices].sort((a, b) => a[0] - b[0])) {
      const into = slices.get(Math.floor(k / 2));
      if (into === undefined) slices.set(Math.floor(k / 2), s);
      else into.merge(s);
    }
    this.slices = slices;
    this.shared.width *= 2;
    this.lastKey = NaN;
  }

  /**
   * The statistics so far, of the records inside `fences` (epoch ms, [lo, hi), on multiples of
   * sliceMs) and those without a time; all of them without fences.
   */
  summary(fences: { lo: number; hi: number } | null = null): PostgresStatsSummary {
    const lo = fences?.lo ?? -Infinity;
    const hi = fences?.hi ?? Infinity;
    const w = this.shared.width;
    const all = new SliceStats(this.shared);
    all.merge(this.untimed);
    let outlying = 0;
    for (const [k, s] of [...this.slices].sort((a, b) => a[0] - b[0])) {
      if (k * w >= lo && k * w < hi) all.merge(s);
      else outlying += s.records;
    }
    const inside = (ts: number | null) => ts === null || (ts >= lo && ts < hi);
    for (const p of all.pending) {
      const text = statementInside(p.marks, inside);
      p.at.text = ownString(cutText(text, MAX_EXAMPLE_CHARS));
      all.attribute(text, p.ms, p.at);
    }
    const statements: StatementStats[] = [...all.statements.values()].map((a) => {
      const durations = [...a.samples].sort((x, y) => x - y);
      const st = {
        statement: a.shown,
        count: a.count,
        totalMs: round3(a.totalMs),
        meanMs: round3(a.totalMs / a.count),
        minMs: a.minMs,
        maxMs: a.maxMs,
        p95Ms: round3(percentileSorted(durations, 0.95)),
        sampled: a.count > durations.length,
        slowest: redacted(a.slowest),
      } as StatementStats;
      Object.defineProperty(st, 'durations', { value: durations, enumerable: false });
      return st;
    });
    statements.sort((x, y) => y.totalMs - x.totalMs || (x.statement < y.statement ? -1 : 1));
    const { statementsOverflow, ...counts } = all.counts;
    return {
      records: all.records,
      outlyingRecords: outlying,
      bySeverity: all.bySeverity,
      bySeverityRaw: all.bySeverityRaw,
      events: all.events,
      errorsBySqlstate: all.errorsBySqlstate,
      connections: counts.connections,
      replicationConnections: counts.replicationConnections,
      sessions: counts.sessions,
      peakSessions: this.shared.sessionPeak.result(lo, hi),
      serverStarts: counts.serverStarts,
      checkpoints: all.checkpoints,
      autovacuum: counts.autovacuum,
      autoanalyze: counts.autoanalyze,
      tempFiles: all.tempFiles,
      lockWaits: { ...all.lockWaits, acquiredTotalMs: round3(all.lockWaits.acquiredTotalMs) },
      deadlocks: counts.deadlocks,
      cancelled: all.cancelled,
      terminated: all.terminated,
      tooManyClients: counts.tooManyClients,
      clientResets: counts.clientResets,
      queries: { withDuration: all.queries.withDuration, totalMs: round3(all.queries.totalMs), slowest: all.queries.slowest && redacted(all.queries.slowest) },
      statements,
      statementsOverflow,
    };
  }
}

/**
 * `PASSWORD word` without quotes: a syntax error PostgreSQL still logs with its statement. Only in
 * statements: in other text "password authentication failed" is not a secret (`redact` covers the
 * quoted forms everywhere).
 */
const SQL_BARE_PASSWORD_RE = /\b(PASSWORD\s+)(?!'|"|\$|\[REDACTED)[^\s;]+/gi;

/** A logged statement without its secrets: `redact`'s rules plus a bare `PASSWORD word`. */
export function redactSql(sql: string): string {
  return redact(sql).replace(SQL_BARE_PASSWORD_RE, '$1[REDACTED]');
}

/** Secrets in logged statements (passwords in ALTER ROLE, URLs, a value after a prepared statement's name) never reach a report. */
function redacted(o: KeptOccurrence): StatementOccurrence {
  return { ms: o.ms, ts: o.ts, service: o.service, input: o.input, line: o.line, text: redactedStatement(o.text, o.labelled) };
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
