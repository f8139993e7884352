// What the metrics cost at Railway's usage prices, per resource and per service, for the window
// and as a run-rate (7 and 30 days). Railway bills memory and CPU on usage by the minute, volume
// storage by the GB-minute, and public egress by the GB (detection.md §6: $10/GB-month memory,
// $20/vCPU-month, $0.15/GB-month volume and backups, $0.05/GB egress, month = 43,200 minutes as in
// the CLI's constants). Gauges are integrated Σ v_i·Δt_i with Δt_i to the next sample, capped at a
// few sample intervals so a gap in the export is not billed as if the last value held; egress is
// summed per interval, or, when the series never decreases except at resets, as a cumulative
// counter (its increments). Private-network traffic (NETWORK_RX, internal TX) is free.
import type { Evidence, Finding, MetricSeries } from '../model.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { humanDuration } from '../words.js';
import { sumSameTimestamps } from './shared/series.js';
import { money as amount, percent } from '../words.js';

export type Resource = 'memory' | 'cpu' | 'egress' | 'volume';

const RESOURCES: readonly Resource[] = ['memory', 'cpu', 'egress', 'volume'];
const LABEL: Record<Resource, string> = { memory: 'memory', cpu: 'CPU', egress: 'network egress', volume: 'volume' };

/** Resource a canonical measurement is billed as, or null when it is free or not a usage. */
function resourceOf(m: string): Resource | null {
  if (m === 'memory') return 'memory';
  if (m === 'cpu') return 'cpu';
  if (m === 'network_tx') return 'egress';
  // Volumes and their backups are billed alike; ephemeral disk is not billed.
  if (m === 'disk' || m === 'backup_usage' || m === 'backup') return 'volume';
  return null;
}

