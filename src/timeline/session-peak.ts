// Most PostgreSQL sessions open at once, in bounded memory and without an object per change.
// Records can arrive a little out of time order (the stderr reader holds a record until its DETAIL
// lines are in), so changes wait in a sorting window; when it fills, its older half is swept into
// the running count. A change older than what was already swept is applied late (the peak is then
// marked approximate). The window is typed arrays: a change per connection and disconnection that
// lived on the heap for thousands of records made V8 grow its young generation and promote them
// (about +70 MB peak RSS on a 100 MB log; docs/PERFORMANCE.md, "Memory").
//
// Time outliers (a record dated 1970 among today's, see Timeline.timeFences) are known only at the
// end, and the peak must be that of the bulk alone. The sweep goes in time order, so the bulk
// [lo, hi) is a stretch of it: what comes after hi cannot change a count before it, and a peak
// over the bulk is the last new peak reached before hi. What comes before lo can (a session
// opened in 1970 and never closed would count all day), so the sweep keeps one count per possible
// start of the bulk: the fences fall on boundaries of the PostgreSQL statistics' time slices
// (postgres-stats.ts), so each slice that holds changes is a possible start, and the count of
// start s holds only the sessions opened at or after s. There are as many starts as occupied
// slices (eight or so), each change updating each of them.

/** Changes held for sorting. */
const WINDOW = 16_384;
/** Open sessions tracked at most (logs without disconnection lines would otherwise grow the set forever). */
const MAX_OPEN = 100_000;

/** Session changes in arrival order: time, line, +1 / -1 / 0 (a server start), and the session's key hash. */
export interface SessionChanges {
  ts: number[];
  line: number[];
  delta: number[];
  key: number[];
}

/** Peak of concurrently open sessions. */
export interface SessionPeakResult {
  count: number;
  ts: number | null;
  approximate: boolean;
}

/** 30-bit FNV-1a of a session key: a small integer, so the open set holds no strings. */
function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 2;
}

/** The sweep counted from one possible start of the bulk: its slice, the sessions opened since, and each new peak as (time, count). */
interface Start {
  /** Start of its slice (epoch ms). */
  at: number;
  count: number;
  peaks: number[];
}

/** What the sweep carries from change to change: open sessions (key → when opened) and the starts, by slice. */
interface SweepState {
  open: Map<number, number>;
  starts: Start[];
  sliceMs: number;
  capped: boolean;
}

export class SessionPeak {
  private readonly ts = new Float64Array(WINDOW);
  private readonly line = new Float64Array(WINDOW);
  private readonly delta = new Int8Array(WINDOW);
  private readonly key = new Int32Array(WINDOW);
  private n = 0;
  private state: SweepState;
  private sweptUpTo = -Infinity;
  private approximate = false;

  /**
   * Every change in arrival order, when the peak is part of a partial summary (the sweep depends
   * on order, so a merge replays the parts' changes one after the other; 4 numbers per change).
   */
  private readonly log: SessionChanges | null;

  /** `sliceMs` gives the statistics' current slice width (it only grows, by doubling); `logged` keeps every change for changes(). */
  constructor(
    private readonly sliceMs: () => number,
    logged = false,
  ) {
    this.state = { open: new Map(), starts: [], sliceMs: sliceMs(), capped: false };
    this.log = logged ? { ts: [], line: [], delta: [], key: [] } : null;
  }

  /** A session opened (+1) or closed (-1) under `key`, or a server start (0: all closed). */
  change(ts: number, line: number, delta: number, key: string): void {
    this.changeHashed(ts, line, delta, delta === 0 ? 0 : keyHash(key));
  }

  /** The changes so far, in arrival order (only when made `logged`). */
  changes(): SessionChanges | null {
    return this.log === null ? null : { ts: this.log.ts.slice(), line: this.log.line.slice(), delta: this.log.delta.slice(), key: this.log.key.slice() };
  }

  /** Applies another peak's changes (its changes(), of records after these) as if they came now. */
  replay(c: SessionChanges): void {
    for (let i = 0; i < c.ts.length; i++) this.changeHashed(c.ts[i]!, c.line[i]!, c.delta[i]!, c.key[i]!);
  }

  private changeHashed(ts: number, line: number, delta: number, key: number): void {
    if (this.log !== null) {
      this.log.ts.push(ts);
      this.log.line.push(line);
      this.log.delta.push(delta);
      this.log.key.push(key);
    }
    if (ts < this.sweptUpTo) this.approximate = true;
    if (this.n === WINDOW) this.sweepOlderHalf();
    const i = this.n++;
    this.ts[i] = ts;
    this.line[i] = line;
    this.delta[i] = delta;
    this.key[i] = key;
  }

