// The terminal summary (`--format text`): what was read, the findings as a table with the worst
// first, the gaps and strengths the analysis concluded, and where to look next. Colors only when asked for (the
// command decides with NO_COLOR, --no-color, FORCE_COLOR, TERM and whether stdout is a terminal).
// Every string passes through `inline` (redacted, on one line).
import Table from 'cli-table3';
import type { FindingSeverity } from '../model.js';
import type { ReportInput } from './json.js';
import { inline } from '../redact.js';
import { VERSION } from '../version.js';
import { countOf } from '../detectors/finding-data.js';
import { leftOutSentences } from './markdown-text.js';
import { humanSeconds, int, minuteOf, plural } from '../words.js';

export interface TextOptions {
  color: boolean;
  /** Terminal width to fit tables into (default 100). */
  width?: number;
}

const SEVERITY_STYLE: Record<FindingSeverity, [number, number]> = {
  critical: [1, 31],
  high: [31, 39],
  medium: [33, 39],
  low: [36, 39],
  info: [2, 22],
};

/** The compact terminal summary. */
export function renderText(input: ReportInput, options: TextOptions): string {
  const { timeline: t, findings, runs, conclusions } = input;
  const c = options.color;
  const width = Math.max(60, Math.min(options.width ?? 100, 160));
  const paint = (open: number, close: number, s: string) => (c ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  const bold = (s: string) => paint(1, 22, s);
  const dim = (s: string) => paint(2, 22, s);
  const sev = (s: FindingSeverity) => {
    const [o, cl] = SEVERITY_STYLE[s];
    return s === 'critical' ? paint(1, 22, paint(o === 1 ? 31 : o, 39, s.toUpperCase())) : paint(o, cl, s);
  };
  const style = { head: c ? ['bold'] : [], border: c ? ['grey'] : [] };
  // No rule between rows: one finding per row reads faster.
  const chars = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };
  const out: string[] = [];

  const w = t.window;
  const lines = t.inputs.reduce((a, i) => a + i.lines, 0);
  const skipped = t.inputs.reduce((a, i) => a + i.skipped, 0);
  const errors = t.totals.byLevel.error + t.totals.byLevel.fatal;
  out.push(bold(inline(input.run?.title ?? `hindsight ${VERSION}: ${t.services.join(', ') || 'no services'}`)));
  out.push(
    `${w.start !== null && w.end !== null ? `${minuteOf(w.start)} → ${minuteOf(w.end)} (${humanSeconds((w.end - w.start) / 1000)})  ` : ''}` +
      `${plural(lines, 'line')} from ${plural(t.inputs.length, 'input')}, ${plural(t.totals.records, 'record')}, ${errors > 0 ? paint(31, 39, plural(errors, 'error')) : '0 errors'}` +
      `${skipped > 0 ? `, ${paint(33, 39, int(skipped) + ' skipped')}` : ''}`,
  );
  for (const s of leftOutSentences(input.run)) out.push(paint(33, 39, s));
  out.push('');

  // Compact: one row per problem (title only); informational findings are counted, not listed.
  const problems = findings.filter((f) => f.severity !== 'info');
  const info = findings.length - problems.length;
  if (problems.length === 0) out.push(paint(32, 39, runs.length === 0 ? 'No detectors ran.' : 'No problems found.'));
  else {
    const table = new Table({
      head: ['Severity', 'Finding', 'Count', 'First seen'],
      style,
      chars,
      colWidths: [10, Math.max(30, width - 10 - 9 - 19 - 5), 9, 19],
      colAligns: ['left', 'left', 'right', 'left'],
      wordWrap: true,
    });
    for (const f of problems) {
      const n = countOf(f);
      const first = f.evidence.find((e) => e.timestamp !== null)?.timestamp;
      table.push([sev(f.severity), inline(f.title), n !== undefined ? int(n) : '', first ? first.slice(0, 16).replace('T', ' ') : '']);
    }
    out.push(table.toString());
  }
  if (info > 0) out.push(dim(`+ ${plural(info, 'informational finding')} (exact cadences, flat memory, ...): see the markdown or JSON report.`));

  const gaps = conclusions.architectureGaps;
  if (gaps.length > 0) {
    out.push('', bold('Architecture gaps'));
    for (const g of gaps) out.push(`  • ${inline(g.title)}`);
  }
  // What the run shows of the services; how this run read its inputs is the longer reports' matter.
  const good = conclusions.workingWell.filter((g) => g.about === 'system');
  if (good.length > 0) {
    out.push('', bold('Working well'));
    for (const g of good) out.push(`  ${paint(32, 39, '✓')} ${inline(g.title)}`);
  }

  out.push('');
  const inputs = new Table({ head: ['Input', 'Format', 'Lines', 'Skipped'], style, chars, colAligns: ['left', 'left', 'right', 'right'] });
  for (const i of t.inputs) inputs.push([inline(i.path), i.format, int(i.lines), i.skipped > 0 ? paint(33, 39, int(i.skipped)) : '0']);
  out.push(inputs.toString());
  for (const i of t.inputs) for (const warn of i.warnings) out.push(paint(33, 39, `warning: ${inline(i.path)}: ${inline(warn)}`));
  const failed = runs.filter((r) => r.error !== undefined);
  for (const r of failed) out.push(paint(31, 39, `detector ${r.id} failed: ${inline(r.error ?? '')}`));
  out.push(dim('Full report: hindsight analyze <inputs> (markdown) or --format json.'));
  return out.join('\n') + '\n';
}
