// The top of the markdown report: the title, the provenance line and the Summary (the problems
// that matter, one item per detector, with their key figures and the sections that hold them).
// Each detector's Summary label and figures are its own (meta.report).
import type { Finding } from '../../model.js';
import { FINDING_SEVERITY_RANK } from '../../model.js';
import type { TimelineSummary } from '../../timeline/timeline.js';
import type { ReportInput } from '../json.js';
import { VERSION } from '../../version.js';
import { costPanels, reportMetaOf } from '../../detectors/report-meta.js';
import { code, name, prose, shorten } from '../markdown-text.js';
import { humanSeconds, int, listJoin, minuteOf, money, percent, plural } from '../../words.js';
import type { Ctx } from './context.js';
import { capitalize } from './dashboard.js';
import type { CostLever } from '../../conclusions/resource-usage.js';

export function titleOf(input: ReportInput): string {
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

export function provenance(input: ReportInput): string {
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

export function summary(ctx: Ctx, levers: readonly CostLever[]): string {
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
    const { summaryLabel, summaryDetail } = reportMetaOf(f);
    const label = summaryLabel ? summaryLabel(fs) : f.title;
    const refs = fs.map((x) => ctx.ref.get(x.id)).filter((r): r is string => r !== undefined);
    const detail = summaryDetail?.(fs) ?? shorten(summaryLabel ? f.title : f.summary || f.title, 100);
    return `**${name(label)}** (${prose(detail)}${refs.length > 0 ? `, ${refs.map((r) => `§${r}`).join(', ')}` : ''})`;
  });
  const critical = findings.filter((f) => f.severity === 'critical').length;
  const shownCount = [...groups.values()].slice(0, 4).reduce((a, fs) => a + fs.length, 0);
  const rest = findings.filter((f) => f.severity !== 'info').length - shownCount;
  const second = critical > 0
    ? `${plural(critical, 'finding is', 'findings are')} critical.`
    : `None is critical; the worst is ${findings[0]!.severity}${rest > 0 ? `, and ${plural(rest, 'lesser finding')} follow${rest === 1 ? 's' : ''} below` : ''}.`;
  const costNote = costSentence(findings, levers);
  return `${scale}. The problems that matter: ${listJoin(items)}.${costNote ? ' ' + costNote : ''} ${second}`;
}

/** "Memory is 97% of the cost ($0.52 of $0.53 over 168 h)." when one resource dominates the bill. */
function costSentence(findings: Finding[], levers: readonly CostLever[]): string | null {
  const first = costPanels(findings)[0];
  if (!first) return null;
  const cost = first.data;
  const top = levers.find((l) => l.finding === first.f.id);
  if (!top) return null;
  return `**${prose(capitalize(top.resource))} is ${percent(top.share)} of the cost** (${money(top.cost)} of ${money(cost.total)} over ${humanSeconds(cost.windowHours * 3600)}).`;
}
