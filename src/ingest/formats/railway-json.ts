// `railway logs --json`: one JSON object a line, `message`, `timestamp` (RFC 3339, nanoseconds),
// `level`, and every other attribute flattened at the top level. Railway labels every stderr line
// `error`, so the level is taken from the message itself when it announces one, and a message that
// is a PostgreSQL log line becomes a PostgreSQL record with PostgreSQL's severity.
import type { EventSink, InputFormat, LineParser, ParseContext } from '../format.js';
import { jsonObjectOrSkip, shareOf, sniffedJsonObject } from '../format.js';
import type { Level, LogEvent, SourceKind } from '../../model.js';
import { EPOCH_OUT_OF_RANGE, parseTimestamp, parseTimestampAt, parseUtcAt, epochToMs } from '../timestamp.js';
import { LEVEL_KEYS, levelCueOf, levelOfMember, levelOfWord, stderrLevelOf } from '../level.js';
import { parsePgLine, PgRecordAssembler } from '../postgres-line.js';
import { HeldRecord } from '../multiline.js';
import { depthTally, warnDeepValues } from '../json-depth.js';
import { emitHerokuSample } from '../heroku-samples.js';
import { withoutTerminalCodes } from '../terminal-codes.js';
import { int } from '../../words.js';
import { K_AT_TIMESTAMP, K_LEVEL, K_MESSAGE, K_MSG, K_SERVICE, K_SERVICE_NAME, K_SEVERITY, K_TIME, K_TIMESTAMP, K_TS, LITERAL, NUMBER, STRING, lazyAttrs, memberKey, memberString, memberValue, members, scanObject } from '../json-scan.js';

/** What the fast path takes from a scanned line besides its message (reused: one line at a time). */
interface Fields {
  /** The message's first two characters (NaN past its end), read from the bytes when they are at hand. */
  c0: number;
  c1: number;
  /** Epoch ms, NaN when the line has no time. */
  ts: number;
  level: unknown;
  service: string | null;
}
const fields: Fields = { c0: NaN, c1: NaN, ts: NaN, level: undefined, service: null };

/** A message that is not a string, as text: null is empty, objects are their JSON. */
function messageText(m: unknown): string {
  if (typeof m === 'string') return m;
  return m === null ? '' : typeof m === 'object' ? JSON.stringify(m) : String(m);
}

/**
 * The message of a scanned line (see json-scan.ts), its other fields in `fields`, with the same
 * precedence as the JSON.parse path: message over msg, timestamp over time/ts/@timestamp, level
 * over severity, service over serviceName. Null when the line lacks a message (JSON.parse's path
 * then says why).
 */
function fromScan(text: string): string | null {
  const known = members.known;
  const m = firstPresent(text, known[K_MESSAGE]!, known[K_MSG]!);
  if (m === -1) return null;
  let message: string;
  if (members.kind[m] === STRING && members.escaped[m] === 0) {
    const a = members.start[m]! + 1;
    const z = members.end[m]! - 1;
    message = text.slice(a, z);
    // From the bytes: a charCodeAt of a slice costs more. (Past the end is the closing quote,
    // where the string has NaN: neither is a character anybody compares with.)
    const b = members.bytes;
    fields.c0 = b[members.off + a]!;
    fields.c1 = b[members.off + a + 1]!;
  } else {
    let s: string | null;
    if (members.kind[m] === STRING) {
      s = memberString(text, m);
      if (s === null) return null;
    } else s = messageText(memberValue(text, m));
    message = s;
    fields.c0 = s.charCodeAt(0);
    fields.c1 = s.charCodeAt(1);
  }
  // Timestamp: the first present of timestamp, time, ts, @timestamp (as `??` on the object).
  let t = known[K_TIMESTAMP]!;
  if (t === -1 || members.kind[t] !== STRING) t = firstPresent(text, t, firstPresent(text, known[K_TIME]!, firstPresent(text, known[K_TS]!, known[K_AT_TIMESTAMP]!)));
  fields.ts = t === -1 ? NaN : timeOf(text, t);
  if (fields.ts !== fields.ts && members.kind[t] === NUMBER) return null;
  const l = known[K_LEVEL]!;
  if (l !== -1 && members.kind[l] === STRING) fields.level = levelString(text, l);
  else {
    const lv = firstPresent(text, l, known[K_SEVERITY]!);
    fields.level = lv === -1 ? undefined : members.kind[lv] === STRING ? levelString(text, lv) : memberValue(text, lv);
  }
  const sv = known[K_SERVICE]!;
  const sn = known[K_SERVICE_NAME]!;
  fields.service = sv === -1 && sn === -1 ? null : nonEmptyString(text, sv) ?? nonEmptyString(text, sn);
  return message;
}

