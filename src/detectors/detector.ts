// The face of a detector, modelled on ESLint rules and Lighthouse audits: metadata (id, title,
// explanation, default thresholds a config file can override, what it needs the timeline to keep)
// and one pure function from the timeline summary to findings. A detector writes its own narrative,
// because it knows the domain; it never formats markdown. It does not stamp its own identity: the
// runner (runDetectors in src/pipeline.ts) writes `detector` and the id's prefix on what it returns,
// as ESLint's linter stamps `ruleId` on a rule's reports.
import type { Finding } from '../model.js';
import type { TimelineSummary } from '../timeline/timeline.js';
import type { ResourceUsageData } from './resource-usage.js';

/** Threshold values a config file may override (numbers, strings, booleans, lists of them). */
export type DetectorOptionValue = number | string | boolean | number[] | string[];

export interface DetectorMeta<O extends Record<string, DetectorOptionValue>, Id extends string = string, D = Record<string, unknown>> {
  id: Id;
  title: string;
  /** What it looks for and why it matters, for `hindsight detectors` and docs/detectors.md. */
  explanation: string;
  defaults: O;
  /** One line per threshold: what it means. */
  optionDocs?: Partial<Record<keyof O, string>>;
  /** The values a numeric threshold accepts, where the kind of option does not say it (see optionRange). */
  optionRanges?: Partial<Record<keyof O, OptionRange>>;
  /**
   * Info-level messages this detector needs the timeline to keep (warning-or-worse and platform
   * records are always kept). Tested once per template, on its first message.
   */
  interests?: RegExp[];
  /** How the reports present its findings (they name no detector: they ask this). */
  report?: ReportMeta<D>;
}

/** The figures the dashboard draws beside a service's memory series. */
export interface MemoryPanel {
  service: string;
  /** `sawtooth`, `leak`, ... */
  shape: string;
  minMb: number;
  maxMb: number;
  /** Of a cycle, when there is one. */
  periodSeconds: number | null;
  cycles: number;
  /** How the troughs move, when known. */
  troughTrendMbPerHour: number | null;
}

/** The figures of a cost table: per resource its cost and share of the total, and the projections. */
export interface CostPanel {
  items: { resource: string; cost: number; share: number }[];
  total: number;
  currency: string;
  windowHours: number;
  projected7d: number;
  projected30d: number;
}

/**
 * What the reports need to know of a detector's findings, as plain text from its typed data (the
 * report adds the markup). Without it, its findings are log findings named by their titles. The
 * functions take their parameter's type, `Finding<ItsData>`, written out: the detector's data type
 * is read off detect() alone.
 */
export interface ReportMeta<D> {
  /**
   * Drawn in the dashboard (section 2) rather than in Log Analysis (section 1): beside the memory
   * series of its service, as a cost table, or as the series' shapes and verdicts (resource usage,
   * which the conclusions price), from the figures the function gives.
   */
  dashboard?: { memory(f: Finding<D>): MemoryPanel } | { cost(f: Finding<D>): CostPanel } | { usage(f: Finding<D>): ResourceUsageData };
  /** How many times the finding's thing happened (the `N occurrences` of its section, the digest's count); none without it. */
  count?(f: Finding<D>): number | undefined;
  /** `errors`: its sparkline counts every error of the window (a burst is many templates at once), not its own records. */
  sparkline?: 'errors';
  /** A short name for its findings in the Summary (`invisible errors`), given all of them. */
  summaryLabel?(fs: Finding<D>[]): string;
  /** The key figures in parentheses after the label, or undefined to fall back on a finding's title. */
  summaryDetail?(fs: Finding<D>[]): string | undefined;
}

/**
 * A finding as a detector returns it. The runner makes the id `<detector id>:<about>` (the
 * detector id alone when `about` is missing, for a detector that finds one thing per run).
 */
export type DetectedFinding<D = Record<string, unknown>> = Omit<Finding<D>, 'detector' | 'id'> & {
  /** What the finding is about (a service, a template, a time), stable across runs on the same logs. */
  about?: string;
};

/** `D` is the shape of its findings' `data` (the detector exports it), `Id` its id. */
export interface Detector<O extends Record<string, DetectorOptionValue> = Record<string, DetectorOptionValue>, D = Record<string, unknown>, Id extends string = string> {
  meta: DetectorMeta<O, Id, D>;
  detect(timeline: TimelineSummary, options: O): DetectedFinding<D>[];
}

/** The values a numeric option accepts: from `min` to `max`, whole numbers only when `integer`. */
export interface OptionRange {
  min: number;
  max: number;
  integer?: boolean;
}

/**
 * The range of numeric option `key` (null for other options): the detector's own when it gives
 * one, else by the kind of option. Prices (documented in USD) from 0 to a million; durations (a
 * name ending in Seconds, Minutes, Hours or Ms), factors and ratios from 0 to a billion; shares
 * and probabilities (a default between 0 and 1) from 0 to 1; counts (a whole default) whole, from 0
 * to a billion. One source for the configuration's checks, `hindsight detectors` and docs/detectors.md.
 */
export function optionRange(meta: DetectorMeta<Record<string, DetectorOptionValue>>, key: string): OptionRange | null {
  const def = meta.defaults[key];
  if (typeof def !== 'number') return null;
  const own = meta.optionRanges?.[key];
  if (own !== undefined) return own;
  const doc = meta.optionDocs?.[key] ?? '';
  if (/\bUSD\b|\$/.test(doc)) return { min: 0, max: 1e6 };
  if (/(Seconds|Minutes|Hours|Ms|Factor|Ratio)$/.test(key)) return { min: 0, max: 1e9 };
  if (def > 0 && def < 1) return { min: 0, max: 1 };
  if (Number.isInteger(def)) return { min: 0, max: 1e9, integer: true };
  return { min: 0, max: 1e9 };
}

/** A range in words: `a whole number from 1 to 1,000,000`. */
export function rangeText(r: OptionRange): string {
  const n = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 6 });
  return `${r.integer ? 'a whole number' : 'a number'} from ${n(r.min)} to ${n(r.max)}`;
}

/** Identity function that keeps the option type, the data type and the id of a detector literal. */
export function defineDetector<O extends Record<string, DetectorOptionValue>, D, Id extends string>(d: Detector<O, D, Id>): Detector<O, D, Id> {
  return d;
}
