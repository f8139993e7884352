// The partial summary: a timeline's state before finish(), as plain data. N partials of disjoint
// consecutive parts of the input (files, or byte ranges of one file cut at record starts) merge into
// the timeline of the whole (Timeline.fromPartials), whose finish() gives the summary one pass over
// everything would have given. It is what a worker thread hands back (structured clone), and what a
// job runner or a distributed engine would produce per shard. docs/partial-summary.md describes the
// format; PARTIAL_VERSION changes whenever a field changes meaning.
import type { InputSummary, MetricSeries, SourceKind } from '../model.js';
import type { ShapeEntry } from '../templates/miner.js';
import type { PostgresPartial } from './postgres-stats.js';
import type { ProcessSpansPartial } from './process-spans.js';
import type { RequestStatsPartial } from './request-stats.js';
import type { TemplateExample, TimelineEvent } from './timeline.js';

export const PARTIAL_FORMAT = 'hindsight-timeline-partial';
export const PARTIAL_VERSION = 1;

/** A template-level key's statistics in a partial: what the timeline keeps per shape (see ShapeEntry). */
export interface ShapeStatsPartial {
  count: number;
  first: number | null;
  last: number | null;
  /** Records per level, in LEVELS order. */
  levels: number[];
  /** The first three records (input indexes are the partial's own). */
  examples: TemplateExample[];
  /** Kept timestamps in arrival order: every `timesStride`-th timed record's of `timesSeen`. */
  times: number[];
  timesSeen: number;
  timesStride: number;
  /** Kept events (compact copies, `template` is the shape's index in `shapes`), their estimated bytes and arrival numbers among the shape's qualifying events. */
  events: TimelineEvent[];
  sizes: number[];
  keys: number[];
  /** Events kept are those whose arrival number is a multiple of `stride` (a power of two). */
  stride: number;
  qualifying: number;
  eventsDropped: number;
  /** Whether its info-level events are kept for a detector's interest: 1, 0, or -1 (not decided: none came). */
  interest: number;
  /** The request logger its lines are (an index of REQUEST_LATENCY_FORMATS), -1 none, -2 not decided (none came). */
  request: number;
}

export interface TimelinePartial {
  format: typeof PARTIAL_FORMAT;
  version: typeof PARTIAL_VERSION;
  /**
   * The inputs this part read, in order; `input` fields below index them. When `continues`, the
   * first is the last input of the part before, read on (a byte range of one file): its summary
   * adds to that one's, and line numbers are the input's own (the reader of a range is told
   * where its lines start).
   */
  inputPaths: string[];
  inputs: InputSummary[];
  continues: boolean;
  /** Mask-level keys in order of first appearance (the miner's shape table), and their statistics by the same index. */
  shapes: ShapeEntry[];
  stats: (ShapeStatsPartial | null)[];
  totals: {
    records: number;
    /** In LEVELS order. */
    byLevel: number[];
    bySource: Record<SourceKind, number>;
    withoutTime: number;
    labelledError: number;
    labelledErrorNotError: number;
    /** Events that qualified to be kept but were dropped by thinning or the budget. */
    eventsDropped: number;
  };
  /** Earliest and latest time of any record or sample, and the earliest / latest record (its time and place). */
  window: { start: number | null; end: number | null };
  earliest: { ts: number; input: number; line: number } | null;
  latest: { ts: number; input: number; line: number } | null;
  /** Services in order of first appearance. */
  services: string[];
  /** Metric series in order of first sample; `sorted` says whether their samples came in time order. */
  metrics: (MetricSeries & { sorted: boolean })[];
  /** Level counts per bucket of `bucketMs`: `keys[i]` is a bucket (time / bucketMs), `counts` holds LEVELS.length counts per key. */
  histogram: { bucketMs: number; keys: number[]; counts: number[] };
  postgres: PostgresPartial;
  /** The processes a structured logger named by pid: each one's first and last time and lines, in order of first line (see process-spans.ts). */
  processes: ProcessSpansPartial;
  /** Request latencies per service and endpoint (see request-stats.ts). */
  requests: RequestStatsPartial;
  /** With `perLine`: each record's shape index in arrival order. */
  perLine: { input: number; line: number; template: number }[] | null;
}

/** The summary of an input read in two parts, `a` then `b` (of the same input). */
export function mergeInputSummaries(a: InputSummary, b: InputSummary): InputSummary {
  const minOf = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.min(x, y));
  const maxOf = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.max(x, y));
  return {
    path: a.path,
    format: a.format || b.format,
    formatReason: a.formatReason || b.formatReason,
    lines: a.lines + b.lines,
    events: a.events + b.events,
    skipped: a.skipped + b.skipped,
    skippedExamples: a.skippedExamples.concat(b.skippedExamples).slice(0, Math.max(5, a.skippedExamples.length)),
    records: a.records + b.records,
    samples: a.samples + b.samples,
    services: [...new Set([...a.services, ...b.services])].sort(),
    firstTs: minOf(a.firstTs, b.firstTs),
    lastTs: maxOf(a.lastTs, b.lastTs),
    warnings: a.warnings.concat(b.warnings.filter((w) => !a.warnings.includes(w))),
  };
}

/** Throws when `p` is not a partial summary this version reads. */
export function checkPartial(p: TimelinePartial): void {
  if (p === null || typeof p !== 'object' || p.format !== PARTIAL_FORMAT) throw new Error('not a hindsight partial summary');
  if (p.version !== PARTIAL_VERSION) throw new Error(`partial summary version ${String(p.version)}; this hindsight reads version ${PARTIAL_VERSION}`);
}
