// The nightly digest: this run's findings and templates against the state of the previous run.
// New, Ongoing (with the trend of counts) and Resolved findings, templates never seen before,
// and the error rate against the previous run; then the next state. Pure functions: the command
// reads and writes the state file.
import type { Finding, FindingSeverity, InputSummary } from '../model.js';
import { FINDING_SEVERITY_RANK } from '../model.js';
import type { TemplateSummary, TimelineSummary } from '../timeline/timeline.js';
import { isoOf } from '../ingest/timestamp.js';
import { VERSION } from '../version.js';
import { countOf } from '../detectors/finding-data.js';
import { code, inputWarnings, name, prose, cell } from '../report/markdown-text.js';
import { sparkline } from '../report/charts.js';
import { int, minuteOf, num, plural } from '../words.js';
import { cutText, redact } from '../redact.js';
import { FORGET_AFTER, HISTORY, MAX_TEMPLATE_KEYS, STATE_VERSION, type DigestState, type FindingHistory, type RunFigures } from './state.js';

export interface FindingChange {
  id: string;
  detector: string;
  title: string;
  severity: FindingSeverity;
  summary?: string;
  count: number;
  /** Counts of the runs so far, oldest first, this run last. */
  trend: number[];
  /** For a finding absent from the previous run but seen before: the run it was last seen. */
  returnedAfterRun?: number;
}

export interface Digest {
  run: number;
  firstRun: boolean;
  services: string[];
  /** The inputs as read, for their warnings (a cut or truncated input). */
  inputs: InputSummary[];
  figures: RunFigures;
  previous: RunFigures | null;
  fresh: FindingChange[];
  ongoing: FindingChange[];
  resolved: FindingChange[];
  newTemplates: TemplateSummary[];
  templatesTotal: number;
  /** Informational findings of this run (exact cadences and the like): kept in the state, not listed. */
  informational: number;
}

/** Figures of one run, for the error-rate comparison. */
export function runFigures(t: TimelineSummary, run: number): RunFigures {
  const errors = t.totals.byLevel.error + t.totals.byLevel.fatal;
  const hours = t.window.start !== null && t.window.end !== null ? (t.window.end - t.window.start) / 3_600_000 : null;
  return {
    run,
    window: { start: isoOf(t.window.start), end: isoOf(t.window.end) },
    records: t.totals.records,
    errors,
    errorRate: t.totals.records > 0 ? errors / t.totals.records : null,
    errorsPerHour: hours !== null && hours > 0 ? errors / hours : null,
  };
}

/** Findings by id, first of each id; ids redacted as in every output (the JSON's ids match these). */
function byId(findings: readonly Finding[]): Map<string, Finding> {
  const m = new Map<string, Finding>();
  for (const f of findings) {
    const id = redact(f.id);
    if (!m.has(id)) m.set(id, f);
  }
  return m;
}

function countFor(f: Finding): number {
  return countOf(f) ?? Math.max(1, f.evidence.length);
}

/** Compares this run with the previous state. */
export function compare(prev: DigestState | null, t: TimelineSummary, findings: readonly Finding[]): Digest {
  const run = (prev?.runs ?? 0) + 1;
  const figures = runFigures(t, run);
  const fresh: FindingChange[] = [];
  const ongoing: FindingChange[] = [];
  const resolved: FindingChange[] = [];
  const now = byId(findings);
  let informational = 0;
  for (const [id, f] of now) {
    // Informational findings are baselines, not news: remembered in the state, counted, not listed.
    if (f.severity === 'info') {
      informational++;
      continue;
    }
    const h = prev?.findings[id];
    const count = countFor(f);
    const change: FindingChange = { id, detector: f.detector, title: f.title, severity: f.severity, summary: f.summary, count, trend: [...(h?.counts ?? []), count].slice(-HISTORY) };
    if (h && h.lastRun === run - 1) ongoing.push(change);
    else {
      if (h) change.returnedAfterRun = h.lastRun;
      fresh.push(change);
    }
  }
  if (prev) {
    for (const [id, h] of Object.entries(prev.findings)) {
      if (now.has(id) || h.lastRun !== run - 1 || h.severity === 'info') continue;
      resolved.push({ id, detector: h.detector, title: h.title, severity: h.severity, count: 0, trend: [...h.counts, 0].slice(-HISTORY) });
    }
  }
  const bySeverity = (a: FindingChange, b: FindingChange) => FINDING_SEVERITY_RANK[b.severity] - FINDING_SEVERITY_RANK[a.severity] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const known = new Set(prev?.templates ?? []);
  const newTemplates = prev
    ? t.templates.filter((tp) => tp.count > 0 && !known.has(tp.key)).sort((a, b) => rankLevel(b) - rankLevel(a) || b.count - a.count || (a.key < b.key ? -1 : 1))
    : [];
  return {
    run,
    firstRun: prev === null,
    services: t.services,
    inputs: t.inputs,
    figures,
    previous: prev?.lastRun ?? null,
    fresh: fresh.sort(bySeverity),
    ongoing: ongoing.sort(bySeverity),
    resolved: resolved.sort(bySeverity),
    newTemplates,
    templatesTotal: t.templates.length,
    informational,
  };
}

