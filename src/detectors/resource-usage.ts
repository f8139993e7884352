// What the metric series say when no other detector speaks of them: each series' shape (flat, quiet
// with bursts, rising, falling, steady) and, per measurement, the verdict the dashboard states (CPU
// that never left idle is not a concern; a volume that grew needs its retention checked). One
// info-level finding per run, drawn in the dashboard, never in Log Analysis: a baseline, not a
// problem. What the bill says of each measurement needs the cost findings, so it is added after the
// detectors (src/conclusions/resource-usage.ts).
import type { Evidence, Finding, MetricSeries } from '../model.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { listJoin, num, percent, plural } from '../words.js';

/** A series' shape, with the figures that show it. */
export type SeriesShape =
  | { kind: 'flat'; at: number }
  | { kind: 'bursts'; /** Samples above burstFactor times the mean. */ above: number; highest: number }
  | { kind: 'rising' | 'falling'; firstQuarterMean: number; lastQuarterMean: number }
  | { kind: 'steady'; mean: number };

export interface SeriesUsage {
  service: string;
  measurement: string;
  unit: string;
  samples: number;
  min: number;
  max: number;
  mean: number;
  shape: SeriesShape;
}

/**
 * `cpu-idle`: no service's CPU reached idleCpuPeak; `cpu-used`: one did (the peak says how much);
 * `disk-grew`: a volume ended more than riseFactor above where it started; `disk-level`: none did.
 */
export type UsageVerdict = 'cpu-idle' | 'cpu-used' | 'disk-grew' | 'disk-level';

export interface MeasurementVerdict {
  measurement: string;
  /** The highest sample of any service's series. */
  peak: number;
  verdict: UsageVerdict | null;
}

/** The `data` of the resource-usage finding. */
export type ResourceUsageData = {
  /** In the timeline's order of series; series without samples are left out. */
  series: SeriesUsage[];
  /** One per measurement that has samples, in the order of their first series. */
  measurements: MeasurementVerdict[];
  /** The thresholds the verdicts used (the run's options), so that a reader can state them. */
  thresholds: { idleCpuPeak: number; riseFactor: number; fallFactor: number; burstFactor: number };
};

type Options = ResourceUsageData['thresholds'];

export const resourceUsage = defineDetector({
  meta: {
    id: 'resource-usage',
    title: 'Resource usage',
    report: {
      dashboard: { usage: (f: Finding<ResourceUsageData>) => f.data },
    },
    explanation:
      'Reads every metric series (memory, CPU, disk, network) for its shape (flat, bursts, rising, falling, steady) and states per measurement ' +
      'what the dashboard concludes: CPU that never reached a tenth of a vCPU is not a concern, a volume that grew needs its retention checked. ' +
      'A baseline, not a problem: one informational finding, drawn in the dashboard, which the cost findings then price.',
    defaults: { idleCpuPeak: 0.1, riseFactor: 1.2, fallFactor: 0.8, burstFactor: 5 },
    optionDocs: {
      idleCpuPeak: 'CPU peak (vCPU) under which the services are I/O-bound and CPU is not a concern',
      riseFactor: 'last-quarter mean over first-quarter mean above which a series rises (and a volume\'s last sample over its first above which it grew)',
      fallFactor: 'last-quarter mean over first-quarter mean under which a series falls',
      burstFactor: 'a sample above this many times the series mean is a burst',
    },
    optionRanges: { idleCpuPeak: { min: 0, max: 1000 }, fallFactor: { min: 0, max: 1 } },
  },
  detect(t, o): DetectedFinding<ResourceUsageData>[] {
    const series = t.metrics.filter((s) => s.values.length > 0);
    if (series.length === 0) return [];
    const groups = new Map<string, MetricSeries[]>();
    for (const s of series) groups.set(s.measurement, [...(groups.get(s.measurement) ?? []), s]);
    const data: ResourceUsageData = {
      series: series.map((s) => seriesUsage(s, o)),
      measurements: [...groups].map(([measurement, ss]) => {
        const peak = Math.max(...ss.map((s) => statsOf(s.values).max));
        return { measurement, peak, verdict: verdictOf(measurement, ss, peak, o) };
      }),
      thresholds: { idleCpuPeak: o.idleCpuPeak, riseFactor: o.riseFactor, fallFactor: o.fallFactor, burstFactor: o.burstFactor },
    };
    return [findingOf(data, series)];
  },
});

