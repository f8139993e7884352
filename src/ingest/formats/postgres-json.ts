// PostgreSQL jsonlog (log_destination = jsonlog, PostgreSQL 15+) and CloudNativePG's logs, where
// each PostgreSQL record is nested under `record` with csvlog's column names, beside the
// instance manager's own JSON lines. A JSON record is whole: DETAIL, HINT, CONTEXT and the
// statement are keys, nothing to join. Plain stderr lines that precede the logging collector
// (in a jsonlog file, or as CloudNativePG's `msg`) are read as stderr lines and joined as such.
import type { InputFormat, LineParser, ParseContext } from '../format.js';
import type { Level, LogEvent, PgFields } from '../../model.js';
import { levelOfPgSeverity, parsePgLine, pgSeverityWord, PgRecordAssembler, unknownTrailingZone } from '../postgres-line.js';
import { UnknownZones } from './postgres-stderr.js';
import { EPOCH_OUT_OF_RANGE, epochToMs, parseTimestamp } from '../timestamp.js';
import { parseJsonBounded, depthTally, warnDeepValues, type DepthTally } from '../json-depth.js';
import { levelOfWord } from '../level.js';

type Obj = Record<string, unknown>;

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** Key names of one JSON flavour of a PostgreSQL record. */
export interface Keys {
  time: string; user: string; database: string; pid: string; client: string; port?: string; session: string;
  severity: string; sqlstate: string; detail: string; hint: string; internalQuery: string; context: string;
  statement: string; application: string;
  attrs: readonly string[];
}

/** jsonlog's keys (src/backend/utils/error/jsonlog.c). */
export const JSONLOG: Keys = {
  time: 'timestamp', user: 'user', database: 'dbname', pid: 'pid', client: 'remote_host', port: 'remote_port', session: 'session_id',
  severity: 'error_severity', sqlstate: 'state_code', detail: 'detail', hint: 'hint', internalQuery: 'internal_query',
  context: 'context', statement: 'statement', application: 'application_name',
  attrs: ['line_num', 'ps', 'vxid', 'txid', 'backend_type', 'leader_pid', 'query_id', 'func_name', 'file_name', 'file_line_num'],
};

/** CloudNativePG's `record` (and Supabase's `parsed`): csvlog's column names. */
export const CSVLOG_KEYS: Keys = {
  time: 'log_time', user: 'user_name', database: 'database_name', pid: 'process_id', client: 'connection_from', session: 'session_id',
  severity: 'error_severity', sqlstate: 'sql_state_code', detail: 'detail', hint: 'hint', internalQuery: 'internal_query',
  context: 'context', statement: 'query', application: 'application_name',
  attrs: ['session_line_num', 'command_tag', 'virtual_transaction_id', 'transaction_id', 'backend_type', 'leader_pid', 'query_id'],
};

/** The event of a JSON PostgreSQL record, or null when it has no known severity or no message. */
export function recordEvent(r: Obj, k: Keys, service: string, input: number, line: number, fallbackTs: number | null, extra?: Obj): LogEvent | null {
  const sevRaw = r[k.severity];
  const sev = typeof sevRaw === 'string' ? pgSeverityWord(sevRaw) : null;
  if (sev === null) return null;
  const msg = r.message;
  const pg: PgFields = { severity: sev };
  const pid = Number(r[k.pid]);
  if (r[k.pid] !== undefined && Number.isFinite(pid)) pg.pid = pid;
  const s = (key: string) => str(r[key]);
  let v: string | undefined;
  if ((v = s(k.user)) !== undefined) pg.user = v;
  if ((v = s(k.database)) !== undefined) pg.database = v;
  if ((v = s(k.client)) !== undefined) pg.client = k.port === undefined && v.indexOf(':') === v.lastIndexOf(':') && v.indexOf(':') > 0 ? v.slice(0, v.indexOf(':')) : v;
  if ((v = s(k.session)) !== undefined) pg.sessionId = v;
  if ((v = s(k.sqlstate)) !== undefined) pg.sqlstate = v;
  if ((v = s(k.detail)) !== undefined) pg.detail = v;
  if ((v = s(k.hint)) !== undefined) pg.hint = v;
  if ((v = s(k.internalQuery)) !== undefined) pg.query = v;
  if ((v = s(k.context)) !== undefined) pg.context = v;
  if ((v = s(k.statement)) !== undefined) pg.statement = v;
  if ((v = s(k.application)) !== undefined) pg.application = v;
  const tRaw = r[k.time];
  const ts = typeof tRaw === 'string' ? parseTimestamp(tRaw) : fallbackTs;
  const attrs: Obj = extra ?? {};
  for (const a of k.attrs) if (r[a] !== undefined && r[a] !== '' && r[a] !== null) attrs[a] = r[a];
  return {
    ts: ts ?? fallbackTs,
    service,
    source: 'postgres',
    level: levelOfPgSeverity(sev),
    levelText: sev,
    message: typeof msg === 'string' ? msg : msg === undefined || msg === null ? '' : String(msg),
    pg,
    attrs,
    input,
    line,
  };
}

