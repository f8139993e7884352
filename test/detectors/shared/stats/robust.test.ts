import { describe, it, expect } from 'vitest';
import { median, robustSd, quantile, theilSen, olsSlope, residuals } from '../../../../src/detectors/shared/stats/robust.js';
import { poissonUpperTail } from '../../../../src/detectors/shared/stats/poisson.js';
import { phaseLock } from '../../../../src/detectors/shared/stats/circular.js';

describe('robust estimators', () => {
  it('median, robust SD and quantiles', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([])).toBeNaN();
    // MAD of 1..9 is 2; scaled to the normal SD by 1.4826.
    expect(robustSd([1, 2, 3, 4, 5, 6, 7, 8, 9])).toBeCloseTo(2.9652, 4);
    expect(robustSd([7])).toBe(0);
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 10);
  });

  it('Theil–Sen ignores an outlier that pulls OLS', () => {
    const x = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const y = x.map((v) => 2 * v + 1);
    y[9] = 100;
    expect(theilSen(x, y).slope).toBeCloseTo(2, 10);
    expect(olsSlope(x, y).slope).toBeGreaterThan(4);
  });

  it('groups get their own intercepts (a phase reset does not look like drift)', () => {
    // Two segments with slope 3 and intercepts 0 and 500.
    const x = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4];
    const y = x.map((v, i) => 3 * v + (i < 5 ? 0 : 500));
    const g = x.map((_, i) => (i < 5 ? 0 : 1));
    const ts = theilSen(x, y, g);
    expect(ts.slope).toBeCloseTo(3, 10);
    expect(ts.intercepts).toEqual([0, 500]);
    const ols = olsSlope(x, y, g);
    expect(ols.slope).toBeCloseTo(3, 10);
    expect(ols.se).toBeCloseTo(0, 10);
    expect(residuals(x, y, ts, g).every((r) => Math.abs(r) < 1e-9)).toBe(true);
  });

  it('OLS standard error matches the textbook formula', () => {
    const x = [1, 2, 3, 4, 5];
    const y = [2.1, 3.9, 6.2, 7.8, 10.1];
    const f = olsSlope(x, y);
    expect(f.slope).toBeCloseTo(1.99, 10);
    // rss = 0.107, df = 3, sxx = 10 → se = sqrt(0.107/3/10)
    expect(f.se).toBeCloseTo(Math.sqrt(0.107 / 30), 6);
  });
});

describe('poissonUpperTail', () => {
  it('agrees with direct sums where they are accurate', () => {
    const direct = (k: number, mu: number) => {
      let s = 0;
      let term = Math.exp(-mu);
      for (let j = 0; j < k; j++) {
        s += term;
        term *= mu / (j + 1);
      }
      return 1 - s;
    };
    for (const [k, mu] of [[1, 0.5], [3, 2], [5, 5], [10, 12], [4, 0.3]] as const) expect(poissonUpperTail(k, mu)).toBeCloseTo(direct(k, mu), 10);
  });

  it('keeps tiny tails that 1 − CDF loses', () => {
    // P(X ≥ 10 | μ = 0.01) = e^-0.01 · 0.01^10 / 10! · (1 + 0.01/11 + 0.01²/(11·12) + ...)
    const p = poissonUpperTail(10, 0.01);
    expect(p).toBeGreaterThan(0);
    expect(p / (1e-20 / 3628800)).toBeCloseTo(Math.exp(-0.01) * (1 + 0.01 / 11 + 0.0001 / 132), 8);
  });

  it('edges', () => {
    expect(poissonUpperTail(0, 3)).toBe(1);
    expect(poissonUpperTail(2, 0)).toBe(0);
    expect(poissonUpperTail(5, 1000)).toBeCloseTo(1, 12);
  });
});

describe('phaseLock', () => {
  it('on-the-hour runs are locked at offset 0', () => {
    const t0 = Date.parse('2026-02-07T04:00:00Z');
    const l = phaseLock([0, 1, 2, 3, 4, 5].map((i) => t0 + i * 3_600_000), 3_600_000)!;
    expect(l.rBar).toBeCloseTo(1, 10);
    expect(l.offsetMs % 3_600_000).toBeLessThan(1);
    expect(l.p).toBeLessThan(0.01);
  });

  it('phases spread around the hour give a small R̄', () => {
    const t0 = Date.parse('2026-02-07T04:00:00Z');
    const l = phaseLock([0, 1, 2, 3, 4, 5, 6, 7].map((i) => t0 + i * (3_600_000 + 450_000)), 3_600_000)!;
    expect(l.rBar).toBeLessThan(0.1);
    expect(l.p).toBeGreaterThan(0.5);
  });
});
