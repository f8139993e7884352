// PostgreSQL csvlog (log_destination = csvlog): one record per CSV row, whose quoted fields may
// span lines (multi-line statements, DETAIL texts). Columns, PostgreSQL 9.0 to 17: log_time,
// user_name, database_name, process_id, connection_from, session_id, session_line_num,
// command_tag, session_start_time, virtual_transaction_id, transaction_id, error_severity,
// sql_state_code, message, detail, hint, internal_query, internal_query_pos, context, query,
// query_pos, location, application_name, then backend_type (13+), leader_pid and query_id (14+).
// A row is a whole record: DETAIL, HINT, CONTEXT and the statement are columns, nothing to join.
import type { InputFormat, LineParser, ParseContext } from '../format.js';
import type { LogEvent, PgFields } from '../../model.js';
import { levelOfPgSeverity, pgSeverityWord, unknownTrailingZone } from '../postgres-line.js';
import { UnknownZones } from './postgres-stderr.js';
import { parseTimestampAt } from '../timestamp.js';

/** Column indexes of csvlog. */
const C = {
  logTime: 0, user: 1, database: 2, pid: 3, connectionFrom: 4, sessionId: 5, sessionLine: 6, commandTag: 7,
  sessionStart: 8, vxid: 9, txid: 10, severity: 11, sqlstate: 12, message: 13, detail: 14, hint: 15,
  internalQuery: 16, internalQueryPos: 17, context: 18, query: 19, queryPos: 20, location: 21,
  application: 22, backendType: 23, leaderPid: 24, queryId: 25,
} as const;

/** A record larger than this is not a log record but a runaway quote: its lines are skipped. */
const MAX_RECORD_CHARS = 16 * 1024 * 1024;

/**
 * Splits CSV text into fields, continuing a quoted field across calls. Returns true when the row
 * is complete (the text did not end inside quotes).
 */
export class CsvRowReader {
  fields: string[] = [];
  private cur = '';
  private inQuotes = false;
  chars = 0;

  /** Feeds one line (without its terminator). */
  feed(line: string): boolean {
    this.chars += line.length + 1;
    let i = 0;
    const n = line.length;
    if (this.inQuotes) {
      this.cur += '\n';
      i = this.readQuoted(line, 0);
      if (this.inQuotes) return false;
    }
    for (;;) {
      // At the start of a field, or just after a closing quote.
      if (i >= n) {
        if (!this.inQuotes) this.endField();
        return true;
      }
      const c = line.charCodeAt(i);
      if (c === 44 /* , */) {
        this.endField();
        i++;
        if (i >= n) {
          this.endField();
          return true;
        }
        continue;
      }
      if (c === 34 /* " */ && this.cur.length === 0) {
        i = this.readQuoted(line, i + 1);
        if (this.inQuotes) return false;
        continue;
      }
      let j = line.indexOf(',', i);
      if (j === -1) j = n;
      this.cur += line.slice(i, j);
      i = j;
      if (i >= n) {
        this.endField();
        return true;
      }
    }
  }

  /** Reads a quoted field's text from `i` (after the opening quote); returns the index after the closing quote. */
  private readQuoted(line: string, i: number): number {
    this.inQuotes = true;
    for (;;) {
      const q = line.indexOf('"', i);
      if (q === -1) {
        this.cur += line.slice(i);
        return line.length;
      }
      this.cur += line.slice(i, q);
      if (line.charCodeAt(q + 1) === 34) {
        this.cur += '"';
        i = q + 2;
        continue;
      }
      this.inQuotes = false;
      return q + 1;
    }
  }

  private endField(): void {
    this.fields.push(this.cur);
    this.cur = '';
  }

  /** Whether a row has been started and is not complete. */
  get open(): boolean {
    return this.inQuotes;
  }

  reset(): void {
    this.fields = [];
    this.cur = '';
    this.inQuotes = false;
    this.chars = 0;
  }
}

/** Whether a line starts a csvlog row: a timestamp (quoted or not) then a comma, and a severity in column 12. */
export function looksPgCsv(line: string): boolean {
  const at = line.charCodeAt(0) === 34 ? 1 : 0;
  const t = parseTimestampAt(line, at);
  if (t === null) return false;
  // The comma follows the time, its closing quote, or a zone word the time parser did not know.
  const comma = line.indexOf(',', t.end);
  if (comma === -1 || comma > t.end + 9) return false;
  const r = new CsvRowReader();
  r.feed(line);
  const f = r.fields;
  return f.length >= 12 && pgSeverityWord(f[C.severity]!) !== null && /^\d+$/.test(f[C.pid]!);
}

/** `host:port` → `host` for IPv4 and names (csvlog's connection_from); IPv6 and `[local]` stay as written. */
function clientOf(v: string): string {
  const c = v.lastIndexOf(':');
  return c > 0 && v.indexOf(':') === c ? v.slice(0, c) : v;
}

