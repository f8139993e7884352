// The shape of a memory series: sawtooth (climbs and drops), leak (a steady climb), step (a level
// change), flat, or irregular (drops without a regular climb between them, or a wide swing that is
// none of the others). Sample-rate agnostic:
// the same rules hold for Railway's 30 s to 1 h samples and Heroku's 20 s.
//
// 1. Despike: a sample whose two neighbours agree with each other but not with it is replaced by
//    their median (median-of-3 applied only where it removes a one-sample spike). A plain median-of-3
//    would halve the drops of a sawtooth sampled three or four times a cycle (hourly samples of a
//    3-hour cycle), which is common on Railway's week view.
// 2. Drops: runs of up to 3 falling differences whose total is below −max(5σ_d, 0.25·range),
//    σ_d = 1.4826·MAD(differences) (detection.md §5); jumps likewise upwards.
// 3. Cycles between consecutive drops: trough, peak, amplitude, duration, in-cycle OLS slope and R².
//    Sawtooth: ≥ 2 drops, climbing cycles (median R² ≥ 0.7 or monotone when too short to fit),
//    CV(amplitude) ≤ 0.35, drops ≥ half the amplitude. Trough trend by OLS of the post-drop troughs;
//    a rise ≥ 15% of the amplitude with |t| ≥ 3 is a leaky sawtooth (HPjmeter/GCViewer idea).
// 4. Otherwise step: binary segmentation with L2 cost and penalty 2σ̂² ln n (σ̂ = 1.4826·MAD(d)/√2),
//    segments of ≥ 5 samples; change points that move the mean by less than max(5σ̂, 5% of the level)
//    are merged away (a slow drift); a step is 1–2 remaining change points with flat segments
//    (drift < 20% of the shift) and no return to the first level.
//    (Binary segmentation rather than PELT: PELT's pruning degrades to O(n²) when there are few
//    change points, which is the case that matters here; binary segmentation stays O(n log n).)
// 5. Otherwise leak: slope with one intercept per restart segment (drops at restarts reset a leak),
//    R² ≥ 0.8, Spearman ρ ≥ 0.9 on the longest segment, and a rise that matters (≥ 10% of the level).
// 6. Drops that fall within one sample interval (plus a minute) of a container start or stop are
//    "at restarts"; a sawtooth whose drops are mostly restarts is a leak cut short by restarts.
import { sampleRankCorrelation } from 'simple-statistics';

export type MemoryShape = 'sawtooth' | 'leak' | 'step' | 'flat' | 'irregular';

export interface ShapeOptions {
  /** Drops needed for a sawtooth. */
  minDrops: number;
  /** Largest coefficient of variation of the cycle amplitudes for a sawtooth. */
  maxAmplitudeCv: number;
  /** Smallest median in-cycle R² for a sawtooth (cycles with ≥ 4 samples). */
  minCycleR2: number;
  /** Trough rise (share of the median amplitude) over the series that makes a sawtooth leaky. */
  leakyTroughShare: number;
  /** Smallest R² of the leak slope. */
  minLeakR2: number;
  /** Smallest total rise of a leak, as a share of the mean level. */
  minLeakRiseShare: number;
  /** Share of drops at restarts above which a sawtooth is read as a leak reset by restarts. */
  restartDropShare: number;
}

export const DEFAULT_SHAPE_OPTIONS: ShapeOptions = {
  minDrops: 2,
  maxAmplitudeCv: 0.35,
  minCycleR2: 0.7,
  leakyTroughShare: 0.15,
  minLeakR2: 0.8,
  minLeakRiseShare: 0.1,
  restartDropShare: 0.8,
};

export interface Drop {
  /** Time of the last sample before the drop (the peak) and of the first after it (the trough). */
  fromTs: number;
  toTs: number;
  fromMb: number;
  toMb: number;
  atRestart: boolean;
}

export interface Step {
  ts: number;
  fromMb: number;
  toMb: number;
}

