// The JSON output: findings and the inputs summary, versioned. A public interface (docs/json.md,
// docs/hindsight.schema.json): add fields freely, rename or remove only with a new schemaVersion.
// Every string in it passes through `redactDeep`, so no path (a narrative quoting a line, a
// template, a skipped line) can carry a secret out.
import type { DetectorFinding } from '../detectors/registry.js';
import type { Level, SourceKind } from '../model.js';
import type { TimelineSummary } from '../timeline/timeline.js';
import type { PostgresStatsSummary } from '../timeline/postgres-stats.js';
import type { DetectorRun } from '../pipeline.js';
import type { Conclusions, Insight, Strength } from '../conclusions/insights.js';
import type { ResourceUsage } from '../conclusions/resource-usage.js';
import { isoOf } from '../ingest/timestamp.js';
import { redactDeep } from '../redact.js';
import { VERSION } from '../version.js';

export const SCHEMA_VERSION = 1;

/** How the run was asked for, beyond its inputs: the window filter, what it left out, the title. */
export interface RunInfo {
  title?: string;
  /** The resolved window filter (epoch ms), when --since/--until were given. */
  since?: number;
  until?: number;
  /** Records and samples left out by the window filter. */
  outsideWindow?: number;
  /** Records left out because they matched the configuration's ignored templates. */
  ignored?: number;
  /** The configuration file read, when there was one. */
  configPath?: string;
}

export interface ReportInput {
  timeline: TimelineSummary;
  findings: DetectorFinding[];
  runs: DetectorRun[];
  /** What the findings imply (src/conclusions/): drawn by every report, decided by none. */
  conclusions: Conclusions;
  run?: RunInfo;
}

/**
 * The JSON document `hindsight analyze --format json` writes; docs/hindsight.schema.json is its
 * schema. Written out rather than derived from the timeline's types: a public interface changes
 * with the schema, not when an internal type does.
 */
export interface JsonReport {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'hindsight'; version: string };
  /** Given with --title. */
  title?: string;
  /** Earliest and latest time of any record or metric sample read (ISO 8601, or null). */
  window: { start: string | null; end: string | null };
  filter: { since: string | null; until: string | null; outsideWindow: number; ignoredByConfig: number };
  services: string[];
  inputs: JsonInput[];
  stats: JsonStats;
  /** Every detector that ran, in the order it ran. */
  detectors: Omit<DetectorRun, 'ms'>[];
  /** Ordered by severity (worst first), then by the time of the first evidence, then by id. */
  findings: DetectorFinding[];
  /** What the findings imply (src/conclusions/), as the markdown's sections 3 and 4 draw it. */
  conclusions: { architectureGaps: JsonInsight[]; workingWell: (JsonInsight & { about: Strength['about'] })[]; resourceUsage: ResourceUsage };
}

/** An insight with the ids of the findings it cites (each is in `findings`). */
export interface JsonInsight {
  title: string;
  text: string;
  cites: string[];
}

export interface JsonInput {
  path: string;
  format: string;
  formatReason: string;
  lines: number;
  events: number;
  skipped: number;
  skippedExamples: { line: number; reason: string; text: string }[];
  records: number;
  samples: number;
  services: string[];
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  warnings: string[];
}

export interface JsonStats {
  records: number;
  byLevel: Record<Level, number>;
  bySource: Record<SourceKind, number>;
  withoutTimestamp: number;
  outlyingTimestamps: number;
  labelledError: number;
  labelledErrorNotError: number;
  templates: number;
  templateOverflow: number;
  keptEventsDropped: number;
  postgres: PostgresStatsSummary;
}

/** The JSON document `hindsight analyze --format json` writes. */
export function buildJsonReport({ timeline, findings, runs, conclusions, run }: ReportInput): JsonReport {
  const doc: JsonReport = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'hindsight', version: VERSION },
    ...(run?.title ? { title: run.title } : {}),
    window: { start: isoOf(timeline.window.start), end: isoOf(timeline.window.end) },
    filter: {
      since: isoOf(run?.since ?? null),
      until: isoOf(run?.until ?? null),
      outsideWindow: run?.outsideWindow ?? 0,
      ignoredByConfig: run?.ignored ?? 0,
    },
    services: timeline.services,
    inputs: timeline.inputs.map((i) => ({
      path: i.path,
      format: i.format,
      formatReason: i.formatReason,
      lines: i.lines,
      events: i.events,
      skipped: i.skipped,
      skippedExamples: i.skippedExamples.map((x) => ({ line: x.line, reason: x.reason, text: x.text })),
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
      outlyingTimestamps: timeline.totals.timeOutliers,
      labelledError: timeline.totals.labelledError,
      labelledErrorNotError: timeline.totals.labelledErrorNotError,
      templates: timeline.templates.length,
      templateOverflow: timeline.miner.overflow,
      keptEventsDropped: timeline.eventsDropped,
      postgres: timeline.postgres,
    },
    detectors: runs.map(({ ms: _ms, ...run }) => run),
    findings,
    conclusions: {
      architectureGaps: conclusions.architectureGaps.map(citing),
      workingWell: conclusions.workingWell.map((s) => ({ ...citing(s), about: s.about })),
      resourceUsage: conclusions.resourceUsage,
    },
  };
  return redactDeep(doc);
}

function citing(i: Insight): JsonInsight {
  return { title: i.title, text: i.text, cites: i.cites.map((f) => f.id) };
}

export function renderJson(input: ReportInput): string {
  return JSON.stringify(buildJsonReport(input), null, 2) + '\n';
}