export const postgresCsv: InputFormat = {
  id: 'postgres-csv',
  title: 'PostgreSQL csvlog',
  recognisedBy: 'CSV rows starting with a timestamp whose 12th column is a PostgreSQL severity (LOG, ERROR, ...) and 4th a process id',
  example: '2021-01-22 10:03:22.785 CET,"app","appdb",1486,"127.0.0.1:52306",6009c305.5ce,3,"SELECT",2021-01-21 19:08:05 CET,14/10903,0,ERROR,57014,"canceling statement due to statement timeout",,,,,,"SELECT pg_sleep(10)",,,"psql","client backend",,0',
  sniff(lines) {
    let n = 0;
    let hit = 0;
    let open = false;
    for (const l of lines) {
      if (l.trim().length === 0) continue;
      n++;
      // Lines inside a multi-line quoted field count as the record's (their quotes are unbalanced).
      if (looksPgCsv(l)) {
        hit++;
        open = unbalanced(l);
      } else if (open) {
        hit++;
        if (unbalanced(l)) open = false;
      }
    }
    const share = n === 0 ? 0 : hit / n;
    return { score: share * 0.97, reason: `${Math.round(share * 100)}% of the first lines are PostgreSQL csvlog rows` };
  },
  create(ctx: ParseContext): LineParser {
    const { sink, service, input } = ctx;
    const row = new CsvRowReader();
    const zones = new UnknownZones(sink);
    let startLine = 0;
    let lines = 0;
    let firstText = '';
    const skipRecord = (reason: string) => {
      for (let k = 0; k < lines; k++) sink.skip(startLine + k, reason, k === 0 ? firstText : '');
      row.reset();
      lines = 0;
    };
    const finish = () => {
      const f = row.fields;
      const sev = f.length > C.message ? pgSeverityWord(f[C.severity]!) : null;
      const t = sev === null ? null : parseTimestampAt(f[C.logTime]!, 0);
      if (sev === null || t === null) {
        skipRecord(`not a PostgreSQL csvlog row (${f.length} columns; expected a timestamp first and a severity in column 12)`);
        return;
      }
      const zone = unknownTrailingZone(f[C.logTime]!);
      if (zone !== null) zones.note(zone, startLine);
      const pg: PgFields = { severity: sev };
      const pid = Number(f[C.pid]);
      if (f[C.pid]!.length > 0 && Number.isFinite(pid)) pg.pid = pid;
      if (f[C.user]) pg.user = f[C.user];
      if (f[C.database]) pg.database = f[C.database];
      if (f[C.connectionFrom]) pg.client = clientOf(f[C.connectionFrom]!);
      if (f[C.sessionId]) pg.sessionId = f[C.sessionId];
      if (f[C.sqlstate]) pg.sqlstate = f[C.sqlstate];
      if (f[C.detail]) pg.detail = f[C.detail];
      if (f[C.hint]) pg.hint = f[C.hint];
      if (f[C.internalQuery]) pg.query = f[C.internalQuery];
      if (f[C.context]) pg.context = f[C.context];
      if (f[C.query]) pg.statement = f[C.query];
      if (f[C.application]) pg.application = f[C.application];
      const attrs: Record<string, unknown> = {};
      if (f[C.commandTag]) attrs.command_tag = f[C.commandTag];
      if (f[C.sessionLine]) attrs.session_line_num = Number(f[C.sessionLine]);
      if (f[C.vxid]) attrs.virtual_transaction_id = f[C.vxid];
      if (f[C.txid] && f[C.txid] !== '0') attrs.transaction_id = f[C.txid];
      if (f[C.backendType]) attrs.backend_type = f[C.backendType];
      if (f[C.leaderPid]) attrs.leader_pid = Number(f[C.leaderPid]);
      if (f[C.queryId] && f[C.queryId] !== '0') attrs.query_id = f[C.queryId];
      const ev: LogEvent = {
        ts: t.ms,
        service,
        source: 'postgres',
        level: levelOfPgSeverity(sev),
        levelText: sev,
        message: f[C.message]!,
        pg,
        attrs,
        input,
        line: startLine,
      };
      sink.event(ev, lines);
      row.reset();
      lines = 0;
    };
    return {
      line(text, lineNo) {
        if (lines === 0) {
          if (text.trim().length === 0) {
            sink.skip(lineNo, 'blank line', text);
            return;
          }
          startLine = lineNo;
          firstText = text;
        }
        lines++;
        const done = row.feed(text);
        if (done) finish();
        else if (row.chars > MAX_RECORD_CHARS) skipRecord(`a quoted CSV field runs over ${MAX_RECORD_CHARS / 1024 / 1024} MiB (an unbalanced quote?)`);
      },
      end() {
        if (lines > 0) skipRecord('input ends inside a quoted CSV field');
      },
    };
  },
};

/** Whether a line has an odd number of quote characters (opens or closes a multi-line field). */
function unbalanced(l: string): boolean {
  let q = 0;
  for (let i = l.indexOf('"'); i !== -1; i = l.indexOf('"', i + 1)) q++;
  return (q & 1) === 1;
}
