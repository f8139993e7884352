// The dashboard's judgements that need the bill, made in the conclusions: each measurement of the
// resource-usage finding priced by the cost findings (dominant from half the bill, negligible under
// 5% except memory), and the only lever of a bill. The series' shapes and verdicts are the
// resource-usage detector's (test/detectors/resource-usage.test.ts).
import { describe, expect, it } from 'vitest';
import { resourceUsage } from '../../src/conclusions/resource-usage.js';
import type { ResourceUsageData } from '../../src/detectors/resource-usage.js';

const thresholds = { idleCpuPeak: 0.1, riseFactor: 1.2, fallFactor: 0.8, burstFactor: 5 };
const usage = (...measurements: [string, number][]): ResourceUsageData => ({ series: [], measurements: measurements.map(([measurement, peak]) => ({ measurement, peak, verdict: null })), thresholds });

describe('resourceUsage', () => {
  it('prices each measurement from the cost findings: dominant from half the bill, negligible under 5% except memory', () => {
    const t = usage(['memory', 100], ['cpu', 0.2], ['network_tx', 2]);
    const panel = { items: [{ resource: 'RAM', cost: 0.5, share: 0.5 }, { resource: 'vCPU', cost: 0.45, share: 0.45 }, { resource: 'Egress', cost: 0.049, share: 0.049 }], total: 1, currency: 'USD', windowHours: 24, projected7d: 7, projected30d: 30 };
    const costs = new Map(resourceUsage(t, [{ finding: 'cost-breakdown', panel }]).measurements.map((m) => [m.measurement, m.cost]));
    expect(costs.get('memory')).toEqual({ cost: 0.5, share: 0.5, verdict: 'dominant' });
    expect(costs.get('cpu')).toEqual({ cost: 0.45, share: 0.45, verdict: null });
    expect(costs.get('network_tx')).toEqual({ cost: 0.049, share: 0.049, verdict: 'negligible' });
    const cheapMemory = { ...panel, items: [{ resource: 'memory', cost: 0.01, share: 0.01 }] };
    expect(resourceUsage(t, [{ finding: 'cost-breakdown', panel: cheapMemory }]).measurements.find((m) => m.measurement === 'memory')!.cost!.verdict).toBeNull();
  });

  it('names the only lever of a bill: a resource at three quarters of it or more', () => {
    const t = usage(['memory', 100]);
    const bill = (memory: number, cpu: number) => ({ items: [{ resource: 'vCPU', cost: cpu, share: cpu }, { resource: 'Memory', cost: memory, share: memory }], total: 1, currency: 'USD', windowHours: 24, projected7d: 7, projected30d: 30 });
    expect(resourceUsage(t, [{ finding: 'a', panel: bill(0.75, 0.25) }, { finding: 'b', panel: bill(0.74, 0.26) }]).costLevers).toEqual([{ finding: 'a', resource: 'Memory', cost: 0.75, share: 0.75 }]);
    expect(resourceUsage(t, [{ finding: 'a', panel: bill(0.1, 0.9) }]).costLevers).toEqual([{ finding: 'a', resource: 'vCPU', cost: 0.9, share: 0.9 }]);
    expect(resourceUsage(t, []).costLevers).toEqual([]);
  });

  it('without a resource-usage finding (the detector did not run), prices nothing but still names the levers', () => {
    const bill = { items: [{ resource: 'Memory', cost: 0.9, share: 0.9 }, { resource: 'vCPU', cost: 0.1, share: 0.1 }], total: 1, currency: 'USD', windowHours: 24, projected7d: 7, projected30d: 30 };
    expect(resourceUsage(null, [{ finding: 'a', panel: bill }])).toEqual({ series: [], measurements: [], costLevers: [{ finding: 'a', resource: 'Memory', cost: 0.9, share: 0.9 }], thresholds: null });
  });
});