const LEVEL_ORDER = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
function rankLevel(t: TemplateSummary): number {
  return LEVEL_ORDER.indexOf(t.worst);
}

/** The state after this run. */
export function nextState(prev: DigestState | null, d: Digest, t: TimelineSummary, findings: readonly Finding[]): DigestState {
  const run = d.run;
  const out: Record<string, FindingHistory> = {};
  const now = byId(findings);
  for (const [id, h] of Object.entries(prev?.findings ?? {})) {
    if (now.has(id)) continue;
    if (run - h.lastRun > FORGET_AFTER) continue;
    out[id] = { ...h, counts: [...h.counts, 0].slice(-HISTORY) };
  }
  for (const [id, f] of now) {
    const h = prev?.findings[id];
    out[id] = {
      detector: f.detector,
      title: redact(f.title),
      severity: f.severity,
      counts: [...(h?.counts ?? []), countFor(f)].slice(-HISTORY),
      firstRun: h?.firstRun ?? run,
      lastRun: run,
    };
  }
  const sorted: Record<string, FindingHistory> = {};
  for (const id of Object.keys(out).sort()) sorted[id] = out[id]!;
  const keys = [...(prev?.templates ?? [])];
  const seen = new Set(keys);
  for (const tp of t.templates) {
    if (tp.count > 0 && !seen.has(tp.key)) {
      seen.add(tp.key);
      keys.push(tp.key);
    }
  }
  return {
    schemaVersion: STATE_VERSION,
    tool: `hindsight ${VERSION}`,
    runs: run,
    lastRun: d.figures,
    findings: sorted,
    templates: keys.length > MAX_TEMPLATE_KEYS ? keys.slice(keys.length - MAX_TEMPLATE_KEYS) : keys,
  };
}

const MAX_TEMPLATES_SHOWN = 15;