/** Epoch ms of timestamp member `t` (NaN when it is none): strings in place (no string for the timestamp), numbers by size. */
function timeOf(text: string, t: number): number {
  const tk = members.kind[t];
  if (tk === STRING) {
    const a = members.start[t]! + 1;
    if (members.escaped[t] === 0) {
      const fast = parseUtcAt(members.bytes, members.off + a, 34);
      if (fast === fast) return fast;
      const r = parseTimestampAt(text, a);
      return r === null || r.end > members.end[t]! - 1 ? NaN : r.ms;
    }
    const ts = memberString(text, t);
    return (ts === null ? null : parseTimestamp(ts)) ?? NaN;
  }
  // A number out of range is NaN too: fromScan then declines the line, and the JSON.parse path skips it.
  if (tk === NUMBER) return epochToMs(Number(text.slice(members.start[t]!, members.end[t]!)));
  return NaN;
}

/** A string level, as a shared constant when it is one of Railway's four (no string per line). */
function levelString(text: string, k: number): string | null {
  const b = members.bytes;
  const a = members.off + members.start[k]! + 1;
  const c0 = b[a];
  // Bytes, not startsWith: a call of startsWith costs more than these few comparisons.
  switch (members.end[k]! - 2 - members.start[k]!) {
    case 4:
      if (c0 === 105 && b[a + 1] === 110 && b[a + 2] === 102 && b[a + 3] === 111) return 'info';
      if (c0 === 119 && b[a + 1] === 97 && b[a + 2] === 114 && b[a + 3] === 110) return 'warn';
      break;
    case 5:
      if (c0 === 101 && b[a + 1] === 114 && b[a + 2] === 114 && b[a + 3] === 111 && b[a + 4] === 114) return 'error';
      if (c0 === 100 && b[a + 1] === 101 && b[a + 2] === 98 && b[a + 3] === 117 && b[a + 4] === 103) return 'debug';
      break;
  }
  return memberString(text, k);
}

/** levelOfWord of a level string, without a lookup for the four Railway writes (shared constants, see levelString). */
function declaredLevel(word: string): Level | null {
  if (word === 'error') return 'error';
  if (word === 'info') return 'info';
  if (word === 'warn') return 'warn';
  if (word === 'debug') return 'debug';
  return levelOfWord(word);
}

/** Members other than Railway's `level` that hold the level an app's structured record announces (log-conventions.ts). */
const ATTRIBUTE_LEVEL_KEYS = LEVEL_KEYS.filter((k) => k !== 'level');
const ATTRIBUTE_KEY_LENGTHS = new Set(ATTRIBUTE_LEVEL_KEYS.map((k) => k.length));

/** The level in one of ATTRIBUTE_LEVEL_KEYS of the scanned line, if any: keys of another length are passed over unread. */
function scannedAttributeLevel(text: string): Level | null {
  for (let k = 0; k < members.n; k++) {
    if (!ATTRIBUTE_KEY_LENGTHS.has(members.keyEnd[k]! - members.keyStart[k]!)) continue;
    if (ATTRIBUTE_LEVEL_KEYS.includes(memberKey(text, k))) {
      const l = levelOfMember(memberValue(text, k));
      if (l !== null) return l;
    }
  }
  return null;
}

function attributeLevel(o: Record<string, unknown>): Level | null {
  for (const k of ATTRIBUTE_LEVEL_KEYS) {
    const l = k in o ? levelOfMember(o[k]) : null;
    if (l !== null) return l;
  }
  return null;
}

/** Member `k` unless it is absent or null (then `otherwise`), as `??` chooses on an object. */
function firstPresent(text: string, k: number, otherwise: number): number {
  if (k === -1 || (members.kind[k] === LITERAL && text.charCodeAt(members.start[k]!) === 110)) return otherwise;
  return k;
}

function nonEmptyString(text: string, k: number): string | null {
  if (k === -1 || members.kind[k] !== STRING) return null;
  const v = memberString(text, k);
  return v !== null && v.length > 0 ? v : null;
}

