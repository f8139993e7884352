// Kept events matched against the error vocabulary and grouped into occurrences: the lines one
// incident prints together (V8's GC trace and its FATAL ERROR, the shell's "Killed" and yarn's
// "exit code 137", npm's "code 1" after Node's uncaught exception) are one occurrence of one
// service when they fall within a few seconds of each other. Shared by the detectors that report
// vocabulary incidents (out-of-memory, process-exits).
import type { FindingSeverity } from '../../model.js';
import type { TimelineEvent, TimelineSummary } from '../../timeline/timeline.js';
import { matchVocabulary, vocabularyTest, type Incident, type VocabularyMatch, type VocabularyValue } from '../../ingest/error-vocabulary.js';
import { candidateEvents } from './template-index.js';
import { countBy, distinct, firstLast } from './event-groups.js';
import { humanDuration, isoSeconds } from '../../words.js';

export interface Occurrence {
  service: string;
  /** Time of its first and last line (null for lines without a time, each its own occurrence). */
  start: number | null;
  end: number | null;
  /** Its lines that announce the incident, and their matches (same order). */
  events: TimelineEvent[];
  matches: VocabularyMatch[];
  /** Lines that only add numbers (V8's GC trace). */
  details: TimelineEvent[];
  /** The values the lines say: a captured value wins over an implied one; the largest of detail numbers. */
  values: Partial<Record<VocabularyValue, string | number>>;
}

/** Attributes where structured loggers put the error (pino's `err`, winston's and bunyan's `error`...). */
/** The members that hold a structured logger's error (pino's `err`, zap's `error`, structlog's `exception`). */
const ERROR_MEMBERS: readonly string[] = ['err', 'error', 'exception', 'exc_info'];
/** Where a logger nests the record's context, its error among it: Monolog's (and so Laravel's) `context.exception`. */
const CONTEXT_MEMBER = 'context';
/** The attributes that may hold an event's error, at the top or in its context (candidateEvents' keys). */
export const ERROR_ATTRS: readonly string[] = [...ERROR_MEMBERS, CONTEXT_MEMBER];

/**
 * The text of an event the vocabulary reads: its message, and the error a structured logger put
 * beside it (`{"err": {"type": "Error", "message": "timeout exceeded when trying to connect"}}`)
 * or in its context (Monolog's `{"context": {"exception": {"class": "PDOException", "message": ...}}}`),
 * its type, message and stack, one line each.
 */
export function errorTextOf(ev: TimelineEvent): string {
  const a = ev.attrs;
  if (a === undefined) return ev.message;
  const context = a[CONTEXT_MEMBER];
  const text = withErrors(ev.message, a);
  return typeof context === 'object' && context !== null && !Array.isArray(context) ? withErrors(text, context as Record<string, unknown>) : text;
}

function withErrors(message: string, a: Record<string, unknown>): string {
  let text = message;
  for (const k of ERROR_MEMBERS) {
    const v = a[k];
    if (typeof v === 'string' && v.length > 0) text += '\n' + v;
    else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      for (const f of ['type', 'name', 'class', 'code', 'message', 'stack']) if (typeof o[f] === 'string' && o[f] !== '') text += '\n' + o[f];
    }
  }
  return text;
}

/** What an occurrence search may narrow. */
export interface OccurrenceOptions {
  /** Starts of each service, in time order: a start between two lines parts them. */
  starts?: ReadonlyMap<string, readonly number[]>;
  /** Only the lines this accepts (a detector's own condition on the record or the match). */
  keep?: (ev: TimelineEvent, m: VocabularyMatch) => boolean;
}

/**
 * Occurrences of `incidents` among the kept events, per service in time order: lines of one
 * service less than `gapMs` apart join one occurrence, unless a start of the service (`starts`, in
 * time order) falls between them: the lines one process prints as it dies are of one life, and a
 * crash loop's failed boots seconds apart are as many exits, and so are two processes' exits
 * (supervisord's two programs, two gunicorn workers) one burst reports, and whatever follows a
 * child's exit. Occurrences made only of detail
 * lines are dropped.
 */