export interface ShapeResult {
  shape: MemoryShape;
  samples: number;
  /** Median spacing of the samples (s). */
  sampleSeconds: number;
  minMb: number;
  maxMb: number;
  meanMb: number;
  drops: Drop[];
  dropsAtRestarts: number;
  /** Complete cycles (between consecutive drops). */
  cycles: number;
  periodSeconds: number | null;
  /** Coefficient of variation of the cycle durations (≤ 0.3: regular). */
  periodCv: number | null;
  amplitudeMb: number | null;
  amplitudeCv: number | null;
  /** Median in-cycle climb (MB/h). */
  riseMbPerHour: number | null;
  troughTrendMbPerHour: number | null;
  /** Sawtooth whose troughs climb: memory the drops do not give back. */
  leaking: boolean;
  /** Leak slope (MB/h) with one intercept per restart segment. */
  slopeMbPerHour: number | null;
  slopeR2: number | null;
  steps: Step[];
  /** Why the shape was chosen (for the narrative). */
  reason: string;
}

function median(xs: readonly number[]): number {
  // The typed-array constructor copies an array directly; Float64Array.from walks its iterator.
  const s = new Float64Array(xs).sort();
  const n = s.length;
  return n === 0 ? NaN : n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function mad(xs: readonly number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

function mean(xs: ArrayLike<number>, from = 0, to = xs.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += xs[i]!;
  return s / (to - from);
}

interface Fit {
  slope: number;
  intercept: number;
  r2: number;
  /** t statistic of the slope (Infinity for a perfect fit). */
  t: number;
}

/** Ordinary least squares of y on x over [from, to). */
export function ols(x: ArrayLike<number>, y: ArrayLike<number>, from = 0, to = x.length): Fit {
  const n = to - from;
  const mx = mean(x, from, to);
  const my = mean(y, from, to);
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = from; i < to; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (n < 2 || sxx === 0) return { slope: 0, intercept: my, r2: 0, t: 0 };
  const slope = sxy / sxx;
  const sse = Math.max(0, syy - slope * sxy);
  const r2 = syy === 0 ? 0 : 1 - sse / syy;
  const se = n > 2 ? Math.sqrt(sse / (n - 2) / sxx) : 0;
  return { slope, intercept: my - slope * mx, r2, t: se === 0 ? (slope === 0 ? 0 : Infinity) : slope / se };
}

/** One-sample spikes replaced by the median of their neighbours; everything else untouched. */
export function despike(y: readonly number[]): number[] {
  const out = y.slice();
  const d: number[] = [];
  for (let i = 1; i < y.length; i++) d.push(y[i]! - y[i - 1]!);
  const noise = 1.4826 * mad(d);
  for (let i = 1; i + 1 < y.length; i++) {
    const a = y[i - 1]!;
    const b = y[i + 1]!;
    const mid = (a + b) / 2;
    const dev = y[i]! - mid;
    if (Math.abs(dev) > Math.max(5 * noise, 1e-9) && Math.abs(a - b) < 0.25 * Math.abs(dev)) out[i] = median([a, y[i]!, b]);
  }
  // The first sample has one neighbour: far from the next two, which agree, it is a spike (it would
  // read as a drop). The last sample is left alone: a fall there is what a real final drop looks like.
  if (y.length >= 3) {
    const dev = y[0]! - y[1]!;
    if (Math.abs(dev) > Math.max(5 * noise, 1e-9) && Math.abs(y[1]! - y[2]!) < 0.25 * Math.abs(dev)) out[0] = y[1]!;
  }
  return out;
}

/** Binary segmentation with L2 cost; change point indices (first index of each new segment). */
export function binarySegmentation(y: readonly number[], penalty: number, minSeg: number, maxCps: number): number[] {
  const n = y.length;
  const s1 = new Float64Array(n + 1);
  const s2 = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    s1[i + 1] = s1[i]! + y[i]!;
    s2[i + 1] = s2[i]! + y[i]! * y[i]!;
  }
  const cost = (a: number, b: number) => {
    const m = b - a;
    const s = s1[b]! - s1[a]!;
    return s2[b]! - s2[a]! - (s * s) / m;
  };
  const cps: number[] = [];
  const queue: [number, number][] = [[0, n]];
  while (queue.length > 0 && cps.length <= maxCps) {
    // Split the segment with the largest gain first.
    let bestGain = penalty;
    let best: { seg: number; k: number } | null = null;
    queue.forEach(([a, b], qi) => {
      if (b - a < 2 * minSeg) return;
      const whole = cost(a, b);
      for (let k = a + minSeg; k <= b - minSeg; k++) {
        const g = whole - cost(a, k) - cost(k, b);
        if (g > bestGain) {
          bestGain = g;
          best = { seg: qi, k };
        }
      }
    });
    if (best === null) break;
    const { seg, k } = best as { seg: number; k: number };
    const [a, b] = queue[seg]!;
    queue.splice(seg, 1, [a, k], [k, b]);
    cps.push(k);
  }
  return cps.sort((p, q) => p - q);
}

/**
 * Shape of a memory series (`ts` epoch ms ascending, `mb` values). `restarts` are container
 * start/stop times of the same service (epoch ms, any order).
 */
export function memoryShape(ts: readonly number[], mb: readonly number[], restarts: readonly number[] = [], options: Partial<ShapeOptions> = {}): ShapeResult {
  const o = { ...DEFAULT_SHAPE_OPTIONS, ...options };
  const n = ts.length;
  let minMb = Infinity;
  let maxMb = -Infinity;
  for (const v of mb) {
    if (v < minMb) minMb = v;
    if (v > maxMb) maxMb = v;
  }
  const meanMb = mean(mb);
  const gaps: number[] = [];
  for (let i = 1; i < n; i++) gaps.push(ts[i]! - ts[i - 1]!);
  const dt = gaps.length > 0 ? median(gaps) : 0;
  const base: ShapeResult = {
    shape: 'flat', samples: n, sampleSeconds: dt / 1000, minMb, maxMb, meanMb, drops: [], dropsAtRestarts: 0, cycles: 0, periodSeconds: null, periodCv: null,
    amplitudeMb: null, amplitudeCv: null, riseMbPerHour: null, troughTrendMbPerHour: null, leaking: false, slopeMbPerHour: null, slopeR2: null, steps: [], reason: '',
  };
  if (n < 6) return { ...base, reason: `only ${n} samples` };
  const y = despike(mb);
  const d: number[] = [];
  for (let i = 1; i < n; i++) d.push(y[i]! - y[i - 1]!);
  const sigmaD = 1.4826 * mad(d);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of y) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  const floorNoise = 1e-3 * Math.max(Math.abs(meanMb), range, 1e-6);
  const theta = Math.max(5 * sigmaD, 0.25 * range, floorNoise);

  // Drops: runs of up to three falling differences with a total below −θ.
  const sortedRestarts = [...restarts].sort((a, b) => a - b);
  const tolerance = dt + 60_000;
  const nearRestart = (from: number, to: number) => sortedRestarts.some((r) => r >= from - tolerance && r <= to + tolerance);
  const drops: Drop[] = [];
  const dropIdx: [number, number][] = [];
  for (let i = 0; i < n - 1; ) {
    if (y[i + 1]! >= y[i]!) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n - 1 && j - i < 3 && y[j + 1]! < y[j]!) j++;
    // The largest fall within the run, from its peak i.
    let k = i + 1;
    for (let q = i + 1; q <= j; q++) if (y[q]! < y[k]!) k = q;
    if (y[k]! - y[i]! < -theta) {
      drops.push({ fromTs: ts[i]!, toTs: ts[k]!, fromMb: y[i]!, toMb: y[k]!, atRestart: nearRestart(ts[i]!, ts[k]!) });
      dropIdx.push([i, k]);
      i = k;
    } else i++;
  }
  const dropsAtRestarts = drops.filter((x) => x.atRestart).length;
  const withDrops = { ...base, drops, dropsAtRestarts };

  // Cycles between consecutive drops: from the trough of one to the peak before the next.
  const cyc: { from: number; to: number; trough: number; peak: number; troughTs: number; fall: number; fit: Fit | null; monotone: boolean }[] = [];
  for (let c = 1; c < dropIdx.length; c++) {
    const from = dropIdx[c - 1]![1];
    const to = dropIdx[c]![0];
    if (to <= from) continue;
    let trough = Infinity;
    let peak = -Infinity;
    let monotone = true;
    for (let i = from; i <= to; i++) {
      if (y[i]! < trough) trough = y[i]!;
      if (y[i]! > peak) peak = y[i]!;
      if (i > from && y[i]! - y[i - 1]! < -theta / 2) monotone = false;
    }
    const fit = to - from + 1 >= 4 ? ols(ts, y, from, to + 1) : null;
    cyc.push({ from, to, trough, peak, troughTs: ts[from]!, fall: y[dropIdx[c]![0]]! - y[dropIdx[c]![1]]!, fit, monotone });
  }
  if (drops.length >= o.minDrops && cyc.length >= 1) {
    const amps = cyc.map((c) => c.peak - c.trough);
    const ampMed = median(amps);
    const ampMean = mean(amps);
    const ampCv = amps.length > 1 ? Math.sqrt(amps.reduce((a, x) => a + (x - ampMean) ** 2, 0) / (amps.length - 1)) / ampMean : 0;
    const fits = cyc.filter((c) => c.fit !== null).map((c) => c.fit!);
    const r2 = fits.length > 0 ? median(fits.map((f) => f.r2)) : null;
    const climbs = fits.length > 0 ? median(fits.map((f) => f.slope)) > 0 : cyc.every((c) => c.monotone && c.peak > c.trough);
    const climbing = climbs && (r2 === null ? true : r2 >= o.minCycleR2);
    const deepDrops = cyc.filter((c) => c.fall >= 0.5 * (c.peak - c.trough)).length >= 0.75 * cyc.length;
    const dropTimes = drops.map((x) => x.toTs);
    const periods: number[] = [];
    for (let i = 1; i < dropTimes.length; i++) periods.push(dropTimes[i]! - dropTimes[i - 1]!);
    const periodMs = median(periods);
    const pMean = mean(periods);
    const periodCv = periods.length > 1 ? Math.sqrt(periods.reduce((a, x) => a + (x - pMean) ** 2, 0) / (periods.length - 1)) / pMean : 0;
    const rise = fits.length > 0 ? median(fits.map((f) => f.slope)) * 3600_000 : (ampMed / median(cyc.map((c) => ts[c.to]! - ts[c.from]!))) * 3600_000;
    // Trough trend over the post-drop troughs.
    const tx = cyc.map((c) => c.troughTs);
    const ty = cyc.map((c) => c.trough);
    if (dropIdx.length > 0) {
      const last = dropIdx[dropIdx.length - 1]![1];
      let trough = Infinity;
      for (let i = last; i < n; i++) if (y[i]! < trough) trough = y[i]!;
      tx.push(ts[last]!);
      ty.push(trough);
    }
    const tf = ols(tx, ty);
    const totalTroughRise = tf.slope * (tx[tx.length - 1]! - tx[0]!);
    let leaking = tx.length >= 3 ? totalTroughRise >= o.leakyTroughShare * ampMed && Math.abs(tf.t) >= 3 : totalTroughRise >= 2 * o.leakyTroughShare * ampMed;
    // Troughs that jump once and stay level (a deploy that raised the floor) are a step, not a leak:
    // two flat levels explain them far better than a line.
    let troughStep: Step | null = null;
    if (leaking && tx.length >= 6) {
      const line = tf.slope;
      let sseLine = 0;
      for (let i = 0; i < tx.length; i++) sseLine += (ty[i]! - (tf.intercept + line * tx[i]!)) ** 2;
      let best = { k: -1, sse: Infinity };
      for (let k = 2; k <= tx.length - 2; k++) {
        const a = mean(ty, 0, k);
        const b = mean(ty, k, ty.length);
        let sse = 0;
        for (let i = 0; i < ty.length; i++) sse += (ty[i]! - (i < k ? a : b)) ** 2;
        if (sse < best.sse) best = { k, sse };
      }
      if (best.k > 0 && best.sse <= 0.25 * sseLine) {
        const before = ols(tx, ty, 0, best.k);
        const after = ols(tx, ty, best.k, tx.length);
        const flatSides = [before, after].every((f, j) => Math.abs(f.slope * (j === 0 ? tx[best.k - 1]! - tx[0]! : tx[tx.length - 1]! - tx[best.k]!)) < o.leakyTroughShare * ampMed);
        if (flatSides) {
          leaking = false;
          troughStep = { ts: tx[best.k]!, fromMb: round(mean(ty, 0, best.k), 1), toMb: round(mean(ty, best.k, ty.length), 1) };
        }
      }
    }
    const stats = {
      cycles: cyc.length,
      periodSeconds: Math.round(periodMs / 1000),
      periodCv: round(periodCv, 3),
      amplitudeMb: round(ampMed, 1),
      amplitudeCv: round(ampCv, 3),
      riseMbPerHour: round(rise, 2),
      troughTrendMbPerHour: round(tf.slope * 3600_000, 3),
    };
    if (climbing && ampCv <= o.maxAmplitudeCv && deepDrops) {
      if (drops.length > 0 && dropsAtRestarts / drops.length >= o.restartDropShare) {
        return {
          ...withDrops, ...stats, shape: 'leak', leaking: true, slopeMbPerHour: round(rise, 2), slopeR2: r2 === null ? null : round(r2, 3),
          reason: `memory climbs ${round(rise, 1)} MB/h and only falls when the container restarts (${dropsAtRestarts} of ${drops.length} drops at restarts)`,
        };
      }
      return {
        ...withDrops, ...stats, shape: 'sawtooth', leaking,
        steps: troughStep !== null ? [troughStep] : [],
        reason:
          `${drops.length} drops of about ${round(ampMed, 0)} MB every ${periodMs >= 90 * 60_000 ? `${round(periodMs / 3600_000, 1)} h` : `${round(periodMs / 60_000, 0)} min`}, climbing ${round(rise, 1)} MB/h in between` +
          (leaking ? `; the troughs rise ${round(tf.slope * 3600_000, 2)} MB/h` : '') +
          (troughStep !== null ? `; the floor moved once, from ${round(troughStep.fromMb, 0)} MB to ${round(troughStep.toMb, 0)} MB, and stayed level` : ''),
      };
    }
    if (drops.length >= o.minDrops) {
      const why = !climbing ? 'the memory does not climb steadily between them' : ampCv > o.maxAmplitudeCv ? `their sizes vary (CV ${round(ampCv, 2)})` : 'they give back only part of each climb';
      // Drops at restarts of a steady climb are still a leak; checked below.
      if (!(dropsAtRestarts / drops.length >= o.restartDropShare)) {
        const stepOrLeak = levelShapes(ts, y, drops, dropIdx, sigmaD, floorNoise, meanMb, range, o, true);
        if (stepOrLeak !== null && stepOrLeak.shape === 'step') return { ...withDrops, ...stepOrLeak };
        return { ...withDrops, ...stats, shape: 'irregular', reason: `${drops.length} drops, but ${why}` };
      }
    }
  }
  const other = levelShapes(ts, y, drops, dropIdx, sigmaD, floorNoise, meanMb, range, o, false);
  if (other !== null) return { ...withDrops, ...other };
  if (drops.length > 0) return { ...withDrops, shape: 'irregular', reason: `${drops.length} drop${drops.length === 1 ? '' : 's'} without a regular climb between them` };
  // Flat means the level stays within the noise; a wide swing without drops (a slow wave) is not flat.
  const sigma = (1.4826 * mad(d)) / Math.SQRT2;
  if (range > Math.max(10 * sigma, 0.2 * Math.abs(meanMb))) {
    return { ...withDrops, shape: 'irregular', reason: `memory swings over ${round(range, 0)} MB without drops, steps or a steady trend` };
  }
  return { ...withDrops, shape: 'flat', reason: `no drop, level change or trend beyond the noise (range ${round(range, 1)} MB)` };
}