function findingOf(data: ResourceUsageData, series: readonly MetricSeries[]): DetectedFinding<ResourceUsageData> {
  const services = [...new Set(series.map((s) => s.service))];
  const verdicts = data.measurements.flatMap((m) => (m.verdict === null ? [] : [verdictText(m, data.thresholds)]));
  const shapes = data.series.map((s) => `${s.service} ${s.measurement}: ${shapeText(s.shape)}`);
  // The peak of each series, the sample a reader would look up first.
  const evidence: Evidence[] = series.map((s) => {
    let at = 0;
    for (let i = 1; i < s.values.length; i++) if (s.values[i]! > s.values[at]!) at = i;
    return { timestamp: new Date(s.ts[at]!).toISOString(), service: s.service, location: `metrics:${s.service}/${s.measurement}`, text: `${s.measurement} peak ${num(s.values[at]!, 3)} ${s.unit}` };
  });
  return {
    severity: 'info',
    title: 'Resource usage',
    summary: `${plural(series.length, 'metric series', 'metric series')} of ${listJoin(services)}${verdicts.length > 0 ? `: ${verdicts.join('; ')}` : ''}.`,
    pattern: `${shapes.join('; ')}.`,
    rootCause: 'Not a problem: the shape and level of each series, the baseline the memory and cost findings are read against.',
    impact: verdicts.length > 0 ? `${verdicts.join('; ')}.` : 'No measurement calls for a verdict (only CPU and disk get one).',
    recommendation: 'None by itself; see the memory and cost findings for what to change.',
    evidence: evidence.slice(0, 8),
    data,
  };
}

function verdictText(m: MeasurementVerdict, th: Options): string {
  switch (m.verdict) {
    case 'cpu-idle':
      return `CPU never reached ${num(th.idleCpuPeak, 3)} vCPU (peak ${num(m.peak, 3)}): not a concern`;
    case 'cpu-used':
      return `CPU peaked at ${num(m.peak, 2)} vCPU`;
    case 'disk-grew':
      return `a volume grew by more than ${percent(th.riseFactor - 1)}`;
    case 'disk-level':
      return `every volume stayed within ${percent(th.riseFactor - 1)} of its start`;
    default:
      return '';
  }
}

function shapeText(s: SeriesShape): string {
  switch (s.kind) {
    case 'flat':
      return `flat at ${num(s.at, 3)}`;
    case 'bursts':
      return `quiet with ${plural(s.above, 'burst')} up to ${num(s.highest, 3)}`;
    case 'rising':
    case 'falling':
      return `${s.kind} from ${num(s.firstQuarterMean, 3)} to ${num(s.lastQuarterMean, 3)} (first to last quarter)`;
    case 'steady':
      return `steady around ${num(s.mean, 3)}`;
  }
}

function seriesUsage(s: MetricSeries, o: Options): SeriesUsage {
  const st = statsOf(s.values);
  return { service: s.service, measurement: s.measurement, unit: s.unit, samples: s.values.length, ...st, shape: shapeOf(s.values, st, o) };
}

function verdictOf(measurement: string, series: readonly MetricSeries[], peak: number, o: Options): UsageVerdict | null {
  if (measurement === 'cpu') return peak < o.idleCpuPeak ? 'cpu-idle' : 'cpu-used';
  if (measurement === 'disk') return series.some((s) => s.values.length > 1 && s.values[s.values.length - 1]! > s.values[0]! * o.riseFactor) ? 'disk-grew' : 'disk-level';
  return null;
}

/** Bursts (peaks far above a quiet mean), a rise or a fall between the first and last quarter, or steady. */
function shapeOf(values: readonly number[], st: { min: number; max: number; mean: number }, o: Options): SeriesShape {
  if (st.max === st.min) return { kind: 'flat', at: st.max };
  if (st.mean > 0 && st.max > o.burstFactor * st.mean) {
    let above = 0;
    for (const x of values) if (x > o.burstFactor * st.mean) above++;
    return { kind: 'bursts', above, highest: st.max };
  }
  const q = Math.max(1, Math.floor(values.length / 4));
  let first = 0;
  let last = 0;
  for (let i = 0; i < q; i++) {
    first += values[i]!;
    last += values[values.length - 1 - i]!;
  }
  first /= q;
  last /= q;
  if (first > 0 && last > first * o.riseFactor) return { kind: 'rising', firstQuarterMean: first, lastQuarterMean: last };
  if (first > 0 && last < first * o.fallFactor) return { kind: 'falling', firstQuarterMean: first, lastQuarterMean: last };
  return { kind: 'steady', mean: st.mean };
}

function statsOf(values: readonly number[]): { min: number; max: number; mean: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: values.length > 0 ? sum / values.length : NaN };
}
