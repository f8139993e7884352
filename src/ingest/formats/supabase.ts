// Supabase's Postgres logs (the `postgres_logs` source of the Logs Explorer and the Management
// API's analytics endpoint), one row a line: `timestamp` (µs since the epoch), `event_message`
// (the record's message), and csvlog's columns under `metadata[].parsed[]` (`error_severity`,
// `process_id`, `user_name`, `database_name`, `sql_state_code`, `detail`, `hint`, `query`, ...),
// as Supabase documents them (https://supabase.com/docs/guides/telemetry/logs: `cross join
// unnest(metadata) as metadata cross join unnest(metadata.parsed) as parsed`). A row is a whole
// record: DETAIL, HINT and the statement are columns.
import type { InputFormat, LineParser, ParseContext } from '../format.js';
import { isJsonObject, jsonLineOrSkip, shareOf, sniffedJsonObject } from '../format.js';
import { depthTally, warnDeepValues } from '../json-depth.js';
import { epochToMs, parseTimestamp } from '../timestamp.js';
import { CSVLOG_KEYS, recordEvent } from './postgres-json.js';

type Obj = Record<string, unknown>;

/** The first object of `metadata[].parsed[]` (or `metadata.parsed`), where Supabase keeps csvlog's columns. */
function parsedOf(o: Obj): Obj | null {
  const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
  const m = first(o.metadata);
  if (typeof m !== 'object' || m === null) return null;
  const p = first((m as Obj).parsed);
  return isJsonObject(p) ? p : null;
}

function looksSupabase(l: string): boolean {
  const o = sniffedJsonObject(l, '"event_message"');
  return o !== null && typeof o.event_message === 'string' && typeof parsedOf(o)?.error_severity === 'string';
}

export const supabase: InputFormat = {
  id: 'supabase',
  title: "Supabase Postgres logs (postgres_logs rows: event_message, metadata[].parsed[] with csvlog's columns)",
  recognisedBy: 'JSON objects with "event_message" and "metadata" [{"parsed": [{"error_severity", "process_id", ...}]}]',
  example:
    '{"id":"8c1c…","timestamp":1714644000123456,"event_message":"connection authorized: user=authenticator database=postgres","metadata":[{"host":"db-abcd","parsed":[{"error_severity":"LOG","process_id":1234,"user_name":"authenticator","database_name":"postgres","session_id":"6633…"}]}]}',
  sniff(lines) {
    const share = shareOf(lines, looksSupabase);
    return { score: share * 0.97, reason: `${Math.round(share * 100)}% of the first lines are Supabase postgres_logs rows` };
  },
  create(ctx: ParseContext): LineParser {
    const { sink, service, input } = ctx;
    const depth = depthTally();
    return {
      line(text, lineNo) {
        const o = jsonLineOrSkip(text, lineNo, sink, depth);
        if (o === null) return;
        const p = parsedOf(o);
        const t = o.timestamp;
        const ts = typeof t === 'number' ? epochToMs(t) : typeof t === 'string' ? parseTimestamp(t) : null;
        const ev = p === null || typeof o.event_message !== 'string' ? null : recordEvent({ ...p, message: o.event_message }, CSVLOG_KEYS, service, input, lineNo, ts === ts ? ts : null);
        if (ev === null) {
          sink.skip(lineNo, 'not a postgres_logs row ("event_message" and metadata.parsed with a PostgreSQL "error_severity")', text);
          return;
        }
        sink.event(ev, 1);
      },
      end() {
        warnDeepValues(sink, depth);
      },
    };
  },
};
