// One input read as a part of the run: into a timeline of its own, handed back as its partial
// summary (docs/partial-summary.md), with what --since/--until and the configuration left out. The
// run reads in parts when it reads several files, on the main thread (--jobs 1) or in worker threads
// (read-pool.ts); either way the parts merge in input order, so the output does not depend on --jobs.
// The filters (window, ignored messages, service aliases) are the run's receiver, here for both.
import type { LogEvent, MetricSample } from './model.js';
import { Timeline } from './timeline/timeline.js';
import type { TimelinePartial } from './timeline/partial.js';
import { NotALogError } from './ingest/input-error.js';
import { unreadInput } from './ingest/input-summary.js';
import { readInput, type ReadOptions } from './ingest/read-input.js';
import type { InputReceiver } from './ingest/input-summary.js';

/** What the run leaves out on purpose: records and samples outside --since/--until, records ignored by the configuration. */
export interface LeftOut {
  outsideWindow: number;
  ignored: number;
}

/** The run's filters on records and samples. */
export interface RecordFilters {
  /** Keep only records and samples at or after / before these times (epoch ms). */
  since?: number;
  until?: number;
  /** Records whose message matches are left out (configuration `ignoreTemplates`). */
  ignore?: RegExp;
  /** Service names to report under another name (configuration `services`). */
  serviceAliases?: Readonly<Record<string, string>>;
}

/** The receiver that hands `timeline` what the filters keep, counting what they leave out in `leftOut`. */
export function filteredReceiver(timeline: Timeline, filters: RecordFilters, leftOut: LeftOut): InputReceiver {
  const { since, until, ignore } = filters;
  const aliases = aliasesOf(filters);
  // The plain receiver when nothing is filtered keeps the hot path to one call per event.
  if (since === undefined && until === undefined && ignore === undefined && aliases === null) return { event: (ev: LogEvent) => timeline.event(ev), metric: (s: MetricSample) => timeline.metric(s) };
  const inWindow = (ts: number | null) => ts === null || ((since === undefined || ts >= since) && (until === undefined || ts <= until));
  return {
    event: (ev: LogEvent) => {
      if (!inWindow(ev.ts)) {
        leftOut.outsideWindow++;
        return;
      }
      if (ignore !== undefined && ignore.test(ev.message)) {
        leftOut.ignored++;
        return;
      }
      if (aliases !== null) {
        const to = aliases.get(ev.service);
        if (to !== undefined) ev.service = to;
      }
      timeline.event(ev);
    },
    metric: (s: MetricSample) => {
      if (!inWindow(s.ts)) {
        leftOut.outsideWindow++;
        return;
      }
      if (aliases !== null) {
        const to = aliases.get(s.service);
        if (to !== undefined) s.service = to;
      }
      timeline.metric(s);
    },
  };
}

/** The service aliases as a map, or null when there are none. */
export function aliasesOf(filters: RecordFilters): Map<string, string> | null {
  const a = filters.serviceAliases;
  return a !== undefined && Object.keys(a).length > 0 ? new Map(Object.entries(a)) : null;
}

/** One input to read as a part: plain data (it crosses to a worker thread). */
export interface PartTask {
  path: string;
  /** Its name in the report and every message. */
  name: string;
  /** Named on the command line (then an input that is not a log is an error; found in a directory, it is skipped with a warning). */
  named: boolean;
  read: Omit<ReadOptions, 'shouldStop' | 'onProgress' | 'stdin' | 'name'>;
  filters: Omit<RecordFilters, 'ignore'> & { ignore?: { source: string; flags: string } };
  maxTemplates?: number;
  perLine?: boolean;
  /** The detectors' interests (their sources: the timeline drops flags), passed so that a worker does not load the detectors. */
  interests: string[];
}

export interface PartResult {
  partial: TimelinePartial;
  leftOut: LeftOut;
}

/** Reads one input into a timeline of its own and returns its partial summary. Throws InputError as readInput does. */
export async function readPart(task: PartTask, control: Pick<ReadOptions, 'shouldStop' | 'onProgress'> = {}): Promise<PartResult> {
  const timeline = new Timeline({ maxTemplates: task.maxTemplates, interests: task.interests.map((r) => new RegExp(r)), perLine: task.perLine, part: true });
  const leftOut: LeftOut = { outsideWindow: 0, ignored: 0 };
  const { ignore, ...rest } = task.filters;
  const filters: RecordFilters = { ...rest, ignore: ignore === undefined ? undefined : new RegExp(ignore.source, ignore.flags) };
  timeline.registerInput(task.name);
  const options: ReadOptions = { ...task.read, ...control, ...(task.name === task.path ? {} : { name: task.name }) };
  const summary = await readInput(task.path, 0, filteredReceiver(timeline, filters, leftOut), options).catch((e: unknown) => {
    if (e instanceof NotALogError && !task.named) return unreadInput(task.name, e.reason);
    throw e;
  });
  const aliases = aliasesOf(filters);
  if (aliases !== null) summary.services = [...new Set(summary.services.map((s) => aliases.get(s) ?? s))].sort();
  timeline.addInputSummary(summary);
  return { partial: timeline.partial(), leftOut };
}
