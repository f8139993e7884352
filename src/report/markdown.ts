// The markdown report. PLACEHOLDER: provenance and inputs appendix only, until the report issue
// builds the full review-style report.
import type { ReportInput } from './json.js';
import { isoOf } from '../ingest/timestamp.js';
import { VERSION } from '../version.js';

export function renderMarkdown({ timeline }: ReportInput): string {
  const lines: string[] = [];
  const w = timeline.window;
  lines.push(`# Post-mortem: ${timeline.services.join(', ') || 'no services'}`);
  lines.push('');
  const total = timeline.inputs.reduce((a, i) => a + i.lines, 0);
  lines.push(`hindsight ${VERSION} · ${timeline.inputs.length} input(s) · ${total} lines read · window ${isoOf(w.start) ?? 'unknown'} to ${isoOf(w.end) ?? 'unknown'}`);
  lines.push('');
  lines.push('## Appendix: Inputs');
  lines.push('');
  lines.push('| Input | Format | Lines | Events | Skipped |');
  lines.push('|---|---|---:|---:|---:|');
  for (const i of timeline.inputs) lines.push(`| ${i.path} | ${i.format} (${i.formatReason}) | ${i.lines} | ${i.events} | ${i.skipped} |`);
  lines.push('');
  return lines.join('\n');
}
