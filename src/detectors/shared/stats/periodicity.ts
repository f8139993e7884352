// Period and drift of a recurring event from its timestamps alone, for 6 to a few hundred runs.
//
// 1. Collapse runs: events closer than `runGapMs` are one run (a job logging several lines).
// 2. First period guess P0 = median gap.
// 3. Chains: each run joins the best-fitting of the recent chains whose last run it follows by
//    k·P0 (k ≥ 1, within 25 % of P0; an established chain holds it to its own period and jitter),
//    else starts a new chain. k > 1 folds missed runs (harmonic folding); a run that fits no chain
//    is an extra (a retry, a manual run); a new chain is a phase reset (a restart of an in-process
//    sleep loop). This is what lets one off-beat event or a redeploy not spoil the fit.
// 4. Realised period P̂ = ΣΔ/Σk over chained gaps; jitter σ from the 80th percentile of
//    |Δ − k·P0|. Periodic when enough runs are chained, chains are long (≥ 4 runs on average),
//    missed cycles are at most half the runs, and σ/P̂ is small (stricter below 20 runs). Random
//    (Poisson) events pass as periodic in ≤ 0.1 % of trials at 6 to 300 events (see the tests).
// 5. Drift: against a nominal period P (P̂ snapped to a round period, or a sibling job's period),
//    phase φ_j = t_j − t_chain0 − n_j·P is regressed on the cycle number n_j (Theil–Sen for the
//    value, OLS for its standard error, one intercept per chain). A `while True: run(); sleep(P)`
//    loop drifts by its run time every cycle; a cron schedule does not drift at all.
import { median, robustSd, theilSen, olsSlope, residuals, quantile } from './robust.js';
import { phaseLock, type PhaseLock } from './circular.js';

/** Round periods a schedule is usually written in (seconds). */
export const NOMINAL_PERIODS_S: readonly number[] = [60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 14400, 21600, 43200, 86400, 604800];

export interface PeriodOptions {
  /** Events closer than this are one run (ms). */
  runGapMs: number;
  /** Chained runs needed to call a template periodic. */
  minRuns: number;
  /** Periodic only when jitter / period is at most this (with 20 runs or more; proportionally less below). */
  maxJitterRatio: number;
  /** Share of runs that must sit on a chain (the rest are extras). */
  minChainedShare: number;
  /** A gap fits a chain when |Δ − k·P0| ≤ this fraction of P0. */
  chainTolerance: number;
  /** Shortest period considered (ms). */
  minPeriodMs: number;
}

export const DEFAULT_PERIOD_OPTIONS: PeriodOptions = {
  runGapMs: 30_000,
  minRuns: 6,
  maxJitterRatio: 0.1,
  minChainedShare: 0.6,
  chainTolerance: 0.25,
  minPeriodMs: 60_000,
};

export interface PeriodEstimate {
  /** Start time of each run (after collapsing), sorted. */
  runs: number[];
  /** Chain number of each run, or −1 for an extra run on no chain. */
  chainOf: number[];
  /** Cycle number of each run inside its chain (0 for the first; −1 for extras). */
  cycleOf: number[];
  /** Realised period P̂ (ms). */
  periodMs: number;
  /** Robust standard deviation of the per-cycle gaps (ms). */
  jitterMs: number;
  /** Chains of two or more runs. */
  chains: number;
  /** Runs on a chain. */
  chained: number;
  /** Runs on no chain. */
  extra: number;
  /** Cycles skipped inside chains: Σ(k − 1). */
  missed: number;
  /** Per-cycle gaps Δ/k of the chained runs (ms). */
  cycleGapsMs: number[];
}

/** Runs per chain needed on average: phase resets (restarts) are rare next to runs. */
const MIN_RUNS_PER_CHAIN = 4;

/** Smallest tolerance (share of the period) of an established chain, against its own period. */
const ESTABLISHED_MIN_TOLERANCE = 0.03;

/** Collapses sorted times into run start times: a new run starts after a gap above `runGapMs`. */
export function collapseRuns(times: ArrayLike<number>, runGapMs: number): number[] {
  const runs: number[] = [];
  let last = -Infinity;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (t - last > runGapMs) runs.push(t);
    last = t;
  }
  return runs;
}