function looksRailwayJson(l: string): boolean {
  const o = sniffedJsonObject(l);
  return o !== null && ('message' in o || 'msg' in o) && ('timestamp' in o || 'level' in o || 'severity' in o) && !('httpStatus' in o) && !('error_severity' in o) && !('record' in o && 'logger' in o);
}

/** Whether a message is empty or only spaces and tabs. */
export function isBlank(m: string): boolean {
  for (let i = 0; i < m.length; i++) {
    const c = m.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/** Railway's platform lines, which are not the application's. */
export function isPlatformMessage(m: string, c = m.charCodeAt(0)): boolean {
  // The first letter (`c`) rules out nearly every message before any comparison.
  if (c === 83) return m === 'Starting Container' || m === 'Stopping Container';
  if (c === 77) return m.startsWith('Mounting volume on:');
  return c === 82 && m.startsWith('Railway rate limit of');
}

/**
 * Lines `railway logs` prints when piped (or given --since/--until): one request of 500 lines, or
 * of `--lines N`, which the API caps at 5,000 (railwayapp/cli, src/commands/logs.rs). An input of
 * exactly that many lines most likely came from such a fetch, and the window is cut short.
 */
export const RAILWAY_CAPS: readonly number[] = [500, 5000];

/** Warns when an input of Railway logs holds exactly the lines a capped `railway logs` fetch prints. */
export function warnIfRailwayCap(sink: EventSink, lines: number, json: boolean): void {
  if (!RAILWAY_CAPS.includes(lines)) return;
  sink.warn?.(
    `exactly ${int(lines)} lines, the cap of a piped railway logs${json ? ' --json' : ''}${lines === 500 ? '' : ' --lines 5000'} (with --since too): ` +
      `if these were fetched that way, the rest of the window is missing; fetch all of it with hindsight pull railway --project ID --environment NAME --since 6h -o DIR (docs/railway.md)`,
  );
}

/**
 * The time of a Railway-style JSON log object: null when it has none that reads as a time, NaN
 * when it is a number out of range (the caller skips the record, see EPOCH_OUT_OF_RANGE).
 */
export function railwayTimestamp(o: Record<string, unknown>): number | null {
  const t = o.timestamp ?? o.time ?? o.ts ?? o['@timestamp'];
  if (typeof t === 'string') return parseTimestamp(t);
  if (typeof t === 'number') return epochToMs(t);
  return null;
}

/** The members every Railway entry has, or a logger's own names for them: no field of the program's. */
const ENTRY_MEMBERS = new Set(['message', 'msg', 'level', 'severity', 'timestamp', 'time', 'ts', '@timestamp', 'service', 'serviceName', 'deploymentId', 'deploymentInstanceId', 'replica', 'tags', 'attributes']);

/** Whether an entry holds a member beyond those (read only for entries with a blank message). */
function hasFieldsOfItsOwn(attrs: Record<string, unknown>): boolean {
  for (const k of Object.keys(attrs)) if (!ENTRY_MEMBERS.has(k)) return true;
  return false;
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
    const depth = depthTally();
    // The line is characters `from` to `to` of `text` (read-input hands lines over in place in a
    // string of many lines); `bytes[off + i]` is character i of `text` when bytes are given.
    let lastLine = 0;
    const parse = (text: string, from: number, to: number, lineNo: number, bytes: Uint8Array | undefined, off: number): void => {
      lastLine = lineNo;
      if (text.charCodeAt(from) !== 123) {
        let i = from;
        while (i < to && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
        if (i === to) {
          sink.skip(lineNo, 'blank line', text.slice(from, to));
          return;
        }
      }
      let msg: string;
      let ts: number | null;
      let rawLevel: unknown;
      let svc = service;
      let attrs: Record<string, unknown>;
      let c0: number;
      let c1: number;
      // Fast path: find the few members needed without building the object; the attributes
      // are parsed only if something reads them. Anything unusual goes through JSON.parse.
      const scanned = scanObject(text, bytes, off, from, to) ? fromScan(text) : null;
      if (scanned !== null) {
        const f = fields;
        msg = scanned;
        ts = f.ts === f.ts ? f.ts : null;
        rawLevel = f.level;
        if (f.service !== null) svc = f.service;
        attrs = lazyAttrs(text, from, to);
        c0 = f.c0;
        c1 = f.c1;
      } else {
        const line = from === 0 && to === text.length ? text : text.slice(from, to);
        const obj = jsonObjectOrSkip(line, lineNo, sink, depth);
        if (obj === null) return;
        const message = obj.message ?? obj.msg;
        if (message === undefined) {
          sink.skip(lineNo, 'JSON object without a "message" field', line);
          return;
        }
        ts = railwayTimestamp(obj);
        if (ts !== null && ts !== ts) {
          sink.skip(lineNo, EPOCH_OUT_OF_RANGE, line);
          return;
        }
        msg = messageText(message);
        rawLevel = obj.level ?? obj.severity;
        if (typeof obj.service === 'string' && obj.service.length > 0) svc = obj.service;
        else if (typeof obj.serviceName === 'string' && obj.serviceName.length > 0) svc = obj.serviceName;
        attrs = obj;
        c0 = msg.charCodeAt(0);
        c1 = msg.charCodeAt(1);
      }
      if (msg.indexOf('\u001b') !== -1) {
        msg = withoutTerminalCodes(msg);
        c0 = msg.charCodeAt(0);
        c1 = msg.charCodeAt(1);
      }
      const stream = typeof rawLevel === 'string' ? rawLevel : undefined;
      // A PostgreSQL line inside a Railway line: PostgreSQL's severity and time win.
      // Only a message opening with a time or a bracketed pid can be one (most messages are not tried).
      if ((c0 >= 48 && c0 <= 57 && c1 >= 48 && c1 <= 57) || (c0 === 91 && c1 >= 48 && c1 <= 57)) {
        const pl = parsePgLine(msg);
        if (pl !== null) {
          held.flush();
          pg.add(pl, svc, input, lineNo, stream, attrs, ts);
          return;
        }
      }
      // Railway captures output line by line: every further line of a PostgreSQL text (a
      // multi-line statement, a deadlock's DETAIL) arrives as its own entry, tab-indented as
      // PostgreSQL writes it, and joins the text the line before it added to, as in a file
      // (where a tab expanded to spaces by an editor still continues it).
      if ((c0 === 9 || c0 === 32) && pg.continueLast(c0 === 9 ? msg.slice(1) : msg)) return;
      pg.interrupt();
      // An empty write, or an empty line of a multi-line one (the record around it stays held), is
      // skipped; a structured record with an empty message is not: its fields say what happened
      // (winston's `logger.error(err)` writes `"message":""` beside the error's name and code).
      if ((msg.length === 0 || c0 === 32 || c0 === 9) && isBlank(msg) && !hasFieldsOfItsOwn(attrs)) {
        sink.skip(lineNo, 'blank message', msg);
        return;
      }
      // Each line of a traceback arrives as its own JSON object: join it to its record.
      if (held.tryJoin(msg, ts, svc, stream)) return;
      let level: Level;
      let levelText: string;
      let source: SourceKind = 'app';
      if (isPlatformMessage(msg, c0)) {
        source = 'platform';
        level = msg.startsWith('Railway rate limit') ? 'warn' : 'info';
        levelText = stream ?? 'info';
      } else {
        // A number is on its logger's scale (pino's 10-60, Monolog's 100-600: levelOfMember), or no level.
        const declared = stream !== undefined ? declaredLevel(stream) : typeof rawLevel === 'number' ? levelOfMember(rawLevel) : null;
        // Railway's "error" and "info" are often only "written to stderr" and "to stdout": a level
        // the record announces wins, in a member of its own (`severity`, `levelname`, ...) or in its text.
        // (`members` still hold this line's scan: nothing since has scanned another.)
        // A line with none, of a program that writes its ordinary lines to stderr (Go's log), is not an error for the label alone.
        if (declared === null || declared === 'error' || declared === 'info') level = (scanned !== null ? scannedAttributeLevel(text) : attributeLevel(attrs)) ?? levelCueOf(msg) ?? (declared === 'error' ? stderrLevelOf(msg) : null) ?? declared ?? 'info';
        else level = declared;
        levelText = stream !== undefined ? stream : level;
      }
      // One object shape for every event (`stream` present even when undefined) keeps the
      // timeline's property reads monomorphic.
      const ev: LogEvent = { ts, service: svc, source, level, levelText, stream, message: msg, attrs, input, line: lineNo };
      held.hold(ev);
      emitHerokuSample(sink, msg, ts);
    };
    return {
      line: (text, lineNo) => parse(text, 0, text.length, lineNo, undefined, 0),
      lineAt: parse,
      end() {
        held.flush();
        pg.flush();
        warnIfRailwayCap(sink, lastLine, true);
        warnDeepValues(sink, depth);
      },
    };
  },
};
