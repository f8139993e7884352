// Most PostgreSQL sessions open at once, in bounded memory and without an object per change.
// Records can arrive a little out of time order (the stderr reader holds a record until its DETAIL
// lines are in), so changes wait in a sorting window; when it fills, its older half is swept into
// the running count. A change older than what was already swept is applied late (the peak is then
// marked approximate). The window is typed arrays: a change per connection and disconnection that
// lived on the heap for thousands of records made V8 grow its young generation and promote them
// (about +70 MB peak RSS on a 100 MB log; docs/PERFORMANCE.md, "Memory").

/** Changes held for sorting. */
const WINDOW = 16_384;
/** Open sessions tracked at most (logs without disconnection lines would otherwise grow the set forever). */
const MAX_OPEN = 100_000;

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

export class SessionPeak {
  private readonly ts = new Float64Array(WINDOW);
  private readonly line = new Float64Array(WINDOW);
  private readonly delta = new Int8Array(WINDOW);
  private readonly key = new Int32Array(WINDOW);
  private n = 0;
  private readonly open = new Set<number>();
  private peak = 0;
  private peakAt: number | null = null;
  private sweptUpTo = -Infinity;
  private approximate = false;

  /** A session opened (+1) or closed (-1) under `key`, or a server start (0: all closed). */
  change(ts: number, line: number, delta: number, key: string): void {
    if (ts < this.sweptUpTo) this.approximate = true;
    if (this.n === WINDOW) this.sweepOlderHalf();
    const i = this.n++;
    this.ts[i] = ts;
    this.line[i] = line;
    this.delta[i] = delta;
    this.key[i] = delta === 0 ? 0 : keyHash(key);
  }

  /** The peak over every change so far (does not consume the window). */
  result(): SessionPeakResult {
    const order = this.sorted();
    const r = this.sweep(order, new Set(this.open), this.peak, this.peakAt);
    return { count: r.count, ts: r.ts, approximate: this.approximate || r.capped };
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
    const r = this.sweep(order.subarray(0, half), this.open, this.peak, this.peakAt);
    this.peak = r.count;
    this.peakAt = r.ts;
    if (r.capped) this.approximate = true;
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

  /** Applies changes in `order` to `open`; a close counts only for a session opened in the logs, a server start closes them all. */
  private sweep(order: Uint32Array, open: Set<number>, best: number, at: number | null): { count: number; ts: number | null; capped: boolean } {
    let capped = false;
    for (let j = 0; j < order.length; j++) {
      const i = order[j]!;
      const d = this.delta[i]!;
      const k = this.key[i]!;
      if (d === 0) open.clear();
      else if (d > 0) {
        if (open.size < MAX_OPEN || open.has(k)) open.add(k);
        else capped = true;
      } else open.delete(k);
      if (open.size > best) {
        best = open.size;
        at = this.ts[i]!;
      }
    }
    return { count: best, ts: at, capped };
  }
}
