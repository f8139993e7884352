// Work that starts and never ends. Apps mark units of work with paired lines: ITERATION_START /
// ITERATION_END, JOB_STARTED / JOB_FINISHED, "Starting sync" / "Finished sync in 3.2s". The pairs
// are found generically: a start marker and an end marker with the same stem (the identifier
// before _START/_END, or the words after Starting/Finished) in the same service, both present in
// the logs. Each start is paired with the latest open start whose key=value fields agree (worker=,
// job=...); starts left open are lost when a later start of the same work superseded them, a
// restart interrupted them, or they are older than any finished run by far; the rest are still
// open at the end of the window. Review 004: workers whose iterations hung without ITERATION_END.
// Task queues that log each task's id when it is received and when it ends (the task-start and
// task-end entries of error-vocabulary.ts: Celery's "Task tasks.add[<id>] received" and
// "... succeeded in 0.01s") pair exactly by id: a task received and never finished hung, or waited
// behind one that did.
import type { TimelineEvent, TimelineSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { candidateEvents } from './shared/template-index.js';
import { humanDuration, isoSeconds } from '../words.js';
import { evidenceOf } from './shared/evidence.js';
import { classifyLifecycle, lifecycleOf } from './shared/lifecycle.js';
import { percentileSorted } from '../timeline/postgres-stats.js';
import { matchVocabulary, vocabularyInterest, vocabularyTest, type Incident } from '../ingest/error-vocabulary.js';

const TASKS: Incident[] = ['task-start', 'task-end'];
const mayBeTask = vocabularyTest(TASKS);

const IDENT_RE = /\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)_(START|STARTED|STARTING|BEGIN|END|ENDED|DONE|FINISHED|COMPLETE|COMPLETED)\b/;
const WORD_RE = /(?:^|[\s:\]|>-])(Starting|Started|Beginning|Finished|Completed|Done with|Ended)\s+([A-Za-z_][\w.-]*(?:\s+[A-Za-z_][\w.-]*){0,3})/;
const START_WORDS = new Set(['START', 'STARTED', 'STARTING', 'BEGIN', 'Starting', 'Started', 'Beginning']);
const STOP_WORDS = new Set(['in', 'after', 'with', 'for', 'at', 'took', 'on', 'from', 'successfully', 'ok', 'OK']);
const KV_RE = /\b([A-Za-z_][\w.]*)=("[^"]*"|[^\s,;]+)/g;
const ATTR_KEYS = /^(?:worker|job|task|name|queue|handler|stage|step|component|loop|scheduler|kind|type|worker_name|job_name|task_name)$/i;

interface Marker {
  role: 'start' | 'end';
  stem: string;
  fields: Record<string, string>;
  ev: TimelineEvent;
}

/** A start or end marker in a message, or null. */
export function workMarker(message: string): { role: 'start' | 'end'; stem: string } | null {
  const m = IDENT_RE.exec(message);
  if (m) return { role: START_WORDS.has(m[2]!) ? 'start' : 'end', stem: m[1]! };
  const w = WORD_RE.exec(message);
  if (w) {
    const words: string[] = [];
    for (const word of w[2]!.split(/\s+/)) {
      if (STOP_WORDS.has(word) || /\d/.test(word)) break;
      words.push(word.replace(/[.…]+$/, '').toLowerCase());
    }
    if (words.length === 0 || words[0] === '') return null;
    return { role: START_WORDS.has(w[1]!) ? 'start' : 'end', stem: words.join(' ') };
  }
  return null;
}

const mayBeMarker = (m: string) => workMarker(m) !== null;

function fieldsOf(ev: TimelineEvent): Record<string, string> {
  const out: Record<string, string> = {};
  KV_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = KV_RE.exec(ev.message)) !== null) {
    const v = m[2]!.replace(/^"|"$/g, '');
    if (!/\d/.test(v) && v.length <= 60) out[m[1]!] = v;
  }
  if (ev.attrs) for (const [k, v] of Object.entries(ev.attrs)) if (ATTR_KEYS.test(k) && typeof v === 'string' && v.length <= 60 && !/\d/.test(v)) out[k] = v;
  return out;
}

function compatible(a: Record<string, string>, b: Record<string, string>): boolean {
  for (const k of Object.keys(a)) if (k in b && a[k] !== b[k]) return false;
  return true;
}

function label(fields: Record<string, string>): string {
  return Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(' ');
}

