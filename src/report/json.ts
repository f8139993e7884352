// The JSON output: findings and the inputs summary, versioned. A public interface (docs/json.md,
// docs/hindsight.schema.json): add fields freely, rename or remove only with a new schemaVersion.
import type { Finding } from '../model.js';
import type { TimelineSummary } from '../timeline/timeline.js';
import type { DetectorRun } from '../analyze.js';
import { isoOf } from '../ingest/timestamp.js';
import { redact } from '../redact.js';
import { VERSION } from '../version.js';

export const SCHEMA_VERSION = 1;

export interface ReportInput {
  timeline: TimelineSummary;
  findings: Finding[];
  runs: DetectorRun[];
}

/** The JSON document `hindsight analyze --format json` writes. */
export function buildJsonReport({ timeline, findings, runs }: ReportInput): Record<string, unknown> {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'hindsight', version: VERSION },
    window: { start: isoOf(timeline.window.start), end: isoOf(timeline.window.end) },
    services: timeline.services,
    inputs: timeline.inputs.map((i) => ({
      path: i.path,
      format: i.format,
      formatReason: i.formatReason,
      lines: i.lines,
      events: i.events,
      skipped: i.skipped,
      skippedExamples: i.skippedExamples.map((x) => ({ line: x.line, reason: x.reason, text: redact(x.text) })),
      records: i.records,
      samples: i.samples,
      services: i.services,
      firstTimestamp: isoOf(i.firstTs),
      lastTimestamp: isoOf(i.lastTs),
      warnings: i.warnings,
    })),
    stats: {
      records: timeline.totals.records,
      byLevel: timeline.totals.byLevel,
      bySource: timeline.totals.bySource,
      withoutTimestamp: timeline.totals.withoutTime,
      templates: timeline.templates.length,
      templateOverflow: timeline.miner.overflow,
      keptEventsDropped: timeline.eventsDropped,
      postgres: timeline.postgres,
    },
    detectors: runs,
    findings,
  };
}

export function renderJson(input: ReportInput): string {
  return JSON.stringify(buildJsonReport(input), null, 2) + '\n';
}
