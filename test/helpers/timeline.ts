// Builds timelines from events written in tests, the way ingest would deliver them, and runs a
// detector on them in the style of ESLint's RuleTester: `valid` inputs give no finding, `invalid`
// ones give findings whose numbers the test checks.
import type { Level, LogEvent, MetricSample, SourceKind, Finding } from '../../src/model.js';
import { Timeline, type TimelineOptions, type TimelineSummary } from '../../src/timeline/timeline.js';
import type { Detector, DetectorOptionValue } from '../../src/detectors/detector.js';
import { DETECTORS } from '../../src/detectors/registry.js';
import { runDetector as stampedRun } from '../../src/pipeline.js';

/** A test event: only `message` is required; `at` is a time (ISO string or epoch ms). */
export interface TestEvent {
  at?: string | number | null;
  message: string;
  level?: Level;
  service?: string;
  source?: SourceKind;
  levelText?: string;
  /** The platform's stream label (Railway's `error` for stderr), when the test reads it as given. */
  stream?: string;
  attrs?: Record<string, unknown>;
  pg?: LogEvent['pg'];
}

/** Epoch ms of an ISO string or number. */
export function ms(at: string | number): number {
  return typeof at === 'number' ? at : Date.parse(at);
}

/** A timeline summary of `events` (in the given order, as one input named `test.log`) and `metrics`. */
export function buildTimeline(events: readonly TestEvent[], metrics: readonly MetricSample[] = [], extraInterests: RegExp[] = [], options: TimelineOptions = {}): TimelineSummary {
  const interests = [...DETECTORS.flatMap((d) => d.meta.interests ?? []), ...extraInterests];
  const tl = new Timeline({ ...options, interests });
  const input = tl.registerInput('test.log');
  let line = 0;
  for (const e of events) {
    line++;
    const ev: LogEvent = {
      ts: e.at === undefined || e.at === null ? null : ms(e.at),
      service: e.service ?? 'app',
      source: e.source ?? (e.pg ? 'postgres' : 'app'),
      level: e.level ?? 'info',
      levelText: e.levelText ?? (e.level ?? 'info'),
      message: e.message,
      input,
      line,
    };
    if (e.attrs) ev.attrs = e.attrs;
    if (e.pg) ev.pg = e.pg;
    if (e.stream !== undefined) ev.stream = e.stream;
    tl.event(ev);
  }
  for (const m of metrics) tl.metric(m);
  tl.addInputSummary({
    path: 'test.log', format: 'test', formatReason: 'built in a test', lines: line, events: line, skipped: 0,
    skippedExamples: [], records: line, samples: metrics.length, services: [], firstTs: null, lastTs: null, warnings: [],
  });
  return tl.finish();
}

/** Runs `detector` on a timeline of `events`/`metrics` with its defaults overridden by `options`. */
export function runDetector<O extends Record<string, DetectorOptionValue>, D>(
  detector: Detector<O, D>,
  events: readonly TestEvent[],
  metrics: readonly MetricSample[] = [],
  options: Partial<O> = {},
): Finding<D>[] {
  return detectOn(detector, buildTimeline(events, metrics, detector.meta.interests ?? []), options);
}

/** Runs `detector` on timeline `t` through the runner (which stamps its id on the findings), its defaults overridden by `options`. */
export function detectOn<O extends Record<string, DetectorOptionValue>, D>(detector: Detector<O, D>, t: TimelineSummary, options: Partial<O> = {}): Finding<D>[] {
  return stampedRun(detector, t, { ...detector.meta.defaults, ...options } as O);
}

/** Events every `periodMs` from `start`, `count` of them, with `jitterMs(i)` added to each. */
export function periodic(start: string | number, periodMs: number, count: number, make: (i: number) => Omit<TestEvent, 'at'>, jitterMs: (i: number) => number = () => 0): TestEvent[] {
  const t0 = ms(start);
  return Array.from({ length: count }, (_, i) => ({ ...make(i), at: t0 + i * periodMs + jitterMs(i) }));
}

/** Merges event lists into time order (events without a time keep their place at the end). */
export function byTime(...lists: TestEvent[][]): TestEvent[] {
  return lists.flat().sort((a, b) => (a.at == null ? 1 : b.at == null ? -1 : ms(a.at) - ms(b.at)));
}
