// PostgreSQL statistics gathered in the timeline's single pass, counted the way pgBadger (13.x)
// counts them so that people who know its report recognise the figures (docs/postgres.md lists
// where and why they differ). Memory is bounded: per-statement aggregates are capped, and each
// keeps at most SAMPLE_CAP durations (a deterministic reservoir) for its percentiles.
//
// The hot path is one switch on the first character of the message and a few `startsWith`
// checks; the regular expressions below only run on the lines they are about.
import type { LogEvent } from '../model.js';
import { normalizeSql } from '../templates/sql-normalize.js';
import { cutText, redact } from '../redact.js';
import { ownString } from '../own-string.js';
import { SessionPeak } from './session-peak.js';

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
  /** Every PostgreSQL record seen. */
  records: number;
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
/**
 * LOG messages pgBadger files as events rather than LOG: its `change_log_level`, word for word
 * (pgBadger 12.0, Debian's; "ending cancel" is its spelling). The LOG lines it names as its own
 * plain LOG lines (`incomplete startup packet`, `unexpected EOF`, `detected deadlock while
 * waiting for`, `automatic vacuum`, ...) stay LOG.
 */
const PGBADGER_EVENT_RE =
  /parameter "[^"]+" changed to "[^"]+"|database system was|recovery has paused|ending cancel to blocking autovacuum|skipping analyze of|using stale statistics|replication command:|still waiting for|server process.*was terminated by signal|could not (?:receive|send) data (?:from|to) client/;
const DURATION_RE = /^duration: ([0-9.]+) ms(?:\s+(?:rows: \d+\s+size: \d+ bytes\s+)?(statement|query|execute [^:]*|parse [^:]*|bind [^:]*):\s*([\s\S]*))?$/;
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
}

/** Reads `duration: N ms  statement: ...` (and execute/parse/bind, or a bare duration). Null otherwise. */
export function parseDuration(msg: string): DurationRecord | null {
  const m = DURATION_RE.exec(msg);
  if (m === null) return null;
  const ms = Number(m[1]);
  if (!Number.isFinite(ms)) return null;
  const what = m[2];
  if (what === undefined) return { ms, kind: 'none', text: '' };
  const kind = what === 'statement' || what === 'query' ? 'statement' : (what.slice(0, what.indexOf(' ')) as DurationRecord['kind']);
  return { ms, kind, text: m[3] ?? '' };
}

/** Groups statements the way pgBadger's top queries do (normalized, `?` for literals). */
export function statementKey(sql: string): string {
  const s = cutText(sql, MAX_STATEMENT_CHARS, '');
  const n = normalizeSql(s);
  let end = n.length;
  while (end > 0 && (n.charCodeAt(end - 1) === 59 /* ; */ || n.charCodeAt(end - 1) === 32)) end--;
  return end === n.length ? n : n.slice(0, end);
}

interface StatementAcc {
  statement: string;
  count: number;
  totalMs: number;
  minMs: number;
  maxMs: number;
  samples: number[];
  slowest: StatementOccurrence;
}

function occurrence(ev: LogEvent, ms: number, text: string): StatementOccurrence {
  // Owned copies: a slice of the line would keep the whole read chunk it came from alive.
  return { ms, ts: ev.ts, service: ownString(ev.service, MAX_EXAMPLE_CHARS), input: ev.input, line: ev.line, text: ownString(cutText(text, MAX_EXAMPLE_CHARS)) };
}

