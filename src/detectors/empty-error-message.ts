// Error records whose message ends where its detail should be: "Materialization loop error:",
// a JSON log with "error": "", a traceback ending in a bare `asyncio.exceptions.TimeoutError`,
// `TimeoutError()`. In Python this is nearly always `f"...: {e}"` on an exception raised without
// arguments: str(e) is "" for TimeoutError(), ConnectionError(), CancelledError and many asyncpg
// errors. In JavaScript it is `${e}` of a missing value or a plain object ("Sync failed:
// undefined", "[object Object]"), an `Error` thrown without a message (pino's err serializer writes
// `"message": ""`), or an error object that serializes to `"err": {}`; in the attributes of a
// structured record or in a JSON line left as message text. The logs then cannot tell a timeout
// from pool exhaustion from a database restart. A heading whose detail follows in the next entry
// of the same service within seconds ("Materialization loop error:" then the traceback, as Railway
// splits one write into lines) is not empty.
//
// Work is per template (the miner's `emptyTail`, checked once) plus one cheap look at each kept
// error event's last line and error attribute; nothing here reads input lines.
import { cutText, redactSecrets } from '../redact.js';
import type { Finding, Level, LogEvent } from '../model.js';
import { LEVEL_RANK } from '../model.js';
import type { TimelineEvent, TimelineSummary, TemplateSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { clockOf, humanDuration, isoSeconds } from '../words.js';
import { evidenceOf, evidenceOfTemplate } from './shared/evidence.js';
import { hash32 } from '../timeline/timeline.js';
import { estimatePeriod, snapPeriod, DEFAULT_PERIOD_OPTIONS } from './shared/stats/periodicity.js';
import { requestOf, endpointOf, UserFacingJudge } from './shared/request-failures.js';
import { periodPhrase } from './cadence-drift.js';
import { templateMayMatch, templatePositions } from './shared/template-index.js';
import { int, plural } from '../words.js';

export type EmptyKind = 'tail' | 'exception-type' | 'empty-field' | 'empty-object' | 'empty-value' | 'empty-message';

const ERROR_KEYS = ['error', 'err', 'exception', 'exc', 'exc_info', 'exc_text', 'error_message', 'errorMessage', 'error.message', 'error_msg', 'errorMsg', 'Error', 'cause', 'reason'];
// The last line of a traceback, or a repr, that names an exception type and nothing else.
const BARE_EXCEPTION_LINE = /^\s*([A-Za-z_][\w.]*(?:Error|Exception|Timeout|Cancelled|Interrupt|Exit|Failure|Exhausted))\s*:?\s*$/;
const EMPTY_REPR = /\b([A-Z][\w.]*(?:Error|Exception|Timeout|Cancelled|Interrupt|Failure|Exhausted))\(\)\s*$/;
// JavaScript's text for a missing value or a plain object where the error's text should be.
const EMPTY_VALUE_TAIL = /(?:[:=]|\s-)\s*(undefined|null|\[object Object\])\s*$/;
// A JavaScript stack whose first line names the error type and nothing else (`new Error()`).
const BARE_JS_ERROR_HEAD = /^\s*((?:[A-Z]\w*)?Error)\s*\n\s+at /;
// The first line of the detail a heading line announces, arriving as the next entry: a traceback,
// a stack frame, an error type with its text, an indented line (after the prefix both lines share).
const CONTINUATION = /^(?:Traceback \(most recent call last\):|\s+\S|(?:[A-Za-z_][\w.]*)?(?:Error|Exception)\b|Caused by:|panic: )/;
// Lines that end in a colon because something follows on the next lines, not because detail is missing.
const HEADER_LINE = /^(?:Traceback \(most recent call last\)|During handling of the above exception, another exception occurred|The above exception was the direct cause of the following exception|Stack trace|Stacktrace|Caused by)\s*:?\s*$/i;

interface Match {
  kind: EmptyKind;
  /** The attribute that was empty, or the bare exception type. */
  what: string | null;
}

interface Group {
  key: string;
  text: string;
  templates: TemplateSummary[];
  kind: EmptyKind;
  what: string | null;
  /** Times of the matching records (from template times for text tails, kept events otherwise). */
  times: number[];
  count: number;
  events: TimelineEvent[];
}

/** The `data` of an empty-error-message finding (its numbers, for the reports and the JSON). */
export type EmptyErrorMessageData = {
  template: string;
  kind: EmptyKind;
  emptyField: string | null;
  emptyValue: string | null;
  exceptionType: string | null;
  count: number;
  services: string[];
  firstSeen: string | null;
  lastSeen: string | null;
  periodSeconds: number | null;
  userFacingNearby: number;
  userFacingEndpoints: {
    endpoint: string;
    count: number;
  }[];
  templateKeys: string[];
};

export const emptyErrorMessage = defineDetector({
  meta: {
    id: 'empty-error-message',
    title: 'Error messages without their detail',
    report: {
      count: (f: Finding<EmptyErrorMessageData>) => f.data.count,
      summaryLabel: () => 'invisible errors',
      summaryDetail: (fs: Finding<EmptyErrorMessageData>[]) => {
        const n = fs.reduce((a, f) => a + f.data.count, 0);
        return `${int(n)} error records in ${plural(fs.length, 'template')} with nothing after the colon: no exception type, no traceback`;
      },
    },
    explanation:
      'Finds error-or-worse records whose message ends where the exception text should be ("Materialization loop error:", ' +
      '"error": "" in a JSON log, a traceback ending in a bare exception type, "TimeoutError()"): the mark of ' +
      'f"...: {e}" on an exception raised without arguments; and JavaScript\'s forms: a message ending in undefined, null or ' +
      '[object Object], "err": {}, an Error with no message (pino\'s "message": ""), in attributes or in a JSON line kept as text. ' +
      'A heading whose traceback or error follows in the next entry of the same service is not empty. One finding per template, ' +
      'with how often it fires (its cadence when it recurs) and whether it sits beside user-facing failures.',
    defaults: {
      minLevel: 'error',
      highCount: 100,
      coincidenceSeconds: 2,
      continuationSeconds: 2,
    },
    optionDocs: {
      minLevel: 'Lowest level considered (error or fatal; warn also works).',
      highCount: 'Records at which a finding becomes high severity even with no user-facing failure beside it.',
      coincidenceSeconds: 'A record within this many seconds of a user-facing failure (5xx, "Request failed: GET /x") counts as user-facing.',
      continuationSeconds: 'A heading ending in ":" whose next entry of the same service, within this many seconds, is a traceback or error line is not empty.',
    },
  },
  detect(t, o): DetectedFinding<EmptyErrorMessageData>[] {
    const minRank = LEVEL_RANK[(o.minLevel as Level) in LEVEL_RANK ? (o.minLevel as Level) : 'error'];
    const groups = new Map<string, Group>();
    const tailGroups = new Map<number, Group>();
    for (const tpl of t.templates) {
      const errors = errorCount(tpl, minRank);
      if (errors === 0 || !hasEmptyTail(tpl)) continue;
      const g = groupFor(groups, tpl, 'tail', null);
      tailGroups.set(tpl.id, g);
      g.count += errors;
      for (const x of tpl.times) g.times.push(x);
    }
    // Kept error events: those of tail templates are the evidence; the others get the per-record
    // checks (empty error attribute, bare exception last line) that a template's text cannot show.
    for (const ev of eventsToCheck(t, tailGroups, minRank)) {
      if (LEVEL_RANK[ev.level] < minRank) continue;
      const tg = tailGroups.get(ev.template);
      if (tg !== undefined) {
        tg.events.push(ev);
        continue;
      }
      const m = recordMatch(ev, ev.attrs !== undefined);
      if (m === null) continue;
      const tpl = t.templates[ev.template];
      if (tpl === undefined) continue;
      const g = groupFor(groups, tpl, m.kind, m.what);
      g.count++;
      if (ev.ts !== null) g.times.push(ev.ts);
      g.events.push(ev);
    }
    dropContinued(t, tailGroups, o.continuationSeconds * 1000);
    const findings: DetectedFinding<EmptyErrorMessageData>[] = [];
    const userFacing = new UserFacingIndex(t);
    for (const g of groups.values()) {
      if (g.count <= 0) continue;
      g.times.sort((a, b) => a - b);
      findings.push(describe(t, g, userFacing, o.highCount, o.coincidenceSeconds * 1000));
    }
    return findings;
  },
});

/**
 * Headings whose detail arrived as the next entry: a kept record of a tail template followed,
 * within `withinMs` and before any other record of its service, by a traceback, a stack frame or
 * an error line of the same service (Railway splits one write into one entry a line). Those
 * records are taken out of their group; the group's count shrinks in proportion when its template
 * kept only some of its records.
 */
function dropContinued(t: TimelineSummary, tailGroups: Map<number, Group>, withinMs: number): void {
  if (tailGroups.size === 0) return;
  const heads = new Set<TimelineEvent>();
  for (const g of tailGroups.values()) for (const e of g.events) heads.add(e);
  const continued = new Set<TimelineEvent>();
  const pending = new Map<string, TimelineEvent>();
  for (const ev of t.events) {
    const head = pending.get(ev.service);
    if (head !== undefined) {
      pending.delete(ev.service);
      if (ev.ts !== null && head.ts !== null && ev.ts - head.ts <= withinMs && CONTINUATION.test(afterSharedPrefix(head.message, ev.message))) continued.add(head);
    }
    if (heads.has(ev)) pending.set(ev.service, ev);
  }
  if (continued.size === 0) return;
  for (const g of new Set(tailGroups.values())) {
    const kept = g.events.length;
    const rest = g.events.filter((e) => !continued.has(e));
    if (rest.length === kept) continue;
    g.count = kept === 0 ? g.count : Math.round((g.count * rest.length) / kept);
    g.events = rest;
    g.times = rest.filter((e) => e.ts !== null).map((e) => e.ts!);
  }
}

/**
 * `next` without the words it shares with `head` from their start: a program that prefixes each
 * line of one write (npm's `npm error ` / `npm ERR! `) indents its detail after that prefix
 * (`npm error   npm run`), so the detail's first line is judged from where the two differ.
 */
export function afterSharedPrefix(head: string, next: string): string {
  const n = Math.min(head.length, next.length);
  let i = 0;
  while (i < n && head.charCodeAt(i) === next.charCodeAt(i)) i++;
  // Back to the end of the last whole word both share (a space ends it).
  while (i > 0 && next.charCodeAt(i - 1) !== 32) i--;
  return next.slice(i);
}

function errorCount(tpl: TemplateSummary, minRank: number): number {
  let n = 0;
  for (const l of Object.keys(tpl.levels) as Level[]) if (LEVEL_RANK[l] >= minRank) n += tpl.levels[l];
  return n;
}

/** Whether the template's text (or its first example) ends where its detail should be. */
export function hasEmptyTail(tpl: TemplateSummary): boolean {
  const text = tpl.examples[0]?.text ?? tpl.text;
  // Multi-line records (tracebacks) are judged by their last line, per event.
  if (text.indexOf('\n') !== -1) return false;
  const trimmed = text.trimEnd();
  if (trimmed.length === 0) return false;
  if (HEADER_LINE.test(trimmed)) return false;
  // A JSON record kept as text is judged by its fields, record by record.
  if (trimmed.charCodeAt(0) === 123 /* { */ && trimmed.charCodeAt(trimmed.length - 1) === 125 /* } */) return false;
  if (tpl.emptyTail) return true;
  return endsEmpty(trimmed);
}

/** `...error:`, `...error =`, `...error -`, `error=""`: the message stops at its separator. */
export function endsEmpty(trimmed: string): boolean {
  const last = trimmed.charCodeAt(trimmed.length - 1);
  if (last === 58 /* : */ || last === 61 /* = */) return !HEADER_LINE.test(trimmed);
  if (last === 45 /* - */ && trimmed.endsWith(' -')) return true;
  return /\b(?:error|err|exception|exc|reason|cause)=(?:""|'')$/i.test(trimmed);
}

/** The per-record shapes of an empty error: empty message, bare exception line, empty error attribute. */
export function recordMatch(ev: LogEvent, useAttrs = true): Match | null {
  const msg = ev.message;
  // Cheap character checks gate every regex: this runs on each kept error event.
  if (isBlank(msg)) return { kind: 'empty-message', what: null };
  const nl = msg.lastIndexOf('\n');
  const lastLine = nl === -1 ? msg : msg.slice(nl + 1);
  // A JSON record kept as message text (railway-text, a line Railway did not parse): its fields.
  if (msg.charCodeAt(0) === 123 /* { */ && msg.charCodeAt(msg.length - 1) === 125 /* } */) {
    const rec = jsonRecord(msg);
    if (rec !== null) {
      const text = rec.msg ?? rec.message;
      const inner = typeof text === 'string' ? recordMatch({ message: text === '' ? ' ' : text } as LogEvent, false) : null;
      return inner ?? attrsMatch(rec);
    }
  }
  if (nl !== -1) {
    const js = BARE_JS_ERROR_HEAD.exec(msg);
    if (js) return { kind: 'exception-type', what: js[1]! };
    const m = BARE_EXCEPTION_LINE.exec(lastLine);
    if (m) return { kind: 'exception-type', what: m[1]! };
    const tl = lastLine.trimEnd();
    if (tl.length > 0 && endsEmpty(tl) && !HEADER_LINE.test(tl.trim())) return { kind: 'tail', what: null };
  }
  let j = msg.length - 1;
  while (j > 0 && msg.charCodeAt(j) === 32) j--;
  if (msg.charCodeAt(j) === 41 /* ) */ && msg.charCodeAt(j - 1) === 40 /* ( */) {
    const r = EMPTY_REPR.exec(lastLine);
    if (r) return { kind: 'exception-type', what: r[1]! };
  }
  if (nl === -1 && msg.length < 200 && msg.trim().indexOf(' ') === -1) {
    // A message that is only a dotted exception type (logger.error(type(e)) and the like).
    const m = BARE_EXCEPTION_LINE.exec(msg);
    if (m && m[1]!.indexOf('.') !== -1) return { kind: 'exception-type', what: m[1]! };
  }
  // `${e}` of undefined, null or a plain object: the value's text where the error's should be.
  const last = msg.charCodeAt(msg.trimEnd().length - 1);
  if (last === 100 /* d */ || last === 108 /* l */ || last === 93 /* ] */) {
    const v = EMPTY_VALUE_TAIL.exec(lastLine);
    if (v) return { kind: 'empty-value', what: v[1]! };
  }
  const a = useAttrs ? ev.attrs : undefined;
  return a !== undefined && hasErrorKey(a) ? attrsMatch(a) : null;
}

/** An empty error in a record's error attributes: "", "undefined", {}, or an object whose message is empty. */
function attrsMatch(a: Record<string, unknown>): Match | null {
  for (const k of ERROR_KEYS) {
    const v = a[k];
    if (v === undefined || v === null) continue;
    // `cause` is the error behind the record's own: an Error there serializes to {} (winston's json
    // format writes knex's KnexTimeoutError with `"cause":{}` beside its message and stack), which
    // leaves nothing out when the record states its own error.
    if (k === 'cause' && statesItsError(a)) continue;
    if (typeof v === 'string') {
      if (isBlank(v)) return { kind: 'empty-field', what: k };
      if (v === 'undefined' || v === 'null' || v === '[object Object]') return { kind: 'empty-value', what: v };
    } else if (typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      let keys = 0;
      for (const _ in o) keys++;
      // An Error object serialized by JSON.stringify (its own properties are not enumerable).
      if (keys === 0) return { kind: 'empty-object', what: k };
      const inner = o.message ?? o.msg;
      if (typeof inner === 'string' && isBlank(inner)) return { kind: 'empty-field', what: `${k}.message` };
    }
  }
  return null;
}

/** Whether a record has its own error text: a message or a stack that is not blank. */
function statesItsError(a: Record<string, unknown>): boolean {
  return (typeof a.message === 'string' && !isBlank(a.message)) || (typeof a.stack === 'string' && !isBlank(a.stack));
}

/** The object of a one-line JSON record, or null (not JSON, or too long to be worth parsing). */
function jsonRecord(text: string): Record<string, unknown> | null {
  if (text.length > 65_536 || text.indexOf('\n') !== -1) return null;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Whether a message alone (no attributes) is an empty error: picks the templates to check record by record. */
const mayBeEmpty = (message: string) => recordMatch({ message } as LogEvent, false) !== null;

/**
 * The kept error events the record checks can match, in timeline order: those of the tail
 * templates and of the templates whose messages may be empty errors (template-index.ts), and of
 * the others those whose attributes hold an error key: the same events the checks would find
 * among all of them. One pass in timeline order over a verdict per template (no merge, no sort).
 */
function eventsToCheck(t: TimelineSummary, tailGroups: Map<number, Group>, minRank: number): TimelineEvent[] {
  const WHOLE = 1;
  const templates = templatePositions(t);
  let verdict: Uint8Array | null = null;
  if (!templates.some((x) => x.id < 0)) {
    let maxId = -1;
    for (const x of templates) if (x.id > maxId) maxId = x.id;
    verdict = new Uint8Array(maxId + 1);
    for (const { id } of templates) if (tailGroups.has(id) || templateMayMatch(t, id, mayBeEmpty)) verdict[id] = WHOLE;
  }
  const out: TimelineEvent[] = [];
  for (const ev of t.events) {
    if (LEVEL_RANK[ev.level] < minRank) continue;
    if (verdict === null || verdict[ev.template] === WHOLE || (ev.attrs !== undefined && hasErrorKey(ev.attrs))) out.push(ev);
  }
  return out;
}

const ERROR_KEY_SET = new Set<string>(ERROR_KEYS);

/** Whether the attributes hold an error key: a walk over their own few keys, not fourteen lookups. */
function hasErrorKey(a: Record<string, unknown>): boolean {
  for (const k in a) if (ERROR_KEY_SET.has(k) && a[k] !== undefined) return true;
  return false;
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return false;
  }
  return true;
}

/** User-facing failures among kept error events, looked up by time and judged only when asked. */
class UserFacingIndex {
  /** Per kept event: 0 not judged yet, 1 user-facing, 2 not. */
  private readonly verdict: Int8Array;
  private readonly judge = new UserFacingJudge();
  private readonly n: number;
  /** Times of the timed kept events, in order (a flat array scans faster than the objects). */
  private readonly ts: Float64Array;

  constructor(private readonly t: TimelineSummary) {
    let n = t.events.length;
    while (n > 0 && t.events[n - 1]!.ts === null) n--;
    this.n = n;
    this.verdict = new Int8Array(n);
    this.ts = new Float64Array(n);
    for (let i = 0; i < n; i++) this.ts[i] = t.events[i]!.ts!;
  }

  /** Whether the records are user-facing failures themselves (judged on at most the first 50). */
  self(events: TimelineEvent[]): boolean {
    for (let i = 0; i < events.length && i < 50; i++) if (this.judge.judge(events[i]!)) return true;
    return false;
  }

  /**
   * Sweeps sorted `times` against the time-sorted kept events with a sliding window: returns how
   * many times have a user-facing failure within ±nearMs, and adds those failures to `hits`. Each
   * event is judged at most once, and only when it falls in some window.
   */
  sweep(times: readonly number[], nearMs: number, hits: Set<TimelineEvent>): number {
    const evs = this.t.events;
    const ts = this.ts;
    const n = this.n;
    let lo = 0;
    let hi = 0;
    let facing = 0;
    let count = 0;
    for (const at of times) {
      while (lo < hi && ts[lo]! < at - nearMs) {
        if (this.verdict[lo] === 1) facing--;
        lo++;
      }
      if (lo === hi) {
        while (lo < n && ts[lo]! < at - nearMs) lo++;
        hi = lo;
        facing = 0;
      }
      while (hi < n && ts[hi]! <= at + nearMs) {
        let v = this.verdict[hi]!;
        if (v === 0) {
          v = this.judge.judge(evs[hi]!) ? 1 : 2;
          this.verdict[hi] = v;
        }
        if (v === 1) {
          facing++;
          hits.add(evs[hi]!);
        }
        hi++;
      }
      if (facing > 0) count++;
    }
    return count;
  }
}

function groupFor(groups: Map<string, Group>, tpl: TemplateSummary, kind: EmptyKind, what: string | null): Group {
  // Same text in several services is one finding: one line of code, deployed twice. A bare
  // exception type is one finding per type: the tracebacks that end in it differ in their first
  // lines (and so in template) while the missing message is the same problem.
  const key = kind === 'exception-type' ? `${kind}\u0000${what ?? ''}` : `${kind}\u0000${what ?? ''}\u0000${tpl.text}`;
  let g = groups.get(key);
  if (g === undefined) {
    g = { key, text: tpl.text, templates: [], kind, what, times: [], count: 0, events: [] };
    groups.set(key, g);
  }
  if (!g.templates.includes(tpl)) g.templates.push(tpl);
  return g;
}

function describe(t: TimelineSummary, g: Group, userFacing: UserFacingIndex, highCount: number, nearMs: number): DetectedFinding<EmptyErrorMessageData> {
  const services = [...new Set(g.templates.map((x) => x.service))].sort();
  const first = g.times[0] ?? minOf(g.templates.map((x) => x.first));
  const last = g.times[g.times.length - 1] ?? maxOf(g.templates.map((x) => x.last));
  const sample = g.events[0]?.message ?? g.templates[0]?.examples[0]?.text ?? g.text;
  const subject = subjectOf(sample);
  const shown = shownText(sample, g);
  // Cadence: empty errors of a background loop recur; say how often.
  const est = g.times.length >= DEFAULT_PERIOD_OPTIONS.minRuns ? estimatePeriod(g.times) : null;
  const nominal = est ? snapPeriod(est.periodMs) : null;
  const often = est ? `every ~${periodPhrase(nominal ?? est.periodMs)}` : timesPhrase(g.count, first, last);
  // User-facing: the records themselves name failed requests, or sit within seconds of one.
  const selfFacing = userFacing.self(g.events);
  const endpoints = new Map<string, number>();
  const nearEvents = new Set<TimelineEvent>();
  const near = selfFacing ? 0 : userFacing.sweep(g.times, nearMs, nearEvents);
  // Endpoints from at most 5,000 records: reading attributes costs a parse per record.
  for (const ev of (selfFacing ? g.events : [...nearEvents]).slice(0, 5000)) {
    const ref = requestOf(ev);
    const ep = ref ? endpointOf(ref) : null;
    if (ep) endpoints.set(ep, (endpoints.get(ep) ?? 0) + 1);
  }
  const userFacingInvolved = selfFacing || near > 0;
  const severity = userFacingInvolved || g.count >= highCount ? 'high' : 'medium';
  const title =
    g.kind === 'tail' || g.kind === 'empty-message'
      ? `Empty ${subject} Errors (${often})`
      : g.kind === 'exception-type'
        ? `${g.what} Raised Without a Message (${often})`
        : g.kind === 'empty-value'
          ? `${subject} Errors Ending in ${g.what} (${often})`
          : `Empty "${g.what}" Field in ${subject} Errors (${often})`;
  const span = first !== null && last !== null ? ` between ${isoSeconds(first)} and ${isoSeconds(last)}` : '';
  const where = services.length === 1 ? `in ${services[0]}` : `in ${services.length} services (${services.join(', ')})`;
  const what =
    g.kind === 'tail'
      ? `the message ends at "${shown}" with nothing after it: no exception type, no traceback, no context`
      : g.kind === 'empty-message'
        ? 'the message is empty'
        : g.kind === 'exception-type'
          ? `the record names only the exception type ${g.what}, with no message and no context`
          : g.kind === 'empty-value'
            ? `the error's text is "${g.what}"`
            : g.kind === 'empty-object'
              ? `the "${g.what}" field is an empty object ({})`
              : `the "${g.what}" field is an empty string`;
  const epText = [...endpoints.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([e, c]) => `${e} ×${c}`).join(', ');
  const summary =
    `${g.count} error record${g.count === 1 ? '' : 's'} ${where} where ${what}` +
    (est ? `; they recur every ~${periodPhrase(nominal ?? est.periodMs)}` : '') +
    (near > 0 ? `; ${near} sit within ${nearMs / 1000} s of a user-facing failure${epText ? ` (${epText})` : ''}` : '') +
    '.';
  const pattern =
    `"${shown}" was logged ${g.count} time${g.count === 1 ? '' : 's'}${span}` +
    (est
      ? `, recurring every ~${periodPhrase(nominal ?? est.periodMs)} (${est.chained} runs on the cadence${est.missed > 0 ? `, ${est.missed} missed` : ''}${est.extra > 0 ? `, ${est.extra} off-beat` : ''})`
      : '') +
    `. In every one ${what}.`;
  const rootCause =
    g.kind === 'empty-value'
      ? `Hypothesis: the code builds the message from a value that is not an error's text: in JavaScript \`\${e}\` of undefined gives "undefined", of null "null", of a plain object "[object Object]" (a rejection with no Error, an error field that does not exist, e.message of a non-Error). Evidence: ${g.count} records end in "${g.what}".`
      : g.kind === 'empty-object'
        ? `Hypothesis: an Error object was passed through JSON.stringify (or a logger without an error serializer): an Error's message and stack are not enumerable, so it serializes to {}. Evidence: ${g.count} records carry "${g.what}": {}.`
        : g.kind === 'exception-type'
      ? `Hypothesis: the exception ${g.what} was raised without arguments (typical of timeouts: asyncio.wait_for, a pool acquire or connect timeout), so its text is empty and the log shows only its type${g.kind === 'exception-type' && sample.indexOf('\n') !== -1 ? ' at the end of the traceback' : ''}. Evidence: ${g.count} records end in a bare ${g.what}.`
      : g.kind === 'empty-field'
        ? `Hypothesis: the logger fills "${g.what}" with str(e), and str() of an exception raised without arguments is "" in Python (TimeoutError(), ConnectionError(), CancelledError, many asyncpg errors). Evidence: ${g.count} error records carry "${g.what}": "".`
        : `Hypothesis: the code logs f"${shown.replace(/\s*$/, '')} {e}" (or "%s" % e), and Python's str() of an exception raised without arguments is "" (TimeoutError(), ConnectionError(), CancelledError, many asyncpg errors), so the line ends at the separator. Evidence: all ${g.count} records end at "${shown.trimEnd().slice(-1)}" with nothing after it.`;
  const impact =
    `The cause of these failures cannot be told from the logs: a connection timeout, pool exhaustion, a database restart and a network partition all look the same.` +
    (near > 0 ? ` ${near} of them came with user-facing failures${epText ? ` (${epText})` : ''}, so an outage users saw left no diagnosis behind.` : selfFacing ? ' They are user-facing failures, so users saw errors with no diagnosis behind them.' : '');
  const timing =
    (first !== null ? `First ${isoSeconds(first)}, last ${isoSeconds(last!)}` : 'No timestamps') +
    (est
      ? `; every ~${periodPhrase(nominal ?? est.periodMs)} (measured ${humanDuration(est.periodMs)}, jitter ${humanDuration(est.jitterMs)}), e.g. ${est.runs.slice(0, 5).map(clockOf).join(', ')}`
      : g.times.length > 1
        ? `; ${g.count} records over ${humanDuration((Math.floor(last! / 1000) - Math.floor(first! / 1000)) * 1000)}`
        : '') +
    '.';
  const code = shown.replace(/[:=\-\s]+$/, '');
  const jsKind = g.kind === 'empty-value' || g.kind === 'empty-object' || (g.kind === 'exception-type' && /\n\s+at /.test(sample)) || (g.kind === 'empty-field' && g.events.some((e) => hasJsStack(e.attrs?.[(g.what ?? '').split('.')[0]!])));
  const recommendation = jsKind
    ? 'Log the Error object itself, through the logger\'s error serializer (pino: log.error({ err }, "what failed"); winston: format.errors({ stack: true })), not `${e}` or JSON.stringify(e); ' +
      'throw and reject with Error objects that carry a message (new Error("pool acquire timed out after 5 s"), not new Error() or a plain object). ' +
      'Then the next occurrence says which failure it is and where it was thrown.'
    : `Log the exception type and traceback, not str(e): inside the except block use logger.exception("${code}") ` +
    `(or logger.error("${code}: %r", e, exc_info=True)); repr(e) gives "TimeoutError()" where str(e) gives "". ` +
    (g.kind === 'empty-field' ? `For structured logs, put type(e).__name__ and the traceback in their own fields instead of an empty "${g.what}". ` : '') +
    'Then the next occurrence says which failure it is (timeout, pool exhaustion, restart) and where it was raised.';
  const ev = pickEvidence(g.events).map((e) => evidenceOf(t, e));
  const evidence = ev.length > 0 ? ev : g.templates.flatMap((x) => evidenceOfTemplate(t, x, 3)).slice(0, 3);
  return {
    about: hash32(g.key),
    severity,
    title,
    summary,
    pattern,
    rootCause,
    impact,
    timing,
    recommendation,
    evidence,
    data: {
      template: g.text,
      kind: g.kind,
      emptyField: g.kind === 'empty-field' || g.kind === 'empty-object' ? g.what : null,
      emptyValue: g.kind === 'empty-value' ? g.what : null,
      exceptionType: g.kind === 'exception-type' ? g.what : null,
      count: g.count,
      services,
      firstSeen: first !== null ? new Date(first).toISOString() : null,
      lastSeen: last !== null ? new Date(last).toISOString() : null,
      periodSeconds: est ? Math.round((nominal ?? est.periodMs) / 1000) : null,
      userFacingNearby: near,
      userFacingEndpoints: [...endpoints.entries()].map(([endpoint, count]) => ({ endpoint, count })),
      templateKeys: g.templates.map((x) => x.key),
    },
  };
}

/** Whether an error attribute carries a JavaScript stack (pino's and winston's serialized Error). */
function hasJsStack(v: unknown): boolean {
  const stack = typeof v === 'object' && v !== null ? (v as Record<string, unknown>).stack : undefined;
  return typeof stack === 'string' && stack.includes('\n    at ');
}

/** First three and the last of the kept records: where it starts and that it still happens. */
function pickEvidence(events: TimelineEvent[]): TimelineEvent[] {
  if (events.length <= 4) return events;
  return [...events.slice(0, 3), events[events.length - 1]!];
}

/** A readable name for what failed: "Materialization loop error:" → "Materialization Loop". */
export function subjectOf(message: string): string {
  // Redacted first: the words are capitalised below, and a capitalised token no longer has the shape redaction knows.
  let s = redactSecrets(message.split('\n')[0]!).trim();
  // Leading level markers and logger names: "ERROR:root:", "[error]", "ERROR - app -".
  s = s.replace(/^\[?(?:error|err|fatal|critical|exception)\]?\s*[:\-|]?\s*(?:[\w.]+:)?\s*/i, '');
  s = s.replace(/[:=\-\s]+$/, '');
  // Take the words before the first separator, as the name of the operation.
  const cut = s.search(/[:=([{"]/);
  if (cut > 0) s = s.slice(0, cut);
  const words = s.split(/\s+/).filter((w) => /^[A-Za-z][\w.-]*$/.test(w));
  while (words.length > 0 && /^(error|errors|err|exception|failed|failure|fail)$/i.test(words[words.length - 1]!)) words.pop();
  if (words.length === 0) return 'Error';
  return words
    .slice(0, 5)
    .map((w) => (w === w.toLowerCase() ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join(' ');
}

function shownText(sample: string, g: Group): string {
  if (g.kind === 'empty-message') return '';
  const nl = sample.lastIndexOf('\n');
  const line = g.kind === 'tail' && nl !== -1 ? sample.slice(nl + 1) : sample.split('\n')[0]!;
  return cutText(line, 120);
}

function timesPhrase(count: number, first: number | null, last: number | null): string {
  if (count === 1) return 'once';
  if (first === null || last === null || last === first) return `${count} times`;
  // Clock-second difference, as a reader counts 19:12:22 to 19:12:47.
  return `${count} times in ${humanDuration((Math.floor(last / 1000) - Math.floor(first / 1000)) * 1000)}`;
}

function minOf(xs: (number | null)[]): number | null {
  let m: number | null = null;
  for (const x of xs) if (x !== null && (m === null || x < m)) m = x;
  return m;
}

function maxOf(xs: (number | null)[]): number | null {
  let m: number | null = null;
  for (const x of xs) if (x !== null && (m === null || x > m)) m = x;
  return m;
}
