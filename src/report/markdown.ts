// The markdown report, in the shape of a hand-written production review: title and provenance,
// Summary, 1. Log Analysis (a subsection per finding), 2. Observability Dashboard Analysis (metrics,
// memory and cost findings), 3. Architecture Gaps and 4. What's Working Well (inferred from the
// findings, each citing them), Appendix: Inputs. It lays findings out and decides nothing; the same
// input gives the same bytes (no clock, no locale). Log text goes through markdown-text.ts, which
// redacts and escapes it.
import type { Evidence, Finding, MetricSeries } from '../model.js';
import { FINDING_SEVERITY_RANK } from '../model.js';
import type { TimelineEvent, TimelineSummary } from '../timeline/timeline.js';
import type { ReportInput } from './json.js';
import { VERSION } from '../version.js';
import { cell, code, evidenceTime, fenced, inputWarnings, leftOutSentences, minuteOf, money, name, num, percent, prose } from './markdown-text.js';
import { countBuckets, countSparkline, mermaidLineChart, resample, sparkline } from './charts.js';
import { affectedOf, countOf, numberAt, objectsAt, stringAt, timeAt, timesOf } from './finding-data.js';
import { architectureGaps, workingWell, type Insight } from './insights.js';
import { humanSeconds, int, listJoin, plural } from '../words.js';
import { cutText, inline } from '../redact.js';

/** Detectors whose findings are laid out in the dashboard section rather than in Log Analysis. */
const DASHBOARD_DETECTORS = new Set(['memory-sawtooth', 'cost-breakdown']);
const MAX_EVIDENCE_LINES = 12;
const SPARK_WIDTH = 48;
const CHART_POINTS = 72;
const MAX_CHART_POINTS = 240;

/** Short labels for the Summary, by detector id (the finding's own title is used otherwise). */
const SUMMARY_LABEL: Record<string, (f: Finding) => string> = {
  'empty-error-message': () => 'invisible errors',
  'connection-reset-per-deploy': () => 'no graceful shutdown',
  'error-cluster': (f) => (numberAt(f.data, 'count') !== undefined ? `an outage of ${numberAt(f.data, 'count')} errors` : 'an error burst'),
  'cadence-drift': () => 'a drifting recurring failure',
  'container-churn': () => 'container churn',
  'memory-sawtooth': (f) => `memory ${stringAt(f.data, 'shape') ?? 'pattern'}`,
  'cost-breakdown': (f) => {
    const top = topCostItem(f);
    return top ? `${top.resource.toLowerCase()} as ${percent(top.share)} of costs` : 'cost';
  },
  'postgres-crash-recovery': () => 'database crash recovery',
  'restart-loop': () => 'a restart loop',
  'slow-queries': () => 'slow queries',
  'lock-contention': () => 'lock contention',
  timeouts: () => 'timeouts',
  'connection-exhaustion': () => 'connection exhaustion',
  'unfinished-work': () => 'work that never finishes',
  'ungraceful-shutdown': () => 'ungraceful shutdowns',
  'missing-relation': () => 'queries against a missing table',
  'ssl-eof': () => 'dropped TLS handshakes',
  'log-loss': () => 'log lines dropped by the platform',
  'known-jobs': () => 'a declared job that did not run',
};

interface Ctx {
  t: TimelineSummary;
  findings: Finding[];
  /** Section number of each finding (`1.2`, `2.1`), by finding id. */
  ref: Map<string, string>;
  /** Kept events by `input:line`, for the level shown beside evidence. */
  byLocation: Map<string, TimelineEvent> | null;
}

/** The full markdown report. */
export function renderMarkdown(input: ReportInput): string {
  const { timeline: t, runs } = input;
  const findings = input.findings;
  const ctx: Ctx = { t, findings, ref: new Map(), byLocation: null };
  const logFindings = findings.filter((f) => !DASHBOARD_DETECTORS.has(f.detector));
  // Informational findings (a job on an exact cadence, ...) are evidence, not problems: one compact
  // table after the problems, which the healthy signals of section 4 cite.
  const problems = logFindings.filter((f) => f.severity !== 'info');
  const notes = logFindings.filter((f) => f.severity === 'info');
  problems.forEach((f, i) => ctx.ref.set(f.id, `1.${i + 1}`));
  const notesRef = `1.${problems.length + 1}`;
  for (const f of notes) ctx.ref.set(f.id, notesRef);

  const dashboard = dashboardSection(ctx);
  const out: string[] = [];
  out.push(`# ${titleOf(input)}`, '');
  out.push(`> ${provenance(input)}`, '');
  const leftOut = leftOutSentences(input.run);
  out.push('## Summary', '', summary(ctx) + (leftOut.length > 0 ? ` ${leftOut.join(' ')}` : ''), '', ...inputWarnings(t.inputs), '---', '');

  out.push('## 1. Log Analysis', '');
  if (logFindings.length === 0) {
    out.push(runs.length === 0 ? 'No detectors ran, so there are no log findings.' : `The ${plural(runs.length, 'detector')} found nothing in the logs (see the appendix for the list).`, '');
  }
  problems.forEach((f) => out.push(...findingSection(ctx, f)));
  if (notes.length > 0) out.push(...notesSection(notes, notesRef));
  out.push('---', '');

  out.push('## 2. Observability Dashboard Analysis', '');
  out.push(...dashboard);
  out.push('---', '');

  out.push('## 3. Architecture Gaps', '');
  const gaps = architectureGaps(findings, t);
  if (gaps.length === 0) out.push('Nothing in the findings points at a gap in the architecture.', '');
  gaps.forEach((g, i) => {
    out.push(`### 3.${i + 1} ${name(g.title)}`, '', prose(g.text), '', `*Rests on ${citeList(ctx, g)}.*`, '');
  });
  out.push('---', '');

  out.push("## 4. What's Working Well", '');
  const good = workingWell(findings, t, runs);
  if (good.length === 0) out.push('No healthy signal stands out in these inputs.', '');
  for (const g of good) out.push(`- **${name(g.title)}** — ${prose(g.text)}${g.cites.length > 0 ? ` (${citeList(ctx, g, true)})` : ''}`);
  if (good.length > 0) out.push('');
  out.push('---', '');

  out.push(...appendix(input));
  return out.join('\n').replace(/\n{3,}/g, '\n\n').replace(/\n*$/, '\n');
}

