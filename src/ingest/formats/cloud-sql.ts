// Cloud SQL for PostgreSQL as Google Cloud Logging exports it: one LogEntry a line (a log sink to
// Cloud Storage, `gcloud logging read --format=json | jq -c '.[]'`), the PostgreSQL line in
// `textPayload` (`2024-05-02 10:00:00.123 UTC [1234]: [3-1] db=shop,user=app LOG:  ...`, or
// `[1234]: [3-1] ...` without the time, which is then the entry's `timestamp`), or a PostgreSQL
// jsonlog record in `jsonPayload`. LogEntry: https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry
// pgBadger reads the same export (its jsonlog format, `textPayload`).
import type { InputFormat, LineParser, ParseContext } from '../format.js';
import { isJsonObject, jsonLineOrSkip, shareOf, sniffedJsonObject } from '../format.js';
import { depthTally, warnDeepValues } from '../json-depth.js';
import { parsePgLine } from '../postgres-line.js';
import { PgEntryText } from '../pg-entry-text.js';
import { parseTimestamp } from '../timestamp.js';
import { JSONLOG, recordEvent } from './postgres-json.js';

function looksCloudSqlEntry(l: string): boolean {
  const o = sniffedJsonObject(l, '"textPayload"', '"jsonPayload"');
  if (o === null || !('logName' in o || 'insertId' in o || 'resource' in o)) return false;
  if (typeof o.textPayload === 'string') return parsePgLine(o.textPayload.split('\n', 1)[0]!) !== null || o.textPayload.charCodeAt(0) === 9;
  const j = o.jsonPayload;
  return isJsonObject(j) && (typeof j.error_severity === 'string' || (typeof j.message === 'string' && parsePgLine(j.message) !== null));
}

export const cloudSql: InputFormat = {
  id: 'cloud-sql',
  title: 'Cloud SQL for PostgreSQL in Google Cloud Logging (LogEntry JSON lines)',
  recognisedBy: 'JSON LogEntry objects ("logName", "insertId", "resource") whose "textPayload" is a PostgreSQL line or whose "jsonPayload" is a PostgreSQL jsonlog record',
  example:
    '{"insertId":"s3x1f2e4a","logName":"projects/acme/logs/cloudsql.googleapis.com%2Fpostgres.log","resource":{"type":"cloudsql_database","labels":{"database_id":"acme:shop-db"}},"severity":"INFO","textPayload":"2024-05-02 10:00:00.123 UTC [1234]: [3-1] db=shop,user=app LOG:  connection authorized: user=app database=shop","timestamp":"2024-05-02T10:00:00.123456Z"}',
  sniff(lines) {
    const share = shareOf(lines, looksCloudSqlEntry);
    return { score: share * 0.97, reason: `${Math.round(share * 100)}% of the first lines are Cloud Logging entries carrying PostgreSQL lines` };
  },
  create(ctx: ParseContext): LineParser {
    const { sink, service, input } = ctx;
    const depth = depthTally();
    const entries = new PgEntryText(sink);
    return {
      line(text, lineNo) {
        const o = jsonLineOrSkip(text, lineNo, sink, depth);
        if (o === null) return;
        const ts = typeof o.timestamp === 'string' ? parseTimestamp(o.timestamp) : null;
        if (typeof o.textPayload === 'string') {
          if (!entries.add(o.textPayload, ts, service, input, lineNo, 1)) sink.skip(lineNo, 'textPayload is not a PostgreSQL log line', text);
          return;
        }
        const j = o.jsonPayload;
        if (isJsonObject(j)) {
          if (typeof j.error_severity === 'string') {
            const ev = recordEvent(j, JSONLOG, service, input, lineNo, ts);
            if (ev !== null) {
              entries.flush();
              sink.event(ev, 1);
              return;
            }
          } else if (typeof j.message === 'string' && entries.add(j.message, ts, service, input, lineNo, 1)) return;
        }
        sink.skip(lineNo, 'LogEntry without a PostgreSQL textPayload or jsonPayload', text);
      },
      end() {
        entries.flush();
        warnDeepValues(sink, depth);
      },
    };
  },
};
