// PostgreSQL through syslog (log_destination = syslog) and Heroku's logplex, which carries
// Heroku Postgres records the same way. Both number each record's lines `[<line>-<part>]`
// (syslog_sequence_numbers): part 1 starts a record; parts 2, 3, ... are either a new line with
// its own prefix and severity (DETAIL, STATEMENT, ... joined to the record of the process) or
// text that continues the record (a long or multi-line message, split by syslog), joined to it.
//
// Syslog:  `Mar 14 00:22:56 db1 postgres[4882]: [15-1] user=app,db=app LOG:  message`
//          (also with a year before or after the time, an RFC 3339 time, or a `<PRI>`)
// Logplex: `2019-03-14T00:22:56+00:00 app[postgres.4882]: [GREEN] [15-1]  sql_error_code = 00000 LOG:  message`
//          (also `<time> <host> app[postgres.4882] [GREEN] [15-1] ...` as drains deliver it)
import type { InputFormat, LineParser, ParseContext } from '../format.js';
import type { Level, LogEvent, SourceKind } from '../../model.js';
import { parsePgTail, PgRecordAssembler, type PgLine } from '../postgres-line.js';
import { compilePgPrefix } from '../pg-prefix.js';
import { daysFromCivil, parseTimestampAt } from '../timestamp.js';
import { levelCueOf } from '../level.js';
import { emitHerokuSample } from '../heroku-samples.js';

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};

// One anchored regex per line: an optional <PRI>, the time (RFC 3339, or BSD `Mmm dd HH:MM:SS`
// with an optional year before or after), the host, `ident[pid]:`.
const SYSLOG =
  /^(?:<\d{1,3}>1? ?)?(?:(\d{4}-\d\d-\d\dT\S+)|(?:(\d{4}) )?([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.\d+)?(?: (\d{4})(?= ))?) (\S+) ([^\s[\]:]+)(?:\[(\d+)\])?: ?/;

const LOGPLEX = /^(?:<\d{1,3}>1 )?(\d{4}-\d\d-\d\dT\S+) (?:(\S+) )?(app|heroku)\[([^\]\s]+)\]:? ?/;

/** `[12-3] ` at `at`: sets seqLine/seqPart and returns the index after it (and one space), or -1. */
let seqLine = 0;
let seqPart = 0;
function seqAt(s: string, at: number): number {
  if (s.charCodeAt(at) !== 91) return -1;
  let i = at + 1;
  let a = 0;
  const a0 = i;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) a = a * 10 + (s.charCodeAt(i++) - 48);
  if (i === a0 || s.charCodeAt(i) !== 45) return -1;
  i++;
  let b = 0;
  const b0 = i;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) b = b * 10 + (s.charCodeAt(i++) - 48);
  if (i === b0 || s.charCodeAt(i) !== 93) return -1;
  i++;
  if (s.charCodeAt(i) === 32) i++;
  seqLine = a;
  seqPart = b;
  return i;
}

/** Reads the PostgreSQL part of a syslog/logplex line, after its header, into the assembler. */
class SeqJoiner {
  readonly pg: PgRecordAssembler;
  constructor(
    private readonly ctx: ParseContext,
    private readonly tail: (line: string, from: number, ts: number | null) => PgLine | null,
  ) {
    this.pg = new PgRecordAssembler(ctx.sink);
  }

  /**
   * Reads `line` from `from` (just after the header) as process `pid`'s. Returns false when it is
   * not a PostgreSQL line (no sequence number and no severity).
   */
  read(line: string, from: number, pid: number, ts: number | null, lineNo: number, attrs?: Record<string, unknown>): boolean {
    const after = seqAt(line, from);
    const part = after === -1 ? 1 : seqPart;
    const start = after === -1 ? from : after;
    // A later part that starts with a tab is text (PostgreSQL indents every further line of a text).
    const pl = part > 1 && line.charCodeAt(start) === 9 ? null : this.tail(line, start, ts);
    if (pl !== null) {
      if (pl.fields.pid === undefined) pl.fields.pid = pid;
      if (pl.ts === null) pl.ts = ts;
      const origin = { service: this.ctx.service, input: this.ctx.input, line: lineNo, fallbackTs: ts, attrs };
      this.pg.push(pl, origin);
      return true;
    }
    if (after === -1) return false;
    let text = line.slice(start);
    if (text.charCodeAt(0) === 9) text = text.slice(1);
    if (part > 1 && this.pg.continueProcess(pid, text)) return true;
    this.ctx.sink.skip(
      lineNo,
      part > 1 ? `continuation [${seqLine}-${part}] of a record of process ${pid} that is not in this input` : 'PostgreSQL syslog line without a severity',
      line,
    );
    return true;
  }
}

