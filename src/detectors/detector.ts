// The face of a detector, modelled on ESLint rules and Lighthouse audits: metadata (id, title,
// explanation, default thresholds a config file can override, what it needs the timeline to keep)
// and one pure function from the timeline summary to findings. A detector writes its own narrative,
// because it knows the domain; it never formats markdown.
import type { Finding } from '../model.js';
import type { TimelineSummary } from '../timeline/timeline.js';

/** Threshold values a config file may override (numbers, strings, booleans, lists of them). */
export type DetectorOptionValue = number | string | boolean | number[] | string[];

export interface DetectorMeta<O extends Record<string, DetectorOptionValue>> {
  id: string;
  title: string;
  /** What it looks for and why it matters, for `hindsight detectors` and docs/detectors.md. */
  explanation: string;
  defaults: O;
  /** One line per threshold: what it means. */
  optionDocs?: Partial<Record<keyof O, string>>;
  /**
   * Info-level messages this detector needs the timeline to keep (warning-or-worse and platform
   * records are always kept). Tested once per template, on its first message.
   */
  interests?: RegExp[];
}

export interface Detector<O extends Record<string, DetectorOptionValue> = Record<string, DetectorOptionValue>> {
  meta: DetectorMeta<O>;
  detect(timeline: TimelineSummary, options: O): Finding[];
}

/** Identity function that keeps the option type of a detector literal. */
export function defineDetector<O extends Record<string, DetectorOptionValue>>(d: Detector<O>): Detector<O> {
  return d;
}