const round = (x: number, dg: number) => Math.round(x * 10 ** dg) / 10 ** dg;

/** Step or leak, or null. */
function levelShapes(
  ts: readonly number[],
  y: readonly number[],
  drops: readonly Drop[],
  dropIdx: readonly [number, number][],
  sigmaD: number,
  floorNoise: number,
  meanMb: number,
  range: number,
  o: ShapeOptions,
  stepOnly: boolean,
): Partial<ShapeResult> | null {
  const n = y.length;
  const sigma = Math.max((1.4826 * mad(diffs(y))) / Math.SQRT2, floorNoise, sigmaD / Math.SQRT2);
  const penalty = 2 * sigma * sigma * Math.log(n);
  const minSeg = 5;
  if (n >= 2 * minSeg) {
    const minShift = Math.max(5 * sigma, 0.05 * Math.abs(meanMb));
    // A slow drift makes binary segmentation cut a level into pieces; change points that do not
    // move the mean by a real shift are merged away, smallest first.
    const cps = binarySegmentation(y, penalty, minSeg, 6);
    for (;;) {
      const b = [0, ...cps, n];
      let worst = -1;
      let worstShift = Infinity;
      for (let i = 0; i < cps.length; i++) {
        const shift = Math.abs(mean(y, b[i + 1]!, b[i + 2]!) - mean(y, b[i]!, b[i + 1]!));
        if (shift < worstShift) {
          worstShift = shift;
          worst = i;
        }
      }
      if (worst < 0 || worstShift >= minShift) break;
      cps.splice(worst, 1);
    }
    if (cps.length >= 1 && cps.length <= 2) {
      const bounds = [0, ...cps, n];
      const segs = bounds.slice(1).map((b, i) => {
        const a = bounds[i]!;
        const fit = ols(ts, y, a, b);
        return { a, b, mu: mean(y, a, b), drift: Math.abs(fit.slope * (ts[b - 1]! - ts[a]!)) };
      });
      const shifts = segs.slice(1).map((s, i) => s.mu - segs[i]!.mu);
      const big = shifts.every((s) => Math.abs(s) >= minShift);
      const flatSegs = segs.every((s, i) => s.drift < 0.2 * Math.abs(shifts[Math.min(i, shifts.length - 1)]!));
      const noReturn = segs.length < 3 || Math.abs(segs[2]!.mu - segs[0]!.mu) > 0.2 * Math.abs(shifts[0]!);
      if (big && flatSegs && noReturn) {
        const steps = cps.map((k, i) => ({ ts: ts[k]!, fromMb: round(segs[i]!.mu, 1), toMb: round(segs[i + 1]!.mu, 1) }));
        return {
          shape: 'step',
          steps,
          reason: 'the level moves ' + steps.map((s) => `from ${round(s.fromMb, 0)} MB to ${round(s.toMb, 0)} MB`).join(', then ') + ' and stays there',
        };
      }
    }
  }
  if (stepOnly) return null;
  // Leak: one slope, one intercept per segment between drops (a restart resets a leak).
  const cuts = dropIdx.map(([, k]) => k);
  const bounds = [0, ...cuts, n];
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  let longest: [number, number] = [0, 0];
  for (let i = 1; i < bounds.length; i++) {
    const a = bounds[i - 1]!;
    const b = bounds[i]!;
    if (b - a < 2) continue;
    if (b - a > longest[1] - longest[0]) longest = [a, b];
    const mx = mean(ts, a, b);
    const my = mean(y, a, b);
    for (let j = a; j < b; j++) {
      sxx += (ts[j]! - mx) ** 2;
      sxy += (ts[j]! - mx) * (y[j]! - my);
      syy += (y[j]! - my) ** 2;
    }
  }
  if (sxx === 0 || syy === 0) return null;
  const slope = sxy / sxx;
  const r2 = (slope * sxy) / syy;
  const [la, lb] = longest;
  let rise = 0;
  for (let i = 1; i < bounds.length; i++) if (bounds[i]! - bounds[i - 1]! >= 2) rise += slope * (ts[bounds[i]! - 1]! - ts[bounds[i - 1]!]!);
  // Spearman's ρ ranks the whole segment (sorts): computed only when the cheap conditions hold.
  const leakLike = slope > 0 && r2 >= o.minLeakR2 && rise >= o.minLeakRiseShare * Math.abs(meanMb) && rise >= 0.5 * range;
  const rho = leakLike && lb - la >= 3 ? sampleRankCorrelation(ts.slice(la, lb), y.slice(la, lb)) : 0;
  if (leakLike && rho >= 0.9) {
    const atRestarts = drops.filter((x) => x.atRestart).length;
    const fit = { slopeMbPerHour: round(slope * 3600_000, 3), slopeR2: round(r2, 3), leaking: true };
    if (atRestarts < drops.length) {
      return { shape: 'irregular', ...fit, reason: `memory climbs ${round(slope * 3600_000, 2)} MB/h and fell ${drops.length} time${drops.length === 1 ? '' : 's'} without a restart: too few cycles to call it a sawtooth` };
    }
    return {
      shape: 'leak',
      ...fit,
      reason: `memory climbs ${round(slope * 3600_000, 2)} MB/h (R² ${round(r2, 2)}, Spearman ρ ${round(rho, 2)})` + (cuts.length > 0 ? `, reset only by ${cuts.length} restart${cuts.length === 1 ? '' : 's'}` : ' without ever falling back'),
    };
  }
  return null;
}

function diffs(y: readonly number[]): number[] {
  const d: number[] = [];
  for (let i = 1; i < y.length; i++) d.push(y[i]! - y[i - 1]!);
  return d;
}
