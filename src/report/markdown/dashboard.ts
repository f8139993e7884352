// Section 2 of the markdown report, the Observability Dashboard: per measurement (memory, CPU,
// disk, network) its cost share, each service's series (range, shape or the memory finding, a
// sparkline, a chart for memory) and an assessment, as the analysis's resource usage has them
// (src/conclusions/resource-usage.ts); memory findings without a series; a cost table per
// cost-breakdown finding; then the PostgreSQL block.
import type { MetricSeries } from '../../model.js';
import { cell, code, name, prose } from '../markdown-text.js';
import { mermaidLineChart, resample, sparkline } from '../charts.js';
import { humanSeconds, int, minuteOf, money, num, percent, plural } from '../../words.js';
import { SPARK_WIDTH, type Ctx } from './context.js';
import { postgresBlock } from './postgres.js';
import { costPanels, memoryPanels, type Drawn } from '../../detectors/report-meta.js';
import type { CostPanel, MemoryPanel } from '../../detectors/detector.js';
import { costItems, type CostLever, type MeasurementUsage, type ResourceUsage, type SeriesShape, type SeriesUsage } from '../../conclusions/resource-usage.js';

const CHART_POINTS = 72;
const MAX_CHART_POINTS = 240;

const MEASUREMENT_TITLE: Record<string, string> = {
  memory: 'Memory',
  cpu: 'CPU',
  network_tx: 'Network Egress',
  network_rx: 'Network Ingress',
  disk: 'Disk',
};
const MEASUREMENT_ORDER = ['memory', 'cpu', 'disk', 'network_tx', 'network_rx'];

export function dashboardSection(ctx: Ctx, usage: ResourceUsage): string[] {
  const { t, findings } = ctx;
  const out: string[] = [];
  const series = t.metrics;
  const memoryFindings = memoryPanels(findings);
  const costFindings = costPanels(findings);
  if (series.length === 0 && costFindings.length === 0) {
    out.push('No metric samples among the inputs. Add an export such as `railway metrics --raw --json` to get memory, CPU and network, and the cost they imply.', '');
    if (t.postgres.records > 0) out.push(...postgresBlock(t, 1));
    return out;
  }
  const window = series.length > 0 ? seriesWindow(series) : null;
  if (window) out.push(`Metrics from ${plural(series.length, 'series', 'series')} over ${humanSeconds((window.end - window.start) / 1000)} (${minuteOf(window.start)} to ${minuteOf(window.end)}).`, '');
  const groups = new Map<string, MetricSeries[]>();
  for (const s of series) {
    const g = groups.get(s.measurement) ?? [];
    g.push(s);
    groups.set(s.measurement, g);
  }
  const order = [...groups.keys()].sort((a, b) => {
    const ia = MEASUREMENT_ORDER.indexOf(a);
    const ib = MEASUREMENT_ORDER.indexOf(b);
    return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib) || (a < b ? -1 : a > b ? 1 : 0);
  });
  let n = 0;
  const totalCost = costFindings.reduce((a, c) => a + c.data.total, 0);
  const memoryShown = new Set<string>();
  for (const m of order) {
    n++;
    const title = MEASUREMENT_TITLE[m] ?? prose(m);
    const measured = usage.measurements.find((x) => x.measurement === m);
    const cost = measured?.cost;
    out.push(`### 2.${n} ${title}${m === 'memory' && cost?.verdict === 'dominant' ? ' (dominant cost)' : ''}`, '');
    if (cost) out.push(`**Cost:** ${money(cost.cost)}${totalCost > 0 ? ` of ${money(totalCost)} total` : ''} (${percent(cost.share)} of all costs)`, '');
    for (const s of groups.get(m)!) {
      if (m === 'memory') for (const { f, data } of memoryFindings) if (data.service === s.service) ctx.ref.set(f.id, `2.${n}`);
      const u = usage.series.find((x) => x.service === s.service && x.measurement === s.measurement);
      if (u !== undefined) out.push(...seriesBlock(s, u, m === 'memory' ? memoryFindings.filter(({ data }) => data.service === s.service) : []));
      if (m === 'memory') memoryShown.add(s.service);
    }
    out.push(...assessment(measured, usage.thresholds), '');
  }
  // Memory findings whose series is not among the inputs (e.g. a detector fed another way).
  for (const m of memoryFindings) {
    if (memoryShown.has(m.data.service)) continue;
    n++;
    ctx.ref.set(m.f.id, `2.${n}`);
    out.push(`### 2.${n} ${name(m.f.title)}`, '', ...memoryFindingLines(m), '');
  }
  for (const c of costFindings) {
    n++;
    ctx.ref.set(c.f.id, `2.${n}`);
    out.push(...costTable(c.data, n, usage.costLevers.find((l) => l.finding === c.f.id)));
  }
  if (t.postgres.records > 0) {
    n++;
    out.push(...postgresBlock(t, n));
  }
  return out;
}

