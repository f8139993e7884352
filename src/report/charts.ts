// Pictures for people who would rather look than read: Unicode sparklines and Mermaid xychart-beta
// blocks (drawn by GitHub and GitLab). Pure functions of numbers; deterministic.
import { mermaidLabel } from './markdown-text.js';
import { num } from '../words.js';

const BARS = '▁▂▃▄▅▆▇█';

/**
 * A sparkline of `values` scaled between their min and max (or `[lo, hi]` when given). NaN (no data)
 * is a space. All-equal values give a flat line of the lowest bar, or of the highest when non-zero.
 */
export function sparkline(values: readonly number[], lo?: number, hi?: number): string {
  let min = lo ?? Infinity;
  let max = hi ?? -Infinity;
  if (lo === undefined || hi === undefined) {
    for (const v of values) {
      if (Number.isNaN(v)) continue;
      if (lo === undefined && v < min) min = v;
      if (hi === undefined && v > max) max = v;
    }
  }
  let out = '';
  for (const v of values) {
    if (Number.isNaN(v)) out += ' ';
    else if (!(max > min)) out += v > 0 ? BARS[BARS.length - 1] : BARS[0];
    else out += BARS[Math.max(0, Math.min(BARS.length - 1, Math.round(((v - min) / (max - min)) * (BARS.length - 1))))];
  }
  return out;
}

/** Counts of `times` (epoch ms, any order) in `n` equal buckets over [start, end]. */
export function countBuckets(times: ArrayLike<number>, start: number, end: number, n: number): number[] {
  const counts = new Array<number>(n).fill(0);
  const span = Math.max(1, end - start);
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (t < start || t > end) continue;
    counts[Math.min(n - 1, Math.floor(((t - start) / span) * n))]!++;
  }
  return counts;
}

/** A count sparkline: zero is the lowest bar, so "nothing" and "a little" differ by one step. */
export function countSparkline(counts: readonly number[]): string {
  let max = 0;
  for (const c of counts) if (c > max) max = c;
  return counts.map((c) => (c === 0 ? BARS[0] : BARS[Math.max(1, Math.round((c / Math.max(1, max)) * (BARS.length - 1)))])).join('');
}

/**
 * A series resampled to at most `n` points in equal time buckets (mean of each bucket; NaN for an
 * empty bucket), with the bucket width. Series shorter than `n` keep their own points.
 */
export function resample(ts: readonly number[], values: readonly number[], n: number): { values: number[]; min: number[]; max: number[]; start: number; end: number; bucketMs: number } {
  const start = ts[0] ?? 0;
  const end = ts[ts.length - 1] ?? start;
  const buckets = Math.max(1, Math.min(n, ts.length));
  const span = Math.max(1, end - start);
  const sum = new Array<number>(buckets).fill(0);
  const cnt = new Array<number>(buckets).fill(0);
  const min = new Array<number>(buckets).fill(NaN);
  const max = new Array<number>(buckets).fill(NaN);
  for (let i = 0; i < ts.length; i++) {
    const b = Math.min(buckets - 1, Math.floor(((ts[i]! - start) / span) * buckets));
    const v = values[i]!;
    sum[b]! += v;
    cnt[b]!++;
    if (!(v >= min[b]!)) min[b] = v;
    if (!(v <= max[b]!)) max[b] = v;
  }
  return { values: sum.map((s, i) => (cnt[i]! > 0 ? s / cnt[i]! : NaN)), min, max, start, end, bucketMs: span / buckets };
}

/** Fills NaN gaps with the previous value (the first known value at the start), for line charts. */
export function fillGaps(values: readonly number[]): number[] {
  const first = values.find((v) => !Number.isNaN(v)) ?? 0;
  let prev = first;
  return values.map((v) => (Number.isNaN(v) ? prev : (prev = v)));
}

/** A Mermaid `xychart-beta` chart of one or more lines of evenly spaced values over hours from the window start. */
export function mermaidLineChart(opts: { title: string; yLabel: string; lines: readonly (readonly number[])[]; spanHours: number; xLabel: string }): string {
  const lines = opts.lines.map(fillGaps);
  let lo = Infinity;
  let hi = -Infinity;
  for (const vals of lines) {
    for (const v of vals) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  const pad = hi > lo ? (hi - lo) * 0.1 : Math.max(1, Math.abs(hi) * 0.1);
  const yMin = Math.max(0, Math.floor(lo - pad));
  const yMax = Math.ceil(hi + pad);
  const digits = hi - lo < 1 ? 3 : 1;
  return [
    '```mermaid',
    'xychart-beta',
    `    title "${mermaidLabel(opts.title)}"`,
    `    x-axis "${mermaidLabel(opts.xLabel)}" 0 --> ${num(opts.spanHours, 1)}`,
    `    y-axis "${mermaidLabel(opts.yLabel)}" ${yMin} --> ${yMax}`,
    ...lines.map((vals) => `    line [${vals.map((v) => num(v, digits)).join(', ')}]`),
    '```',
  ].join('\n');
}
