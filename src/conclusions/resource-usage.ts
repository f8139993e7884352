// What the metric series say when no detector speaks of them: each series' shape (flat, quiet with
// bursts, rising, falling, steady) and, per measurement, the verdict the dashboard states (CPU that
// never left idle is not a concern; a volume that grew needs its retention checked) and its part of
// the bill the cost findings give (dominant, or too small to matter). Part of the
// conclusions, so that the JSON carries the judgement the markdown shows and the report only draws it.
import type { MetricSeries } from '../model.js';
import type { TimelineSummary } from '../timeline/timeline.js';
import type { CostPanel } from '../detectors/detector.js';

/** Below this peak (vCPU) a service is I/O-bound, and CPU is not a concern. */
const IDLE_CPU_PEAK = 0.1;
/** A quarter-window mean this far above (or below) the first quarter's is a rise (a fall). */
const RISE = 1.2;
const FALL = 0.8;
/** A sample above this many times the mean is a burst. */
const BURST = 5;
/** A measurement with this share of the bill dominates it; under NEGLIGIBLE_COST it does not matter. */
const DOMINANT_COST = 0.5;
const NEGLIGIBLE_COST = 0.05;
/** A resource with this share of a cost finding's bill is the only lever that matters for cost. */
const ONLY_LEVER = 0.75;
/** Cost resource names (as cost-breakdown may write them) → measurement. */
const RESOURCE_MEASUREMENT: Record<string, string> = {
  memory: 'memory',
  ram: 'memory',
  cpu: 'cpu',
  vcpu: 'cpu',
  network: 'network_tx',
  egress: 'network_tx',
  network_tx: 'network_tx',
  volume: 'disk',
  disk: 'disk',
};

/** A series' shape, with the figures that show it. */
export type SeriesShape =
  | { kind: 'flat'; at: number }
  | { kind: 'bursts'; /** Samples above five times the mean. */ above: number; highest: number }
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
 * `cpu-idle`: no service's CPU reached 0.1 vCPU; `cpu-used`: one did (the peak says how much);
 * `disk-grew`: a volume ended more than 20% above where it started; `disk-level`: none did.
 */
export type UsageVerdict = 'cpu-idle' | 'cpu-used' | 'disk-grew' | 'disk-level';

export interface MeasurementUsage {
  measurement: string;
  /** The highest sample of any service's series. */
  peak: number;
  verdict: UsageVerdict | null;
  /**
   * Its part of the bill, when a cost finding prices it (its share averaged over the cost findings):
   * `dominant` from half of it; `negligible` under 5%, except memory, which is what the bill is made of.
   */
  cost?: { cost: number; share: number; verdict: 'dominant' | 'negligible' | null };
}

/** The resource that makes three quarters or more of a cost finding's bill: the only lever that matters for cost. */
export interface CostLever {
  /** The id of the cost finding. */
  finding: string;
  resource: string;
  cost: number;
  share: number;
}

export interface ResourceUsage {
  /** In the timeline's order of series; series without samples are left out. */
  series: SeriesUsage[];
  /** One per measurement that has samples, in the order of their first series. */
  measurements: MeasurementUsage[];
  /** The cost findings whose bill one resource dominates, in the findings' order. */
  costLevers: CostLever[];
}

/** The usage of every metric series of the timeline, priced by the cost findings' panels. */
export function resourceUsage(t: TimelineSummary, priced: readonly { finding: string; panel: CostPanel }[]): ResourceUsage {
  const costs = priced.map((c) => c.panel);
  const byMeasurement = costByMeasurement(costs);
  const series = t.metrics.filter((s) => s.values.length > 0);
  const groups = new Map<string, MetricSeries[]>();
  for (const s of series) groups.set(s.measurement, [...(groups.get(s.measurement) ?? []), s]);
  return {
    series: series.map(seriesUsage),
    measurements: [...groups].map(([measurement, ss]) => {
      const peak = Math.max(...ss.map((s) => statsOf(s.values).max));
      const usage: MeasurementUsage = { measurement, peak, verdict: verdictOf(measurement, ss, peak) };
      const c = byMeasurement.get(measurement);
      if (c !== undefined) usage.cost = { ...c, verdict: c.share >= DOMINANT_COST ? 'dominant' : c.share < NEGLIGIBLE_COST && measurement !== 'memory' ? 'negligible' : null };
      return usage;
    }),
    costLevers: priced.flatMap(({ finding, panel }) => {
      const top = costItems(panel).sort((a, b) => b.cost - a.cost || (a.resource < b.resource ? -1 : 1))[0];
      return top !== undefined && top.share >= ONLY_LEVER ? [{ finding, resource: top.resource, cost: top.cost, share: top.share }] : [];
    }),
  };
}

function costByMeasurement(costs: readonly CostPanel[]): Map<string, { cost: number; share: number }> {
  const out = new Map<string, { cost: number; share: number }>();
  for (const c of costs) {
    for (const it of costItems(c)) {
      const m = RESOURCE_MEASUREMENT[it.resource.toLowerCase()] ?? it.resource.toLowerCase();
      const prev = out.get(m);
      out.set(m, { cost: (prev?.cost ?? 0) + it.cost, share: (prev?.share ?? 0) + it.share / costs.length });
    }
  }
  return out;
}

/** A cost panel's items, a share of 0 (rounded away) replaced by the item's part of the items' sum. */
export function costItems(c: CostPanel): CostPanel['items'] {
  const total = c.items.reduce((a, x) => a + x.cost, 0);
  return c.items.map((x) => (!x.share && total > 0 ? { ...x, share: x.cost / total } : { ...x }));
}

function seriesUsage(s: MetricSeries): SeriesUsage {
  const st = statsOf(s.values);
  return { service: s.service, measurement: s.measurement, unit: s.unit, samples: s.values.length, ...st, shape: shapeOf(s.values, st) };
}

function verdictOf(measurement: string, series: readonly MetricSeries[], peak: number): UsageVerdict | null {
  if (measurement === 'cpu') return peak < IDLE_CPU_PEAK ? 'cpu-idle' : 'cpu-used';
  if (measurement === 'disk') return series.some((s) => s.values.length > 1 && s.values[s.values.length - 1]! > s.values[0]! * RISE) ? 'disk-grew' : 'disk-level';
  return null;
}

/** Bursts (peaks far above a quiet mean), a rise or a fall between the first and last quarter, or steady. */
function shapeOf(values: readonly number[], st: { min: number; max: number; mean: number }): SeriesShape {
  if (st.max === st.min) return { kind: 'flat', at: st.max };
  if (st.mean > 0 && st.max > BURST * st.mean) {
    let above = 0;
    for (const x of values) if (x > BURST * st.mean) above++;
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
  if (first > 0 && last > first * RISE) return { kind: 'rising', firstQuarterMean: first, lastQuarterMean: last };
  if (first > 0 && last < first * FALL) return { kind: 'falling', firstQuarterMean: first, lastQuarterMean: last };
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