function seriesWindow(series: MetricSeries[]): { start: number; end: number } {
  let start = Infinity;
  let end = -Infinity;
  for (const s of series) {
    if (s.ts.length === 0) continue;
    if (s.ts[0]! < start) start = s.ts[0]!;
    if (s.ts[s.ts.length - 1]! > end) end = s.ts[s.ts.length - 1]!;
  }
  return Number.isFinite(start) ? { start, end } : { start: 0, end: 0 };
}

function seriesBlock(s: MetricSeries, st: SeriesUsage, memory: Drawn<MemoryPanel>[]): string[] {
  const out: string[] = [];
  const unit = s.unit ? ` ${s.unit}` : '';
  const v = (x: number) => value(x, st.max);
  const samples = `${int(s.values.length)} sample${s.values.length === 1 ? '' : 's'}`;
  if (st.min === 0 && st.max === 0) return [`**${name(s.service)}**: zero in all ${samples}.`, ''];
  out.push(`**${name(s.service)}** (${samples})`, '');
  out.push(`- **Range:** ${v(st.min)}-${v(st.max)}${unit}, mean ${v(st.mean)}${unit}`);
  for (const m of memory) out.push(...memoryFindingLines(m));
  if (memory.length === 0) out.push(`- **Shape:** ${prose(shapeText(st.shape, v, unit))}`);
  // Peaks per column for memory (what meets the limit), means for the rest.
  const rs = resample(s.ts, s.values, SPARK_WIDTH);
  const line = s.measurement === 'memory' ? rs.max : rs.values;
  out.push(`- **Over time${s.measurement === 'memory' ? ' (peaks)' : ''}:** ${code(sparkline(line))} ${v(st.min)} to ${v(st.max)}${unit}, one column ≈ ${humanSeconds(rs.bucketMs / 1000)}`);
  // A cycle shorter than a few columns is invisible at the scale of the window: zoom in on the last cycles.
  const period = memory.map(({ data }) => data.periodSeconds).find((p): p is number => p !== null && p > 0);
  const span = s.ts[s.ts.length - 1]! - s.ts[0]!;
  if (period !== undefined && rs.bucketMs > (period * 1000) / 4 && span > period * 1000 * 6) {
    const from = s.ts[s.ts.length - 1]! - period * 1000 * 6;
    let i0 = 0;
    while (i0 < s.ts.length && s.ts[i0]! < from) i0++;
    const zoom = resample(s.ts.slice(i0), s.values.slice(i0), SPARK_WIDTH);
    out.push(`- **Last 6 cycles:** ${code(sparkline(zoom.values))} ${minuteOf(zoom.start)} to ${minuteOf(zoom.end)}, one column ≈ ${humanSeconds(zoom.bucketMs / 1000)}`);
  }
  out.push('');
  if (s.measurement === 'memory' && s.values.length >= 3) {
    // Fine enough to draw a detected cycle (four points a cycle), within what a chart can show.
    const points = period !== undefined ? Math.max(CHART_POINTS, Math.min(MAX_CHART_POINTS, Math.ceil(span / ((period * 1000) / 4)))) : CHART_POINTS;
    const chart = resample(s.ts, s.values, points);
    out.push(
      mermaidLineChart({
        title: `${s.service} memory (${s.unit || 'MB'}), mean per ${humanSeconds(chart.bucketMs / 1000)}`,
        yLabel: s.unit || 'MB',
        xLabel: `hours since ${minuteOf(chart.start)}`,
        lines: [chart.values],
        spanHours: (chart.end - chart.start) / 3_600_000,
      }),
      '',
    );
  }
  return out;
}

/** A series' shape in words, for measurements no detector describes. */
function shapeText(shape: SeriesShape, v: (x: number) => string, unit: string): string {
  switch (shape.kind) {
    case 'flat':
      return `flat at ${v(shape.at)}${unit}`;
    case 'bursts':
      return `quiet with bursts: ${plural(shape.above, 'sample')} above five times the mean, the highest ${v(shape.highest)}${unit}`;
    case 'rising':
    case 'falling':
      return `${shape.kind}: the last quarter of the window averages ${v(shape.lastQuarterMean)}${unit} against ${v(shape.firstQuarterMean)}${unit} in the first`;
    case 'steady':
      return `steady around ${v(shape.mean)}${unit}`;
  }
}

