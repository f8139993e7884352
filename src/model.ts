// The contracts between hindsight's rooms: ingest produces LogEvents and MetricSamples, the
// timeline summarizes them, detectors turn the summary into Findings, the report lays them out.
// The JSON output is made of these types (see docs/json.md); change them with care.

/** Severity of a log record as the program that wrote it meant it (not Railway's stream label). */
export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Order of levels, for "warning or worse" style comparisons. */
export const LEVEL_RANK: Readonly<Record<Level, number>> = {
  trace: 0,
  debug: 1,
  info: 2,
  warn: 3,
  error: 4,
  fatal: 5,
};

export const LEVELS: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** Where a record comes from: the application, the platform (Railway), PostgreSQL, or the HTTP edge. */
export type SourceKind = 'app' | 'platform' | 'postgres' | 'http';

/** Fields of a PostgreSQL record beyond its message (from the prefix, csvlog/jsonlog columns, and joined lines). */
export interface PgFields {
  pid?: number;
  sqlstate?: string;
  user?: string;
  database?: string;
  application?: string;
  client?: string;
  sessionId?: string;
  /** PostgreSQL's own severity word: LOG, WARNING, ERROR, FATAL, PANIC, ... */
  severity?: string;
  detail?: string;
  hint?: string;
  statement?: string;
  context?: string;
  query?: string;
}

/**
 * On attributes that ingest parses lazily (railway-json's view of its line), this key gives the
 * plain object behind the view. Copying attributes through the view's traps cost ~6% of a whole
 * analyze: listing a proxy's keys makes V8 check the trap's answer against its target.
 */
export const PLAIN_ATTRS: unique symbol = Symbol('hindsight.plainAttrs');

/** One normalized log record. Multi-line records (tracebacks, DETAIL/STATEMENT lines) are one event. */
export interface LogEvent {
  /** Epoch milliseconds, or null when the input carries no time for this record. */
  ts: number | null;
  service: string;
  source: SourceKind;
  level: Level;
  /** The level word as written in the input (`ERROR`, `LOG`, `err`, `error`, ...). */
  levelText: string;
  /** The stream label the platform gave the line (Railway labels all of stderr `error`), when known. */
  stream?: string;
  message: string;
  /** Structured attributes (Railway's flattened fields, csv/json columns). Never mutated after ingest. */
  attrs?: Record<string, unknown>;
  pg?: PgFields;
  /** Index of the input in the run (0-based) and 1-based line number of the record's first line. */
  input: number;
  line: number;
}

/** Canonical measurements; other names pass through as written. */
export type Measurement = 'memory' | 'cpu' | 'network_tx' | 'network_rx' | 'disk' | (string & {});

/** One metric sample. Units are canonical per measurement: memory/disk/network in MB, cpu in vCPU. */
export interface MetricSample {
  service: string;
  measurement: Measurement;
  unit: string;
  ts: number;
  value: number;
  /** Replica or deployment instance when the export says so. */
  instance?: string;
}

/** A metric series as the timeline keeps it: samples sorted by time. */
export interface MetricSeries {
  service: string;
  measurement: Measurement;
  unit: string;
  ts: number[];
  values: number[];
}

/** A line that could not be read, kept as an example for the report. */
export interface SkippedExample {
  line: number;
  reason: string;
  text: string;
}

/** What one input held, and how it was read. Invariant: lines === events + skipped. */
export interface InputSummary {
  path: string;
  format: string;
  /** Why this format was chosen (sniff result or `--input-format`). */
  formatReason: string;
  lines: number;
  /** Lines that became part of an event, a metric sample or a multi-line record. */
  events: number;
  skipped: number;
  skippedExamples: SkippedExample[];
  /** Log records after multi-line joining. */
  records: number;
  /** Metric samples read. */
  samples: number;
  services: string[];
  firstTs: number | null;
  lastTs: number | null;
  /** Problems with the input as a whole (truncated gzip, interrupted read, invalid UTF-8 repaired). */
  warnings: string[];
}

export type FindingSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export const FINDING_SEVERITIES: readonly FindingSeverity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Higher is worse. */
export const FINDING_SEVERITY_RANK: Readonly<Record<FindingSeverity, number>> = {
  critical: 4,
  high: 3,
  medium: 2,
  low: 1,
  info: 0,
};

/** A real line behind a finding. `text` is redacted before it leaves the detector's hands. */
export interface Evidence {
  /** ISO 8601 (UTC, milliseconds), or null when the line had no time. */
  timestamp: string | null;
  service: string;
  /** `input-path:line`. */
  location: string;
  text: string;
}

/**
 * What a detector found. Narrative fields are plain text (the report decides the markup). `D` is
 * the detector's own `data` type (each detector exports it; src/detectors/registry.ts maps them by
 * detector id).
 */
export interface Finding<D = Record<string, unknown>> {
  detector: string;
  /** Stable across runs on the same logs: detector id plus what the finding is about. */
  id: string;
  severity: FindingSeverity;
  title: string;
  summary: string;
  pattern: string;
  /** A hypothesis, with the evidence for it. */
  rootCause: string;
  impact: string;
  timing?: string;
  recommendation: string;
  evidence: Evidence[];
  /** The detector's numbers, named per detector (see docs/detectors.md). */
  data: D;
}
