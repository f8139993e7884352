// The dashboard's judgements of the metric series, made in the analysis: each shape and verdict
// from its thresholds (five times the mean is a burst; a last quarter 20% above or below the first
// is a rise or a fall; CPU under 0.1 vCPU is idle; a volume 20% above its start grew), on both
// sides of each. The samples are numbers, as `railway metrics --raw --json` gives them.
import { describe, expect, it } from 'vitest';
import { resourceUsage } from '../../src/conclusions/resource-usage.js';
import type { Measurement, MetricSample } from '../../src/model.js';
import { buildTimeline } from '../helpers/timeline.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const samples = (service: string, measurement: Measurement, values: number[], unit = measurement === 'cpu' ? 'vCPU' : 'MB'): MetricSample[] =>
  values.map((value, i) => ({ service, measurement, unit, ts: T0 + i * 60_000, value }));
const usageOf = (...series: MetricSample[][]) => resourceUsage(buildTimeline([], series.flat()), []);
const shapeOf = (values: number[]) => usageOf(samples('api', 'network_tx', values)).series[0]!.shape;

describe('resourceUsage', () => {
  it('tells each shape by its thresholds', () => {
    expect(shapeOf([3, 3, 3, 3])).toEqual({ kind: 'flat', at: 3 });
    // Mean 1.9: 10 is above five times it, 1 is not.
    expect(shapeOf([0, 0, 0, 0, 0, 0, 0, 0, 10, 9])).toEqual({ kind: 'bursts', above: 1, highest: 10 });
    expect(shapeOf([10, 10, 11, 11, 12, 12, 13, 13])).toEqual({ kind: 'rising', firstQuarterMean: 10, lastQuarterMean: 13 });
    expect(shapeOf([10, 10, 9, 9, 8, 8, 7, 7])).toEqual({ kind: 'falling', firstQuarterMean: 10, lastQuarterMean: 7 });
    // 11.9 against 10 is within 20%: steady.
    expect(shapeOf([10, 10, 11, 11.9])).toEqual({ kind: 'steady', mean: 10.725 });
  });

  it('gives each series its figures, and leaves out nothing but empty series', () => {
    const u = usageOf(samples('api', 'memory', [100, 120, 110]), samples('db', 'memory', [50, 50]));
    expect(u.series.map((s) => [s.service, s.measurement, s.samples, s.min, s.max, s.mean])).toEqual([
      ['api', 'memory', 3, 100, 120, 110],
      ['db', 'memory', 2, 50, 50, 50],
    ]);
    expect(u.measurements).toEqual([{ measurement: 'memory', peak: 120, verdict: null }]);
  });

  it('calls CPU idle only when no service reached 0.1 vCPU', () => {
    expect(usageOf(samples('api', 'cpu', [0.01, 0.05]), samples('db', 'cpu', [0.02, 0.099])).measurements[0]).toEqual({ measurement: 'cpu', peak: 0.099, verdict: 'cpu-idle' });
    expect(usageOf(samples('api', 'cpu', [0.01, 0.05]), samples('db', 'cpu', [0.02, 0.1])).measurements[0]).toEqual({ measurement: 'cpu', peak: 0.1, verdict: 'cpu-used' });
  });

  it('says a volume grew only when one ended more than 20% above its start', () => {
    expect(usageOf(samples('db', 'disk', [100, 140, 120])).measurements[0]!.verdict).toBe('disk-level');
    expect(usageOf(samples('db', 'disk', [100, 90, 121])).measurements[0]!.verdict).toBe('disk-grew');
    expect(usageOf(samples('db', 'disk', [100])).measurements[0]!.verdict).toBe('disk-level');
  });

  it('prices each measurement from the cost findings: dominant from half the bill, negligible under 5% except memory', () => {
    const t = buildTimeline([], [...samples('api', 'memory', [100, 100]), ...samples('api', 'cpu', [0.2, 0.2]), ...samples('api', 'network_tx', [1, 2])]);
    const panel = { items: [{ resource: 'RAM', cost: 0.5, share: 0.5 }, { resource: 'vCPU', cost: 0.45, share: 0.45 }, { resource: 'Egress', cost: 0.049, share: 0.049 }], total: 1, currency: 'USD', windowHours: 24, projected7d: 7, projected30d: 30 };
    const costs = new Map(resourceUsage(t, [{ finding: 'cost-breakdown', panel }]).measurements.map((m) => [m.measurement, m.cost]));
    expect(costs.get('memory')).toEqual({ cost: 0.5, share: 0.5, verdict: 'dominant' });
    expect(costs.get('cpu')).toEqual({ cost: 0.45, share: 0.45, verdict: null });
    expect(costs.get('network_tx')).toEqual({ cost: 0.049, share: 0.049, verdict: 'negligible' });
    const cheapMemory = { ...panel, items: [{ resource: 'memory', cost: 0.01, share: 0.01 }] };
    expect(resourceUsage(t, [{ finding: 'cost-breakdown', panel: cheapMemory }]).measurements.find((m) => m.measurement === 'memory')!.cost!.verdict).toBeNull();
  });

  it('names the only lever of a bill: a resource at three quarters of it or more', () => {
    const t = buildTimeline([], samples('api', 'memory', [100, 100]));
    const bill = (memory: number, cpu: number) => ({ items: [{ resource: 'vCPU', cost: cpu, share: cpu }, { resource: 'Memory', cost: memory, share: memory }], total: 1, currency: 'USD', windowHours: 24, projected7d: 7, projected30d: 30 });
    expect(resourceUsage(t, [{ finding: 'a', panel: bill(0.75, 0.25) }, { finding: 'b', panel: bill(0.74, 0.26) }]).costLevers).toEqual([{ finding: 'a', resource: 'Memory', cost: 0.75, share: 0.75 }]);
    expect(resourceUsage(t, [{ finding: 'a', panel: bill(0.1, 0.9) }]).costLevers).toEqual([{ finding: 'a', resource: 'vCPU', cost: 0.9, share: 0.9 }]);
    expect(resourceUsage(t, []).costLevers).toEqual([]);
  });
});
