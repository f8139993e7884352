// Small pieces the PostgreSQL and hardening detectors share: which events match a pattern, how
// they spread over services and time, and a few evidence lines spread over an incident.
import type { Evidence } from '../../model.js';
import type { TimelineEvent, TimelineSummary } from '../../timeline/timeline.js';
import { isoSeconds } from '../../words.js';
import { evidenceOf } from './evidence.js';

/** PostgreSQL's severity word of an event (LOG, ERROR, FATAL...), or its level text upper-cased. */
export function pgSeverityOf(ev: TimelineEvent): string {
  return (ev.pg?.severity ?? ev.levelText).toUpperCase();
}

/** Kept events whose message matches `re`, tested once per template and then per event. */
export function eventsMatching(t: TimelineSummary, re: RegExp, filter?: (ev: TimelineEvent) => boolean): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  for (const ev of t.events) {
    if (filter !== undefined && !filter(ev)) continue;
    re.lastIndex = 0;
    if (re.test(ev.message)) out.push(ev);
  }
  return out;
}

/** Counts by a key (each item counting `weight` of it, 1 by default), as a plain object with keys in first-seen order. */
export function countBy<T>(items: readonly T[], key: (x: T) => string, weight: (x: T) => number = () => 1): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of items) {
    const k = key(x);
    out[k] = (out[k] ?? 0) + weight(x);
  }
  return out;
}

/** How many records a kept event stands for: its template's thinning stride (`keptEvery`, 1 when the template was kept whole). */
export function weightOf(t: TimelineSummary, ev: TimelineEvent): number {
  return t.templates[ev.template]?.keptEvery ?? 1;
}

/** Records behind kept `events` (each event of a thinned template stands for `keptEvery`), and the largest stride among them. */
export function recordsBehind(t: TimelineSummary, events: readonly TimelineEvent[]): { records: number; keptEvery: number } {
  let records = 0;
  let keptEvery = 1;
  for (const ev of events) {
    const w = weightOf(t, ev);
    records += w;
    if (w > keptEvery) keptEvery = w;
  }
  return { records, keptEvery };
}

/** The `n` largest entries of a count object, most first (ties by key), as `[{<name>: key, count}]`. */
export function topCounts<K extends string>(counts: Record<string, number>, n: number, name: K): Array<Record<K, string> & { count: number }> {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([k, c]) => ({ [name]: k, count: c }) as Record<K, string> & { count: number });
}

/** Sorted distinct values. */
export function distinct(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** Up to `max` evidence lines spread over the events: the first ones and the last. */
export function spreadEvidence(t: TimelineSummary, events: readonly TimelineEvent[], max = 5): Evidence[] {
  if (events.length <= max) return events.map((e) => evidenceOf(t, e));
  const picked = events.slice(0, max - 1);
  picked.push(events[events.length - 1]!);
  return picked.map((e) => evidenceOf(t, e));
}

/** ISO time (seconds) of the first and last timed event, or null. */
export function firstLast(events: readonly TimelineEvent[]): { firstSeen: string | null; lastSeen: string | null } {
  let lo: number | null = null;
  let hi: number | null = null;
  for (const e of events) {
    if (e.ts === null) continue;
    if (lo === null || e.ts < lo) lo = e.ts;
    if (hi === null || e.ts > hi) hi = e.ts;
  }
  return { firstSeen: lo === null ? null : isoSeconds(lo), lastSeen: hi === null ? null : isoSeconds(hi) };
}

/** The most events of `times` (sorted ms) inside any window of `windowMs`, and where that window starts. */
export function densestWindow(times: readonly number[], windowMs: number): { count: number; start: number | null } {
  let best = 0;
  let start: number | null = null;
  let j = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[i]! - times[j]! > windowMs) j++;
    if (i - j + 1 > best) {
      best = i - j + 1;
      start = times[j]!;
    }
  }
  return { count: best, start };
}
