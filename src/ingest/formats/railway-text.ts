// Plain `railway logs` output: `[ERRO] message`, `[INFO] message`, bare messages (often without
// timestamps), and the dashboard's copy form `2026-02-07T19:12:02  [err] message`. Also the
// fallback for any plain text log, at a low score, since bare messages have no shape to sniff.
import type { InputFormat, LineParser, ParseContext } from '../format.js';
import { shareOf } from '../format.js';
import type { Level, LogEvent, SourceKind } from '../../model.js';
import { parseTimestampAt } from '../timestamp.js';
import { levelCueOf, levelOfWord, stderrLevelOf } from '../level.js';
import { parsePgLine, PgRecordAssembler } from '../postgres-line.js';
import { HeldRecord } from '../multiline.js';
import { emitHerokuSample } from '../heroku-samples.js';
import { withoutTerminalCodes } from '../terminal-codes.js';
import { isBlank, isPlatformMessage, warnIfRailwayCap } from './railway-json.js';

const BRACKET = /^\[([A-Za-z]{2,8})\]\s?/;
const DASHBOARD = /^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)\s+(?:\[([A-Za-z]{2,8})\]\s?)?/;

function looksRailwayText(l: string): boolean {
  const b = BRACKET.exec(l);
  if (b && levelOfWord(b[1]!) !== null) return true;
  const d = DASHBOARD.exec(l);
  return d !== null && d[2] !== undefined && levelOfWord(d[2]) !== null;
}

function isText(l: string): boolean {
  const c = l.charCodeAt(0);
  return c !== 123 && c !== 60 && l.indexOf('\u0000') === -1; // not JSON, not XML/HTML
}

export const railwayText: InputFormat = {
  id: 'railway-text',
  title: 'Railway logs as text (railway logs, dashboard copy)',
  recognisedBy: '`[ERRO] message` / `[INFO] message` lines, or `2026-02-07T19:12:02  [err] message`; any other plain text at a low score',
  example: '2026-02-07T19:12:22  [err] Database session error: ',
  sniff(lines) {
    const share = shareOf(lines, looksRailwayText);
    if (share > 0) return { score: 0.3 + share * 0.6, reason: `${Math.round(share * 100)}% of the first lines have Railway's [LEVEL] marker` };
    const text = shareOf(lines, isText);
    return { score: text >= 0.9 ? 0.15 : 0, reason: 'plain text lines (bare messages)' };
  },
  create(ctx: ParseContext): LineParser {
    const { sink, service, input } = ctx;
    const held = new HeldRecord(sink);
    const pg = new PgRecordAssembler(sink);
    let lastLine = 0;
    let lastTs: number | null = null;
    return {
      line(line, lineNo) {
        lastLine = lineNo;
        const text = withoutTerminalCodes(line);
        let rest = text;
        let ts: number | null = null;
        let marker: string | undefined;
        const d = DASHBOARD.exec(text);
        if (d) {
          const t = parseTimestampAt(d[1]!, 0);
          if (t) ts = t.ms;
          marker = d[2];
          rest = text.slice(d[0].length);
        } else {
          const b = BRACKET.exec(text);
          if (b && levelOfWord(b[1]!) !== null) {
            marker = b[1];
            rest = text.slice(b[0].length);
          }
        }
        if (isBlank(rest)) {
          // An empty line of a multi-line record leaves the record held (see railway-json).
          pg.interrupt();
          sink.skip(lineNo, marker === undefined ? 'blank line' : 'blank message', text);
          return;
        }
        if (held.tryJoin(rest, ts, service, marker)) return;
        const c0 = rest.charCodeAt(0);
        if ((c0 >= 48 && c0 <= 57) || c0 === 91) {
          const pl = parsePgLine(rest);
          if (pl !== null) {
            held.flush();
            pg.push(pl, { service, input, line: lineNo, stream: marker, fallbackTs: ts });
            return;
          }
        }
        // Every further line of a PostgreSQL text arrives on its own, tab-indented (see railway-json).
        if ((c0 === 9 || c0 === 32) && pg.continueLast(c0 === 9 ? rest.slice(1) : rest)) return;
        pg.interrupt();
        if (ts === null && d === null) {
          // A bare message may still start with its own timestamp.
          const t = parseTimestampAt(rest, 0);
          if (t && (rest.charCodeAt(t.end) === 32 || rest.charCodeAt(t.end) === 9)) {
            ts = t.ms;
            rest = rest.slice(t.end).trimStart();
          }
        }
        // A bare message without a time of its own in a file whose lines had times (a program's
        // stderr: an uncaught traceback after its logging lines) was written after the line before it.
        if (ts !== null) lastTs = ts;
        else if (marker === undefined) ts = lastTs;
        let level: Level;
        let source: SourceKind = 'app';
        if (isPlatformMessage(rest)) {
          source = 'platform';
          level = 'info';
        } else {
          const declared = marker !== undefined ? levelOfWord(marker) : null;
          // The marker is Railway's stream label (stderr `err`, stdout `inf`): a level the message announces wins.
          level = declared === null || declared === 'error' || declared === 'info' ? levelCueOf(rest) ?? (declared === 'error' ? stderrLevelOf(rest) : null) ?? declared ?? 'info' : declared;
        }
        const ev: LogEvent = { ts, service, source, level, levelText: marker ?? level, message: rest, input, line: lineNo };
        if (marker !== undefined) ev.stream = marker;
        held.hold(ev);
        emitHerokuSample(sink, rest, ts);
      },
      end() {
        held.flush();
        pg.flush();
        warnIfRailwayCap(sink, lastLine, false);
      },
    };
  },
};
