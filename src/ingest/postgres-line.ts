// PostgreSQL's stderr line: `<log_line_prefix><SEVERITY>:  <message>`. Shared by the postgres
// formats and by the Railway formats, whose messages are often PostgreSQL lines.
import type { Level, LogEvent, PgFields } from '../model.js';
import { parseTimestampAt } from './timestamp.js';
import type { EventSink } from './format.js';

export const PG_SEVERITIES = [
  'DEBUG5', 'DEBUG4', 'DEBUG3', 'DEBUG2', 'DEBUG1', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'LOG', 'FATAL', 'PANIC',
] as const;

/** Severity words that continue the record before them rather than start a new one. */
export const PG_CONTINUATIONS = ['DETAIL', 'HINT', 'STATEMENT', 'CONTEXT', 'QUERY', 'LOCATION'] as const;

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
}

const SEV_RE = /(?:^|[\s\]:>|])(DEBUG[1-5]?|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC|DETAIL|HINT|STATEMENT|CONTEXT|QUERY|LOCATION):  ?/;
const PID_RE = /\[(\d+)\]/;
const KV_RE = /\b(user|db|database|app|application|client|host|remote|session)=([^,\s]*)/g;
const SQLSTATE_RE = /^([0-9A-Z]{5})$/;

/**
 * Parses a PostgreSQL stderr line whose prefix starts with a timestamp (`%m`, `%t`, `%n`) or a
 * process id in brackets, in the forms people actually configure. Returns null when the line is not one.
 */
export function parsePgLine(line: string): PgLine | null {
  const c0 = line.charCodeAt(0);
  let ts: number | null = null;
  let rest = line;
  if (c0 >= 48 && c0 <= 57) {
    const t = parseTimestampAt(line, 0);
    if (t === null) {
      // `%n`: epoch seconds with milliseconds.
      const m = /^(\d{10})(?:\.(\d{1,6}))?\s/.exec(line);
      if (!m) return null;
      ts = Number(m[1]) * 1000 + (m[2] ? Math.floor(Number('0.' + m[2]) * 1000) : 0);
      rest = line.slice(m[0].length - 1);
    } else {
      ts = t.ms;
      rest = line.slice(t.end);
    }
  } else if (c0 !== 91 /* [ */) {
    return null;
  }
  const m = SEV_RE.exec(rest);
  if (m === null) return null;
  const prefix = rest.slice(0, m.index + (m[0].length - m[0].trimStart().length));
  // A prefix is short; a "severity" found deep inside a message is not one.
  if (prefix.length > 200) return null;
  const severity = m[1]!;
  const message = rest.slice(m.index + m[0].length);
  const fields: PgFields = { severity };
  const pm = PID_RE.exec(prefix);
  if (pm) fields.pid = Number(pm[1]);
  if (prefix.indexOf('=') !== -1) {
    KV_RE.lastIndex = 0;
    let kv: RegExpExecArray | null;
    while ((kv = KV_RE.exec(prefix)) !== null) {
      const v = kv[2]!;
      if (v.length === 0 || v === '[unknown]') continue;
      switch (kv[1]) {
        case 'user': fields.user = v; break;
        case 'db': case 'database': fields.database = v; break;
        case 'app': case 'application': fields.application = v; break;
        case 'client': case 'host': case 'remote': fields.client = v; break;
        case 'session': fields.sessionId = v; break;
      }
    }
  } else {
    // `%u@%d` form: `[123] app@appdb LOG:`
    const ud = /\s([\w.\-]+)@([\w.\-]+)\s/.exec(prefix + ' ');
    if (ud) {
      fields.user = ud[1];
      fields.database = ud[2];
    }
  }
  const sq = /\s([0-9A-Z]{5})\s*$/.exec(prefix.trimEnd() + ' ');
  if (sq && SQLSTATE_RE.test(sq[1]!) && /\d/.test(sq[1]!)) fields.sqlstate = sq[1];
  return { ts, severity, message, fields, continuation: (PG_CONTINUATIONS as readonly string[]).includes(severity) };
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

interface Pending {
  ev: LogEvent;
  lines: number;
  key: number;
}

const MAX_PENDING = 16;

/**
 * Joins DETAIL/HINT/STATEMENT/CONTEXT/QUERY lines to the record before them of the same process,
 * and emits whole records. A record is held until the next record of its process (or until the
 * holding space is full, or the input ends), so interleaved processes join correctly.
 */
export class PgRecordAssembler {
  private pending: Pending[] = [];

  constructor(private readonly sink: EventSink) {}

  /** Adds one parsed line; `lines` is how many input lines it took (1 unless the caller joined some). */
  push(pl: PgLine, origin: PgOrigin, lines = 1): void {
    const key = pl.fields.pid ?? -1;
    if (pl.continuation) {
      for (let i = this.pending.length - 1; i >= 0; i--) {
        const p = this.pending[i]!;
        if (p.key === key) {
          attach(p.ev, pl.severity, pl.message);
          p.lines += lines;
          return;
        }
      }
    } else {
      for (let i = 0; i < this.pending.length; i++) {
        if (this.pending[i]!.key === key) {
          this.emitAt(i);
          break;
        }
      }
    }
    const ev: LogEvent = {
      ts: pl.ts ?? origin.fallbackTs,
      service: origin.service,
      source: 'postgres',
      level: levelOfPgSeverity(pl.severity),
      levelText: pl.severity,
      message: pl.message,
      pg: pl.fields,
      input: origin.input,
      line: origin.line,
    };
    if (origin.stream !== undefined) ev.stream = origin.stream;
    if (origin.attrs !== undefined) ev.attrs = origin.attrs;
    this.pending.push({ ev, lines, key });
    if (this.pending.length > MAX_PENDING) this.emitAt(0);
  }

  /** Adds a line that continues the most recent record whatever its process (a tab-indented statement line). */
  continueLast(text: string): boolean {
    const p = this.pending[this.pending.length - 1];
    if (!p) return false;
    const pg = p.ev.pg!;
    if (pg.statement !== undefined) pg.statement += '\n' + text;
    else if (pg.query !== undefined) pg.query += '\n' + text;
    else if (pg.detail !== undefined) pg.detail += '\n' + text;
    else p.ev.message += '\n' + text;
    p.lines++;
    return true;
  }

  /** Emits everything held. */
  flush(): void {
    while (this.pending.length > 0) this.emitAt(0);
  }

  private emitAt(i: number): void {
    const [p] = this.pending.splice(i, 1);
    this.sink.event(p!.ev, p!.lines);
  }
}

function attach(ev: LogEvent, kind: string, text: string): void {
  const pg = ev.pg ?? (ev.pg = {});
  switch (kind) {
    case 'DETAIL': pg.detail = pg.detail === undefined ? text : pg.detail + '\n' + text; break;
    case 'HINT': pg.hint = text; break;
    case 'STATEMENT': pg.statement = text; break;
    case 'CONTEXT': pg.context = pg.context === undefined ? text : pg.context + '\n' + text; break;
    case 'QUERY': pg.query = text; break;
    default: break; // LOCATION: source position, not useful in a report
  }
}
