import { describe, expect, it } from 'vitest';
import { costBreakdown as detector, integrateMinutes, looksCumulative } from '../../src/detectors/cost-breakdown.js';
import type { MetricSample } from '../../src/model.js';
import { ms, runDetector } from '../helpers/timeline.js';

const T0 = ms('2026-03-10T00:00:00Z');

/** `count` samples every `stepS` seconds of `value(i)`. */
function series(service: string, measurement: string, unit: string, stepS: number, count: number, value: (i: number) => number): MetricSample[] {
  return Array.from({ length: count }, (_, i) => ({ service, measurement, unit, ts: T0 + i * stepS * 1000, value: value(i) }));
}

type Item = { resource: string; cost: number; share: number };
const itemsOf = (d: Record<string, unknown>) => Object.fromEntries((d.items as Item[]).map((i) => [i.resource, i]));

describe('cost-breakdown: valid (no finding)', () => {
  it('no metrics', () => {
    expect(runDetector(detector, [{ at: T0, message: 'hello' }])).toEqual([]);
  });

  it('only ingress (free) and ephemeral disk (not billed)', () => {
    const m = [...series('api', 'network_rx', 'MB', 60, 100, () => 5), ...series('api', 'ephemeral_disk_usage', 'MB', 60, 100, () => 300)];
    expect(runDetector(detector, [], m)).toEqual([]);
  });
});

