// Robust location, scale and slope estimators for the small samples detectors see (6 to a few
// hundred points): a few outliers (an extra run, a restart) must not move the answer. Median and
// MAD are simple-statistics' definitions (type 7 quantile at 0.5) computed on a sorted typed copy:
// the same values, without its JavaScript selection code, which dominated a cold run of the
// detectors. Theil–Sen and OLS with standard error are written here because simple-statistics has
// no slope standard error and no Theil–Sen.

/** Consistency constant that makes the MAD estimate the standard deviation of normal data. */
export const MAD_TO_SD = 1.4826;

/** Median of the values (NaN for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  // (n − 1)/2 and linear interpolation between the two middle values, as simple-statistics does.
  return medianOfSorted(new Float64Array(values).sort());
}

/** Median of ascending values (type 7 at 0.5, as `median`). */
function medianOfSorted(s: Float64Array): number {
  const idx = (s.length - 1) * 0.5;
  const lo = Math.floor(idx);
  return idx === lo ? s[lo]! : s[lo]! + (idx - lo) * (s[lo + 1]! - s[lo]!);
}

/** Robust standard deviation: 1.4826 · median absolute deviation (0 for fewer than two values). */
export function robustSd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = median(values);
  return MAD_TO_SD * median(values.map((v) => Math.abs(v - m)));
}

/** Quantile (R type 7, linear interpolation) of unsorted values; NaN for none. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = new Float64Array(values).sort();
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

export interface SlopeFit {
  /** Slope (Theil–Sen or OLS, per the function). */
  slope: number;
  /** Intercept per group (one group when no groups were given). */
  intercepts: number[];
  /** Standard error of the OLS slope (NaN when it cannot be estimated). */
  se: number;
  /** Points used. */
  n: number;
}

/** Points kept at most by Theil–Sen: 150 evenly spaced points are 11,175 pairs, about a millisecond. */
const THEIL_SEN_MAX_POINTS = 150;

/**
 * Theil–Sen slope: the median of pairwise slopes. With `groups`, only pairs inside the same group
 * count (each group may have its own intercept: a job whose phase was reset by a restart).
 * Large inputs are thinned to evenly spaced points first, which keeps the estimator unbiased.
 */
export function theilSen(x: readonly number[], y: readonly number[], groups?: readonly number[]): SlopeFit {
  const n = x.length;
  const idx = thin(n, THEIL_SEN_MAX_POINTS);
  // Pairwise slopes in a typed array: up to 11,175 of them, sorted in place for the median.
  const slopes = new Float64Array((idx.length * (idx.length - 1)) / 2);
  let k = 0;
  for (let a = 0; a < idx.length; a++) {
    const i = idx[a]!;
    for (let b = a + 1; b < idx.length; b++) {
      const j = idx[b]!;
      if (groups !== undefined && groups[i] !== groups[j]) continue;
      const dx = x[j]! - x[i]!;
      if (dx !== 0) slopes[k++] = (y[j]! - y[i]!) / dx;
    }
  }
  const slope = k > 0 ? medianOfSorted(slopes.subarray(0, k).sort()) : 0;
  return { slope, intercepts: groupIntercepts(x, y, groups, slope), se: NaN, n };
}

/**
 * Ordinary least squares slope with its standard error. With `groups`, each group gets its own
 * intercept (within-group demeaning, the fixed-effects estimator) and the residual degrees of
 * freedom are N − groups − 1.
 */
export function olsSlope(x: readonly number[], y: readonly number[], groups?: readonly number[]): SlopeFit {
  const n = x.length;
  const g = groups ?? new Array<number>(n).fill(0);
  const sums = new Map<number, { sx: number; sy: number; c: number }>();
  for (let i = 0; i < n; i++) {
    const s = sums.get(g[i]!) ?? { sx: 0, sy: 0, c: 0 };
    s.sx += x[i]!;
    s.sy += y[i]!;
    s.c++;
    sums.set(g[i]!, s);
  }
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const s = sums.get(g[i]!)!;
    const dx = x[i]! - s.sx / s.c;
    const dy = y[i]! - s.sy / s.c;
    sxx += dx * dx;
    sxy += dx * dy;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  let rss = 0;
  for (let i = 0; i < n; i++) {
    const s = sums.get(g[i]!)!;
    const r = y[i]! - s.sy / s.c - slope * (x[i]! - s.sx / s.c);
    rss += r * r;
  }
  const df = n - sums.size - 1;
  const se = df > 0 && sxx > 0 ? Math.sqrt(rss / df / sxx) : NaN;
  return { slope, intercepts: groupIntercepts(x, y, groups, slope), se, n };
}

/** Residuals of y against `slope` and the per-group intercepts of `fit`. */
export function residuals(x: readonly number[], y: readonly number[], fit: SlopeFit, groups?: readonly number[]): number[] {
  const order = groupOrder(groups, x.length);
  return x.map((xi, i) => y[i]! - fit.intercepts[order[i]!]! - fit.slope * xi);
}

function groupIntercepts(x: readonly number[], y: readonly number[], groups: readonly number[] | undefined, slope: number): number[] {
  const order = groupOrder(groups, x.length);
  const per: number[][] = [];
  for (let i = 0; i < x.length; i++) (per[order[i]!] ??= []).push(y[i]! - slope * x[i]!);
  return per.map((v) => median(v));
}

/** Dense 0-based group index of each point, in order of first appearance. */
function groupOrder(groups: readonly number[] | undefined, n: number): number[] {
  if (groups === undefined) return new Array<number>(n).fill(0);
  const dense = new Map<number, number>();
  return groups.map((g) => {
    let d = dense.get(g);
    if (d === undefined) {
      d = dense.size;
      dense.set(g, d);
    }
    return d;
  });
}

function thin(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const step = (n - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => Math.round(i * step));
}