function titleOf(input: ReportInput): string {
  if (input.run?.title) return name(input.run.title);
  const t = input.timeline;
  const ordered = servicesByVolume(t);
  const services = ordered.length > 0 ? listJoin(ordered.slice(0, 4)) + (ordered.length > 4 ? ` and ${ordered.length - 4} more` : '') : 'no services';
  const w = t.window;
  const window = w.start !== null && w.end !== null ? `, ${minuteOf(w.start)} to ${minuteOf(w.end)}` : '';
  return name(`Post-mortem: ${services}${window}`);
}

/** Services with the most records first (the app before its database, usually), then by name. */
function servicesByVolume(t: TimelineSummary): string[] {
  const n = new Map<string, number>();
  for (const tp of t.templates) n.set(tp.service, (n.get(tp.service) ?? 0) + tp.count);
  return [...t.services].sort((a, b) => (n.get(b) ?? 0) - (n.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
}

function provenance(input: ReportInput): string {
  const t = input.timeline;
  const lines = t.inputs.reduce((a, i) => a + i.lines, 0);
  const names = t.inputs.map((i) => code(i.path));
  const shown = names.length <= 4 ? names.join(', ') : names.slice(0, 3).join(', ') + `, and ${names.length - 3} more`;
  const parts = [`hindsight ${VERSION}`, `${plural(t.inputs.length, 'input')} (${shown})`, `${plural(lines, 'line')} read`, plural(t.totals.records, 'record')];
  if (t.window.start !== null && t.window.end !== null) parts.push(`window ${humanSeconds((t.window.end - t.window.start) / 1000)}`);
  const r = input.run;
  if (r?.since !== undefined || r?.until !== undefined) {
    parts.push(`limited to ${r.since !== undefined ? minuteOf(r.since) : 'the start'} – ${r.until !== undefined ? minuteOf(r.until) : 'the end'}`);
  }
  return parts.join(' · ');
}

function summary(ctx: Ctx): string {
  const { findings, t } = ctx;
  if (t.totals.records === 0 && t.metrics.length === 0) return 'The inputs held no records.';
  const errors = t.totals.byLevel.error + t.totals.byLevel.fatal;
  const scale = `${plural(t.totals.records, 'record')} from ${plural(t.services.length, 'service')}${t.window.start !== null && t.window.end !== null ? ` over ${humanSeconds((t.window.end - t.window.start) / 1000)}` : ''}, ${int(errors)} of them errors`;
  if (findings.length === 0) return `${scale}. The detectors found nothing worth a ticket.`;
  const serious = findings.filter((f) => FINDING_SEVERITY_RANK[f.severity] >= FINDING_SEVERITY_RANK.medium);
  const pool = serious.length > 0 ? serious : findings.filter((f) => f.severity !== 'info');
  if (pool.length === 0) return `${scale}. Nothing the detectors found is a problem: ${plural(findings.length, 'informational finding')} below.`;
  // One item per detector: two empty-message templates are one problem ("invisible errors").
  const groups = new Map<string, Finding[]>();
  for (const f of pool) {
    const g = groups.get(f.detector) ?? [];
    g.push(f);
    groups.set(f.detector, g);
  }
  const items = [...groups.values()].slice(0, 4).map((fs) => {
    const f = fs[0]!;
    const labelled = SUMMARY_LABEL[f.detector] as ((x: Finding) => string) | undefined;
    const label = f.detector === 'error-cluster' && fs.length > 1 ? `${fs.length} error bursts` : labelled ? labelled(f) : f.title;
    const refs = fs.map((x) => ctx.ref.get(x.id)).filter((r): r is string => r !== undefined);
    const detail = SUMMARY_DETAIL[f.detector]?.(fs) ?? shorten(labelled ? f.title : f.summary || f.title, 100);
    return `**${name(label)}** (${prose(detail)}${refs.length > 0 ? `, ${refs.map((r) => `§${r}`).join(', ')}` : ''})`;
  });
  const critical = findings.filter((f) => f.severity === 'critical').length;
  const shownCount = [...groups.values()].slice(0, 4).reduce((a, fs) => a + fs.length, 0);
  const rest = findings.filter((f) => f.severity !== 'info').length - shownCount;
  const second = critical > 0
    ? `${plural(critical, 'finding is', 'findings are')} critical.`
    : `None is critical; the worst is ${findings[0]!.severity}${rest > 0 ? `, and ${plural(rest, 'lesser finding')} follow${rest === 1 ? 's' : ''} below` : ''}.`;
  const costNote = costSentence(findings);
  return `${scale}. The problems that matter: ${listJoin(items)}.${costNote ? ' ' + costNote : ''} ${second}`;
}

/** "Memory is 97% of the cost ($0.52 of $0.53 over 168 h)." when one resource dominates the bill. */
function costSentence(findings: Finding[]): string | null {
  const f = findings.find((x) => x.detector === 'cost-breakdown');
  if (!f) return null;
  const top = topCostItem(f);
  const total = numberAt(f.data, 'total');
  if (!top || total === undefined || top.share < 0.75) return null;
  const hours = numberAt(f.data, 'windowHours');
  return `**${prose(capitalize(top.resource))} is ${percent(top.share)} of the cost** (${money(top.cost)} of ${money(total)}${hours !== undefined ? ` over ${humanSeconds(hours * 3600)}` : ''}).`;
}

/** The parenthesis after a Summary label: the finding's key figures, from its data. */
const SUMMARY_DETAIL: Record<string, (fs: Finding[]) => string | undefined> = {
  'empty-error-message': (fs) => {
    const n = fs.reduce((a, f) => a + (countOf(f) ?? 0), 0);
    return `${int(n)} error records in ${plural(fs.length, 'template')} with nothing after the colon: no exception type, no traceback`;
  },
  'error-cluster': (fs) => {
    const f = fs[0]!;
    const start = timeAt(f.data, 'start');
    const end = timeAt(f.data, 'end');
    const eps = affectedOf(f).endpoints;
    const when = start !== undefined ? `at ${minuteOf(start)}` : '';
    // The detector's own duration (whole seconds, as its section prints it), so both agree.
    const seconds = numberAt(f.data, 'durationSeconds') ?? (start !== undefined && end !== undefined ? (end - start) / 1000 : undefined);
    return `${fs.length > 1 ? `${fs.length} bursts; the first ` : ''}${when}${seconds !== undefined ? `, over ${humanSeconds(seconds)}` : ''}${eps.length > 0 ? `, failing ${eps.slice(0, 3).join(', ')}` : ''}`.replace(/^, /, '');
  },
  'connection-reset-per-deploy': (fs) => {
    const stops = fs.reduce((a, f) => a + objectsAt(f.data, 'stops').length, 0);
    const resets = fs.reduce((a, f) => a + (numberAt(f.data, 'attributed') ?? 0), 0);
    return stops > 0 ? `${int(resets)} database connections dropped at ${plural(stops, 'container stop')}` : undefined;
  },
  'cadence-drift': (fs) => {
    const d = numberAt(fs[0]!.data, 'driftSecondsPerCycle');
    const p = numberAt(fs[0]!.data, 'periodSeconds');
    return d !== undefined && p !== undefined ? `drifting ${num(Math.abs(d), 0)} s per ${humanSeconds(p)} cycle beside an exact schedule` : undefined;
  },
  'container-churn': (fs) => {
    const n = fs.reduce((a, f) => a + (numberAt(f.data, 'shortLived') ?? 0), 0);
    return n > 0 ? `${plural(n, 'container')} stopped within a minute of starting` : undefined;
  },
  'memory-sawtooth': (fs) => {
    const f = fs[0]!;
    const lo = numberAt(f.data, 'minMb');
    const hi = numberAt(f.data, 'maxMb');
    return lo !== undefined && hi !== undefined ? `${num(lo, 0)}-${num(hi, 0)} MB${stringAt(f.data, 'service') ? ` in ${stringAt(f.data, 'service')}` : ''}` : undefined;
  },
  'cost-breakdown': (fs) => {
    const f = fs[0]!;
    const top = topCostItem(f);
    const total = numberAt(f.data, 'total');
    return top && total !== undefined ? `${money(top.cost)} of ${money(total)}` : undefined;
  },
};

function shorten(s: string, max: number): string {
  const one = s.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  if (one.length <= max) return one;
  const cut = cutText(one, max, '');
  const sp = cut.lastIndexOf(' ');
  return (sp > max * 0.6 ? cut.slice(0, sp) : cut) + '…';
}

function findingSection(ctx: Ctx, f: Finding): string[] {
  const out: string[] = [];
  out.push(`### ${ctx.ref.get(f.id) ?? ''} ${name(f.title)}`.replace(/^### +/, '### '), '');
  const count = countOf(f);
  out.push(`*Severity ${f.severity} · ${code(f.detector)}${count !== undefined ? ` · ${plural(count, 'occurrence')}` : ''} · id ${code(f.id)}*`, '');
  if (f.summary) out.push(prose(f.summary), '');
  out.push(...evidenceBlock(ctx, f.evidence));
  const spark = findingSparkline(ctx, f);
  if (spark) out.push(spark, '');
  const field = (label: string, text: string | undefined) => {
    if (text && text.trim().length > 0) out.push(`**${label}:** ${prose(text.trim())}`, '');
  };
  field('Pattern', f.pattern);
  field('Root cause', f.rootCause);
  field('Timing analysis', f.timing);
  field('Impact', f.impact);
  out.push(...affected(f));
  field('Recommendation', f.recommendation);
  return out;
}

function notesSection(notes: Finding[], ref: string): string[] {
  const out: string[] = [`### ${ref} Informational findings (${notes.length})`, ''];
  out.push('Not problems: what the detectors saw that the rest of the report leans on (exact cadences, reference rates). The JSON output has their full narrative.', '');
  out.push('| Finding | Detector | Count | First evidence |', '|---|---|---:|---|');
  for (const f of notes) {
    const n = countOf(f);
    const e = f.evidence[0];
    out.push(`| ${cell(f.title)} | ${code(f.detector)} | ${n !== undefined ? int(n) : ''} | ${e ? code(`${e.timestamp ? evidenceTime(e.timestamp) + '  ' : ''}${shorten(e.text, 80)}`).replace(/\|/g, '\\|') : ''} |`);
  }
  out.push('');
  return out;
}

function evidenceBlock(ctx: Ctx, evidence: Evidence[]): string[] {
  if (evidence.length === 0) return [];
  // The detector chooses which lines matter; they are shown as a log excerpt, in time order (a
  // detector may list a recovery's markers before the connection that failed during it).
  const shown = chronological(evidence.slice(0, MAX_EVIDENCE_LINES));
  const services = new Set(shown.map((e) => e.service));
  const names = shown.map((e) => inline(e.service));
  const width = Math.max(...names.map((s) => s.length));
  const lines = shown.map((e, i) => {
    const ev = eventAt(ctx, e.location);
    const lvl = ev ? levelLabel(ev) : null;
    const svc = services.size > 1 ? names[i]!.padEnd(width) + '  ' : '';
    return `${e.timestamp !== null ? evidenceTime(e.timestamp) + '  ' : ''}${svc}${lvl ? `[${lvl}] ` : ''}${e.text.replace(/\s*\n\s*/g, ' ⏎ ')}`;
  });
  if (evidence.length > shown.length) lines.push(`… ${evidence.length - shown.length} more in --format json`);
  return [fenced(lines), '', `Lines: ${locations(shown)}`, ''];
}

/** Evidence sorted by time, stably; lines without a time after the others, in their order. */
function chronological(evidence: Evidence[]): Evidence[] {
  return evidence
    .map((e, i) => ({ e, i, t: e.timestamp === null ? Infinity : Date.parse(e.timestamp) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.e);
}

/** `app.jsonl:12, :40, :97; postgres.log:3`: locations grouped by input, lines in order. */
function locations(evidence: Evidence[]): string {
  const groups = new Map<string, string[]>();
  for (const e of evidence) {
    const i = e.location.lastIndexOf(':');
    const path = i > 0 ? e.location.slice(0, i) : e.location;
    const line = i > 0 ? e.location.slice(i + 1) : '';
    const g = groups.get(path) ?? [];
    g.push(line);
    groups.set(path, g);
  }
  return [...groups].map(([p, ls]) => code(`${p}:${ls.sort((a, b) => Number(a) - Number(b)).join(',')}`)).join('; ');
}

function eventAt(ctx: Ctx, location: string): TimelineEvent | undefined {
  if (ctx.byLocation === null) {
    ctx.byLocation = new Map();
    for (const ev of ctx.t.events) ctx.byLocation.set(`${ctx.t.inputPaths[ev.input] ?? `input${ev.input}`}:${ev.line}`, ev);
  }
  return ctx.byLocation.get(location);
}

function levelLabel(ev: TimelineEvent): string {
  if (ev.source === 'postgres' && ev.pg?.severity) return ev.pg.severity;
  switch (ev.level) {
    case 'fatal':
      return 'fatal';
    case 'error':
      return 'err';
    case 'warn':
      return 'warn';
    case 'info':
      return 'info';
    default:
      return 'dbg';
  }
}

function findingSparkline(ctx: Ctx, f: Finding): string | null {
  const { start, end } = ctx.t.window;
  if (start === null || end === null || end <= start) return null;
  // A burst is best seen against all the errors of the window (the per-minute histogram); other
  // findings against their own records (their templates' times, or their evidence).
  const counts = f.detector === 'error-cluster' ? errorHistogram(ctx.t, start, end) : countBuckets(timesOf(f, ctx.t), start, end, SPARK_WIDTH);
  if (counts === null || counts.every((c) => c === 0)) return null;
  const per = humanSeconds((end - start) / SPARK_WIDTH / 1000);
  const what = f.detector === 'error-cluster' ? 'errors of every kind' : 'its records';
  return `**Timeline** (${what}): ${code(countSparkline(counts))} ${minuteOf(start)} → ${minuteOf(end)}, one column ≈ ${per}, peak ${Math.max(...counts)} in a column`;
}

/** Error-or-worse records per column over [start, end], from the timeline's per-minute histogram. */
function errorHistogram(t: TimelineSummary, start: number, end: number): number[] | null {
  const h = t.histogram;
  if (h.start === null) return null;
  const err = h.counts.error;
  const fatal = h.counts.fatal;
  const times: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < err.length; i++) {
    const n = (err[i] ?? 0) + (fatal[i] ?? 0);
    if (n === 0) continue;
    times.push(h.start + i * h.bucketMs);
    weights.push(n);
  }
  const counts = new Array<number>(SPARK_WIDTH).fill(0);
  const span = Math.max(1, end - start);
  for (let i = 0; i < times.length; i++) {
    const x = times[i]!;
    if (x < start - h.bucketMs || x > end) continue;
    counts[Math.max(0, Math.min(SPARK_WIDTH - 1, Math.floor(((x - start) / span) * SPARK_WIDTH)))]! += weights[i]!;
  }
  return counts;
}

function affected(f: Finding): string[] {
  const a = affectedOf(f);
  const items: string[] = [];
  for (const tpl of a.templates.slice(0, 8)) items.push(`- template ${code(tpl.text)}${tpl.count !== undefined ? ` (${int(tpl.count)}×)` : ''}`);
  if (a.templates.length > 8) items.push(`- and ${a.templates.length - 8} more templates`);
  if (a.services.length > 0) items.push(`- ${a.services.length === 1 ? 'service' : 'services'}: ${a.services.map((s) => name(s)).join(', ')}`);
  if (a.endpoints.length > 0) items.push(`- endpoints: ${a.endpoints.slice(0, 12).map((e) => code(e)).join(', ')}${a.endpoints.length > 12 ? `, and ${a.endpoints.length - 12} more` : ''}`);
  if (items.length === 0) return [];
  return ['**Affected:**', '', ...items, ''];
}

/** `1.2` before `1.10`, `1.x` before `2.x`. */
function bySection(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1! - b1! || a2! - b2!;
}

function citeList(ctx: Ctx, g: Insight, short = false): string {
  if (g.cites.length === 0) return 'the figures of this run';
  const refs = [...new Set(g.cites.map((f) => ctx.ref.get(f.id)).filter((r): r is string => r !== undefined))].sort(bySection);
  const titles = g.cites.map((f) => f.title);
  if (refs.length === 0) return name(listJoin(titles));
  if (g.cites.length === 1 && !short) return `§${refs[0]} (${name(titles[0]!)})`;
  return listJoin(refs.map((r) => `§${r}`));
}

// ---- 2. Observability Dashboard Analysis ----------------------------------------------------------

const MEASUREMENT_TITLE: Record<string, string> = {
  memory: 'Memory',
  cpu: 'CPU',
  network_tx: 'Network Egress',
  network_rx: 'Network Ingress',
  disk: 'Disk',
};
const MEASUREMENT_ORDER = ['memory', 'cpu', 'disk', 'network_tx', 'network_rx'];
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

interface CostItem {
  resource: string;
  cost: number;
  share: number;
  projected7d?: number;
  service?: string;
}

function costItems(f: Finding): CostItem[] {
  const out: CostItem[] = [];
  for (const it of objectsAt(f.data, 'items')) {
    const resource = stringAt(it, 'resource');
    const cost = numberAt(it, 'cost');
    if (resource === undefined || cost === undefined) continue;
    const item: CostItem = { resource, cost, share: numberAt(it, 'share') ?? 0, projected7d: numberAt(it, 'projected7d') };
    const svc = stringAt(it, 'service');
    if (svc) item.service = svc;
    out.push(item);
  }
  const total = out.reduce((a, x) => a + x.cost, 0);
  if (total > 0) for (const x of out) if (!x.share) x.share = x.cost / total;
  return out;
}

function topCostItem(f: Finding): CostItem | undefined {
  return [...costItems(f)].sort((a, b) => b.cost - a.cost)[0];
}

function dashboardSection(ctx: Ctx): string[] {
  const { t, findings } = ctx;
  const out: string[] = [];
  const series = t.metrics;
  const memoryFindings = findings.filter((f) => f.detector === 'memory-sawtooth');
  const costFindings = findings.filter((f) => f.detector === 'cost-breakdown');
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
  const costByMeasurement = new Map<string, { cost: number; share: number }>();
  for (const f of costFindings) {
    for (const it of costItems(f)) {
      const m = RESOURCE_MEASUREMENT[it.resource.toLowerCase()] ?? it.resource.toLowerCase();
      const prev = costByMeasurement.get(m);
      costByMeasurement.set(m, { cost: (prev?.cost ?? 0) + it.cost, share: (prev?.share ?? 0) + it.share / costFindings.length });
    }
  }
  const totalCost = costFindings.reduce((a, f) => a + (numberAt(f.data, 'total') ?? costItems(f).reduce((x, i) => x + i.cost, 0)), 0);
  const memoryShown = new Set<string>();
  for (const m of order) {
    n++;
    const title = MEASUREMENT_TITLE[m] ?? prose(m);
    const cost = costByMeasurement.get(m);
    const dominant = cost !== undefined && cost.share >= 0.5;
    out.push(`### 2.${n} ${title}${m === 'memory' && dominant ? ' (dominant cost)' : ''}`, '');
    if (cost) out.push(`**Cost:** ${money(cost.cost)}${totalCost > 0 ? ` of ${money(totalCost)} total` : ''} (${percent(cost.share)} of all costs)`, '');
    for (const s of groups.get(m)!) {
      if (m === 'memory') for (const f of memoryFindings) if ((stringAt(f.data, 'service') ?? s.service) === s.service) ctx.ref.set(f.id, `2.${n}`);
      out.push(...seriesBlock(s, m === 'memory' ? memoryFindings.filter((f) => (stringAt(f.data, 'service') ?? s.service) === s.service) : []));
      if (m === 'memory') memoryShown.add(s.service);
    }
    out.push(...assessment(m, groups.get(m)!, cost), '');
  }
  // Memory findings whose series is not among the inputs (e.g. a detector fed another way).
  for (const f of memoryFindings) {
    const svc = stringAt(f.data, 'service');
    if (svc !== undefined && memoryShown.has(svc)) continue;
    if (svc === undefined && memoryShown.size > 0) continue;
    n++;
    ctx.ref.set(f.id, `2.${n}`);
    out.push(`### 2.${n} ${name(f.title)}`, '', ...memoryFindingLines(f), '');
  }
  for (const f of costFindings) {
    n++;
    ctx.ref.set(f.id, `2.${n}`);
    out.push(...costTable(f, n, costFindings.length > 1));
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

function stats(values: readonly number[]): { min: number; max: number; mean: number } {
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

function seriesBlock(s: MetricSeries, memory: Finding[]): string[] {
  if (s.values.length === 0) return [];
  const out: string[] = [];
  const st = stats(s.values);
  const unit = s.unit ? ` ${s.unit}` : '';
  const v = (x: number) => value(x, st.max);
  const samples = `${int(s.values.length)} sample${s.values.length === 1 ? '' : 's'}`;
  if (st.min === 0 && st.max === 0) return [`**${name(s.service)}**: zero in all ${samples}.`, ''];
  out.push(`**${name(s.service)}** (${samples})`, '');
  out.push(`- **Range:** ${v(st.min)}-${v(st.max)}${unit}, mean ${v(st.mean)}${unit}`);
  for (const f of memory) out.push(...memoryFindingLines(f));
  if (memory.length === 0) out.push(`- **Shape:** ${prose(shapeOf(s.values, st, v, unit))}`);
  // Peaks per column for memory (what meets the limit), means for the rest.
  const rs = resample(s.ts, s.values, SPARK_WIDTH);
  const line = s.measurement === 'memory' ? rs.max : rs.values;
  out.push(`- **Over time${s.measurement === 'memory' ? ' (peaks)' : ''}:** ${code(sparkline(line))} ${v(st.min)} to ${v(st.max)}${unit}, one column ≈ ${humanSeconds(rs.bucketMs / 1000)}`);
  // A cycle shorter than a few columns is invisible at the scale of the window: zoom in on the last cycles.
  const period = memory.map((f) => numberAt(f.data, 'periodSeconds')).find((p) => p !== undefined && p > 0);
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

/**
 * A plain description of a series' shape, for measurements no detector describes: bursts (peaks far
 * above a quiet mean), a rise or a fall between the first and last quarter, or steady.
 */
function shapeOf(values: readonly number[], st: { min: number; max: number; mean: number }, v: (x: number) => string, unit: string): string {
  if (st.max === st.min) return `flat at ${v(st.max)}${unit}`;
  if (st.mean > 0 && st.max > 5 * st.mean) {
    let above = 0;
    for (const x of values) if (x > 5 * st.mean) above++;
    return `quiet with bursts: ${plural(above, 'sample')} above five times the mean, the highest ${v(st.max)}${unit}`;
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
  if (first > 0 && last > first * 1.2) return `rising: the last quarter of the window averages ${v(last)}${unit} against ${v(first)}${unit} in the first`;
  if (first > 0 && last < first * 0.8) return `falling: the last quarter of the window averages ${v(last)}${unit} against ${v(first)}${unit} in the first`;
  return `steady around ${v(st.mean)}${unit}`;
}

/** A metric value with precision fitting the series' scale (`0.0012`, `0.05`, `79.9`, `1,520`). */
function value(x: number, max: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) < 1 || Math.abs(max) < 1) return String(+x.toPrecision(2));
  return num(x, 1);
}

function memoryFindingLines(f: Finding): string[] {
  const out: string[] = [];
  const shape = stringAt(f.data, 'shape');
  const period = numberAt(f.data, 'periodSeconds');
  const cycles = numberAt(f.data, 'cycles');
  const trend = numberAt(f.data, 'troughTrendMbPerHour');
  const minMb = numberAt(f.data, 'minMb');
  const maxMb = numberAt(f.data, 'maxMb');
  const bits: string[] = [];
  if (shape) bits.push(shape === 'sawtooth' ? 'Sawtooth' : shape[0]!.toUpperCase() + shape.slice(1));
  if (minMb !== undefined && maxMb !== undefined) bits.push(`between ${num(minMb, 0)} and ${num(maxMb, 0)} MB`);
  if (cycles !== undefined && cycles > 0) bits.push(`${plural(cycles, 'cycle')}`);
  if (period !== undefined) bits.push(`one every ~${humanSeconds(period)}`);
  if (trend !== undefined) bits.push(Math.abs(trend) < 0.05 ? 'troughs level' : `troughs ${trend > 0 ? 'rising' : 'falling'} ${num(Math.abs(trend), 2)} MB/h`);
  out.push(`- **Pattern:** ${prose(bits.join(', ') || f.title)} — ${prose(f.pattern || f.summary)}`);
  if (f.severity === 'info') return out;
  if (f.rootCause) out.push(`- **Likely cause:** ${prose(f.rootCause)}`);
  if (f.impact) out.push(`- **Impact:** ${prose(f.impact)}`);
  if (f.recommendation) out.push(`- **Recommendation:** ${prose(f.recommendation)}`);
  return out;
}

function assessment(measurement: string, series: MetricSeries[], cost: { cost: number; share: number } | undefined): string[] {
  const maxOf = (s: MetricSeries) => stats(s.values).max;
  const peak = Math.max(...series.map(maxOf));
  const parts: string[] = [];
  if (measurement === 'cpu' && peak < 0.1) parts.push(`CPU never exceeded ${num(peak, 3)} vCPU: the services are I/O-bound and CPU is not a concern.`);
  else if (measurement === 'cpu') parts.push(`CPU peaked at ${num(peak, 2)} vCPU.`);
  if (measurement === 'disk') {
    const grows = series.some((s) => s.values.length > 1 && s.values[s.values.length - 1]! > s.values[0]! * 1.2);
    parts.push(grows ? 'The volume grew by more than 20% over the window: check retention jobs.' : 'The volume stayed within 20% of where it started: no growth concern.');
  }
  if (cost !== undefined && cost.share < 0.05 && measurement !== 'memory') parts.push(`Not a cost concern at ${money(cost.cost)}.`);
  return parts.length > 0 ? [`**Assessment:** ${prose(parts.join(' '))}`] : [];
}

function costTable(f: Finding, n: number, several: boolean): string[] {
  const items = costItems(f).sort((a, b) => b.cost - a.cost || (a.resource < b.resource ? -1 : 1));
  const currency = stringAt(f.data, 'currency') ?? 'USD';
  const hours = numberAt(f.data, 'windowHours');
  const total = numberAt(f.data, 'total') ?? items.reduce((a, x) => a + x.cost, 0);
  const p7 = numberAt(f.data, 'projected7d');
  const p30 = numberAt(f.data, 'projected30d');
  const scale = hours !== undefined && hours > 0 ? 168 / hours : undefined;
  const out: string[] = [];
  const svc = stringAt(f.data, 'service');
  out.push(`### 2.${n} Cost Summary${several && svc ? ` (${name(svc)})` : ''}`, '');
  out.push(`| Resource | Cost in window${hours !== undefined ? ` (${num(hours, 1)} h)` : ''} | Projected 7 days | Share |`);
  out.push('|----------|------:|------:|------:|');
  for (const it of items) {
    const proj = it.projected7d ?? (scale !== undefined ? it.cost * scale : undefined);
    out.push(`| ${cell(capitalize(it.resource))}${it.service && !several ? ` (${cell(it.service)})` : ''} | ${money(it.cost, currency)} | ${proj !== undefined ? '~' + money(proj, currency) : '—'} | ${percent(it.share)} |`);
  }
  const totalProj = p7 ?? (scale !== undefined ? total * scale : undefined);
  out.push(`| **Total** | **${money(total, currency)}** | **${totalProj !== undefined ? '~' + money(totalProj, currency) : '—'}** | |`);
  out.push('');
  const top = items[0];
  const sentences: string[] = [];
  if (top && top.share >= 0.75) sentences.push(`${capitalize(top.resource)} is ${percent(top.share)} of the cost: the only lever that matters for cost.`);
  if (p30 !== undefined) sentences.push(`At this rate a 30-day month costs ~${money(p30, currency)}.`);
  if (f.summary && sentences.length === 0) sentences.push(f.summary);
  if (sentences.length > 0) out.push(prose(sentences.join(' ')), '');
  return out;
}

function capitalize(s: string): string {
  if (s.toLowerCase() === 'cpu') return 'CPU';
  return s.length > 0 ? s[0]!.toUpperCase() + s.slice(1) : s;
}

function postgresBlock(t: TimelineSummary, n: number): string[] {
  const pg = t.postgres;
  const out: string[] = [`### 2.${n} PostgreSQL`, ''];
  const sev = pg.bySeverityRaw ?? pg.bySeverity;
  const order = ['PANIC', 'FATAL', 'ERROR', 'WARNING', 'NOTICE', 'LOG', 'INFO', 'DEBUG'];
  const keys = Object.keys(sev).filter((k) => sev[k]! > 0).sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib) || (a < b ? -1 : 1);
  });
  out.push(`${plural(pg.records, 'PostgreSQL record')}${keys.length > 0 ? `: ${keys.map((k) => `${prose(k)} ${int(sev[k]!)}`).join(', ')}` : ''}.`, '');
  const rows: [string, string][] = [];
  const add = (label: string, v: number | undefined, detail = '') => {
    if (v !== undefined && v > 0) rows.push([label, int(v) + detail]);
  };
  add('Connections authorized', pg.connections);
  add('Sessions (disconnections)', pg.sessions);
  add('Peak concurrent sessions', pg.peakSessions?.count, pg.peakSessions?.ts != null ? ` at ${minuteOf(pg.peakSessions.ts)}` : '');
  add('Server starts', pg.serverStarts);
  add('Client connections lost (resets)', pg.clientResets);
  add('Too many clients', pg.tooManyClients);
  add('Checkpoints completed', pg.checkpoints?.completed);
  add('Checkpoint warnings', pg.checkpoints?.warnings);
  add('Autovacuum runs', pg.autovacuum);
  add('Autoanalyze runs', pg.autoanalyze);
  add('Temporary files', pg.tempFiles?.count, pg.tempFiles ? `, ${num(pg.tempFiles.totalBytes / 1048576, 1)} MB in all` : '');
  add('Lock waits acquired', pg.lockWaits?.acquired, pg.lockWaits ? `, longest ${num(pg.lockWaits.maxWaitMs, 0)} ms` : '');
  add('Lock waits still pending when logged', pg.lockWaits?.stillWaiting);
  add('Deadlocks', pg.deadlocks);
  add('Cancelled by statement_timeout', pg.cancelled?.statementTimeout);
  add('Cancelled by lock_timeout', pg.cancelled?.lockTimeout);
  add('Cancelled by user request', pg.cancelled?.userRequest);
  add('Ended by idle_in_transaction_session_timeout', pg.terminated?.idleInTransactionTimeout);
  add('Ended by idle_session_timeout', pg.terminated?.idleSessionTimeout);
  add('Ended by an administrator', pg.terminated?.administrator);
  add('Queries with a logged duration', pg.queries?.withDuration, pg.queries ? `, ${num(pg.queries.totalMs / 1000, 1)} s in all` : '');
  const sqlstates = Object.entries(pg.errorsBySqlstate ?? {}).filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (sqlstates.length > 0) rows.push(['Errors by SQLSTATE', sqlstates.slice(0, 8).map(([k, c]) => `${k} ${int(c)}`).join(', ')]);
  if (rows.length > 0) out.push('| What | Count |', '|---|---:|', ...rows.map(([a, b]) => `| ${cell(a)} | ${cell(b)} |`), '');
  const top = (pg.statements ?? []).slice(0, 5);
  if (top.length > 0) {
    out.push('Slowest statements by total time:', '');
    out.push('| Count | Total | Mean | Max | Statement |', '|---:|---:|---:|---:|---|');
    for (const st of top) out.push(`| ${int(st.count)} | ${num(st.totalMs / 1000, 1)} s | ${num(st.meanMs, 0)} ms | ${num(st.maxMs, 0)} ms | ${code(shorten(st.statement, 120)).replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  return out;
}

// ---- Appendix ------------------------------------------------------------------------------------

function appendix(input: ReportInput): string[] {
  const { timeline: t, runs } = input;
  const out: string[] = ['## Appendix: Inputs', ''];
  out.push('| Input | Format | Why | Lines | Events | Skipped |', '|---|---|---|---:|---:|---:|');
  for (const i of t.inputs) {
    out.push(`| ${cell(i.path)} | ${cell(i.format)} | ${cell(i.formatReason)} | ${int(i.lines)} | ${int(i.events)} | ${int(i.skipped)} |`);
  }
  out.push('');
  for (const i of t.inputs) {
    const extra: string[] = [];
    if (i.records > 0 || i.samples > 0) extra.push(`${plural(i.records, 'record')}, ${plural(i.samples, 'metric sample')}`);
    if (i.services.length > 0) extra.push(`services ${i.services.map((s) => name(s)).join(', ')}`);
    if (i.firstTs !== null && i.lastTs !== null) extra.push(`${minuteOf(i.firstTs)} to ${minuteOf(i.lastTs)}`);
    out.push(`- ${code(i.path)}: ${extra.join('; ') || 'nothing read'}.`);
    for (const w of i.warnings) out.push(`  - Warning: ${prose(w)}`);
  }
  out.push('');
  for (const i of t.inputs) {
    if (i.skipped === 0) continue;
    out.push(`${plural(i.skipped, 'line')} of ${code(i.path)} could not be read${i.skippedExamples.length > 0 ? '; the first ones:' : '.'}`, '');
    if (i.skippedExamples.length > 0) out.push(fenced(i.skippedExamples.map((x) => `line ${x.line} (${x.reason}): ${x.text}`)), '');
  }
  const notes: string[] = [];
  const r = input.run;
  notes.push(...leftOutSentences(r));
  if (t.totals.withoutTime > 0) notes.push(`${plural(t.totals.withoutTime, 'record')} carried no timestamp.`);
  const { labelledError, labelledErrorNotError } = t.totals;
  if (labelledErrorNotError > 0) {
    notes.push(
      `${plural(labelledError, 'record')} came labelled \`error\`, the label Railway gives every line written to standard error; ` +
        `${int(labelledErrorNotError)} of them announce a lower level (an \`INFO:\` line, a PostgreSQL \`LOG\`) and count at that level here: this is why the report counts fewer errors than Railway's dashboard.`,
    );
  }
  if (t.eventsDropped > 0) {
    const thinned = t.templates.filter((x) => x.keptEvery > 1);
    const most = thinned.reduce((k, x) => Math.max(k, x.keptEvery), 1);
    notes.push(
      `${int(t.eventsDropped)} warning-or-worse events did not fit under the memory budget for kept events` +
        (thinned.length > 0 ? `: ${plural(thinned.length, 'noisy template')} kept one line in up to ${most}, evenly over the window` : '') +
        '; every template is still counted in full, but what a finding counts from the kept lines of a thinned template is an estimate.',
    );
  }
  if (t.miner.overflow > 0) notes.push(`${int(t.miner.overflow)} messages found no room under the cap of ${int(t.miner.maxTemplates)} templates and were counted in an overflow template.`);
  if (notes.length > 0) out.push(...notes.map((x) => `- ${prose(x)}`), '');

  out.push('**Detectors:**', '');
  if (runs.length === 0) out.push('- No detector ran.');
  const found = runs.filter((d) => d.findings > 0 && d.error === undefined);
  const nothing = runs.filter((d) => d.findings === 0 && d.error === undefined);
  const failed = runs.filter((d) => d.error !== undefined);
  if (found.length > 0) out.push(`- With findings: ${found.map((d) => `${code(d.id)} (${d.findings})`).join(', ')}.`);
  if (nothing.length > 0) out.push(`- Ran and found nothing: ${nothing.map((d) => `${code(d.id)} (${name(d.title)})`).join(', ')}.`);
  for (const d of failed) out.push(`- **Failed:** ${code(d.id)}: ${prose(d.error ?? '')}. Its findings are missing from this report.`);
  out.push('');
  return out;
}