/** p-th percentile (0..1) of ascending values, linear between ranks (R-7, as numpy and simple-statistics' quantileSorted interpolate). */
export function percentileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export class PostgresStats {
  private records = 0;
  private readonly bySeverity: Record<string, number> = {};
  private readonly bySeverityRaw: Record<string, number> = {};
  private events = 0;
  private readonly errorsBySqlstate: Record<string, number> = {};
  private connections = 0;
  private replicationConnections = 0;
  private sessions = 0;
  /** Session opens, closes and server starts, for the most sessions open at once (see session-peak.ts). */
  private readonly sessionPeak = new SessionPeak();
  private serverStarts = 0;
  private readonly checkpoints = { started: 0, completed: 0, restartpoints: 0, warnings: 0 };
  private autovacuum = 0;
  private autoanalyze = 0;
  private readonly tempFiles = { count: 0, totalBytes: 0, maxBytes: 0 };
  private readonly lockWaits = { acquired: 0, acquiredTotalMs: 0, stillWaiting: 0, maxWaitMs: 0 };
  private deadlocks = 0;
  private readonly cancelled = { statementTimeout: 0, lockTimeout: 0, userRequest: 0 };
  private readonly terminated = { idleInTransactionTimeout: 0, idleSessionTimeout: 0, administrator: 0 };
  private tooManyClients = 0;
  private clientResets = 0;
  private readonly queries = { withDuration: 0, totalMs: 0, slowest: null as StatementOccurrence | null };
  private readonly statements = new Map<string, StatementAcc>();
  private statementsOverflow = 0;
  /** Last `statement:` line per process, for bare `duration:` lines (log_statement + log_duration). */
  private readonly lastStatement = new Map<string, string>();
  /** Deterministic reservoir sampling (a fixed-seed xorshift, so runs repeat). */
  private rng = 0x9e3779b9;

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
          if (DISCONNECTION_RE.test(msg)) this.sessions++;
          this.closeSession(pidKey, ev);
          return false;
        }
        if (msg.startsWith('database system is ready to accept')) {
          this.serverStarts++;
          this.sessionChange(ev, 0, '');
          this.lastStatement.clear();
          return false;
        }
        break;
      case 115 /* s */:
        if (msg.startsWith('statement: ')) {
          if (this.lastStatement.size < MAX_PIDS || this.lastStatement.has(pidKey)) this.lastStatement.set(pidKey, ownString(msg.slice(11), MAX_STATEMENT_CHARS));
          return false;
        }
        break;
      case 99 /* c */:
        if (msg.startsWith('connection authorized')) {
          this.connections++;
          this.sessionChange(ev, 1, pidKey);
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
          this.clientResets++;
          return true;
        }
        if (msg.startsWith('connection to client lost')) {
          this.clientResets++;
          return false;
        }
        break;
      case 114 /* r */:
        if (msg.startsWith('replication connection authorized')) {
          this.replicationConnections++;
          return false;
        }
        if (msg.startsWith('restartpoint complete:')) {
          this.checkpoints.restartpoints++;
          return false;
        }
        break;
      case 97 /* a */:
        if (msg.startsWith('automatic analyze of table')) {
          this.autoanalyze++;
          return false;
        }
        if (msg.startsWith('automatic ') && AUTOVACUUM_RE.test(msg)) {
          this.autovacuum++;
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
        if (msg.startsWith('unexpected EOF on client connection with an open transaction')) this.clientResets++;
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
        else if (msg.startsWith('connection to client lost')) this.clientResets++;
        break;
      case 100 /* d */:
        if (msg.startsWith('deadlock detected')) this.deadlocks++;
        break;
      case 116 /* t */:
        if (msg.startsWith('terminating connection due to idle-in-transaction timeout')) this.terminated.idleInTransactionTimeout++;
        else if (msg.startsWith('terminating connection due to idle-session timeout')) this.terminated.idleSessionTimeout++;
        else if (msg.startsWith('terminating connection due to administrator command')) this.terminated.administrator++;
        break;
      case 115 /* s */:
        if (msg.startsWith('sorry, too many clients already')) this.tooManyClients++;
        break;
      case 114 /* r */:
        if (msg.startsWith('remaining connection slots are reserved')) this.tooManyClients++;
        break;
      default:
        break;
    }
  }

  /** Closes a session (a second close of the same session, FATAL then disconnection, changes nothing). */
  private closeSession(pidKey: string, at: LogEvent): void {
    this.sessionChange(at, -1, pidKey);
    this.lastStatement.delete(pidKey);
  }

  private sessionChange(ev: LogEvent, delta: number, key: string): void {
    if (ev.ts !== null) this.sessionPeak.change(ev.ts, ev.line, delta, key);
  }

  private duration(ev: LogEvent, msg: string, pidKey: string): void {
    const d = parseDuration(msg);
    if (d === null) return;
    // pgBadger's queries are statements and executes; parse and bind times are preparation.
    if (d.kind === 'parse' || d.kind === 'bind') return;
    let text = d.text;
    if (d.kind === 'none') text = this.lastStatement.get(pidKey) ?? '';
    this.queries.withDuration++;
    this.queries.totalMs += d.ms;
    if (this.queries.slowest === null || d.ms > this.queries.slowest.ms) this.queries.slowest = occurrence(ev, d.ms, text);
    if (text.length === 0) return;
    const key = statementKey(text);
    let acc = this.statements.get(key);
    if (acc === undefined) {
      if (this.statements.size >= MAX_STATEMENTS) {
        this.statementsOverflow++;
        return;
      }
      acc = { statement: ownString(key, Infinity), count: 0, totalMs: 0, minMs: Infinity, maxMs: -Infinity, samples: [], slowest: occurrence(ev, d.ms, text) };
      this.statements.set(acc.statement, acc);
    }
    acc.count++;
    acc.totalMs += d.ms;
    if (d.ms < acc.minMs) acc.minMs = d.ms;
    if (d.ms > acc.maxMs) {
      acc.maxMs = d.ms;
      acc.slowest = occurrence(ev, d.ms, text);
    }
    if (acc.samples.length < SAMPLE_CAP) acc.samples.push(d.ms);
    else {
      const j = this.random() % acc.count;
      if (j < SAMPLE_CAP) acc.samples[j] = d.ms;
    }
  }

  private random(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng;
  }

  /** The statistics so far. */
  summary(): PostgresStatsSummary {
    const statements: StatementStats[] = [...this.statements.values()].map((a) => {
      const durations = [...a.samples].sort((x, y) => x - y);
      const st = {
        statement: redactSql(a.statement),
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
    return {
      records: this.records,
      bySeverity: { ...this.bySeverity },
      bySeverityRaw: { ...this.bySeverityRaw },
      events: this.events,
      errorsBySqlstate: { ...this.errorsBySqlstate },
      connections: this.connections,
      replicationConnections: this.replicationConnections,
      sessions: this.sessions,
      peakSessions: this.sessionPeak.result(),
      serverStarts: this.serverStarts,
      checkpoints: { ...this.checkpoints },
      autovacuum: this.autovacuum,
      autoanalyze: this.autoanalyze,
      tempFiles: { ...this.tempFiles },
      lockWaits: { ...this.lockWaits, acquiredTotalMs: round3(this.lockWaits.acquiredTotalMs) },
      deadlocks: this.deadlocks,
      cancelled: { ...this.cancelled },
      terminated: { ...this.terminated },
      tooManyClients: this.tooManyClients,
      clientResets: this.clientResets,
      queries: { withDuration: this.queries.withDuration, totalMs: round3(this.queries.totalMs), slowest: this.queries.slowest && redacted(this.queries.slowest) },
      statements,
      statementsOverflow: this.statementsOverflow,
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

/** Secrets in logged statements (passwords in ALTER ROLE, URLs) never reach a report. */
function redacted(o: StatementOccurrence): StatementOccurrence {
  return { ...o, text: redactSql(o.text) };
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
