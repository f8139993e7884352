// `--pg-prefix '<log_line_prefix>'`: compiles a PostgreSQL log_line_prefix into one sticky RegExp
// (the way pgBadger's `-p` does), so any prefix can be read with one regex execution per line.
import type { PgFields } from '../model.js';
import { isPgContinuation, type PgLine } from './postgres-line.js';
import { parseTimestampAt } from './timestamp.js';

/** What a capture group of the compiled prefix holds. */
type Slot = 'time' | 'epoch' | 'pid' | 'user' | 'database' | 'application' | 'client' | 'sqlstate' | 'session';

const TIME = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`;
const ZONE = String.raw`(?: [A-Za-z][A-Za-z0-9/_+-]{0,31}| ?[+-]\d\d(?::?\d\d)?)?`;

/** Regex source and slot of each escape; null slot = matched but not kept. */
const ESCAPES: Readonly<Record<string, { re: string; slot: Slot | null }>> = {
  a: { re: '(.*?)', slot: 'application' },
  u: { re: '(.*?)', slot: 'user' },
  d: { re: '(.*?)', slot: 'database' },
  r: { re: String.raw`(\S*?)`, slot: 'client' },
  h: { re: String.raw`(\S*?)`, slot: 'client' },
  b: { re: '(?:.*?)', slot: null },
  p: { re: String.raw`(\d+)`, slot: 'pid' },
  P: { re: String.raw`(?:\d*)`, slot: null },
  t: { re: `(${TIME}${ZONE})`, slot: 'time' },
  m: { re: `(${TIME}\\.\\d+${ZONE})`, slot: 'time' },
  n: { re: String.raw`(\d+(?:\.\d+)?)`, slot: 'epoch' },
  s: { re: `(?:${TIME}${ZONE})`, slot: null },
  i: { re: '(?:.*?)', slot: null },
  e: { re: '([0-9A-Z]{5})', slot: 'sqlstate' },
  c: { re: String.raw`([0-9a-f]*\.[0-9a-f]*|)`, slot: 'session' },
  l: { re: String.raw`(?:\d+)`, slot: null },
  v: { re: String.raw`(?:\d*/-?\d*|)`, slot: null },
  x: { re: String.raw`(?:\d*)`, slot: null },
  Q: { re: String.raw`(?:-?\d*)`, slot: null },
};

const SEVERITY = '(DEBUG[1-5]?|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC|DETAIL|HINT|STATEMENT|CONTEXT|QUERY|LOCATION):(?: {1,2}|$)';

/** A log_line_prefix compiled into a parser of whole stderr lines (or of the part after a syslog header). */
export interface PgPrefixParser {
  /** The prefix as given. */
  prefix: string;
  /** The compiled regex (sticky: matched at a given index). */
  regex: RegExp;
  /** Parses the line from index `from` (0 for stderr lines). Null when the line does not match. */
  parse(line: string, from?: number): PgLine | null;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Compiles a log_line_prefix (`%m [%p] %q%u@%d `, `%t:%r:%u@%d:[%p]:`, ...) once. Escapes: %a %u %d
 * %r %h %b %p %P %t %m %n %s %i %e %c %l %v %x %Q %q %%, with optional padding (`%-10u`);
 * unknown escapes produce nothing, as in PostgreSQL. Surrounding quotes (as in postgresql.conf) are removed.
 */
export function compilePgPrefix(prefixIn: string): PgPrefixParser {
  let prefix = prefixIn;
  if (prefix.length >= 2 && (prefix[0] === "'" || prefix[0] === '"') && prefix[prefix.length - 1] === prefix[0]) prefix = prefix.slice(1, -1);
  const slots: Slot[] = [];
  let re = '';
  let optionalTail = false;
  let literal = '';
  const flushLiteral = () => {
    if (literal.length > 0) re += escapeRegex(literal);
    literal = '';
  };
  for (let i = 0; i < prefix.length; i++) {
    const ch = prefix[i]!;
    if (ch !== '%') {
      literal += ch;
      continue;
    }
    let j = i + 1;
    let padded = false;
    if (prefix[j] === '-') j++;
    while (j < prefix.length && prefix[j]! >= '0' && prefix[j]! <= '9') {
      j++;
      padded = true;
    }
    const esc = prefix[j];
    i = j;
    if (esc === undefined) {
      literal += '%';
      break;
    }
    if (esc === '%') {
      literal += '%';
      continue;
    }
    if (esc === 'q') {
      flushLiteral();
      // Non-session processes stop the prefix here: the rest becomes optional.
      re += '(?:';
      optionalTail = true;
      continue;
    }
    const e = ESCAPES[esc];
    if (e === undefined) continue; // PostgreSQL prints nothing for an unknown escape.
    flushLiteral();
    if (e.slot !== null) slots.push(e.slot);
    re += padded ? ` *${e.re} *` : e.re;
  }
  flushLiteral();
  if (optionalTail) re += ')?';
  // The trailing space of a prefix is often forgotten on the command line: tolerate any spacing.
  re += ` *${SEVERITY}`;
  // Every piece is escaped or a fixed pattern, so any prefix compiles (an empty one too, as in PostgreSQL).
  const regex = new RegExp(re, 'y');
  const sevGroup = slots.length + 1;
  return {
    prefix: prefixIn,
    regex,
    parse(line: string, from = 0): PgLine | null {
      regex.lastIndex = from;
      const m = regex.exec(line);
      if (m === null) return null;
      const severity = m[sevGroup]!;
      const fields: PgFields = { severity };
      let ts: number | null = null;
      for (let k = 0; k < slots.length; k++) {
        const v = m[k + 1];
        if (v === undefined || v.length === 0 || v === '[unknown]') continue;
        switch (slots[k]) {
          case 'time': if (ts === null) ts = parseTimestampAt(v, 0)?.ms ?? null; break;
          case 'epoch': if (ts === null) ts = Math.round(Number(v) * 1000); break;
          case 'pid': fields.pid = Number(v); break;
          case 'user': fields.user = v; break;
          case 'database': fields.database = v; break;
          case 'application': fields.application = v; break;
          case 'client': { const p = v.indexOf('('); fields.client = p > 0 ? v.slice(0, p) : v; break; }
          case 'sqlstate': fields.sqlstate = v; break;
          case 'session': fields.sessionId = v; break;
          default: break;
        }
      }
      return { ts, severity, message: line.slice(regex.lastIndex), fields, continuation: isPgContinuation(severity) };
    },
  };
}
