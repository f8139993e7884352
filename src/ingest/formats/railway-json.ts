// `railway logs --json`: one JSON object a line, `message`, `timestamp` (RFC 3339, nanoseconds),
// `level`, and every other attribute flattened at the top level. Railway labels every stderr line
// `error`, so the level is taken from the message itself when it announces one, and a message that
// is a PostgreSQL log line becomes a PostgreSQL record with PostgreSQL's severity.
import type { InputFormat, LineParser, ParseContext } from '../format.js';
import { shareOf } from '../format.js';
import type { Level, LogEvent, SourceKind } from '../../model.js';
import { parseTimestamp, epochToMs } from '../timestamp.js';
import { levelCueOf, levelOfNumber, levelOfWord } from '../level.js';
import { parsePgLine, PgRecordAssembler } from '../postgres-line.js';
import { HeldRecord } from '../multiline.js';
import { emitHerokuSample } from '../heroku-samples.js';

function looksRailwayJson(l: string): boolean {
  if (l.charCodeAt(0) !== 123) return false;
  try {
    const o = JSON.parse(l);
    return typeof o === 'object' && o !== null && ('message' in o || 'msg' in o) && ('timestamp' in o || 'level' in o || 'severity' in o) && !('httpStatus' in o) && !('error_severity' in o) && !('record' in o && 'logger' in o);
  } catch {
    return false;
  }
}

/** Railway's platform lines, which are not the application's. */
export function isPlatformMessage(m: string): boolean {
  return m === 'Starting Container' || m === 'Stopping Container' || m.startsWith('Mounting volume on:') || m.startsWith('Railway rate limit of');
}

/** Reads the shared fields of a Railway-style JSON log object. */
export function railwayTimestamp(o: Record<string, unknown>): number | null {
  const t = o.timestamp ?? o.time ?? o.ts ?? o['@timestamp'];
  if (typeof t === 'string') return parseTimestamp(t);
  if (typeof t === 'number' && Number.isFinite(t)) return epochToMs(t);
  return null;
}

export const railwayJson: InputFormat = {
  id: 'railway-json',
  title: 'Railway logs (railway logs --json)',
  recognisedBy: 'JSON objects with "message" and "timestamp" or "level" (and no "httpStatus")',
  example: '{"message":"Materialization loop error: ","timestamp":"2026-02-07T19:12:02.412345678Z","level":"error","deploymentId":"4f1c…"}',
  sniff(lines) {
    const share = shareOf(lines, looksRailwayJson);
    return { score: share * 0.9, reason: `${Math.round(share * 100)}% of the first lines are JSON objects with message and timestamp/level` };
  },
  create(ctx: ParseContext): LineParser {
    const { sink, service, input } = ctx;
    const pg = new PgRecordAssembler(sink);
    const held = new HeldRecord(sink);
    return {
      line(text, lineNo) {
        if (text.length === 0 || text.trim().length === 0) {
          sink.skip(lineNo, 'blank line', text);
          return;
        }
        let o: unknown;
        try {
          o = JSON.parse(text);
        } catch {
          sink.skip(lineNo, 'not valid JSON', text);
          return;
        }
        if (typeof o !== 'object' || o === null || Array.isArray(o)) {
          sink.skip(lineNo, 'not a JSON object', text);
          return;
        }
        const obj = o as Record<string, unknown>;
        let message = obj.message ?? obj.msg;
        if (message === undefined) {
          sink.skip(lineNo, 'JSON object without a "message" field', text);
          return;
        }
        if (typeof message !== 'string') message = message === null ? '' : typeof message === 'object' ? JSON.stringify(message) : String(message);
        const msg = message as string;
        const ts = railwayTimestamp(obj);
        const rawLevel = obj.level ?? obj.severity;
        const stream = typeof rawLevel === 'string' ? rawLevel : undefined;
        const svc = typeof obj.service === 'string' && obj.service.length > 0 ? obj.service : typeof obj.serviceName === 'string' ? obj.serviceName : service;
        // A PostgreSQL line inside a Railway line: PostgreSQL's severity and time win.
        const c0 = msg.charCodeAt(0);
        if ((c0 >= 48 && c0 <= 57) || c0 === 91) {
          const pl = parsePgLine(msg);
          if (pl !== null) {
            held.flush();
            pg.push(pl, { service: svc, input, line: lineNo, stream, attrs: obj, fallbackTs: ts });
            return;
          }
        }
        pg.flush();
        // Each line of a traceback arrives as its own JSON object: join it to its record.
        if (held.tryJoin(msg, ts, svc)) return;
        let level: Level;
        let levelText: string;
        let source: SourceKind = 'app';
        if (isPlatformMessage(msg)) {
          source = 'platform';
          level = msg.startsWith('Railway rate limit') ? 'warn' : 'info';
          levelText = stream ?? 'info';
        } else {
          const cue = levelCueOf(msg);
          const declared = typeof rawLevel === 'string' ? levelOfWord(rawLevel) : typeof rawLevel === 'number' ? levelOfNumber(rawLevel) : null;
          // Railway's "error" is often only "written to stderr": a level the message announces wins.
          if (cue !== null && (declared === null || declared === 'error')) level = cue;
          else level = declared ?? cue ?? 'info';
          levelText = typeof rawLevel === 'string' ? rawLevel : level;
        }
        const ev: LogEvent = { ts, service: svc, source, level, levelText, message: msg, attrs: obj, input, line: lineNo };
        if (stream !== undefined) ev.stream = stream;
        held.hold(ev);
        emitHerokuSample(sink, msg, ts);
      },
      end() {
        held.flush();
        pg.flush();
      },
    };
  },
};