/** The JSON object on a line, or null; `depth`: bound its nesting (see json-depth.ts), null when sniffing (nothing is kept). */
function parseObject(text: string, depth: DepthTally | null = null, lineNo = 0): Obj | null {
  if (text.charCodeAt(0) !== 123) return null;
  try {
    const o = depth === null ? JSON.parse(text) : parseJsonBounded(text, depth, lineNo);
    return typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Obj) : null;
  } catch {
    return null;
  }
}

function isJsonlogRecord(o: Obj): boolean {
  return typeof o.error_severity === 'string' && 'timestamp' in o && ('pid' in o || 'message' in o) && !('record' in o);
}

function isCnpgLine(o: Obj): boolean {
  return 'logging_pod' in o || (typeof o.record === 'object' && o.record !== null && 'logger' in o);
}

export const postgresJson: InputFormat = {
  id: 'postgres-json',
  title: 'PostgreSQL jsonlog (PostgreSQL 15+)',
  recognisedBy: 'JSON objects with "timestamp", "error_severity" and "pid"/"message" at the top level',
  example: '{"timestamp":"2024-06-27 00:00:07.369 CEST","pid":58151,"session_id":"667c8f67.e327","error_severity":"LOG","message":"automatic analyze of table \\"app.public.orders\\"","backend_type":"autovacuum worker"}',
  sniff(lines) {
    let n = 0;
    let hit = 0;
    for (const l of lines) {
      if (l.trim().length === 0) continue;
      n++;
      const o = parseObject(l);
      if (o !== null && isJsonlogRecord(o)) hit++;
      else if (o === null && parsePgLine(l) !== null) hit += 0.5; // stderr lines before the collector took over
    }
    const share = n === 0 ? 0 : hit / n;
    return { score: share * 0.97, reason: `${Math.round(share * 100)}% of the first lines are jsonlog records (error_severity, timestamp, pid)` };
  },
  create(ctx: ParseContext): LineParser {
    const { sink, service, input } = ctx;
    const pg = new PgRecordAssembler(sink);
    const zones = new UnknownZones(sink);
    const depth = depthTally();
    return {
      line(text, lineNo) {
        if (text.trim().length === 0) {
          sink.skip(lineNo, 'blank line', text);
          return;
        }
        const o = parseObject(text, depth, lineNo);
        if (o === null) {
          const pl = parsePgLine(text);
          if (pl !== null) pg.push(pl, { service, input, line: lineNo, fallbackTs: null });
          else if (text.charCodeAt(0) === 9 && pg.continueLast(text.slice(1))) return;
          else sink.skip(lineNo, text.charCodeAt(0) === 123 ? 'not valid JSON' : 'neither a jsonlog record nor a PostgreSQL stderr line', text);
          return;
        }
        // A JSON record is whole: stderr lines held for joining go out first, in order.
        pg.flush();
        const ev = recordEvent(o, JSONLOG, service, input, lineNo, null);
        if (ev === null) {
          sink.skip(lineNo, 'JSON object without a PostgreSQL "error_severity"', text);
          return;
        }
        if (typeof o.timestamp === 'string') {
          const z = unknownTrailingZone(o.timestamp);
          if (z !== null) zones.note(z, lineNo);
        }
        sink.event(ev, 1);
      },
      end() {
        pg.flush();
        warnDeepValues(sink, depth);
      },
    };
  },
};

