// The appendix of the markdown report: every input with its format, counts, warnings and the
// first lines it could not read; what the run left out or thinned; and what each detector did.
import type { ReportInput } from '../json.js';
import { cell, code, fenced, leftOutSentences, name, prose } from '../markdown-text.js';
import { int, minuteOf, plural } from '../../words.js';

export function appendix(input: ReportInput): string[] {
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
