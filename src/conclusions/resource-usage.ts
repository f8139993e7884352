// What the bill says of each measurement: the resource-usage detector's series and verdicts
// (src/detectors/resource-usage.ts), each measurement priced by the cost findings (dominant, or too
// small to matter), and the resource that alone makes most of a bill. A stage after the detectors,
// since it needs two detectors' findings; the JSON carries it and the dashboard only draws it.
import type { CostPanel } from '../detectors/detector.js';
import type { MeasurementVerdict, ResourceUsageData, SeriesUsage } from '../detectors/resource-usage.js';

export type { SeriesShape, SeriesUsage, UsageVerdict } from '../detectors/resource-usage.js';

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

export interface MeasurementUsage extends MeasurementVerdict {
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
  /** The thresholds behind the verdicts (null when the resource-usage detector did not run). */
  thresholds: ResourceUsageData['thresholds'] | null;
}

/**
 * The resource-usage finding's series and verdicts (null when that detector did not run or saw no
 * series), each measurement priced by the cost findings' panels.
 */
export function resourceUsage(usage: ResourceUsageData | null, priced: readonly { finding: string; panel: CostPanel }[]): ResourceUsage {
  const byMeasurement = costByMeasurement(priced.map((c) => c.panel));
  return {
    series: usage?.series ?? [],
    measurements: (usage?.measurements ?? []).map((m) => {
      const c = byMeasurement.get(m.measurement);
      return c === undefined ? { ...m } : { ...m, cost: { ...c, verdict: c.share >= DOMINANT_COST ? 'dominant' : c.share < NEGLIGIBLE_COST && m.measurement !== 'memory' ? 'negligible' : null } };
    }),
    costLevers: priced.flatMap(({ finding, panel }) => {
      const top = costItems(panel).sort((a, b) => b.cost - a.cost || (a.resource < b.resource ? -1 : 1))[0];
      return top !== undefined && top.share >= ONLY_LEVER ? [{ finding, resource: top.resource, cost: top.cost, share: top.share }] : [];
    }),
    thresholds: usage?.thresholds ?? null,
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
