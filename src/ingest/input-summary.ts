// The account of one input: what its parser sends (events, metric samples, lines consumed or
// skipped) is counted here on its way to the receiver, and the input's warnings are written from it.
import type { LogEvent, MetricSample, InputSummary, SkippedExample } from '../model.js';
import type { EventSink } from './format.js';
import { ownString } from '../own-string.js';
import { cutText } from '../redact.js';
import { int, plural } from '../words.js';
import { MAX_TEXT_CHARS, cutLongTexts } from './long-text.js';
import { plausibleValue } from './metric-units.js';

const MAX_SKIPPED_EXAMPLES = 5;
const EXAMPLE_TEXT = 160;
const MAX_WARNINGS = 20;

/** Where the events of an input go. */
export interface InputReceiver {
  event(ev: LogEvent): void;
  metric(sample: MetricSample): void;
}

/** How reading an input ended, for its warnings. */
export interface ReadEnd {
  /** Lines read. */
  lines: number;
  /** Stopped by a signal. */
  stopped: boolean;
  /** The gzip data broke off (then an input without lines is not "empty"). */
  corrupt: boolean;
  /** Chunks that held bytes that are not UTF-8. */
  invalidUtf8Chunks: number;
}

function emptySummary(path: string): InputSummary {
  return { path, format: '', formatReason: '', lines: 0, events: 0, skipped: 0, skippedExamples: [], records: 0, samples: 0, services: [], firstTs: null, lastTs: null, warnings: [] };
}

/** The summary of an input found in a directory and not read (see NotALogError): no lines, one warning. */
export function unreadInput(path: string, reason: string): InputSummary {
  return { ...emptySummary(path), format: 'not read', formatReason: reason, warnings: [`not read, ${reason}`] };
}

/** The sink an input's parser writes to: counts into `summary` and passes events and samples on. */
export class SummarySink implements EventSink {
  readonly summary: InputSummary;
  private readonly services = new Set<string>();
  // Events of an input nearly always repeat the service before: no Set lookup for those.
  private lastService: string | null = null;
  // Metric samples whose value cannot be (negative memory, 1e303 MB), and the first of them.
  private implausible = 0;
  private firstImplausible = '';
  // Records whose text was cut to MAX_TEXT_CHARS for analysis, and the first of them.
  private longTexts = 0;
  private firstLongText = 0;

  /** `name`: the input as its summary and messages name it. */
  constructor(
    name: string,
    private readonly receiver: InputReceiver,
  ) {
    this.summary = emptySummary(name);
  }

  event(ev: LogEvent, lines: number): void {
    const summary = this.summary;
    summary.events += lines;
    summary.records++;
    if ((ev.message.length > MAX_TEXT_CHARS || ev.pg !== undefined) && cutLongTexts(ev) && this.longTexts++ === 0) this.firstLongText = ev.line;
    if (ev.ts !== null) {
      if (summary.firstTs === null || ev.ts < summary.firstTs) summary.firstTs = ev.ts;
      if (summary.lastTs === null || ev.ts > summary.lastTs) summary.lastTs = ev.ts;
    }
    if (ev.service !== this.lastService) {
      this.lastService = ev.service;
      // Owned: the service may be a slice of a piece of many lines (see LineSplitter).
      if (!this.services.has(ev.service)) this.services.add(ownString(ev.service, Infinity));
    }
    this.receiver.event(ev);
  }

  metric(sample: MetricSample): void {
    if (!plausibleValue(sample.unit, sample.value)) {
      if (this.implausible++ === 0) this.firstImplausible = `${sample.measurement} ${sample.value} ${sample.unit}`.trimEnd();
      return;
    }
    const summary = this.summary;
    summary.samples++;
    if (!this.services.has(sample.service)) this.services.add(ownString(sample.service, Infinity));
    if (summary.firstTs === null || sample.ts < summary.firstTs) summary.firstTs = sample.ts;
    if (summary.lastTs === null || sample.ts > summary.lastTs) summary.lastTs = sample.ts;
    this.receiver.metric(sample);
  }

  consume(lines: number): void {
    this.summary.events += lines;
  }

  warn(message: string): void {
    const w = this.summary.warnings;
    if (w.length < MAX_WARNINGS && !w.includes(message)) w.push(message);
  }

  skip(line: number, reason: string, text: string): void {
    this.summary.skipped++;
    const examples: SkippedExample[] = this.summary.skippedExamples;
    if (examples.length < MAX_SKIPPED_EXAMPLES) examples.push({ line, reason, text: ownString(cutText(text, EXAMPLE_TEXT)) });
  }

  /** The summary once reading ended: lines, services, and the warnings about the input as a whole. */
  finish(end: ReadEnd): InputSummary {
    const summary = this.summary;
    const { lines, stopped } = end;
    summary.lines = lines;
    summary.services = [...this.services].sort();
    if (lines === 0 && !stopped && !end.corrupt) summary.warnings.push('the input is empty');
    if (end.invalidUtf8Chunks > 0) summary.warnings.push('the input is not valid UTF-8 in places: those bytes were replaced with U+FFFD and the lines kept');
    const implausible = this.implausible;
    if (implausible > 0) summary.warnings.push(`${plural(implausible, 'metric sample')} with a value no such metric can have (negative, or beyond a petabyte or 100,000 vCPU; the first: ${this.firstImplausible}) ${implausible === 1 ? 'was' : 'were'} left out`);
    const longTexts = this.longTexts;
    if (longTexts > 0) {
      summary.warnings.push(
        `${plural(longTexts, 'record')} longer than ${int(MAX_TEXT_CHARS)} characters (the first at line ${this.firstLongText}): templates, detectors and the report read ${longTexts === 1 ? 'its' : 'their'} first ${int(MAX_TEXT_CHARS)}; the lines are counted whole`,
      );
    }
    if (stopped) summary.warnings.push(`reading stopped by a signal after ${plural(lines, 'line')}; the report covers what was read`);
    if (summary.events + summary.skipped !== summary.lines) {
      // A parser that loses lines is a bug; say so rather than hide it.
      summary.warnings.push(`internal: ${plural(summary.lines, 'line')} read but ${summary.events} in events and ${summary.skipped} skipped`);
    }
    return summary;
  }
}