/** A `--pg-prefix` tail parser, or the built-in one. */
function tailParser(ctx: ParseContext): (line: string, from: number, ts: number | null) => PgLine | null {
  if (ctx.options.pgPrefix !== undefined) {
    const p = compilePgPrefix(ctx.options.pgPrefix);
    return (line, from, ts) => {
      const pl = p.parse(line, from);
      if (pl !== null && pl.ts === null) pl.ts = ts;
      return pl;
    };
  }
  return parsePgTail;
}

/** Epoch ms of a BSD syslog time; without a year, the latest year that does not put it in the future. */
function bsdTime(m: RegExpExecArray, now: number): number | null {
  const mon = MONTHS[m[3]!];
  if (mon === undefined) return null;
  const d = Number(m[4]);
  const secs = Number(m[5]) * 3600 + Number(m[6]) * 60 + Number(m[7]);
  const yearText = m[2] ?? m[8];
  const at = (y: number) => daysFromCivil(y, mon, d) * 86_400_000 + secs * 1000;
  if (yearText !== undefined) return at(Number(yearText));
  const y = new Date(now).getUTCFullYear();
  const t = at(y);
  return t > now + 86_400_000 ? at(y - 1) : t;
}

function plainEvent(ctx: ParseContext, ts: number | null, message: string, source: SourceKind, lineNo: number, attrs: Record<string, unknown>): LogEvent {
  const level: Level = levelCueOf(message) ?? 'info';
  return { ts, service: ctx.service, source, level, levelText: level, message, attrs, input: ctx.input, line: lineNo };
}

function syslogHasPg(l: string): boolean {
  const m = SYSLOG.exec(l);
  if (m === null || m[11] === undefined) return false;
  const from = m[0].length;
  const after = seqAt(l, from);
  return after !== -1 || parsePgTail(l, from, null) !== null;
}

export const postgresSyslog: InputFormat = {
  id: 'postgres-syslog',
  title: 'PostgreSQL through syslog',
  recognisedBy: 'syslog lines `Mmm dd HH:MM:SS host ident[pid]: [n-m] ... LOG:  message` (with or without a year, or an RFC 3339 time)',
  example: 'Mar 14 00:22:56 db1 postgres[4882]: [15-1] user=app,db=appdb LOG:  process 4882 still waiting for ShareLock on transaction 259635360 after 1000.119 ms',
  sniff(lines) {
    let n = 0;
    let sys = 0;
    let pgLines = 0;
    for (const l of lines) {
      if (l.trim().length === 0) continue;
      n++;
      if (SYSLOG.test(l)) {
        sys++;
        if (syslogHasPg(l)) pgLines++;
      }
    }
    if (pgLines === 0) return { score: 0, reason: 'no PostgreSQL syslog lines' };
    const share = sys / n;
    return { score: share * 0.96, reason: `${Math.round(share * 100)}% of the first lines are syslog lines, ${pgLines} of them PostgreSQL's ([n-m] sequence, severity)` };
  },
  create(ctx: ParseContext): LineParser {
    const joiner = new SeqJoiner(ctx, tailParser(ctx));
    const now = Date.now();
    return {
      line(text, lineNo) {
        if (text.trim().length === 0) {
          ctx.sink.skip(lineNo, 'blank line', text);
          return;
        }
        const m = SYSLOG.exec(text);
        if (m === null) {
          ctx.sink.skip(lineNo, 'not a syslog line (`Mmm dd HH:MM:SS host ident[pid]: ...`)', text);
          return;
        }
        const ts = m[1] !== undefined ? parseTimestampAt(m[1], 0)?.ms ?? null : bsdTime(m, now);
        const pid = m[11] === undefined ? undefined : Number(m[11]);
        if (pid !== undefined && joiner.read(text, m[0].length, pid, ts, lineNo)) return;
        // Another program's line in the same syslog (the kernel's OOM killer, cron, ...): kept as is.
        const attrs: Record<string, unknown> = { host: m[9], ident: m[10] };
        if (pid !== undefined) attrs.pid = pid;
        ctx.sink.event(plainEvent(ctx, ts, text.slice(m[0].length), 'app', lineNo, attrs), 1);
      },
      end() {
        joiner.pg.flush();
      },
    };
  },
};