/** The digest as short markdown; `leftOut`: what --since/--until and ignoreTemplates left out (leftOutSentences). */
export function renderDigest(d: Digest, title?: string, leftOut: readonly string[] = []): string {
  const out: string[] = [];
  const f = d.figures;
  const window = f.window.start && f.window.end ? `${minuteOf(Date.parse(f.window.start))} to ${minuteOf(Date.parse(f.window.end))}` : 'no timestamps';
  out.push(`# ${name(title ?? `hindsight digest: ${d.services.join(', ') || 'no services'}`)}`, '');
  out.push(`> Run ${d.run}${d.firstRun ? ' (first run: nothing to compare with yet)' : ''} · ${window} · ${plural(f.records, 'record')} · ${plural(f.errors, 'error')}`, '');
  out.push(...inputWarnings(d.inputs, 'in the appendix of `hindsight analyze` on the same inputs'));
  if (leftOut.length > 0) out.push(`*${leftOut.join(' ')}*`, '');

  const overlap = overlapNote(d);
  if (overlap) out.push(`*${overlap}*`, '');
  out.push('## Error rate', '', errorRateLine(d), '');

  const section = (name: string, items: FindingChange[], line: (c: FindingChange) => string, none: string) => {
    out.push(`## ${name} (${items.length})`, '');
    if (items.length === 0) out.push(none, '');
    else out.push(...items.map(line), '');
  };
  section(
    'New',
    d.fresh,
    (c) => `- **${c.severity}** ${name(c.title)}${c.summary ? ` — ${prose(oneLine(c.summary))}` : ''} (${plural(c.count, 'occurrence')}${c.returnedAfterRun !== undefined ? `; back after last being seen in run ${c.returnedAfterRun}` : ''}; ${code(c.id)})`,
    d.firstRun ? 'Every finding of a first run is listed here.' : 'Nothing new since the previous run.',
  );
  section('Ongoing', d.ongoing, (c) => `- **${c.severity}** ${name(c.title)} — ${trendText(c.trend)} (${code(c.id)})`, 'Nothing carried over from the previous run.');
  section('Resolved', d.resolved, (c) => `- ${name(c.title)} — not seen in this run (${trendText(c.trend)}; ${code(c.id)})`, 'Nothing that the previous run found has gone away.');
  if (d.informational > 0) out.push(`${plural(d.informational, 'informational finding')} (exact cadences and other baselines) not listed; \`hindsight analyze\` shows them.`, '');

  if (d.firstRun) {
    out.push('## New templates', '', `First run: ${plural(d.templatesTotal, 'template')} recorded; the next digest lists the ones never seen before.`, '');
  } else {
    out.push(`## New templates (${d.newTemplates.length})`, '');
    if (d.newTemplates.length === 0) out.push('No message template that earlier runs had not seen.', '');
    else {
      out.push('| Count | Worst level | Service | Template | First seen |', '|---:|---|---|---|---|');
      for (const tp of d.newTemplates.slice(0, MAX_TEMPLATES_SHOWN)) {
        out.push(`| ${int(tp.count)} | ${tp.worst} | ${cell(tp.service)} | ${code(tp.text).replace(/\|/g, '\\|')} | ${tp.first !== null ? minuteOf(tp.first) : ''} |`);
      }
      if (d.newTemplates.length > MAX_TEMPLATES_SHOWN) out.push('', `… and ${d.newTemplates.length - MAX_TEMPLATES_SHOWN} more.`);
      out.push('');
    }
  }
  return out.join('\n').replace(/\n*$/, '\n');
}

/** A warning when this run's window repeats or overlaps the previous one (counts would be compared with themselves). */
function overlapNote(d: Digest): string | null {
  const p = d.previous;
  const a = d.figures.window;
  if (!p || !a.start || !a.end || !p.window.start || !p.window.end) return null;
  if (a.start === p.window.start && a.end === p.window.end) return 'This run covers exactly the window of the previous run: the same logs were digested twice, so nothing can be new.';
  if (Date.parse(a.start) < Date.parse(p.window.end)) return `This run's window starts before the previous one ended (${p.window.end}): the overlap is counted in both runs.`;
  return null;
}

function errorRateLine(d: Digest): string {
  const f = d.figures;
  const rate = (r: RunFigures) => (r.errorRate === null ? 'no records' : `${num(r.errorRate * 100, 2)}% of records${r.errorsPerHour !== null ? `, ${num(r.errorsPerHour, 1)} per hour` : ''}`);
  const now = `${plural(f.errors, 'error')} (${rate(f)})`;
  const p = d.previous;
  if (!p) return `${now}.`;
  const a = f.errorsPerHour ?? (f.errorRate ?? 0);
  const b = p.errorsPerHour ?? (p.errorRate ?? 0);
  let verdict: string;
  if (b === 0 && a === 0) verdict = 'no errors in either run';
  else if (b === 0) verdict = '**up from none**';
  else {
    const ratio = a / b;
    if (ratio >= 1.5) verdict = `**up ${num(ratio, 1)}×**`;
    else if (ratio <= 1 / 1.5) verdict = `down ${num(1 / ratio, 1)}×`;
    else verdict = 'about the same';
  }
  return `${now}; previous run: ${plural(p.errors, 'error')} (${rate(p)}): ${verdict}.`;
}

function trendText(trend: number[]): string {
  const shown = trend.slice(-7);
  // Up or down since the previous run; "unchanged" in words, as a bare → would read as a count left out.
  const arrow = shown.length >= 2 ? (shown[shown.length - 1]! > shown[shown.length - 2]! ? ' ↑' : shown[shown.length - 1]! < shown[shown.length - 2]! ? ' ↓' : ', unchanged') : '';
  return `counts ${shown.map((n) => int(n)).join(' → ')}${arrow}${shown.length >= 3 ? ` ${code(sparkline(shown, 0))}` : ''}`;
}

function oneLine(s: string): string {
  return cutText(s.replace(/\s+/g, ' ').trim(), 159);
}

