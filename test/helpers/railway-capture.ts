// A program's output as Railway delivers it (../shared/guide/railway-api.md): Railway captures
// stdout and stderr line by line, so every line of a multi-line write (a traceback, a stack trace,
// a PostgreSQL record's tab-indented lines and DETAIL/STATEMENT lines) is an entry of its own, with
// its own capture time in nanoseconds, and every stderr line is labelled `error`. `railway logs
// --json` prints each entry as one JSON object (message, timestamp, level, in no stable key order,
// and no deployment id); plain `railway logs` prints `[ERRO] message` / `[INFO] message`.

export interface CapturedLine {
  text: string;
  stream: 'stdout' | 'stderr';
}

/** `railway logs --json` prints its keys in no stable order (the guide): a few orders, in turn. */
const KEY_ORDERS: readonly (readonly ('message' | 'timestamp' | 'level')[])[] = [
  ['message', 'timestamp', 'level'],
  ['level', 'message', 'timestamp'],
  ['timestamp', 'level', 'message'],
];

/** A leading `YYYY-MM-DD HH:MM:SS[.fff]` (a PostgreSQL prefix's time, a logger's): when the line was written. */
const WRITTEN_AT = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d{1,3})?/;

/**
 * The lines of a file as Railway's entries: each gets the capture time of the time its line (or
 * the last line before it that has one) was written, plus a few microseconds per line, in
 * nanoseconds, so continuation lines arrive a little after their record, as they do.
 */
export function railwayEntries(lines: readonly CapturedLine[], startMs = Date.UTC(2026, 1, 7, 19, 0, 0)): { ns: bigint; line: CapturedLine }[] {
  let ns = BigInt(startMs) * 1_000_000n;
  return lines.map((line, i) => {
    const m = WRITTEN_AT.exec(line.text);
    if (m !== null) {
      const written = BigInt(Date.parse(`${m[1]}T${m[2]}${m[3] ?? ''}Z`)) * 1_000_000n;
      if (written > ns) ns = written;
    }
    ns += 1_000n + BigInt((i * 7919) % 4000); // 1 to 5 µs per line
    return { ns, line };
  });
}

/** RFC 3339 with nanoseconds, as Railway writes `timestamp`. */
export function nanoTimestamp(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  return new Date(ms).toISOString().slice(0, 19) + '.' + (ns % 1_000_000_000n).toString().padStart(9, '0') + 'Z';
}

/** `railway logs --json` lines for captured lines. */
export function railwayJsonLines(lines: readonly CapturedLine[], startMs?: number): string[] {
  return railwayEntries(lines, startMs).map(({ ns, line }, i) => {
    const v = { message: line.text, timestamp: nanoTimestamp(ns), level: line.stream === 'stderr' ? 'error' : 'info' };
    const o: Record<string, string> = {};
    for (const k of KEY_ORDERS[i % KEY_ORDERS.length]!) o[k] = v[k];
    return JSON.stringify(o);
  });
}

/** Plain `railway logs` lines for captured lines. */
export function railwayTextLines(lines: readonly CapturedLine[]): string[] {
  return lines.map((l) => (l.stream === 'stderr' ? '[ERRO] ' : '[INFO] ') + l.text);
}

/** A file's lines (LF or CRLF, as read-input splits them), all written to one stream. */
export function linesOf(text: string, stream: CapturedLine['stream'] = 'stderr'): CapturedLine[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((t) => ({ text: t, stream }));
}
