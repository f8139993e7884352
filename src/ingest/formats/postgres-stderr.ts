// PostgreSQL's stderr log (log_destination = stderr, the logging collector's postgresql-*.log):
// `<log_line_prefix><SEVERITY>:  <message>`. Recognised prefixes are those parsePgLine knows
// (timestamp first or `[%p]` first, with `[%p]` somewhere); any other prefix is read with
// `--pg-prefix`. DETAIL/HINT/STATEMENT/CONTEXT/QUERY lines join the record of their process;
// tab-indented lines (PostgreSQL indents every further line of a multi-line text) join the text
// the line before them added to. Lines of other programs (pg_ctl, entrypoint scripts) are skipped
// with a reason, since they carry no time, process or severity to place them by.
import type { InputFormat, LineParser, ParseContext } from '../format.js';
import { parsePgLine, PgRecordAssembler, type PgLine } from '../postgres-line.js';
import { compilePgPrefix } from '../pg-prefix.js';
import type { EventSink } from '../format.js';

/** Warns once per time zone abbreviation that could not be converted (its times are read as UTC). */
export class UnknownZones {
  private seen = new Set<string>();
  constructor(private readonly sink: EventSink) {}
  note(zone: string, lineNo: number): void {
    if (this.seen.has(zone)) return;
    this.seen.add(zone);
    this.sink.warn?.(`time zone "${zone}" (first on line ${lineNo}) is not one hindsight knows: its times are read as UTC; set log_timezone to UTC or a numeric offset`);
  }
}

/** Share of non-blank lines that are PostgreSQL stderr lines or tab-indented continuations of one. */
export function pgStderrShare(lines: readonly string[], parse: (l: string) => PgLine | null = parsePgLine): { share: number; records: number } {
  let n = 0;
  let hit = 0;
  let records = 0;
  let inRecord = false;
  for (const l of lines) {
    if (l.trim().length === 0) continue;
    n++;
    const c0 = l.charCodeAt(0);
    if (c0 === 9 || c0 === 32) {
      if (inRecord) hit++;
      continue;
    }
    const pl = parse(l);
    inRecord = pl !== null;
    if (pl !== null) {
      hit++;
      records++;
    }
  }
  return { share: n === 0 ? 0 : hit / n, records };
}

export const NOT_A_PG_LINE =
  'not a PostgreSQL log line (no log_line_prefix and severity: a line of pg_ctl or another program writing to the same log; if the prefix is custom, use --pg-prefix)';

export const postgresStderr: InputFormat = {
  id: 'postgres',
  title: 'PostgreSQL stderr log (log_line_prefix lines, any prefix with --pg-prefix)',
  recognisedBy:
    'lines `<timestamp> ... [<pid>] ... LOG|ERROR|FATAL|...:  message` (default `%m [%p] `, `%t [%p]: [%l-1] user=%u,db=%d,...`, `%u@%d`, RDS `%t:%r:%u@%d:[%p]:`); other prefixes with --pg-prefix',
  example: '2024-03-21 15:29:35.941 UTC [55] LOG:  could not receive data from client: Connection reset by peer',
  sniff(lines, options) {
    let parse = parsePgLine;
    let how = '';
    if (options?.pgPrefix !== undefined) {
      const p = compilePgPrefix(options.pgPrefix);
      parse = (l) => p.parse(l, 0);
      how = ' with --pg-prefix';
    }
    const { share, records } = pgStderrShare(lines, parse);
    if (records === 0) return { score: 0, reason: 'no PostgreSQL stderr lines' };
    return {
      score: share * 0.95,
      reason: `${Math.round(share * 100)}% of the first lines are PostgreSQL stderr lines (log_line_prefix, then LOG/ERROR/...:)${how}`,
    };
  },
  create(ctx: ParseContext): LineParser {
    const { sink, service, input } = ctx;
    const pg = new PgRecordAssembler(sink);
    let parse: (line: string) => PgLine | null = parsePgLine;
    if (ctx.options.pgPrefix !== undefined) {
      const p = compilePgPrefix(ctx.options.pgPrefix);
      parse = (l) => p.parse(l, 0);
    }
    const origin = { service, input, line: 0, fallbackTs: null as number | null };
    const zones = new UnknownZones(sink);
    return {
      line(text, lineNo) {
        const c0 = text.charCodeAt(0);
        if (c0 === 9) {
          if (!pg.continueLast(text.slice(1))) sink.skip(lineNo, 'tab-indented continuation line with no PostgreSQL record before it', text);
          return;
        }
        const pl = parse(text);
        if (pl === null) {
          if (text.trim().length === 0) {
            sink.skip(lineNo, 'blank line', text);
            return;
          }
          // A tab expanded to spaces by an editor or a copy: still a continuation.
          if (c0 === 32 && pg.continueLast(text)) return;
          sink.skip(lineNo, NOT_A_PG_LINE, text);
          return;
        }
        if (pl.unknownZone !== undefined) zones.note(pl.unknownZone, lineNo);
        origin.line = lineNo;
        pg.push(pl, origin);
      },
      end() {
        pg.flush();
      },
    };
  },
};