/** Heroku Postgres colour name (`[GREEN]`, `[HEROKU_POSTGRESQL_AQUA]`) at `at`: index after it, or `at`. */
function skipColour(s: string, at: number): number {
  if (s.charCodeAt(at) !== 91) return at;
  let i = at + 1;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57))) break;
    i++;
  }
  if (i === at + 1 || s.charCodeAt(i) !== 93 || (s.charCodeAt(at + 1) >= 48 && s.charCodeAt(at + 1) <= 57)) return at;
  i++;
  if (s.charCodeAt(i) === 32) i++;
  return i;
}

export const herokuLogplex: InputFormat = {
  id: 'heroku-logplex',
  title: 'Heroku logs (logplex) carrying Heroku Postgres records',
  recognisedBy: 'lines `<RFC 3339 time> [host] app[postgres.<pid>]: [COLOUR] [n-m] ... LOG:  message` (and the app\'s and router\'s lines beside them)',
  example: '2019-03-14T00:22:56+00:00 app[postgres.4882]: [GREEN] [15-1]  sql_error_code = 00000 LOG:  process 4882 still waiting for ShareLock on transaction 259635360 after 1000.119 ms',
  sniff(lines) {
    let n = 0;
    let hit = 0;
    let pgLines = 0;
    for (const l of lines) {
      if (l.trim().length === 0) continue;
      n++;
      const m = LOGPLEX.exec(l);
      if (m !== null) {
        hit++;
        if (m[4]!.startsWith('postgres.')) pgLines++;
      }
    }
    if (pgLines === 0) return { score: 0, reason: 'no Heroku Postgres lines' };
    const share = hit / n;
    return { score: share * 0.97, reason: `${Math.round(share * 100)}% of the first lines are Heroku logplex lines, ${pgLines} from app[postgres.<pid>]` };
  },
  create(ctx: ParseContext): LineParser {
    const joiner = new SeqJoiner(ctx, tailParser(ctx));
    return {
      line(text, lineNo) {
        if (text.trim().length === 0) {
          ctx.sink.skip(lineNo, 'blank line', text);
          return;
        }
        const m = LOGPLEX.exec(text);
        if (m === null) {
          ctx.sink.skip(lineNo, 'not a Heroku logplex line (`<time> app[dyno]: message`)', text);
          return;
        }
        const ts = parseTimestampAt(m[1]!, 0)?.ms ?? null;
        const dyno = m[4]!;
        const from = m[0].length;
        if (m[3] === 'app' && dyno.startsWith('postgres.')) {
          const pid = Number(dyno.slice(9));
          if (Number.isInteger(pid) && joiner.read(text, skipColour(text, from), pid, ts, lineNo)) return;
        }
        // The app's dynos, Heroku's router and add-on metrics lines beside the database's; a
        // runtime-metrics line (`sample#memory_total=...`) also becomes a memory sample.
        const attrs: Record<string, unknown> = { source: m[3], dyno };
        if (m[2] !== undefined) attrs.host = m[2];
        const message = text.slice(from);
        emitHerokuSample(ctx.sink, message, ts);
        ctx.sink.event(plainEvent(ctx, ts, message, m[3] === 'heroku' ? 'platform' : 'app', lineNo, attrs), 1);
      },
      end() {
        joiner.pg.flush();
      },
    };
  },
};
