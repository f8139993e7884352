// The markdown report, in the shape of a hand-written production review: title and provenance,
// Summary, 1. Log Analysis (a subsection per finding), 2. Observability Dashboard Analysis (metrics,
// memory and cost findings), 3. Architecture Gaps and 4. What's Working Well (the analysis's
// conclusions, each citing findings), Appendix: Inputs. This file is the layout: it numbers the findings
// and puts the parts (markdown/*.ts, one file each) in order. It lays findings out and decides
// nothing; the same input gives the same bytes (no clock, no locale). Log text goes through
// markdown-text.ts, which redacts and escapes it.
import type { ReportInput } from './json.js';
import { inputWarnings, leftOutSentences } from './markdown-text.js';
import { plural } from '../words.js';
import { reportMetaOf } from '../detectors/report-meta.js';
import type { Ctx } from './markdown/context.js';
import { provenance, summary, titleOf } from './markdown/summary.js';
import { findingSection, notesSection } from './markdown/finding-section.js';
import { dashboardSection } from './markdown/dashboard.js';
import { gapsSection, workingWellSection } from './markdown/conclusions.js';
import { appendix } from './markdown/appendix.js';

/** The full markdown report. */
export function renderMarkdown(input: ReportInput): string {
  const { timeline: t, runs } = input;
  const findings = input.findings;
  const ctx: Ctx = { t, findings, ref: new Map(), byLocation: null };
  const logFindings = findings.filter((f) => reportMetaOf(f).dashboard === undefined);
  // Informational findings (a job on an exact cadence, ...) are evidence, not problems: one compact
  // table after the problems, which the healthy signals of section 4 cite.
  const problems = logFindings.filter((f) => f.severity !== 'info');
  const notes = logFindings.filter((f) => f.severity === 'info');
  problems.forEach((f, i) => ctx.ref.set(f.id, `1.${i + 1}`));
  const notesRef = `1.${problems.length + 1}`;
  for (const f of notes) ctx.ref.set(f.id, notesRef);

  // Laid out first: it numbers the memory and cost findings that the Summary cites.
  const dashboard = dashboardSection(ctx, input.conclusions.resourceUsage);
  const out: string[] = [];
  out.push(`# ${titleOf(input)}`, '');
  out.push(`> ${provenance(input)}`, '');
  const leftOut = leftOutSentences(input.run);
  out.push('## Summary', '', summary(ctx, input.conclusions.resourceUsage.costLevers) + (leftOut.length > 0 ? ` ${leftOut.join(' ')}` : ''), '', ...inputWarnings(t.inputs), '---', '');

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

  out.push(...gapsSection(ctx, input.conclusions.architectureGaps), '---', '');
  out.push(...workingWellSection(ctx, input.conclusions.workingWell), '---', '');

  out.push(...appendix(input));
  return out.join('\n').replace(/\n{3,}/g, '\n\n').replace(/\n*$/, '\n');
}