/** The period of sorted event times, or null when they do not recur on one. */
export function estimatePeriod(times: ArrayLike<number>, options: PeriodOptions = DEFAULT_PERIOD_OPTIONS): PeriodEstimate | null {
  if (times.length < options.minRuns) return null;
  const runs = collapseRuns(times, options.runGapMs);
  if (runs.length < options.minRuns) return null;
  const gaps: number[] = [];
  for (let i = 1; i < runs.length; i++) gaps.push(runs[i]! - runs[i - 1]!);
  const p0 = median(gaps);
  if (!(p0 >= options.minPeriodMs)) return null;
  const tol = options.chainTolerance * p0;
  // Open chains: first and last run time, cycle count. Only the four that took a run most recently
  // are tried, most recent first (bounded work).
  const recent: number[] = [];
  const chainAbsRes: number[] = [];
  const chainGaps: number[] = [];
  const chainFirst: number[] = [];
  const chainLast: number[] = [];
  const chainCycle: number[] = [];
  const chainSize: number[] = [];
  const chainOf: number[] = new Array<number>(runs.length).fill(-1);
  const cycleOf: number[] = new Array<number>(runs.length).fill(-1);
  const kOf: number[] = new Array<number>(runs.length).fill(0);
  for (let i = 0; i < runs.length; i++) {
    const t = runs[i]!;
    // Among the chains this run could continue, take the best fit (residual over tolerance).
    let joined = -1;
    let bestScore = Infinity;
    let bestK = 0;
    let bestRes = 0;
    for (let r = 0; r < recent.length; r++) {
      const c = recent[r]!;
      const d = t - chainLast[c]!;
      const k = Math.round(d / p0);
      if (k < 1 || Math.abs(d - k * p0) > tol) continue;
      // An older chain (another run has come in since) takes only the next cycle or the one after:
      // the run after an off-beat extra, or after a displaced run. Folding more missed runs into an
      // old chain would let a restart hours later join it whenever its phase happens to be close.
      if (r > 0 && k > 2) continue;
      // An established chain holds the next run to its own period and its own jitter: a restart
      // that lands within the loose tolerance (11 minutes early on an hourly job) would otherwise
      // stay on the chain and read as a phase step, i.e. as drift.
      let res: number;
      let allowed: number;
      if (chainCycle[c]! >= 3) {
        const own = (chainLast[c]! - chainFirst[c]!) / chainCycle[c]!;
        res = Math.abs(d - k * own);
        const spread = chainAbsRes[c]! / chainGaps[c]!;
        allowed = Math.min(tol, Math.max(ESTABLISHED_MIN_TOLERANCE * p0, 5 * spread) * Math.sqrt(k));
      } else {
        res = Math.abs(d - k * p0);
        allowed = tol;
      }
      if (res > allowed) continue;
      const score = res / allowed;
      if (score < bestScore) {
        bestScore = score;
        joined = c;
        bestK = k;
        bestRes = res;
      }
    }
    if (joined !== -1) {
      kOf[i] = bestK;
      chainAbsRes[joined]! += bestRes;
      chainGaps[joined]!++;
    }
    if (joined === -1) {
      joined = chainLast.length;
      chainFirst.push(t);
      chainLast.push(t);
      chainCycle.push(0);
      chainSize.push(0);
      chainAbsRes.push(0);
      chainGaps.push(0);
    } else {
      chainCycle[joined]! += kOf[i]!;
      chainLast[joined] = t;
    }
    const at = recent.indexOf(joined);
    if (at !== -1) recent.splice(at, 1);
    recent.unshift(joined);
    if (recent.length > 4) recent.pop();
    chainOf[i] = joined;
    cycleOf[i] = chainCycle[joined]!;
    chainSize[joined]!++;
  }
  // Singletons are extras; renumber the real chains densely.
  const dense = new Map<number, number>();
  let chained = 0;
  let missed = 0;
  let sumGap = 0;
  let sumK = 0;
  const cycleGapsMs: number[] = [];
  const gapResidualsMs: number[] = [];
  const prevOnChain = new Map<number, number>();
  for (let i = 0; i < runs.length; i++) {
    const c = chainOf[i]!;
    if (chainSize[c]! < 2) {
      chainOf[i] = -1;
      cycleOf[i] = -1;
      continue;
    }
    if (!dense.has(c)) dense.set(c, dense.size);
    chained++;
    const prev = prevOnChain.get(c);
    if (prev !== undefined) {
      const k = kOf[i]!;
      const d = runs[i]! - prev;
      sumGap += d;
      sumK += k;
      missed += k - 1;
      cycleGapsMs.push(d / k);
      gapResidualsMs.push(d - k * p0);
    }
    prevOnChain.set(c, runs[i]!);
    chainOf[i] = dense.get(c)!;
  }
  if (chained < options.minRuns || chained < options.minChainedShare * runs.length || sumK === 0) return null;
  // A schedule runs in most of its slots: more than one missed cycle per two runs is chance alignment
  // (random events fold into long chains with many "missed" cycles).
  if (missed * 2 > chained) return null;
  // Restarts reset a phase now and then; random events break into many short chains.
  if (chained < MIN_RUNS_PER_CHAIN * dense.size) return null;
  const periodMs = sumGap / sumK;
  // Jitter from the residuals Δ − k·P0, not Δ/k: dividing by k would shrink the scatter of folded
  // gaps and let random events, which fit a chain anywhere within the tolerance, pass as periodic.
  // The 80th percentile of |residual| (as a normal SD: / 1.2816) rather than the MAD: the MAD lets
  // half the gaps be anything, and with 6–10 runs that passes random events as periodic. Gaps that
  // are truly off the schedule already left the chain as extras.
  const jitterMs = quantile(gapResidualsMs.map(Math.abs), 0.8) / 1.2816;
  // Few runs align with a period by chance more easily: the allowed jitter shrinks below 20 runs
  // (random events pass as periodic < 1 % of the time at every count; see the tests).
  if (jitterMs / periodMs > options.maxJitterRatio * Math.min(1, chained / 20)) return null;
  return { runs, chainOf, cycleOf, periodMs, jitterMs, chains: dense.size, chained, extra: runs.length - chained, missed, cycleGapsMs };
}

