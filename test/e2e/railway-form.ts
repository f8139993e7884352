// A log file turned into the shape `railway logs --json` prints for it (see
// ../shared/guide/railway-api.md): one entry per line, whatever the line is (a PostgreSQL record's
// continuation lines become entries of their own), labelled with the stream the program wrote it to
// (stderr is `error`, stdout `info`), a nanosecond RFC 3339 timestamp, and no deployment id, instance
// id or service name. Railway stamps a line when it reads it; for a file written earlier, the line's
// own time stands in for that (a line without one takes the previous line's), a few microseconds later.

/** `2026-12-07 17:07:05.830 UTC` or `2026-12-07T17:07:05.830Z` at the start of a line, in UTC. */
const LINE_TIME_RE = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(?: UTC|Z)?/;

export function railwayJsonLines(text: string, stream: 'stdout' | 'stderr'): string[] {
  const level = stream === 'stdout' ? 'info' : 'error';
  const out: string[] = [];
  let lastNs = 0n;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = LINE_TIME_RE.exec(line);
    let ns = lastNs + 1_000n;
    if (m) {
      const ms = Date.parse(`${m[1]}T${m[2]}Z`);
      const frac = BigInt((m[3] ?? '').padEnd(9, '0'));
      const own = BigInt(ms) * 1_000_000n + frac + 7_000n;
      if (own > ns) ns = own;
    }
    lastNs = ns;
    const iso = new Date(Number(ns / 1_000_000n)).toISOString();
    const timestamp = `${iso.slice(0, 19)}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
    out.push(JSON.stringify({ message: line, level, timestamp }));
  }
  return out;
}