/** The `data` of an unfinished-work finding (its numbers, for the reports and the JSON). */
export type UnfinishedWorkData = {
  service: string;
  work: string;
  started: number;
  finished: number;
  lost: number;
  lostReasons: Record<string, number>;
  lostByFields: Record<string, number>;
  openAtEnd: number;
  orphanEnds: number;
  durations: {
    count: number;
    medianSeconds: number | null;
    p95Seconds: number | null;
    maxSeconds: number | null;
  };
  lostRuns: {
    at: string;
    reason: 'superseded' | 'interrupted' | 'stale';
    fields: Record<string, string>;
  }[];
  openRuns: {
    at: string;
    openSeconds: number;
    fields: Record<string, string>;
  }[];
};

export const unfinishedWork = defineDetector({
  meta: {
    id: 'unfinished-work',
    title: 'Work that starts and never ends',
    report: { summaryLabel: () => 'work that never finishes' },
    explanation:
      'Paired start/end markers found generically (X_START/X_END, ITERATION_START/ITERATION_END, "Starting X"/"Finished X"), and task queues\' ' +
      'received and finished lines paired by task id (Celery), whose end is ' +
      'missing: runs superseded by the next start, interrupted by a restart, or open far longer than any finished run; with the durations ' +
      'of the finished runs and the runs still open at the end of the logs.',
    defaults: { minLost: 1, staleFactor: 3, minStaleSeconds: 300 },
    optionDocs: {
      minLost: 'lost runs of one kind of work needed for a finding',
      staleFactor: 'a run open longer than this many times the longest finished run is lost',
      minStaleSeconds: 'but never before it has been open this long (s)',
    },
    interests: [IDENT_RE, /\b(?:Starting|Started|Beginning|Finished|Completed|Done with|Ended) [A-Za-z_]/, vocabularyInterest(TASKS)],
  },
  detect(t: TimelineSummary, o): DetectedFinding<UnfinishedWorkData>[] {
    const groups = new Map<string, Marker[]>();
    for (const ev of candidateEvents(t, mayBeMarker)) {
      if (ev.ts === null) continue;
      const wm = workMarker(ev.message);
      if (wm === null) continue;
      // Server start and stop lines are lifecycle (container-churn, ungraceful-shutdown), not work.
      if (classifyLifecycle(ev.message) !== null) continue;
      const key = ev.service + '\u0000' + wm.stem;
      let l = groups.get(key);
      if (l === undefined) groups.set(key, (l = []));
      l.push({ ...wm, fields: fieldsOf(ev), ev });
    }
    // Tasks paired by id: one group per service and queue library, the task's name and id as fields.
    const exact = new Set<string>();
    for (const ev of candidateEvents(t, mayBeTask)) {
      if (ev.ts === null) continue;
      const m = matchVocabulary(ev.message, TASKS);
      if (m === null || typeof m.values.taskId !== 'string') continue;
      const key = ev.service + '\u0000' + `${m.entry.library} tasks`;
      exact.add(key);
      let l = groups.get(key);
      if (l === undefined) groups.set(key, (l = []));
      l.push({ role: m.entry.incident === 'task-start' ? 'start' : 'end', stem: `${m.entry.library} tasks`, fields: { task: String(m.values.task), id: m.values.taskId }, ev });
    }
    const end = t.window.end ?? 0;
    const starts = lifecycleOf(t).starts;
    const findings: DetectedFinding<UnfinishedWorkData>[] = [];
    for (const [key, markers] of [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (!markers.some((m) => m.role === 'start') || !markers.some((m) => m.role === 'end')) continue;
      if (exact.has(key)) {
        // Pairs by id need every line: a thinned template would leave starts without their end.
        if (markers.some((m) => (t.templates[m.ev.template]?.keptEvery ?? 1) > 1)) continue;
        markers.sort((a, b) => a.ev.ts! - b.ev.ts!);
      }
      const [service, stem] = key.split('\u0000') as [string, string];
      const open: Marker[] = [];
      const durations: number[] = [];
      let orphanEnds = 0;
      let started = 0;
      for (const m of markers) {
        if (m.role === 'start') {
          started++;
          open.push(m);
          continue;
        }
        let k = open.length - 1;
        while (k >= 0 && !compatible(open[k]!.fields, m.fields)) k--;
        if (k < 0) {
          orphanEnds++;
          continue;
        }
        durations.push((m.ev.ts! - open[k]!.ev.ts!) / 1000);
        open.splice(k, 1);
      }
      durations.sort((a, b) => a - b);
      const maxDone = durations.length > 0 ? durations[durations.length - 1]! : 0;
      const staleAfter = Math.max(o.minStaleSeconds, o.staleFactor * maxDone) * 1000;
      const lost: { m: Marker; reason: 'superseded' | 'interrupted' | 'stale' }[] = [];
      const stillOpen: Marker[] = [];
      // Latest start per set of fields, and the latest restart of the service: one pass each.
      const lastStart = new Map<string, number>();
      for (const x of markers) if (x.role === 'start') lastStart.set(label(x.fields), Math.max(lastStart.get(label(x.fields)) ?? -Infinity, x.ev.ts!));
      let lastRestart = -Infinity;
      for (const s of starts) if (s.service === service && s.ts > lastRestart) lastRestart = s.ts;
      for (const m of open) {
        const ts = m.ev.ts!;
        if (lastStart.get(label(m.fields))! > ts) lost.push({ m, reason: 'superseded' });
        else if (lastRestart > ts) lost.push({ m, reason: 'interrupted' });
        else if (end - ts > staleAfter) lost.push({ m, reason: 'stale' });
        else stillOpen.push(m);
      }
      if (lost.length < o.minLost) continue;
      const finished = durations.length;
      const reasons: Record<string, number> = {};
      for (const l of lost) reasons[l.reason] = (reasons[l.reason] ?? 0) + 1;
      const perFields: Record<string, number> = {};
      for (const l of lost) {
        const k = label(l.m.fields) || '(no fields)';
        perFields[k] = (perFields[k] ?? 0) + 1;
      }
      const stats = finished > 0
        ? { count: finished, medianSeconds: round(percentileSorted(durations, 0.5)), p95Seconds: round(percentileSorted(durations, 0.95)), maxSeconds: round(maxDone) }
        : { count: 0, medianSeconds: null, p95Seconds: null, maxSeconds: null };
      const share = lost.length / Math.max(started, 1);
      const evidence = [...lost.slice(0, 4).map((l) => evidenceOf(t, l.m.ev))];
      const anEnd = markers.find((m) => m.role === 'end');
      if (anEnd) evidence.push(evidenceOf(t, anEnd.ev));
      findings.push({
        about: `${service}:${stem}`,
        severity: lost.length >= 3 || share >= 0.1 ? 'high' : 'medium',
        title: `Unfinished ${stem} on ${service} (${lost.length} of ${started} runs never ended)`,
        summary:
          `${lost.length} of ${started} "${stem}" runs on ${service} started and never logged their end` +
          (finished > 0 ? `; finished runs took a median ${humanDuration(stats.medianSeconds! * 1000)} (max ${humanDuration(maxDone * 1000)})` : '') +
          (stillOpen.length > 0 ? `; ${stillOpen.length} still open at the end of the logs` : '') +
          '.',
        pattern:
          `Lost runs: ${Object.entries(reasons).map(([r, c]) => `${c} ${r}`).join(', ')}` +
          (Object.keys(perFields).length > 1 || !('(no fields)' in perFields) ? `; by ${Object.entries(perFields).map(([f, c]) => `${f} ×${c}`).join(', ')}` : '') +
          `; first lost at ${isoSeconds(lost[0]!.m.ev.ts!)}.`,
        rootCause:
          'The code between the start and end markers hung or died without logging its end: an await with no timeout (database, HTTP), an exception ' +
          'that skipped the end line (the end marker is not in a finally block), or a process restart in the middle.',
        impact: 'The work of those runs did not complete; a hung worker stops processing its queue until something restarts it.',
        recommendation:
          'Wrap each run in a timeout (asyncio.wait_for) and log the end marker in a finally block with the outcome and duration; alert when a run stays ' +
          'open longer than the longest normal run.',
        evidence,
        data: {
          service,
          work: stem,
          started,
          finished,
          lost: lost.length,
          lostReasons: reasons,
          lostByFields: perFields,
          openAtEnd: stillOpen.length,
          orphanEnds,
          durations: stats,
          lostRuns: lost.slice(0, 20).map((l) => ({ at: isoSeconds(l.m.ev.ts!), reason: l.reason, fields: l.m.fields })),
          openRuns: stillOpen.slice(0, 20).map((m) => ({ at: isoSeconds(m.ev.ts!), openSeconds: round((end - m.ev.ts!) / 1000), fields: m.fields })),
        },
      });
    }
    return findings;
  },
});

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
