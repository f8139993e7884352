// A finding of section 1 of the markdown report: its heading and severity line, the evidence as a
// log excerpt with its locations, a sparkline of its records over the window, the narrative
// fields and what it affects; and the one table of the informational findings after the problems.
import type { Evidence, Finding } from '../../model.js';
import type { TimelineEvent, TimelineSummary } from '../../timeline/timeline.js';
import { cell, code, evidenceTime, fenced, name, prose, shorten } from '../markdown-text.js';
import { countBuckets, countSparkline } from '../charts.js';
import { affectedOf, countOf, timesOf } from '../../detectors/finding-data.js';
import { humanSeconds, int, minuteOf, plural } from '../../words.js';
import { inline } from '../../redact.js';
import { SPARK_WIDTH, type Ctx } from './context.js';
import { reportMetaOf } from '../../detectors/report-meta.js';

const MAX_EVIDENCE_LINES = 12;

export function findingSection(ctx: Ctx, f: Finding): string[] {
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

export function notesSection(notes: Finding[], ref: string): string[] {
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
  const allErrors = reportMetaOf(f).sparkline === 'errors';
  const counts = allErrors ? errorHistogram(ctx.t, start, end) : countBuckets(timesOf(f, ctx.t), start, end, SPARK_WIDTH);
  if (counts === null || counts.every((c) => c === 0)) return null;
  const per = humanSeconds((end - start) / SPARK_WIDTH / 1000);
  const what = allErrors ? 'errors of every kind' : 'its records';
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