export function occurrencesOf(t: TimelineSummary, incidents: readonly Incident[], gapMs: number, { starts, keep }: OccurrenceOptions = {}): Occurrence[] {
  const byService = new Map<string, { ev: TimelineEvent; m: VocabularyMatch }[]>();
  for (const ev of candidateEvents(t, vocabularyTest(incidents), ERROR_ATTRS)) {
    const m = matchVocabulary(errorTextOf(ev), incidents, true);
    if (m === null || (keep !== undefined && !keep(ev, m))) continue;
    let l = byService.get(ev.service);
    if (l === undefined) byService.set(ev.service, (l = []));
    l.push({ ev, m });
  }
  const out: Occurrence[] = [];
  for (const [service, list] of byService) {
    list.sort((a, b) => (a.ev.ts ?? Infinity) - (b.ev.ts ?? Infinity));
    let cur: Occurrence | null = null;
    const lives = starts?.get(service);
    for (const { ev, m } of list) {
      if (cur === null || ev.ts === null || cur.end === null || ev.ts - cur.end >= gapMs || (lives !== undefined && startBetween(lives, cur.end, ev.ts)) || otherProcess(cur, m) || childEnded(cur)) {
        if (cur !== null) out.push(cur);
        cur = { service, start: ev.ts, end: ev.ts, events: [], matches: [], details: [], values: {} };
      }
      cur.end = ev.ts;
      if (m.entry.detail) {
        cur.details.push(ev);
        for (const [k, v] of Object.entries(m.values) as [VocabularyValue, string | number][]) {
          const old = cur.values[k];
          if (old === undefined || (typeof v === 'number' && typeof old === 'number' && v > old)) cur.values[k] = v;
        }
        continue;
      }
      cur.events.push(ev);
      cur.matches.push(m);
    }
    if (cur !== null) out.push(cur);
  }
  const kept = out.filter((o) => o.events.length > 0);
  for (const o of kept) mergeValues(o);
  return kept.sort((a, b) => (a.start ?? Infinity) - (b.start ?? Infinity) || (a.service < b.service ? -1 : 1));
}

/** Values that name the process a line is about: lines naming different ones are different incidents. */
const PROCESS_VALUES: readonly VocabularyValue[] = ['pid', 'program'];

/** Whether `m` names a process (its pid, its supervisor's program name) other than a line of `o` names. */
function otherProcess(o: Occurrence, m: VocabularyMatch): boolean {
  for (const k of PROCESS_VALUES) {
    const v = m.values[k];
    if (v !== undefined && o.matches.some((x) => x.values[k] !== undefined && x.values[k] !== v)) return true;
  }
  return false;
}

/**
 * Whether `o` ends with the exit of a child its supervisor replaces (a php-fpm or gunicorn worker, a
 * Celery pool process): the supervisor lives on, so a later line is another child's or the next
 * request's, not this one's (php-fpm's memory_limit error 3 s after another child's SIGTERM).
 */
function childEnded(o: Occurrence): boolean {
  return o.matches.at(-1)?.entry.child === true;
}

/** Whether a start in `starts` (ascending) falls after `from` and at or before `to`. */
export function startBetween(starts: readonly number[], from: number, to: number): boolean {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= from) lo = mid + 1;
    else hi = mid;
  }
  return lo < starts.length && starts[lo]! <= to;
}

/** Adds the announcing lines' values to the detail numbers: captured first, then implied. */
function mergeValues(o: Occurrence): void {
  for (const pass of ['captured', 'implied'] as const) {
    for (const m of o.matches) {
      for (const [k, v] of Object.entries(m.values) as [VocabularyValue, string | number][]) {
        const implied = m.entry.implies?.[k] !== undefined && !m.entry.captures.includes(k);
        if ((pass === 'implied') !== implied || o.values[k] !== undefined) continue;
        o.values[k] = v;
      }
    }
  }
}

/** The thresholds the outage detectors (broker-outage, database-outage) share. */
export interface OutageThresholds {
  mediumSeconds: number;
  highSeconds: number;
  mediumCount: number;
}

/** An outage finding's severity: by its longest outage, or medium for a short one with many failed lines. */
export function outageSeverity(longestMs: number, mostLines: number, o: OutageThresholds): FindingSeverity {
  return longestMs >= o.highSeconds * 1000 ? 'high' : longestMs >= o.mediumSeconds * 1000 || mostLines >= o.mediumCount ? 'medium' : 'low';
}

/** "By library: ...; per service: ..." of an outage finding's pattern (without the closing period). */
export function outageCounts(byLibrary: Record<string, number>, perService: Record<string, number>): string {
  const list = (r: Record<string, number>) => Object.entries(r).map(([k, c]) => `${k} ${c}`).join(', ');
  return `By library: ${list(byLibrary)}; per service: ${list(perService)}`;
}

/** An occurrence's length from its first line to its last (0 without times). */
export function occurrenceMs(x: Occurrence): number {
  return x.start !== null && x.end !== null ? x.end - x.start : 0;
}

/**
 * What the outage detectors (broker-outage, database-outage) say alike of their outages: the lines,
 * the severity by the longest and the largest, the services, the counts by library and by service,
 * the first and last line, and the longest in words.
 */
export function outageFigures(outages: readonly Occurrence[], o: OutageThresholds) {
  const longest = outages.reduce((a, b) => (occurrenceMs(b) > occurrenceMs(a) ? b : a));
  const longestMs = occurrenceMs(longest);
  const events = outages.flatMap((x) => x.events);
  return {
    lines: events.length,
    longestSeconds: Math.round(longestMs / 1000),
    severity: outageSeverity(longestMs, Math.max(...outages.map((x) => x.events.length)), o),
    services: distinct(outages.map((x) => x.service)),
    byLibrary: countBy(outages.flatMap((x) => x.matches), (m) => m.entry.library),
    perService: countBy(outages, (x) => x.service),
    ...firstLast(events),
    lengthText: longestMs >= 1000 ? `the longest lasted ${humanDuration(longestMs)} (${longest.service} from ${isoSeconds(longest.start!)})` : 'each was a single burst of lines',
  };
}
