// --since / --until: the Railway CLI's grammar (30s, 5m, 2h, 1d, 1w) plus ISO 8601. For a
// post-mortem of files, "the last two hours" means the last two hours *of the logs*, not of the
// wall clock (the files may be a week old), so relative times count back from the newest record in
// the inputs. Standard input cannot be read twice to find its newest record; there relative times
// count back from now, as in Railway's CLI (piped `railway logs` ends at about now anyway).
// Times without a zone are UTC, not local time, so that a report can be reproduced anywhere.
import { parseTimestampAt } from '../ingest/timestamp.js';
import { UsageError } from './io.js';

export type TimeSpec = { kind: 'relative'; ms: number; text: string } | { kind: 'absolute'; ms: number; text: string };

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses `30s`, `5m`, `2h`, `1d`, `1w` (and sums like `1h30m`), or an ISO 8601 date or time. */
export function parseTimeSpec(text: string, flag: string): TimeSpec {
  const s = text.trim();
  if (/^(\d+(?:\.\d+)?[smhdw])+$/i.test(s)) {
    let ms = 0;
    for (const m of s.matchAll(/(\d+(?:\.\d+)?)([smhdw])/gi)) ms += parseFloat(m[1]!) * UNIT_MS[m[2]!.toLowerCase()]!;
    return { kind: 'relative', ms, text: s };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const ms = Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10));
    if (!Number.isNaN(ms) && new Date(ms).toISOString().startsWith(s)) return { kind: 'absolute', ms, text: s };
  }
  const p = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(s) ? parseTimestampAt(s, 0) : null;
  if (p !== null && p.end === s.length) return { kind: 'absolute', ms: p.ms, text: s };
  throw new UsageError(`${flag} ${JSON.stringify(text)}: expected a duration such as 30s, 5m, 2h, 1d, 1w, or an ISO 8601 time such as 2026-02-07T19:00:00Z`);
}

/** True when resolving these specs needs the anchor (the newest record, or now). */
export function needsAnchor(...specs: (TimeSpec | undefined)[]): boolean {
  return specs.some((x) => x?.kind === 'relative');
}

/** Resolves the specs to epoch ms against `anchor`; checks that the window is not empty. */
export function resolveWindow(since: TimeSpec | undefined, until: TimeSpec | undefined, anchor: number | null): { since?: number; until?: number } {
  const at = (x: TimeSpec | undefined): number | undefined => {
    if (x === undefined) return undefined;
    if (x.kind === 'absolute') return x.ms;
    if (anchor === null) return undefined;
    return anchor - x.ms;
  };
  const out: { since?: number; until?: number } = {};
  const s = at(since);
  const u = at(until);
  if (s !== undefined) out.since = s;
  if (u !== undefined) out.until = u;
  if (s !== undefined && u !== undefined && s > u) {
    throw new UsageError(`--since ${since!.text} is after --until ${until!.text} (${new Date(s).toISOString()} > ${new Date(u).toISOString()})`);
  }
  return out;
}