/** The round period within `tolerance` (relative) of `periodMs`, or null. */
export function snapPeriod(periodMs: number, tolerance = 0.05, candidatesS: readonly number[] = NOMINAL_PERIODS_S): number | null {
  let best: number | null = null;
  let bestRel = Infinity;
  for (const s of candidatesS) {
    const rel = Math.abs(periodMs - s * 1000) / (s * 1000);
    if (rel < bestRel) {
      bestRel = rel;
      best = s * 1000;
    }
  }
  return best !== null && bestRel <= tolerance ? best : null;
}

export interface DriftFit {
  /** The period the phase was measured against (ms). */
  nominalMs: number;
  /** Drift per cycle, Theil–Sen (ms): positive = each run later than the last by P + drift. */
  driftMs: number;
  /** OLS drift per cycle and its standard error (ms). */
  olsDriftMs: number;
  seMs: number;
  /** Robust spread of the phase around the fitted drift line (ms). */
  phaseScatterMs: number;
  /** Interquartile range of per-cycle gap minus nominal (ms), e.g. 60–120 s for a sleep loop. */
  gapExcessQ1Ms: number;
  gapExcessQ3Ms: number;
  /** Largest cycle span of a chain: how many cycles the drift accumulated over. */
  spanCycles: number;
  /** Phase lock of the runs against the nominal period (UTC epoch anchor). */
  lock: PhaseLock | null;
}

/** Fits the phase of the chained runs against the cycle number, for a nominal period. */
export function fitDrift(est: PeriodEstimate, nominalMs: number): DriftFit {
  const x: number[] = [];
  const y: number[] = [];
  const g: number[] = [];
  const first = new Map<number, number>();
  const span = new Map<number, number>();
  const lockTimes: number[] = [];
  for (let i = 0; i < est.runs.length; i++) {
    const c = est.chainOf[i]!;
    if (c < 0) continue;
    const t = est.runs[i]!;
    if (!first.has(c)) first.set(c, t);
    const n = est.cycleOf[i]!;
    x.push(n);
    y.push(t - first.get(c)! - n * nominalMs);
    g.push(c);
    span.set(c, Math.max(span.get(c) ?? 0, n));
    lockTimes.push(t);
  }
  const ts = theilSen(x, y, g);
  const ols = olsSlope(x, y, g);
  const scatter = robustSd(residuals(x, y, ts, g));
  const excess = est.cycleGapsMs.map((d) => d - nominalMs);
  return {
    nominalMs,
    driftMs: ts.slope,
    olsDriftMs: ols.slope,
    seMs: ols.se,
    phaseScatterMs: scatter,
    gapExcessQ1Ms: quantile(excess, 0.25),
    gapExcessQ3Ms: quantile(excess, 0.75),
    spanCycles: Math.max(0, ...span.values()),
    lock: phaseLock(lockTimes, nominalMs),
  };
}

export interface DriftTest {
  /** Smallest drift per cycle worth calling drift: max(1 s, fraction · P). */
  minDriftMs: number;
  /** |drift| / SE needed. */
  minT: number;
  /** Accumulated drift over the span must reach this (ms): a schedule that is off by less is on time. */
  graceMs: number;
}

/** The default drift test for a nominal period: max(1 s, 0.1 % P), t ≥ 3, grace max(60 s, 5 % P, 3σ). */
export function defaultDriftTest(nominalMs: number, jitterMs: number): DriftTest {
  return { minDriftMs: Math.max(1000, 0.001 * nominalMs), minT: 3, graceMs: Math.max(60_000, 0.05 * nominalMs, 3 * jitterMs) };
}

/** Whether the fitted drift is real: large enough, significant, and accumulated beyond the grace. */
export function isDrifting(fit: DriftFit, test: DriftTest): boolean {
  const d = Math.abs(fit.driftMs);
  if (d < test.minDriftMs) return false;
  // A perfectly regular drift has zero residuals: SE 0 means "certain", not "unknown".
  const t = fit.seMs > 0 ? Math.abs(fit.olsDriftMs) / fit.seMs : fit.seMs === 0 ? Infinity : 0;
  if (!(t >= test.minT)) return false;
  return d * fit.spanCycles >= test.graceMs;
}