  /**
   * The peak over the changes in [lo, hi) as if there were no others (does not consume the
   * window). `lo` must fall on a slice boundary; without fences, the peak over every change.
   */
  result(lo = -Infinity, hi = Infinity): SessionPeakResult {
    const s = this.state;
    const copy: SweepState = { open: new Map(s.open), starts: s.starts.map((x) => ({ ...x, peaks: x.peaks.slice() })), sliceMs: s.sliceMs, capped: s.capped };
    this.sweep(this.sorted(), copy);
    this.widen(copy);
    const start = copy.starts.find((x) => x.at >= lo);
    let count = 0;
    let at: number | null = null;
    if (start !== undefined) {
      const p = start.peaks;
      for (let j = 0; j < p.length && p[j]! < hi; j += 2) {
        at = p[j]!;
        count = p[j + 1]!;
      }
    }
    return { count, ts: at, approximate: this.approximate || copy.capped };
  }

  private sorted(): Uint32Array {
    const order = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) order[i] = i;
    const ts = this.ts;
    const line = this.line;
    // File order within a millisecond.
    return order.sort((a, b) => ts[a]! - ts[b]! || line[a]! - line[b]!);
  }

  private sweepOlderHalf(): void {
    const order = this.sorted();
    const half = WINDOW >> 1;
    this.sweep(order.subarray(0, half), this.state);
    this.sweptUpTo = this.ts[order[half - 1]!]!;
    // Keep the newer half, in sorted order, at the front.
    const rest = order.subarray(half);
    const ts = this.ts.slice();
    const line = this.line.slice();
    const delta = this.delta.slice();
    const key = this.key.slice();
    for (let j = 0; j < rest.length; j++) {
      const i = rest[j]!;
      this.ts[j] = ts[i]!;
      this.line[j] = line[i]!;
      this.delta[j] = delta[i]!;
      this.key[j] = key[i]!;
    }
    this.n = rest.length;
  }

  /**
   * Applies changes in `order`: a close counts only for a session opened in the logs, a server
   * start closes them all. Each start counts the sessions opened in its slice or later.
   */
  private sweep(order: Uint32Array, s: SweepState): void {
    const open = s.open;
    for (let j = 0; j < order.length; j++) {
      const i = order[j]!;
      const ts = this.ts[i]!;
      const d = this.delta[i]!;
      const k = this.key[i]!;
      const here = this.startAt(s, ts);
      const w = s.sliceMs;
      const starts = s.starts;
      if (d === 0) {
        open.clear();
        for (const st of starts) st.count = 0;
      } else if (d > 0) {
        const was = open.get(k);
        // A session already open counts anew for the starts after the slice it was opened in.
        const from = was === undefined ? -Infinity : Math.floor(was / w) * w;
        if (was !== undefined || open.size < MAX_OPEN) {
          open.set(k, ts);
          for (const st of starts) if (st.at > from && st.at <= here) st.count++;
        } else s.capped = true;
      } else {
        const was = open.get(k);
        if (was !== undefined) {
          open.delete(k);
          const from = Math.floor(was / w) * w;
          for (const st of starts) if (st.at <= from) st.count--;
        }
      }
      for (const st of starts) {
        if (st.at > here) break;
        const p = st.peaks;
        if (st.count > (p.length === 0 ? 0 : p[p.length - 1]!)) p.push(ts, st.count);
      }
    }
  }

  /** The start of `ts`'s slice, a start of the sweep (made when first met; the starts merge as the slices widen). */
  private startAt(s: SweepState, ts: number): number {
    this.widen(s);
    const w = s.sliceMs;
    const at = Math.floor(ts / w) * w;
    const starts = s.starts;
    let i = starts.length;
    while (i > 0 && starts[i - 1]!.at > at) i--;
    if (i > 0 && starts[i - 1]!.at === at) return at;
    // A new start: the sessions open now that were opened in its slice or later (none, in time order).
    let count = 0;
    if (i < starts.length) for (const t of s.open.values()) if (t >= at) count++;
    starts.splice(i, 0, { at, count, peaks: [] });
    return at;
  }

  /** Follows the slices' width: of two starts now in one slice, the earlier counts what the slice's start would. */
  private widen(s: SweepState): void {
    const w = this.sliceMs();
    if (w === s.sliceMs) return;
    s.sliceMs = w;
    const merged: Start[] = [];
    for (const st of s.starts) {
      st.at = Math.floor(st.at / w) * w;
      if (merged.length === 0 || merged[merged.length - 1]!.at !== st.at) merged.push(st);
    }
    s.starts = merged;
  }
}
