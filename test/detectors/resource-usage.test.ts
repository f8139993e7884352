// resource-usage: each series' shape and each measurement's verdict from its thresholds (five times
// the mean is a burst; a last quarter 20% above or below the first is a rise or a fall; CPU under
// 0.1 vCPU is idle; a volume 20% above its start grew), on both sides of each, and under options
// that move them. The samples are numbers, as `railway metrics --raw --json` gives them; the last
// case reads the whendoist sample's real export.
import { expect } from 'vitest';
import { resourceUsage, type ResourceUsageData } from '../../src/detectors/resource-usage.js';
import type { Measurement, MetricSample } from '../../src/model.js';
import { DetectorTester } from '../helpers/detector-tester.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const samples = (service: string, measurement: Measurement, values: number[], unit = measurement === 'cpu' ? 'vCPU' : 'MB'): MetricSample[] =>
  values.map((value, i) => ({ service, measurement, unit, ts: T0 + i * 60_000, value }));
const dataOf = (f: { data: unknown }) => f.data as ResourceUsageData;
const shaped = (values: number[]) => samples('api', 'network_tx', values);

DetectorTester.run(resourceUsage, {
  valid: [
    { name: 'no metric series', events: [{ at: T0, message: 'GET /health 200' }] },
  ],
  invalid: [
    { name: 'a constant series is flat', metrics: shaped([3, 3, 3, 3]), findings: [{ id: 'resource-usage', severity: 'info', data: { series: [{ shape: { kind: 'flat', at: 3 } }] } }] },
    // Mean 1.9: 10 is above five times it, 9 is not.
    { name: 'samples above five times the mean are bursts', metrics: shaped([0, 0, 0, 0, 0, 0, 0, 0, 10, 9]), findings: [{ data: { series: [{ shape: { kind: 'bursts', above: 1, highest: 10 } }] } }] },
    { name: 'under burstFactor 4, both peaks are bursts', metrics: shaped([0, 0, 0, 0, 0, 0, 0, 0, 10, 9]), options: { burstFactor: 4 }, findings: [{ data: { series: [{ shape: { kind: 'bursts', above: 2 } }] } }] },
    { name: 'a last quarter 30% above the first rises', metrics: shaped([10, 10, 11, 11, 12, 12, 13, 13]), findings: [{ data: { series: [{ shape: { kind: 'rising', firstQuarterMean: 10, lastQuarterMean: 13 } }] } }] },
    { name: 'the same rise under riseFactor 1.5 is steady', metrics: shaped([10, 10, 11, 11, 12, 12, 13, 13]), options: { riseFactor: 1.5 }, findings: [{ data: { series: [{ shape: { kind: 'steady' } }] } }] },
    { name: 'a last quarter 30% below the first falls', metrics: shaped([10, 10, 9, 9, 8, 8, 7, 7]), findings: [{ data: { series: [{ shape: { kind: 'falling', firstQuarterMean: 10, lastQuarterMean: 7 } }] } }] },
    // 11.9 against 10 is within 20%: steady.
    { name: 'a change within 20% is steady', metrics: shaped([10, 10, 11, 11.9]), findings: [{ data: { series: [{ shape: { kind: 'steady', mean: 10.725 } }] } }] },
    {
      name: 'each series gets its figures; a measurement its peak over the services',
      metrics: [...samples('api', 'memory', [100, 120, 110]), ...samples('db', 'memory', [50, 50])],
      findings: [{ data: { measurements: [{ measurement: 'memory', peak: 120, verdict: null }] } }],
      check: ([f]) => {
        expect(dataOf(f!).series.map((s) => [s.service, s.measurement, s.samples, s.min, s.max, s.mean])).toEqual([
          ['api', 'memory', 3, 100, 120, 110],
          ['db', 'memory', 2, 50, 50, 50],
        ]);
        expect(f!.evidence.map((e) => [e.location, e.text])).toEqual([
          ['metrics:api/memory', 'memory peak 120 MB'],
          ['metrics:db/memory', 'memory peak 50 MB'],
        ]);
      },
    },
    { name: 'CPU under 0.1 vCPU in every service is idle', metrics: [...samples('api', 'cpu', [0.01, 0.05]), ...samples('db', 'cpu', [0.02, 0.099])], findings: [{ data: { measurements: [{ measurement: 'cpu', peak: 0.099, verdict: 'cpu-idle' }] } }] },
    { name: 'CPU reaching 0.1 vCPU in one service is used', metrics: [...samples('api', 'cpu', [0.01, 0.05]), ...samples('db', 'cpu', [0.02, 0.1])], findings: [{ data: { measurements: [{ peak: 0.1, verdict: 'cpu-used' }] } }] },
    { name: 'under idleCpuPeak 0.2, 0.1 vCPU is idle', metrics: samples('db', 'cpu', [0.02, 0.1]), options: { idleCpuPeak: 0.2 }, findings: [{ data: { measurements: [{ verdict: 'cpu-idle' }], thresholds: { idleCpuPeak: 0.2 } } }] },
    { name: 'a volume that ended within 20% of its start is level', metrics: samples('db', 'disk', [100, 140, 120]), findings: [{ data: { measurements: [{ verdict: 'disk-level' }] } }] },
    { name: 'a volume that ended more than 20% above its start grew', metrics: samples('db', 'disk', [100, 90, 121]), findings: [{ data: { measurements: [{ verdict: 'disk-grew' }] } }] },
    { name: 'one disk sample is level', metrics: samples('db', 'disk', [100]), findings: [{ data: { measurements: [{ verdict: 'disk-level' }] } }] },
    {
      name: 'the whendoist sample\'s Railway metrics export',
      files: ['samples/whendoist/metrics.json'],
      findings: [{ severity: 'info', data: { thresholds: { idleCpuPeak: 0.1, riseFactor: 1.2, fallFactor: 0.8, burstFactor: 5 } } }],
      check: ([f]) => {
        const d = dataOf(f!);
        expect(new Set(d.series.map((s) => s.service))).toEqual(new Set(['postgres', 'whendoist']));
        expect(d.measurements.map((m) => m.measurement)).toContain('memory');
        expect(f!.summary).toMatch(/^\d+ metric series of postgres and whendoist/);
      },
    },
  ],
});
