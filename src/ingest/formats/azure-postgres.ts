// Azure Database for PostgreSQL (flexible server) resource logs, category PostgreSQLLogs, as a
// diagnostic setting archives them to a storage account: one JSON object a line, `time`,
// `resourceId`, `category`, `operationName`, and the record under `properties` (`prefix`, the
// server's log_line_prefix output; `errorLevel`; `message`; `processId`; `sqlerrcode`;
// `timestamp`). Schema: https://learn.microsoft.com/azure/azure-monitor/reference/tables/azurediagnostics
// and https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-logging. The
// Log Analytics form (AzureDiagnostics rows: `Message`, `errorLevel_s`, `processId_d`,
// `sqlerrcode_s`, `TimeGenerated`) is read too. DETAIL/STATEMENT/... records join their
// process's record, as in a stderr file.
import type { InputFormat, LineParser, ParseContext } from '../format.js';
import { isJsonObject, jsonLineOrSkip, shareOf, sniffedJsonObject } from '../format.js';
import { depthTally, warnDeepValues } from '../json-depth.js';
import { isPgContinuation, parsePgLine, pgSeverityWord, type PgLine } from '../postgres-line.js';
import { PgEntryText } from '../pg-entry-text.js';
import { parseTimestamp } from '../timestamp.js';

type Obj = Record<string, unknown>;

/** The PostgreSQL record of an entry, in either form, or null. */
function recordOf(o: Obj): { level: string; message: string; prefix?: string; pid?: number; sqlstate?: string; time?: string } | null {
  const p = o.properties;
  if (isJsonObject(p)) {
    const r = p;
    if (typeof r.errorLevel !== 'string' || typeof r.message !== 'string') return null;
    return { level: r.errorLevel, message: r.message, prefix: str(r.prefix), pid: num(r.processId), sqlstate: str(r.sqlerrcode), time: str(r.timestamp) ?? str(o.time) };
  }
  if (typeof o.errorLevel_s !== 'string' || typeof o.Message !== 'string') return null;
  return { level: o.errorLevel_s, message: o.Message, prefix: str(o.prefix_s), pid: num(o.processId_d), sqlstate: str(o.sqlerrcode_s), time: str(o.timestamp_s) ?? str(o.TimeGenerated) };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isInteger(n) ? n : undefined;
}

function looksAzure(l: string): boolean {
  const o = sniffedJsonObject(l, 'PostgreSQLLogs', '"errorLevel_s"');
  return o !== null && recordOf(o) !== null;
}

export const azurePostgres: InputFormat = {
  id: 'azure-postgres',
  title: 'Azure Database for PostgreSQL resource logs (PostgreSQLLogs, storage account or Log Analytics JSON)',
  recognisedBy: 'JSON objects with "category": "PostgreSQLLogs" and "properties" {"errorLevel", "message", "processId", ...}, or AzureDiagnostics rows ("errorLevel_s", "Message")',
  example:
    '{"time":"2024-05-02T10:00:00.123Z","resourceId":"/SUBSCRIPTIONS/…/FLEXIBLESERVERS/SHOP-DB","category":"PostgreSQLLogs","operationName":"LogEvent","properties":{"prefix":"2024-05-02 10:00:00.123 UTC [1234]: ","errorLevel":"LOG","message":"connection authorized: user=app database=shop","processId":1234,"sqlerrcode":"00000","timestamp":"2024-05-02 10:00:00.123 UTC"}}',
  sniff(lines) {
    const share = shareOf(lines, looksAzure);
    return { score: share * 0.97, reason: `${Math.round(share * 100)}% of the first lines are Azure PostgreSQLLogs records` };
  },
  create(ctx: ParseContext): LineParser {
    const { sink, service, input } = ctx;
    const depth = depthTally();
    const entries = new PgEntryText(sink);
    return {
      line(text, lineNo) {
        const o = jsonLineOrSkip(text, lineNo, sink, depth);
        if (o === null) return;
        const r = recordOf(o);
        const sev = r === null ? null : pgSeverityWord(r.level);
        if (r === null || sev === null) {
          sink.skip(lineNo, 'not a PostgreSQL record (no "errorLevel" with a PostgreSQL severity and "message")', text);
          return;
        }
        const ts = r.time === undefined ? null : parseTimestamp(r.time);
        const nl = r.message.indexOf('\n');
        const first = nl === -1 ? r.message : r.message.slice(0, nl);
        // The prefix as the server wrote it, then the record: a stderr line, read as one (user, database, client from the prefix).
        let pl: PgLine | null = r.prefix === undefined ? null : parsePgLine(`${r.prefix}${sev}:  ${first}`);
        if (pl === null) pl = { ts, severity: sev, message: first, fields: { severity: sev }, continuation: isPgContinuation(sev) };
        if (pl.fields.pid === undefined && r.pid !== undefined) pl.fields.pid = r.pid;
        if (r.sqlstate !== undefined && r.sqlstate !== '00000' && !pl.continuation) pl.fields.sqlstate = r.sqlstate;
        entries.pg.add(pl, service, input, lineNo, undefined, undefined, ts, 1);
        if (nl !== -1) for (const piece of r.message.slice(nl + 1).split('\n')) entries.pg.continueLast(piece.charCodeAt(0) === 9 ? piece.slice(1) : piece, 0);
      },
      end() {
        entries.flush();
        warnDeepValues(sink, depth);
      },
    };
  },
};
