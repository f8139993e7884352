// What the parts of the markdown report share while it is laid out: the run's timeline and
// findings, and the section number each finding gets (the dashboard numbers the memory and cost
// findings it draws, and the Summary and sections 3 and 4 cite them by it).
import type { Finding } from '../../model.js';
import type { TimelineEvent, TimelineSummary } from '../../timeline/timeline.js';

/** Columns of every sparkline in the report, so that all of them read at the same scale. */
export const SPARK_WIDTH = 48;

export interface Ctx {
  t: TimelineSummary;
  findings: Finding[];
  /** Section number of each finding (`1.2`, `2.1`), by finding id. */
  ref: Map<string, string>;
  /** Kept events by `input:line`, for the level shown beside evidence. */
  byLocation: Map<string, TimelineEvent> | null;
}