/** A metric value with precision fitting the series' scale (`0.0012`, `0.05`, `79.9`, `1,520`). */
function value(x: number, max: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) < 1 || Math.abs(max) < 1) return String(+x.toPrecision(2));
  return num(x, 1);
}

function memoryFindingLines({ f, data }: Drawn<MemoryPanel>): string[] {
  const out: string[] = [];
  const { shape, periodSeconds: period, cycles, troughTrendMbPerHour: trend, minMb, maxMb } = data;
  const bits: string[] = [];
  if (shape) bits.push(shape === 'sawtooth' ? 'Sawtooth' : shape[0]!.toUpperCase() + shape.slice(1));
  bits.push(`between ${num(minMb, 0)} and ${num(maxMb, 0)} MB`);
  if (cycles > 0) bits.push(`${plural(cycles, 'cycle')}`);
  if (period !== null) bits.push(`one every ~${humanSeconds(period)}`);
  if (trend !== null) bits.push(Math.abs(trend) < 0.05 ? 'troughs level' : `troughs ${trend > 0 ? 'rising' : 'falling'} ${num(Math.abs(trend), 2)} MB/h`);
  out.push(`- **Pattern:** ${prose(bits.join(', ') || f.title)} — ${prose(f.pattern || f.summary)}`);
  if (f.severity === 'info') return out;
  if (f.rootCause) out.push(`- **Likely cause:** ${prose(f.rootCause)}`);
  if (f.impact) out.push(`- **Impact:** ${prose(f.impact)}`);
  if (f.recommendation) out.push(`- **Recommendation:** ${prose(f.recommendation)}`);
  return out;
}

function assessment(usage: MeasurementUsage | undefined, th: ResourceUsage['thresholds']): string[] {
  const peak = usage?.peak ?? 0;
  const parts: string[] = [];
  if (usage?.verdict === 'cpu-idle') parts.push(`CPU never exceeded ${num(peak, 3)} vCPU: the services are I/O-bound and CPU is not a concern.`);
  else if (usage?.verdict === 'cpu-used') parts.push(`CPU peaked at ${num(peak, 2)} vCPU.`);
  const growth = th === null ? '' : percent(th.riseFactor - 1);
  if (usage?.verdict === 'disk-grew') parts.push(`The volume grew by more than ${growth} over the window: check retention jobs.`);
  else if (usage?.verdict === 'disk-level') parts.push(`The volume stayed within ${growth} of where it started: no growth concern.`);
  if (usage?.cost?.verdict === 'negligible') parts.push(`Not a cost concern at ${money(usage.cost.cost)}.`);
  return parts.length > 0 ? [`**Assessment:** ${prose(parts.join(' '))}`] : [];
}

function costTable(data: CostPanel, n: number, lever: CostLever | undefined): string[] {
  const items = costItems(data).sort((a, b) => b.cost - a.cost || (a.resource < b.resource ? -1 : 1));
  const { currency, windowHours: hours, total, projected7d: p7, projected30d: p30 } = data;
  const scale = hours > 0 ? 168 / hours : undefined;
  const out: string[] = [];
  out.push(`### 2.${n} Cost Summary`, '');
  out.push(`| Resource | Cost in window (${num(hours, 1)} h) | Projected 7 days | Share |`);
  out.push('|----------|------:|------:|------:|');
  for (const it of items) {
    const proj = scale !== undefined ? it.cost * scale : undefined;
    out.push(`| ${cell(capitalize(it.resource))} | ${money(it.cost, currency)} | ${proj !== undefined ? '~' + money(proj, currency) : '—'} | ${percent(it.share)} |`);
  }
  out.push(`| **Total** | **${money(total, currency)}** | **~${money(p7, currency)}** | |`);
  out.push('');
  const sentences: string[] = [];
  if (lever) sentences.push(`${capitalize(lever.resource)} is ${percent(lever.share)} of the cost: the only lever that matters for cost.`);
  sentences.push(`At this rate a 30-day month costs ~${money(p30, currency)}.`);
  out.push(prose(sentences.join(' ')), '');
  return out;
}

/** A resource name as a sentence starts it (`CPU`, `Memory`). */
export function capitalize(s: string): string {
  if (s.toLowerCase() === 'cpu') return 'CPU';
  return s.length > 0 ? s[0]!.toUpperCase() + s.slice(1) : s;
}
