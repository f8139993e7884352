import { describe, it, expect } from 'vitest';
import { estimatePeriod, snapPeriod, fitDrift, isDrifting, defaultDriftTest, collapseRuns } from '../../../../src/detectors/shared/stats/periodicity.js';

const H = 3_600_000;
const T0 = Date.parse('2026-02-01T00:00:00Z');

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('collapseRuns', () => {
  it('merges the lines of one run', () => {
    expect(collapseRuns([0, 1000, 2000, 100_000, 100_500], 30_000)).toEqual([0, 100_000]);
  });
});

describe('estimatePeriod', () => {
  it('measures a drifting sleep loop: 3600 s + 60..120 s per cycle', () => {
    const r = rng(1);
    const times: number[] = [];
    let t = T0 + 20 * 60_000;
    for (let i = 0; i < 12; i++) {
      times.push(t);
      t += H + 60_000 + r() * 60_000;
    }
    const est = estimatePeriod(times)!;
    expect(est).not.toBeNull();
    expect(est.chained).toBe(12);
    const nominal = snapPeriod(est.periodMs)!;
    expect(nominal).toBe(H);
    const fit = fitDrift(est, nominal);
    expect(fit.driftMs).toBeGreaterThan(60_000);
    expect(fit.driftMs).toBeLessThan(120_000);
    expect(isDrifting(fit, defaultDriftTest(nominal, est.jitterMs))).toBe(true);
  });

  it('folds missed runs and keeps an exact cadence exact', () => {
    const times = [0, 1, 2, 4, 5, 6, 7, 9, 10].map((i) => T0 + i * 15 * 60_000 + (i % 2) * 500);
    const est = estimatePeriod(times)!;
    expect(est.missed).toBe(2);
    expect(est.periodMs).toBeCloseTo(15 * 60_000, -3);
    const fit = fitDrift(est, snapPeriod(est.periodMs)!);
    expect(Math.abs(fit.driftMs)).toBeLessThan(1000);
    expect(isDrifting(fit, defaultDriftTest(fit.nominalMs, est.jitterMs))).toBe(false);
  });

  it('an off-beat extra run and a phase reset do not spoil the fit', () => {
    const a = [0, 1, 2, 3, 4].map((i) => T0 + i * 6 * H + i * 120_000);
    const extra = [T0 + 4 * 6 * H + 2 * H];
    // A restart at 27 h: the loop starts again at a new phase.
    const b = [0, 1, 2, 3, 4].map((i) => T0 + 27 * H + i * 6 * H + i * 120_000);
    const est = estimatePeriod([...a, ...extra, ...b].sort((x, y) => x - y))!;
    expect(est.extra).toBe(1);
    expect(est.chains).toBe(2);
    expect(est.chained).toBe(10);
    const fit = fitDrift(est, 6 * H);
    expect(fit.driftMs).toBeCloseTo(120_000, -1);
    expect(fit.spanCycles).toBe(4);
  });

  it('one run displaced by 10 minutes does not move the drift (Theil–Sen)', () => {
    const times = Array.from({ length: 14 }, (_, i) => T0 + i * H + i * 90_000 + (i === 6 ? 10 * 60_000 : 0));
    const est = estimatePeriod(times)!;
    expect(est.chains).toBe(1);
    const fit = fitDrift(est, H);
    expect(fit.driftMs).toBeCloseTo(90_000, -1);
  });

  it('random errors are not periodic at any count', () => {
    for (const n of [8, 20, 100, 300]) {
      let periodic = 0;
      for (let seed = 1; seed <= 100; seed++) {
        const r = rng(seed * 7919 + n);
        const times: number[] = [];
        let t = T0;
        for (let i = 0; i < n; i++) {
          t += -Math.log(1 - r()) * 10 * 60_000;
          times.push(t);
        }
        if (estimatePeriod(times) !== null) periodic++;
      }
      expect(periodic, `${n} events`).toBe(0);
    }
  });

  it('random (Poisson) errors are not periodic', () => {
    let periodic = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed);
      const times: number[] = [];
      let t = T0;
      for (let i = 0; i < 40; i++) {
        t += -Math.log(1 - r()) * H;
        times.push(t);
      }
      if (estimatePeriod(times) !== null) periodic++;
    }
    expect(periodic).toBe(0);
  });

  it('too few runs or too short a period give nothing', () => {
    expect(estimatePeriod([0, 1, 2, 3, 4].map((i) => T0 + i * H))).toBeNull();
    expect(estimatePeriod([0, 1, 2, 3, 4, 5, 6].map((i) => T0 + i * 40_000))).toBeNull();
  });
});

describe('snapPeriod', () => {
  it('snaps within 5 % and not beyond', () => {
    expect(snapPeriod(3690_000)).toBe(H);
    expect(snapPeriod(3900_000)).toBeNull();
    expect(snapPeriod(296_000)).toBe(300_000);
    expect(snapPeriod(22_000_000)).toBe(21_600_000);
  });
});