export const cnpg: InputFormat = {
  id: 'cnpg',
  title: 'CloudNativePG logs (PostgreSQL records under "record")',
  recognisedBy: 'JSON objects with "logging_pod" (CloudNativePG instance logs); PostgreSQL records are under "record" with csvlog column names',
  example: '{"level":"info","ts":1669575482.09,"logger":"postgres","msg":"record","logging_pod":"app-pg-1","record":{"log_time":"2022-11-27 18:58:02.096 UTC","process_id":"600","error_severity":"LOG","sql_state_code":"00000","message":"connection authorized: user=app database=app"}}',
  sniff(lines) {
    let n = 0;
    let hit = 0;
    let records = 0;
    for (const l of lines) {
      if (l.trim().length === 0) continue;
      n++;
      const o = parseObject(l);
      if (o !== null && isCnpgLine(o)) {
        hit++;
        if (typeof o.record === 'object' && o.record !== null) records++;
      }
    }
    const share = n === 0 ? 0 : hit / n;
    if (hit === 0) return { score: 0, reason: 'no CloudNativePG lines' };
    return {
      score: share * 0.97,
      reason: `${Math.round(share * 100)}% of the first lines are CloudNativePG JSON lines (logging_pod), ${records} with a PostgreSQL record`,
    };
  },
  create(ctx: ParseContext): LineParser {
    const { sink, service, input } = ctx;
    const pg = new PgRecordAssembler(sink);
    const zones = new UnknownZones(sink);
    const depth = depthTally();
    return {
      line(text, lineNo) {
        if (text.trim().length === 0) {
          sink.skip(lineNo, 'blank line', text);
          return;
        }
        const o = parseObject(text, depth, lineNo);
        if (o === null) {
          sink.skip(lineNo, text.charCodeAt(0) === 123 ? 'not valid JSON' : 'not a JSON object', text);
          return;
        }
        const tsRaw = o.ts;
        const ts = typeof tsRaw === 'number' ? epochToMs(tsRaw) : typeof tsRaw === 'string' ? parseTimestamp(tsRaw) : null;
        if (ts !== null && ts !== ts) {
          sink.skip(lineNo, EPOCH_OUT_OF_RANGE, text);
          return;
        }
        const r = o.record;
        if (typeof r === 'object' && r !== null && !Array.isArray(r)) {
          pg.flush();
          const extra: Obj = {};
          if (typeof o.logging_pod === 'string') extra.logging_pod = o.logging_pod;
          const ev = recordEvent(r as Obj, CSVLOG_KEYS, service, input, lineNo, ts, extra);
          if (ev === null) {
            sink.skip(lineNo, 'CloudNativePG record without a PostgreSQL "error_severity"', text);
            return;
          }
          const lt = (r as Obj).log_time;
          if (typeof lt === 'string') {
            const z = unknownTrailingZone(lt);
            if (z !== null) zones.note(z, lineNo);
          }
          sink.event(ev, 1);
          return;
        }
        const msg = typeof o.msg === 'string' ? o.msg : typeof o.message === 'string' ? o.message : undefined;
        if (msg === undefined) {
          sink.skip(lineNo, 'JSON object without "record" or "msg"', text);
          return;
        }
        // The postmaster's stderr before the logging collector starts arrives as `msg`.
        if (o.logger === 'postgres') {
          const pl = parsePgLine(msg);
          if (pl !== null) {
            pg.push(pl, { service, input, line: lineNo, attrs: o, fallbackTs: ts });
            return;
          }
        }
        // The instance manager's own lines: the platform around PostgreSQL.
        pg.flush();
        const lvl = typeof o.level === 'string' ? levelOfWord(o.level) : null;
        const level: Level = lvl ?? 'info';
        const err = typeof o.err === 'string' && o.err.length > 0 ? `: ${o.err}` : '';
        sink.event(
          { ts, service, source: 'platform', level, levelText: typeof o.level === 'string' ? o.level : level, message: msg + err, attrs: o, input, line: lineNo },
          1,
        );
      },
      end() {
        pg.flush();
        warnDeepValues(sink, depth);
      },
    };
  },
};