describe('cost-breakdown: invalid (findings with numbers)', () => {
  it('one day at 60 s: 200 MB, 0.1 vCPU, 500 MB volume, 1 MB egress per minute', () => {
    const m = [
      ...series('web', 'memory', 'MB', 60, 1440, () => 200),
      ...series('web', 'cpu', 'vCPU', 60, 1440, () => 0.1),
      ...series('web', 'network_tx', 'MB', 60, 1440, (i) => (i % 2 === 0 ? 1.5 : 0.5)),
      ...series('db', 'disk', 'MB', 60, 1440, () => 500),
    ];
    const fs = runDetector(detector, [], m);
    expect(fs).toHaveLength(1);
    const d = fs[0]!.data;
    const it = itemsOf(d);
    // 0.2 GB × 1440 min × $10/43,200; 0.1 vCPU × 1440 × $20/43,200; 1.44 GB × $0.05; 0.5 GB × 1440 × $0.15/43,200.
    expect(it.memory!.cost).toBeCloseTo(0.2 * 1440 * (10 / 43200), 6);
    expect(it.cpu!.cost).toBeCloseTo(0.1 * 1440 * (20 / 43200), 6);
    expect(it.egress!.cost).toBeCloseTo(1.44 * 0.05, 6);
    expect(it.volume!.cost).toBeCloseTo(0.5 * 1440 * (0.15 / 43200), 6);
    const total = 0.0666667 + 0.0666667 + 0.072 + 0.0025;
    expect(d.total as number).toBeCloseTo(total, 5);
    expect(d.windowHours).toBe(24);
    expect(d.projected7d as number).toBeCloseTo(total * 7, 4);
    expect(d.projected30d as number).toBeCloseTo(total * 30, 4);
    expect(d.currency).toBe('USD');
    expect(it.egress!.share).toBeCloseTo(0.072 / total, 3);
    expect(d.egressMode).toBe('interval');
    expect(fs[0]!.severity).toBe('info');
    expect(fs[0]!.title).toMatch(/^Cost Breakdown \(\$0\.21 over 24 h, ~\$6\.2[34] a month\)$/);
  });

  it('memory dominates (hourly samples over a week) → low, "the only lever"', () => {
    const m = [...series('app', 'memory', 'MB', 3600, 168, (i) => 150 + (i % 3) * 30), ...series('app', 'cpu', 'vCPU', 3600, 168, () => 0.002)];
    const fs = runDetector(detector, [], m);
    const d = fs[0]!.data;
    expect(fs[0]!.severity).toBe('low');
    expect(itemsOf(d).memory!.share).toBeGreaterThanOrEqual(0.9);
    expect(fs[0]!.title).toMatch(/^Memory Is 9\d% of Cost/);
    expect(fs[0]!.summary).toContain('only lever that matters');
    expect(d.windowHours).toBe(168);
    // Mean 180 MB for 168 h: 0.18 × 168 × 60 × 10/43,200.
    expect(itemsOf(d).memory!.cost).toBeCloseTo(0.18 * 168 * 60 * (10 / 43200), 5);
  });

  it.each([30, 240])('the sample rate (%i s) does not change the cost of the same usage', (stepS) => {
    const count = (6 * 3600) / stepS;
    const fs = runDetector(detector, [], series('svc', 'memory', 'MB', stepS, count, () => 1000));
    expect(itemsOf(fs[0]!.data).memory!.cost).toBeCloseTo(1 * 360 * (10 / 43200), 6);
    expect(fs[0]!.data.windowHours).toBe(6);
  });

  it('a cumulative egress counter is summed by its increments, across a reset', () => {
    // 0.5 MB per minute for 100 minutes, counter restarts at 0 after 60 samples.
    const counter = series('api', 'network_tx', 'MB', 60, 120, (i) => (i < 60 ? i * 0.5 : (i - 60) * 0.5 + 0.5));
    const mem = series('api', 'memory', 'MB', 60, 120, () => 100);
    const fs = runDetector(detector, [], [...counter, ...mem]);
    expect(fs[0]!.data.egressMode).toBe('cumulative');
    expect(fs[0]!.data.usage).toMatchObject({ egressGb: (59 * 0.5 + 0.5 + 59 * 0.5) / 1000 });
    const forced = runDetector(detector, [], [...counter, ...mem], { egressMode: 'interval' });
    expect(forced[0]!.data.egressMode).toBe('interval');
    expect((forced[0]!.data.usage as { egressGb: number }).egressGb).toBeGreaterThan(1);
  });

  it('replicas (samples at the same timestamps) are summed, as Railway bills them', () => {
    const one = series('w', 'memory', 'MB', 60, 600, () => 500);
    const two = [...series('w', 'memory', 'MB', 60, 600, () => 250), ...series('w', 'memory', 'MB', 60, 600, () => 250)];
    const a = itemsOf(runDetector(detector, [], one)[0]!.data).memory!.cost;
    const b = itemsOf(runDetector(detector, [], two)[0]!.data).memory!.cost;
    expect(b).toBeCloseTo(a, 8);
    expect(runDetector(detector, [], two)[0]!.data.windowHours).toBe(10);
  });

  it('prices are options', () => {
    const m = series('w', 'memory', 'MB', 60, 600, () => 500);
    const base = itemsOf(runDetector(detector, [], m)[0]!.data).memory!.cost;
    const doubled = itemsOf(runDetector(detector, [], m, { memoryGbMonth: 20 })[0]!.data).memory!.cost;
    expect(doubled).toBeCloseTo(2 * base, 5);
  });

  it('a gap in the export is not billed as if the value held', () => {
    const before = series('w', 'memory', 'MB', 60, 60, () => 1000);
    const after = before.map((s) => ({ ...s, ts: s.ts + 6 * 3600_000 + 60_000 }));
    const fs = runDetector(detector, [], [...before, ...after]);
    // 120 billed minutes of 1 GB, not 6 h more.
    expect(itemsOf(fs[0]!.data).memory!.cost).toBeCloseTo(120 * (10 / 43200), 6);
    expect(fs[0]!.impact).toContain('1 gap longer than 3 sample intervals not billed');
  });
});

describe('building blocks', () => {
  it('integrateMinutes bills the last sample for one interval', () => {
    expect(integrateMinutes({ ts: [0, 60_000, 120_000], values: [1, 2, 3] }, 3).valueMinutes).toBe(6);
  });

  it('looksCumulative', () => {
    expect(looksCumulative([0, 1, 2, 3, 5, 8, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])).toBe(true);
    expect(looksCumulative([5, 0, 3, 0, 7, 1, 0, 2])).toBe(false);
    expect(looksCumulative([2, 2, 2, 2, 2])).toBe(false);
  });
});