function median(xs: readonly number[]): number {
  const s = new Float64Array(xs).sort();
  const n = s.length;
  return n === 0 ? NaN : n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** Σ value·Δt in value·minutes; Δt to the next sample, capped at `maxGapFactor` median intervals. */
export function integrateMinutes(s: Pick<MetricSeries, 'ts' | 'values'>, maxGapFactor: number): { valueMinutes: number; coveredMs: number; cappedGaps: number } {
  const n = s.ts.length;
  if (n === 0) return { valueMinutes: 0, coveredMs: 0, cappedGaps: 0 };
  const gaps: number[] = [];
  for (let i = 1; i < n; i++) gaps.push(s.ts[i]! - s.ts[i - 1]!);
  const dt = gaps.length > 0 ? median(gaps) : 60_000;
  const cap = dt * maxGapFactor;
  let sum = 0;
  let covered = 0;
  let capped = 0;
  for (let i = 0; i < n; i++) {
    let d = i + 1 < n ? s.ts[i + 1]! - s.ts[i]! : dt;
    if (d > cap) {
      d = dt;
      capped++;
    }
    sum += s.values[i]! * (d / 60_000);
    covered += d;
  }
  return { valueMinutes: sum, coveredMs: covered, cappedGaps: capped };
}

/** True when a series only grows, apart from rare resets (a cumulative counter, not per-interval values). */
export function looksCumulative(values: readonly number[]): boolean {
  let up = 0;
  let down = 0;
  for (let i = 1; i < values.length; i++) {
    const d = values[i]! - values[i - 1]!;
    if (d > 0) up++;
    else if (d < 0) down++;
  }
  return values.length >= 3 && up > 0 && down <= Math.max(1, 0.02 * (values.length - 1)) && up >= 10 * down;
}

/** Total of a counter: its increments, and after a reset (a drop) the value it restarted to. */
function counterTotal(values: readonly number[]): number {
  let total = 0;
  for (let i = 1; i < values.length; i++) {
    const d = values[i]! - values[i - 1]!;
    total += d >= 0 ? d : values[i]!;
  }
  return total;
}

const money = (x: number) => (x >= 0.01 ? `$${x.toFixed(2)}` : `$${x.toFixed(4)}`);
const pct = (x: number) => `${(x * 100).toFixed(x >= 0.1 ? 0 : 1)}%`;
const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** The `data` of a cost-breakdown finding (its numbers, for the reports and the JSON). */
export type CostBreakdownData = {
  items: {
    resource: Resource;
    cost: number;
    share: number;
  }[];
  total: number;
  projected7d: number;
  projected30d: number;
  windowHours: number;
  currency: string;
  services: {
    service: string;
    memory: number;
    cpu: number;
    egress: number;
    volume: number;
    total: number;
  }[];
  usage: {
    memoryGbHours: number;
    vcpuHours: number;
    egressGb: number;
    volumeGbHours: number;
  };
  memoryAboveFloor: {
    service: string;
    floorMb: number;
    cost: number;
  }[];
  egressMode: string | null;
  prices: {
    memoryGbMonth: number;
    vcpuMonth: number;
    egressGb: number;
    volumeGbMonth: number;
    minutesPerMonth: number;
  };
};

/** The costliest resource and its share of the bill. */
function topItem(d: CostBreakdownData): CostBreakdownData['items'][number] | undefined {
  const top = [...d.items].sort((a, b) => b.cost - a.cost)[0];
  if (top === undefined) return undefined;
  const sum = d.items.reduce((a, x) => a + x.cost, 0);
  return { ...top, share: top.share || (sum > 0 ? top.cost / sum : 0) };
}

export const costBreakdown = defineDetector({
  meta: {
    id: 'cost-breakdown',
    title: 'Cost per resource',
    report: {
      dashboard: { cost: (f: Finding<CostBreakdownData>) => f.data },
      summaryLabel: (fs: Finding<CostBreakdownData>[]) => {
        const top = topItem(fs[0]!.data);
        return top ? `${top.resource.toLowerCase()} as ${percent(top.share)} of costs` : 'cost';
      },
      summaryDetail: (fs: Finding<CostBreakdownData>[]) => {
        const top = topItem(fs[0]!.data);
        return top ? `${amount(top.cost)} of ${amount(fs[0]!.data.total)}` : undefined;
      },
    },
    explanation:
      'What the metric series cost at Railway\'s usage prices (memory per GB-month, CPU per vCPU-month, volume per GB-month, public egress per GB; ' +
      'month = 43,200 minutes), per resource and per service, for the window and projected to 7 and 30 days. Says which resource is the lever: ' +
      'on small apps memory is usually almost all of the bill.',
    defaults: {
      memoryGbMonth: 10,
      vcpuMonth: 20,
      egressGb: 0.05,
      volumeGbMonth: 0.15,
      minutesPerMonth: 43200,
      maxGapFactor: 3,
      dominantShare: 0.9,
      egressMode: 'auto',
    },
    optionDocs: {
      memoryGbMonth: 'USD per GB of memory for a month (Railway: 10)',
      vcpuMonth: 'USD per vCPU for a month (Railway: 20)',
      egressGb: 'USD per GB of public egress (Railway: 0.05); NETWORK_RX and private traffic are free',
      volumeGbMonth: 'USD per GB of volume (and backup) storage for a month (Railway: 0.15)',
      minutesPerMonth: 'minutes in a billing month (Railway\'s CLI: 43,200 = 30 days)',
      maxGapFactor: 'a gap between samples longer than this many sample intervals counts as one interval (not billed as if the value held)',
      dominantShare: 'share of the total at which one resource is called the only lever (severity low instead of info)',
      egressMode: "'auto' (cumulative when the series never decreases except at resets), 'interval' (each value is the traffic of its interval) or 'cumulative'",
    },
  },
  detect(t, o): DetectedFinding<CostBreakdownData>[] {
    const billed = t.metrics.filter((m) => resourceOf(m.measurement) !== null && m.ts.length > 0);
    if (billed.length === 0) return [];
    const price: Record<Resource, number> = {
      memory: o.memoryGbMonth / o.minutesPerMonth, // per GB-minute
      cpu: o.vcpuMonth / o.minutesPerMonth, // per vCPU-minute
      egress: o.egressGb, // per GB
      volume: o.volumeGbMonth / o.minutesPerMonth, // per GB-minute
    };
    const cost: Record<Resource, number> = { memory: 0, cpu: 0, egress: 0, volume: 0 };
    // Usage in billing units: GB-hours, vCPU-hours, GB.
    const usage: Record<Resource, number> = { memory: 0, cpu: 0, egress: 0, volume: 0 };
    const byService = new Map<string, Record<Resource, number>>();
    const egressModes = new Set<string>();
    const notes: string[] = [];
    const evidence: Evidence[] = [];
    let start = Infinity;
    let end = -Infinity;
    const floors: { service: string; floorMb: number; aboveCost: number }[] = [];
    for (const raw of billed) {
      const s = { ...raw, ...sumSameTimestamps(raw.ts, raw.values) };
      const r = resourceOf(s.measurement)!;
      let c: number;
      let coveredMs: number;
      let sentMb = 0;
      if (r === 'egress') {
        const cumulative = o.egressMode === 'cumulative' || (o.egressMode === 'auto' && looksCumulative(s.values));
        egressModes.add(cumulative ? 'cumulative' : 'interval');
        sentMb = cumulative ? counterTotal(s.values) : s.values.reduce((a, v) => a + v, 0);
        usage.egress += sentMb / 1000;
        c = (sentMb / 1000) * price.egress;
        coveredMs = integrateMinutes(s, o.maxGapFactor).coveredMs;
      } else {
        const integ = integrateMinutes(s, o.maxGapFactor);
        coveredMs = integ.coveredMs;
        // memory/volume in MB → GB; cpu already in vCPU.
        const unitMinutes = r === 'cpu' ? integ.valueMinutes : integ.valueMinutes / 1000;
        usage[r] += unitMinutes / 60;
        c = unitMinutes * price[r];
        if (integ.cappedGaps > 0) notes.push(`${s.service} ${s.measurement}: ${integ.cappedGaps} gap${integ.cappedGaps === 1 ? '' : 's'} longer than ${o.maxGapFactor} sample intervals not billed`);
        if (r === 'memory') {
          // What the memory above the service's floor (5th percentile) costs: the part a fix can save.
          const sorted = new Float64Array(s.values).sort();
          const floor = sorted[Math.floor(0.05 * (sorted.length - 1))]!;
          const above = integrateMinutes({ ts: s.ts, values: s.values.map((v) => Math.max(0, v - floor)) }, o.maxGapFactor);
          floors.push({ service: s.service, floorMb: floor, aboveCost: (above.valueMinutes / 1000) * price.memory });
        }
      }
      cost[r] += c;
      const row = byService.get(s.service) ?? { memory: 0, cpu: 0, egress: 0, volume: 0 };
      row[r] += c;
      byService.set(s.service, row);
      start = Math.min(start, s.ts[0]!);
      end = Math.max(end, s.ts[0]! + coveredMs);
      const mean = s.values.reduce((a, v) => a + v, 0) / s.values.length;
      const unit = r === 'cpu' ? 'vCPU' : 'MB';
      evidence.push({
        timestamp: new Date(s.ts[0]!).toISOString(),
        service: s.service,
        location: `metrics:${s.service}/${s.measurement}`,
        text:
          r === 'egress'
            ? `${s.measurement}: ${sentMb.toFixed(1)} MB sent in ${s.values.length} samples → ${money(c)}`
            : `${s.measurement}: mean ${mean.toFixed(r === 'cpu' ? 3 : 1)} ${unit} over ${humanDuration(coveredMs)} → ${money(c)}`,
      });
    }
    const total = RESOURCES.reduce((a, r) => a + cost[r], 0);
    const windowHours = (end - start) / 3600_000;
    if (!(windowHours > 0)) return [];
    const perHour = total / windowHours;
    const projected7d = perHour * 24 * 7;
    const projected30d = perHour * (o.minutesPerMonth / 60);
    const items = RESOURCES.filter((r) => cost[r] > 0 || billed.some((s) => resourceOf(s.measurement) === r))
      .map((r) => ({ resource: r, cost: r6(cost[r]), share: total > 0 ? Math.round((cost[r] / total) * 1000) / 1000 : 0 }))
      .sort((a, b) => b.cost - a.cost);
    const top = items[0]!;
    const dominant = total > 0 && top.share >= o.dominantShare;
    const services = [...byService.entries()]
      .map(([service, row]) => ({ service, memory: r6(row.memory), cpu: r6(row.cpu), egress: r6(row.egress), volume: r6(row.volume), total: r6(RESOURCES.reduce((a, r) => a + row[r], 0)) }))
      .sort((a, b) => b.total - a.total);
    const span = humanDuration(end - start);
    const itemText = items.map((i) => `${LABEL[i.resource]} ${money(i.cost)} (${pct(i.share)})`).join(', ');
    const memFloors = floors.filter((f) => f.aboveCost > 0).sort((a, b) => b.aboveCost - a.aboveCost);
    const floorText = memFloors.map((f) => `${f.service} above its ${Math.round(f.floorMb)} MB floor: ${money(f.aboveCost)}`).join('; ');
    const title = dominant
      ? `${LABEL[top.resource][0]!.toUpperCase()}${LABEL[top.resource].slice(1)} Is ${pct(top.share)} of Cost (${money(total)} over ${span}, ~${money(projected30d)} a month)`
      : `Cost Breakdown (${money(total)} over ${span}, ~${money(projected30d)} a month)`;
    const lever: Record<Resource, string> = {
      memory:
        'Memory is billed on usage by the minute: lower the peak and the floor (fix a sawtooth or leak, fewer worker processes, smaller caches, `MALLOC_ARENA_MAX=2` for glibc/Python), ' +
        'and remove idle replicas or environments.',
      cpu: 'CPU is billed on usage: profile the busiest endpoints and jobs, cache repeated work, and avoid busy-waiting loops.',
      egress: 'Only public egress is billed: reach the database and other services over private networking (`*.railway.internal`) instead of public URLs, and compress responses.',
      volume: 'Volume storage is billed per GB-month: prune old rows and WAL/backups, vacuum bloated tables.',
    };
    const finding: DetectedFinding<CostBreakdownData> = {
      severity: dominant ? 'low' : 'info',
      title,
      summary:
        `Over ${span} of metrics, ${services.map((s) => s.service).join(' and ')} cost ${money(total)} at the configured prices: ${itemText}. ` +
        `At this rate: ${money(projected7d)} a week, ${money(projected30d)} a month` +
        (windowHours < 24 ? ` (extrapolated from only ${windowHours.toFixed(1)} h of metrics).` : '.') +
        (dominant ? ` ${LABEL[top.resource][0]!.toUpperCase()}${LABEL[top.resource].slice(1)} is the only lever that matters.` : ''),
      pattern:
        `Per service: ${services.map((s) => `${s.service} ${money(s.total)} (${RESOURCES.filter((r) => s[r] > 0).map((r) => `${LABEL[r]} ${money(s[r])}`).join(', ')})`).join('; ')}. ` +
        `Usage: ${usage.memory.toFixed(2)} GB-hours of memory, ${usage.cpu.toFixed(3)} vCPU-hours, ${usage.egress.toFixed(4)} GB of egress, ${usage.volume.toFixed(2)} GB-hours of volume.`,
      rootCause:
        (dominant
          ? `Hypothesis: the bill is ${LABEL[top.resource]}: ${pct(top.share)} of ${money(total)}. `
          : `Hypothesis: no single resource dominates; the largest is ${LABEL[top.resource]} (${pct(top.share)}). `) +
        (top.resource === 'memory' && floorText !== '' ? `Memory above each service's floor (5th percentile) costs ${floorText}: that part is what a fix of the memory shape saves. ` : '') +
        `Evidence: the metric series integrated over time (Σ value·Δt), egress counted ${[...egressModes].join('/') || 'n/a'}.`,
      impact:
        `${money(projected30d)} a month at this rate` +
        (projected30d <= 5 ? ", within the Hobby plan's $5 of included usage." : projected30d <= 20 ? ", within the Pro plan's $20 of included usage." : '.') +
        (notes.length > 0 ? ` Not billed: ${notes.join('; ')}.` : ''),
      timing: `Metrics from ${new Date(start).toISOString().slice(0, 16).replace('T', ' ')} to ${new Date(end).toISOString().slice(0, 16).replace('T', ' ')} UTC (${windowHours.toFixed(1)} h).`,
      recommendation: lever[top.resource] + (dominant ? '' : ' ' + lever[items[1]?.resource ?? top.resource]),
      evidence,
      data: {
        items,
        total: r6(total),
        projected7d: r6(projected7d),
        projected30d: r6(projected30d),
        windowHours: Math.round(windowHours * 100) / 100,
        currency: 'USD',
        services,
        usage: {
          memoryGbHours: r6(usage.memory),
          vcpuHours: r6(usage.cpu),
          egressGb: r6(usage.egress),
          volumeGbHours: r6(usage.volume),
        },
        memoryAboveFloor: memFloors.map((f) => ({ service: f.service, floorMb: Math.round(f.floorMb * 10) / 10, cost: r6(f.aboveCost) })),
        egressMode: [...egressModes].join('/') || null,
        prices: { memoryGbMonth: o.memoryGbMonth, vcpuMonth: o.vcpuMonth, egressGb: o.egressGb, volumeGbMonth: o.volumeGbMonth, minutesPerMonth: o.minutesPerMonth },
      },
    };
    return [finding];
  },
});
