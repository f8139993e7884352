// Bursts of errors far above the baseline rate, and the event that led them.
//
// 1. Error-or-worse kept events become occurrences: records within 1 s of each other with no
//    template repeated are one failure logged by several lines ("Database session error:" then
//    "Request failed: GET /dashboard"). Counting occurrences, not lines, is what keeps one failed
//    request with a traceback from looking like a burst.
// 2. Gap sessionisation (1-D DBSCAN): a new session starts after a gap above ε. ε adapts to the log:
//    optimal 2-means (ckmeans, k = 2) splits log10 of the gaps into short and long, ε sits between them (clamped to
//    [5 s, 300 s]; 30 s with fewer than 8 gaps).
// 3. Core and lead: the core of a session starts at its first user-facing failure or first repeated
//    template; error records of other templates in the `leadWindow` before it (and not so frequent
//    that one would be there by chance) are lead candidates; the earliest is the lead. A record is
//    an error by the program's own word (a level it wrote, PostgreSQL's severity) or, when only the
//    platform's stream label says `error` (Railway labels all of stderr so), by what it says: a
//    lifecycle failure (a kill, a crash, a non-zero exit) or an exception or failure wording.
// 4. Significance: Poisson upper tail of the core's occurrences against the baseline rate (errors
//    outside candidate bursts, and never less than the rate of everything but this burst), over the
//    core's duration plus ε, Bonferroni-corrected; and a rate at least `minRateRatio` × baseline.
// 5. Railway "Messages dropped: N" markers inside a burst add N records (unknown template).
// 6. Recovery: time from the burst's last error to the next record of a non-error template of the
//    affected service (one naming the affected endpoint when there is one), from template times;
//    and how it came: on its own, after a start of the service (lifecycle), or not known (the next
//    success came so late that the logs cannot tell a service that was down from one that was idle).
import type { Finding, FindingSeverity } from '../model.js';
import { LEVEL_RANK } from '../model.js';
import type { TimelineEvent, TimelineSummary, TemplateSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { clockOf, humanDuration, isoSeconds } from '../words.js';
import { evidenceOf } from './shared/evidence.js';
import { poissonUpperTail } from './shared/stats/poisson.js';
import { requestOf, endpointOf, UserFacingJudge } from './shared/request-failures.js';
import { recordsBehind, weightOf } from './shared/event-groups.js';
import { levelCueOf, levelOfWord } from '../ingest/level.js';
import { classifyLifecycle, isFailure, LIFECYCLE_INTERESTS, lifecycleOf } from './shared/lifecycle.js';
import { humanSeconds, minuteOf } from '../words.js';

interface Occurrence {
  ts: number;
  events: TimelineEvent[];
  /** Whether a record of it is a user-facing failure: −1 not judged yet (judged on demand), 0, 1. */
  userFacing: number;
  /** Dropped-message marker: N records lost to the platform's rate limit, no events. */
  dropped: number;
}

interface Burst {
  occ: Occurrence[];
  lead: TimelineEvent | null;
  p: number;
  mu: number;
  /** Baseline failure rate the burst was tested against (per ms). */
  rate: number;
}

const DROPPED = /Messages dropped: (\d+)/;
const SAME_FAILURE_MS = 1000;

/** The `data` of an error-cluster finding (its numbers, for the reports and the JSON). */
export type ErrorClusterData = {
  failures: number;
  userFacing: number;
  dropped: number;
  services: string[];
  leadTemplate: string | null;
  leadService: string | null;
  leadTimestamp: string | null;
  leadSeconds: number | null;
  templates: {
    template: string;
    service: string;
    count: number;
  }[];
  endpoints: {
    endpoint: string;
    count: number;
  }[];
  recovery: 'self' | 'restart' | 'unknown' | 'none';
  restartedService: string | null;
  recoveredAfterSeconds: number | null;
  recoveredBy: string | null;
  nextSuccessAfterSeconds: number | null;
  baselinePerHour: number;
  expected: number;
  pValue: number;
  epsilonSeconds: number;
  estimated?: true;
  keptEvery?: number;
  keptLines?: number;
  start: string;
  end: string;
  durationSeconds: number;
  count: number;
};

export const errorCluster = defineDetector({
  meta: {
    id: 'error-cluster',
    title: 'Error bursts and the event that led them',
    report: {
      count: (f: Finding<ErrorClusterData>) => f.data.count,
      sparkline: 'errors',
      summaryLabel: (fs: Finding<ErrorClusterData>[]) => (fs.length > 1 ? `${fs.length} error bursts` : `an outage of ${fs[0]!.data.count} errors`),
      summaryDetail: (fs: Finding<ErrorClusterData>[]) => {
        const f = fs[0]!;
        const endpoints = [...new Set(f.data.endpoints.map((e) => e.endpoint).filter((e) => e.length > 0))];
        // The detector's own duration (whole seconds, as its section prints it), so both agree.
        return `${fs.length > 1 ? `${fs.length} bursts; the first ` : ''}at ${minuteOf(Date.parse(f.data.start))}, over ${humanSeconds(f.data.durationSeconds)}${endpoints.length > 0 ? `, failing ${endpoints.slice(0, 3).join(', ')}` : ''}`;
      },
    },
    explanation:
      'Groups error records into failures (lines of one failure logged together), sessionises them by gaps with an adaptive ε ' +
      '(optimal 2-means on log gaps), and keeps sessions whose failure rate is at least 10 times the baseline and improbable under it ' +
      '(Poisson tail, Bonferroni-corrected; baseline = the rate outside bursts, never below the rate of everything else). For each burst it names the lead event (the first error of another template shortly before the ' +
      'burst), the templates and endpoints affected, user-facing failures, Railway "Messages dropped" counts, and the time to recovery. ' +
      'In its data, `count` is every error record of the burst plus the dropped lines (an estimate, with `estimated` and `keptLines`, when ' +
      'the timeline kept only every k-th line of a noisy template), `failures` the failures they make up (lines of ' +
      'one failure counted once), and `userFacing` the failures that are failed requests (5xx, "Request failed: GET /x").',
    defaults: {
      minFailures: 3,
      alpha: 0.001,
      minRateRatio: 10,
      minEpsilonSeconds: 5,
      maxEpsilonSeconds: 300,
      fallbackEpsilonSeconds: 30,
      leadWindowSeconds: 60,
      highUserFacing: 3,
      maxFindings: 20,
      recoveryWindowSeconds: 900,
    },
    optionDocs: {
      minFailures: 'Failures (not lines) a burst needs; fewer is isolated errors.',
      alpha: 'Family-wise significance level of the Poisson test against the baseline rate.',
      minRateRatio: 'A burst\'s failure rate (over its duration plus ε) must be at least this many times the baseline rate.',
      minEpsilonSeconds: 'Lower clamp of the adaptive session gap ε.',
      maxEpsilonSeconds: 'Upper clamp of the adaptive session gap ε.',
      fallbackEpsilonSeconds: 'ε when there are fewer than 8 gaps to learn it from.',
      leadWindowSeconds: 'How far before a burst (at least; ε when larger) a lead event may be.',
      highUserFacing: 'User-facing failures (5xx, "Request failed: GET /x") that make a burst high severity.',
      maxFindings: 'At most this many bursts are reported (the most significant).',
      recoveryWindowSeconds:
        'A success this long (s) or less after the last error is the recovery; a later one says only when the service was next seen working (down or idle in between: the logs do not say).',
    },
    optionRanges: {
      minFailures: { min: 1, max: 1e6, integer: true },
      alpha: { min: 0, max: 1 },
      minRateRatio: { min: 1, max: 1e9 },
      highUserFacing: { min: 1, max: 1e9, integer: true },
    },
    // Starts of the affected service tell a recovery by restart from one on its own.
    interests: [...LIFECYCLE_INTERESTS],
  },
  detect(t, o): DetectedFinding<ErrorClusterData>[] {
    const judge = new UserFacingJudge();
    const stream = occurrencesOf(t);
    const real = stream.some((x) => x.dropped > 0) ? stream.filter((x) => x.dropped === 0) : stream;
    const minFailures = o.minFailures;
    if (real.length < minFailures) return [];
    const eps = epsilonOf(real, o.minEpsilonSeconds * 1000, o.maxEpsilonSeconds * 1000, o.fallbackEpsilonSeconds * 1000);
    const leadWindow = Math.max(o.leadWindowSeconds * 1000, eps);
    // Sessions, then their cores.
    const cores: Occurrence[][] = [];
    let cur: Occurrence[] = [];
    for (const x of stream) {
      if (cur.length > 0 && x.ts - cur[cur.length - 1]!.ts > eps) {
        // Most sessions are one isolated failure: only sessions that could hold a burst get a core.
        if (cur.length >= minFailures) {
          const c = coreOf(cur, judge);
          if (c !== null) cores.push(c);
        }
        cur = [];
      }
      cur.push(x);
    }
    if (cur.length >= minFailures) {
      const c = coreOf(cur, judge);
      if (c !== null) cores.push(c);
    }
    const candidates = cores.filter((c) => c.filter((x) => x.dropped === 0).length >= minFailures);
    if (candidates.length === 0) return [];
    // Baseline: failures outside the candidate bursts over the time outside them (the quiet rate),
    // but never below the rate of everything except the burst under test (leave-one-out): when
    // candidate sessions cover most of a busy log, the quiet rate is a few stragglers over almost no
    // time and would call every busy stretch a burst.
    const windowStart = Math.min(t.window.start ?? real[0]!.ts, real[0]!.ts);
    const windowEnd = Math.max(t.window.end ?? real[real.length - 1]!.ts, real[real.length - 1]!.ts);
    const span = Math.max(windowEnd - windowStart, 1);
    let inBursts = 0;
    let burstTime = 0;
    const realCount = candidates.map((c) => c.reduce((n, x) => n + (x.dropped === 0 ? 1 : 0), 0));
    candidates.forEach((c, i) => {
      inBursts += realCount[i]!;
      burstTime += c[c.length - 1]!.ts - c[0]!.ts + eps;
    });
    // At least one baseline failure: a log with nothing but the burst must not give a rate of zero.
    const quietRate = Math.max(real.length - inBursts, 1) / Math.max(span - burstTime, eps);
    const threshold = o.alpha / candidates.length;
    const minRatio = o.minRateRatio;
    const perTemplateRate = new Map<number, number>();
    for (const tpl of t.templates) perTemplateRate.set(tpl.id, (tpl.levels.error + tpl.levels.fatal) / span);
    const bursts: Burst[] = [];
    candidates.forEach((c, i) => {
      const failures = c.reduce((s, x) => s + (x.dropped > 0 ? x.dropped * droppedShare(c) : 1), 0);
      const d = c[c.length - 1]!.ts - c[0]!.ts + eps;
      const others = Math.max(real.length - realCount[i]!, 1) / Math.max(span - d, eps);
      const rate = Math.max(quietRate, others);
      const mu = rate * d;
      // Far above the baseline, not merely improbable: a busy hour in a busy log is not a burst.
      if (failures / d < minRatio * rate) return;
      const p = poissonUpperTail(Math.round(failures), mu);
      if (p >= threshold) return;
      for (const x of c) isFacing(x, judge);
      bursts.push({ occ: c, lead: leadOf(t, c, leadWindow, perTemplateRate), p, mu, rate });
    });
    bursts.sort((a, b) => a.p - b.p || a.occ[0]!.ts - b.occ[0]!.ts);
    return bursts.slice(0, o.maxFindings).map((b) => describe(t, b, b.rate, eps, o.highUserFacing, o.recoveryWindowSeconds * 1000, judge));
  },
});

/** Error occurrences and dropped-message markers, in time order. */
function occurrencesOf(t: TimelineSummary): Occurrence[] {
  const out: Occurrence[] = [];
  let cur: Occurrence | null = null;
  for (const ev of t.events) {
    if (ev.ts === null) continue;
    if (ev.source === 'platform') {
      const m = DROPPED.exec(ev.message);
      if (m) out.push({ ts: ev.ts, events: [], userFacing: 0, dropped: Number(m[1]) });
      continue;
    }
    if (LEVEL_RANK[ev.level] < LEVEL_RANK.error) continue;
    // Records within a second and of different templates are one failure logged by several lines.
    // (Two failed requests of different templates in one second merge here; the burst's user-facing
    // count splits them again by endpoint.) User-facing is judged on demand: most records never are.
    if (cur !== null && ev.ts - cur.events[cur.events.length - 1]!.ts! <= SAME_FAILURE_MS && !hasTemplate(cur, ev.template)) {
      cur.events.push(ev);
      continue;
    }
    cur = { ts: ev.ts, events: [ev], userFacing: -1, dropped: 0 };
    out.push(cur);
  }
  // Markers and occurrences were pushed in event order, which is time order.
  return out;
}

/** Whether an occurrence holds a user-facing failure (judged once, on first ask). */
function isFacing(o: Occurrence, judge: UserFacingJudge): boolean {
  if (o.userFacing === -1) o.userFacing = o.events.some((e) => judge.judge(e)) ? 1 : 0;
  return o.userFacing === 1;
}

function hasTemplate(o: Occurrence, template: number): boolean {
  // Occurrences hold a handful of records: a scan beats a Set.
  for (const e of o.events) if (e.template === template) return true;
  return false;
}

/** ε between the short and the long gaps (optimal 2-means on log10 gaps), clamped; the fallback with few gaps. */
export function epsilonOf(occ: readonly { ts: number }[], minMs: number, maxMs: number, fallbackMs: number): number {
  const n = occ.length - 1;
  if (n < 8) return fallbackMs;
  const logs = new Float64Array(n);
  for (let i = 0; i < n; i++) logs[i] = Math.log10(Math.max(occ[i + 1]!.ts - occ[i]!.ts, 100));
  logs.sort();
  // Gaps within a factor of 4 of each other have no short/long structure to learn from.
  if (logs[n - 1]! - logs[0]! < Math.log10(4)) return fallbackMs;
  const split = twoMeansSplit(logs);
  return Math.min(maxMs, Math.max(minMs, 10 ** ((logs[split - 1]! + logs[split]!) / 2)));
}

/**
 * Where sorted values split into two clusters with the least within-cluster sum of squares: the
 * k = 2 case of ckmeans (optimal 1-D k-means), exact and O(n) on sorted input with prefix sums
 * (simple-statistics' general ckmeans takes ~0.25 s on 100,000 gaps). Returns the first index of
 * the upper cluster.
 */
export function twoMeansSplit(sorted: Float64Array): number {
  const n = sorted.length;
  let total = 0;
  let totalSq = 0;
  for (let i = 0; i < n; i++) {
    total += sorted[i]!;
    totalSq += sorted[i]! * sorted[i]!;
  }
  let left = 0;
  let leftSq = 0;
  let best = 1;
  let bestCost = Infinity;
  for (let s = 1; s < n; s++) {
    const x = sorted[s - 1]!;
    left += x;
    leftSq += x * x;
    const right = total - left;
    const cost = leftSq - (left * left) / s + (totalSq - leftSq) - (right * right) / (n - s);
    if (cost < bestCost) {
      bestCost = cost;
      best = s;
    }
  }
  return best;
}

/**
 * The core of a session: from its first user-facing failure or first repeated template on.
 * Returns null for a session without real failures.
 */
function coreOf(session: Occurrence[], judge: UserFacingJudge): Occurrence[] | null {
  // Records per template in the session (template ids are small dense integers: an array, not a Map).
  let maxId = 0;
  for (const x of session) for (const e of x.events) if (e.template > maxId) maxId = e.template;
  const seen = new Uint32Array(maxId + 1);
  for (const x of session) for (const e of x.events) seen[e.template]!++;
  let start = -1;
  for (let i = 0; i < session.length; i++) {
    const x = session[i]!;
    if (x.dropped > 0) continue;
    if (x.events.some((e) => seen[e.template]! >= 2) || isFacing(x, judge)) {
      start = i;
      break;
    }
  }
  if (start === -1) start = session.findIndex((x) => x.dropped === 0);
  if (start === -1) return null;
  return session.slice(start);
}

/** Share of the burst's records that are failures, for scaling dropped lines into failures. */
function droppedShare(c: Occurrence[]): number {
  let records = 0;
  let failures = 0;
  for (const x of c) {
    if (x.dropped > 0) continue;
    records += x.events.length;
    failures++;
  }
  return records > 0 ? failures / records : 1;
}

/** The earliest informative error of another template in the lead window before the core. */
function leadOf(t: TimelineSummary, core: Occurrence[], windowMs: number, perTemplateRate: Map<number, number>): TimelineEvent | null {
  const start = core[0]!.ts;
  const coreTemplates = new Set<number>();
  for (const x of core) for (const e of x.events) coreTemplates.add(e.template);
  // Kept events are sorted: find the window by binary search.
  const evs = t.events;
  let lo = 0;
  let hi = evs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const ts = evs[mid]!.ts;
    if (ts !== null && ts < start - windowMs) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < evs.length; i++) {
    const ev = evs[i]!;
    if (ev.ts === null || ev.ts >= start) break;
    if (LEVEL_RANK[ev.level] < LEVEL_RANK.error || coreTemplates.has(ev.template) || !reportsFailure(ev)) continue;
    // A template that fires so often that it would sit in any window of this size says nothing.
    const rate = perTemplateRate.get(ev.template) ?? 0;
    if (1 - Math.exp(-rate * windowMs) >= 0.5) continue;
    return ev;
  }
  return null;
}

/** An exception, or a failure in words, in a line whose level only the platform's stream label gives. */
const FAILURE_WORDING_RE =
  /Traceback \(most recent call last\)|\b[A-Z]\w*(?:Error|Exception)\b|\b(?:[Ee]rror|ERROR|[Ee]xception|[Ff]ailed|[Ff]ailure|[Rr]efused|[Tt]imed out|[Tt]imeout|[Uu]navailable|[Dd]enied|[Cc]ould not|[Cc]annot|[Uu]nable to|[Cc]rash(?:ed)?|[Kk]illed|[Pp]anic)\b/;

/**
 * Whether an error-level record reports a failure: its level is the program's own (a level word it
 * wrote, PostgreSQL's severity, a file format's level), or the line says so itself. A line whose
 * `error` is only Railway's label for stderr (a Celery or gunicorn INFO line in a format not
 * recognised) must say what failed to lead a burst.
 */
function reportsFailure(ev: TimelineEvent): boolean {
  const streamOnly = ev.stream !== undefined && ev.source === 'app' && levelOfWord(ev.stream) === ev.level && levelCueOf(ev.message) === null;
  if (!streamOnly) return true;
  const lc = classifyLifecycle(ev.message);
  if (lc !== null && (lc.kind === 'failure' || lc.kind === 'exit') && isFailure({ ...lc, ts: 0, service: '', event: ev })) return true;
  return FAILURE_WORDING_RE.test(ev.message);
}

function describe(t: TimelineSummary, b: Burst, rate: number, eps: number, highUserFacing: number, recoveryWindowMs: number, judge: UserFacingJudge): DetectedFinding<ErrorClusterData> {
  const occ = b.occ;
  const real = occ.filter((x) => x.dropped === 0);
  const events = real.flatMap((x) => x.events);
  const dropped = occ.reduce((s, x) => s + x.dropped, 0);
  const start = real[0]!.ts;
  const lastOcc = real[real.length - 1]!;
  const end = lastOcc.events[lastOcc.events.length - 1]!.ts!;
  // Durations are differences of the clock seconds shown (19:12:22 to 19:12:47 is 25 s), as a reader counts them.
  const durationS = clockSeconds(end) - clockSeconds(start);
  const userFacingOcc = real.filter((x) => x.userFacing === 1);
  // One failed request per user-facing occurrence, more when its records name different endpoints.
  let userFacing = 0;
  for (const x of userFacingOcc) {
    const eps = new Set<string>();
    for (const e of x.events) {
      if (!judge.judge(e)) continue;
      const ref = requestOf(e);
      const ep = ref ? endpointOf(ref) : null;
      if (ep !== null) eps.add(ep);
    }
    userFacing += Math.max(1, eps.size);
  }
  // A kept line of a template the timeline thinned stands for `keptEvery` records (it keeps every
  // k-th record of the template, evenly over time, so a window holds about 1/k of them): the counts
  // reported are those estimates. The burst was found, and its significance tested, on kept lines,
  // which only makes the test stricter.
  const { records, keptEvery } = recordsBehind(t, events);
  const estimated = keptEvery > 1;
  const count = records + dropped;
  const byTemplate = new Map<number, number>();
  for (const e of events) byTemplate.set(e.template, (byTemplate.get(e.template) ?? 0) + weightOf(t, e));
  const templates = [...byTemplate.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([id, c]) => ({ template: t.templates[id]?.text ?? String(id), service: t.templates[id]?.service ?? '', count: c }));
  const endpoints = new Map<string, number>();
  const affectedPaths: { method: string; path: string }[] = [];
  for (const x of userFacingOcc) {
    const seen = new Set<string>();
    for (const e of x.events) {
      const ref = requestOf(e);
      const ep = ref ? endpointOf(ref) : null;
      if (ep === null || ref === null || seen.has(ep)) continue;
      seen.add(ep);
      if (!endpoints.has(ep)) affectedPaths.push({ method: ref.method, path: ref.path });
      endpoints.set(ep, (endpoints.get(ep) ?? 0) + 1);
    }
  }
  const endpointList = [...endpoints.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([endpoint, c]) => ({ endpoint, count: c }));
  const services = [...new Set((userFacing > 0 ? userFacingOcc.flatMap((x) => x.events) : events).map((e) => e.service))].sort();
  const next = recoveryOf(t, services, affectedPaths, end);
  // A start between the first error and the next success: the service (or the dependency it waited
  // for, another service of the logs) came back by a restart; an affected service's own start first.
  const starts = next === null ? [] : lifecycleOf(t).starts.filter((s) => s.ts >= start && s.ts <= next.ts);
  const restart = starts.find((s) => services.includes(s.service)) ?? starts[0];
  const how: 'self' | 'restart' | 'unknown' | 'none' =
    next === null ? 'none' : restart !== undefined ? 'restart' : next.ts - end <= recoveryWindowMs ? 'self' : 'unknown';
  const recovery = how === 'self' || how === 'restart' ? next : null;
  const lead = b.lead;
  const leadTpl = lead ? t.templates[lead.template] : undefined;
  const leadSeconds = lead ? clockSeconds(start) - clockSeconds(lead.ts!) : null;
  const firstUser = userFacingOcc[0]?.ts ?? null;
  const severity: FindingSeverity = userFacing >= highUserFacing || count >= 100 || events.some((e) => e.level === 'fatal') ? 'high' : 'medium';
  const day = new Date(start).toISOString().slice(0, 10);
  const epText = endpointList.map((e) => `${e.endpoint} ×${e.count}`).join(', ');
  const baselinePerHour = rate * 3_600_000;
  const dependency = dependencyOf(templates.map((x) => x.template).concat(leadTpl ? [leadTpl.text] : []));
  const about = estimated ? 'about ' : '';
  const title = `Error burst at ${clockOf(start).slice(0, 5)} on ${day}: ${about}${count} errors in ${durationS} s${userFacing > 0 ? ` (${userFacing} user-facing)` : ''}`;
  const leadPhrase = lead ? `"${short(leadTpl?.text ?? lead.message)}" (${lead.service}) at ${clockOf(lead.ts!)}, ${leadSeconds} s before` : null;
  const summary =
    `${estimated ? 'About ' : ''}${count} error records${dropped > 0 ? ` (${dropped} of them dropped by the platform's rate limit)` : ''} in ${real.length} failures between ${clockOf(start)} and ${clockOf(end)} on ${day}` +
    (userFacing > 0 ? `, ${userFacing} of them user-facing${epText ? ` (${epText})` : ''}` : '') +
    `, against a baseline of ${fmtRate(baselinePerHour)} failures per hour` +
    (leadPhrase ? `; led by ${leadPhrase}.` : '; no other error preceded it.') +
    (estimated ? ` Counts are estimates: the timeline kept 1 in up to ${keptEvery} lines of some of these templates (${events.length} lines kept), and each kept line counts for the lines it stands for.` : '');
  const pattern =
    `${userFacing > 0 ? `${userFacing} user-facing failures` : `${real.length} failures`} over ${durationS} seconds: ` +
    templates.slice(0, 6).map((x) => `"${short(x.template)}" ×${x.count}`).join(', ') +
    (templates.length > 6 ? `, and ${templates.length - 6} more templates` : '') +
    (dropped > 0 ? `; plus ${dropped} lines dropped by the rate limit` : '') +
    (leadPhrase ? `. ${leadPhrase.charAt(0).toUpperCase() + leadPhrase.slice(1)} the first failure.` : '.');
  const rootCause =
    (lead
      ? `Hypothesis: ${dependency} became unavailable and ${lead.service === services[0] && leadTpl?.text !== undefined ? `the code behind "${short(leadTpl.text)}"` : `${lead.service}`} hit it first, ${leadSeconds} s before the burst. `
      : `Hypothesis: ${dependency} failed for ${humanDuration(Math.max(end - start, 1000))}. `) +
    `Evidence: ${real.length} failures in ${durationS} s where the baseline rate predicts ${b.mu.toFixed(2)} (Poisson p = ${b.p.toExponential(1)})` +
    (lead ? `; the lead "${short(leadTpl?.text ?? lead.message)}" is a different template${lead.service !== services[0] ? ' in a different service' : ''} and fires rarely otherwise` : '') +
    '.';
  const impact =
    (userFacing > 0 ? `Users saw ${userFacing} failed request${userFacing === 1 ? '' : 's'}${epText ? ` (${epText})` : ''} over ${durationS} s.` : `${real.length} failures in ${durationS} s, none of them recognisably user-facing.`) +
    (how === 'self'
      ? ` The service recovered on its own: the next successful record ("${short(next!.template)}") came ${humanDuration(next!.seconds * 1000)} after the last error, with no restart in between.`
      : how === 'restart'
        ? ` The service served again after a restart (${services.includes(restart!.service) ? '' : `of ${restart!.service}, `}a start at ${clockOf(restart!.ts)}): the next successful record ("${short(next!.template)}") came ${humanDuration(next!.seconds * 1000)} after the last error.`
        : how === 'unknown'
          ? ` The next successful record of the service ("${short(next!.template)}") came only ${humanDuration(next!.seconds * 1000)} after the last error, with no restart logged in between: whether it was down or idle meanwhile, the logs do not say.`
          : ' No successful record of the affected service followed in the logs.');
  const timing =
    (lead ? `Lead ${clockOf(lead.ts!)} ("${short(leadTpl?.text ?? lead.message)}"); ` : '') +
    `first failure ${clockOf(start)}${lead ? ` (+${leadSeconds} s)` : ''}` +
    (firstUser !== null && firstUser !== start ? `, first user-facing ${clockOf(firstUser)}` : '') +
    `, last ${clockOf(end)} (${durationS} s)` +
    (recovery ? `, recovered ${clockOf(recovery.ts)}${how === 'restart' ? ' after a restart' : ''}` : next !== null ? `, next success ${isoSeconds(next.ts)}` : '') +
    `; session gap ε = ${Math.round(eps / 1000)} s.`;
  const recommendation =
    `Look at what ${lead ? `"${short(leadTpl?.text ?? lead.message)}" hit at ${clockOf(lead.ts!)}` : `failed at ${clockOf(start)}`}, likely ${dependency}; ` +
    'log exceptions with their type and traceback (logger.exception) in the failing handlers so the next burst says which failure it is; ' +
    'alert on error bursts rather than single errors; and make the platform health check test the dependency (a readiness endpoint) so traffic is not routed to an instance that cannot reach it.';
  const evidence = evidenceFor(t, lead, events);
  return {
    about: isoSeconds(start),
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
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      durationSeconds: durationS,
      count,
      ...(estimated ? { estimated, keptEvery, keptLines: events.length } : {}),
      failures: real.length,
      userFacing,
      dropped,
      services,
      leadTemplate: leadTpl?.text ?? null,
      leadService: lead?.service ?? null,
      leadTimestamp: lead ? new Date(lead.ts!).toISOString() : null,
      leadSeconds,
      templates,
      endpoints: endpointList,
      // How service came back: on its own, by a restart, not known (next success after the recovery window), none in the logs.
      recovery: how,
      restartedService: restart?.service ?? null,
      recoveredAfterSeconds: recovery?.seconds ?? null,
      recoveredBy: recovery?.template ?? null,
      nextSuccessAfterSeconds: next?.seconds ?? null,
      baselinePerHour: Math.round(baselinePerHour * 1000) / 1000,
      expected: Math.round(b.mu * 1000) / 1000,
      pValue: b.p,
      epsilonSeconds: Math.round(eps / 100) / 10,
    },
  };
}

/** The next record of a non-error template of the affected services after `after` (endpoint match preferred). */
function recoveryOf(t: TimelineSummary, services: string[], paths: { method: string; path: string }[], after: number): { ts: number; seconds: number; template: string } | null {
  let best: { ts: number; tpl: TemplateSummary } | null = null;
  let bestEndpoint: { ts: number; tpl: TemplateSummary } | null = null;
  for (const tpl of t.templates) {
    if (!services.includes(tpl.service) || tpl.source === 'platform' || tpl.source === 'postgres') continue;
    // Warnings count as success here: a slow request that completed is service restored.
    if (tpl.levels.error + tpl.levels.fatal > 0) continue;
    const x = firstAfter(tpl.times, after);
    if (x === null) continue;
    if (best === null || x < best.ts) best = { ts: x, tpl };
    if (paths.some((p) => namesEndpoint(tpl.text, p.method, p.path))) {
      if (bestEndpoint === null || x < bestEndpoint.ts) bestEndpoint = { ts: x, tpl };
    }
  }
  const r = bestEndpoint ?? best;
  return r ? { ts: r.ts, seconds: clockSeconds(r.ts) - clockSeconds(after), template: r.tpl.text } : null;
}

/** Whether a template text names `METHOD /path` as a whole path (`GET /` is not in `GET /health`). */
function namesEndpoint(text: string, method: string, path: string): boolean {
  const needle = `${method} ${path}`;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + 1)) {
    const next = text.charCodeAt(i + needle.length);
    if (Number.isNaN(next) || next === 32 || next === 63 /* ? */ || next === 34 /* " */) return true;
  }
  return false;
}

function firstAfter(times: Float64Array, after: number): number | null {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo < times.length ? times[lo]! : null;
}

/** Lead, then the first failures and the last, as evidence lines. */
function evidenceFor(t: TimelineSummary, lead: TimelineEvent | null, events: TimelineEvent[]) {
  const pick = events.length <= 8 ? events : [...events.slice(0, 6), events[events.length - 1]!];
  return (lead ? [lead, ...pick] : pick).map((e) => evidenceOf(t, e));
}

function dependencyOf(texts: string[]): string {
  const all = texts.join(' ');
  if (/postgres|database|\bdb\b|sql|session error|asyncpg|psycopg|connection pool|pool/i.test(all)) return 'the database or its connection pool';
  if (/redis|cache/i.test(all)) return 'the cache (Redis)';
  if (/timeout|timed out|upstream|connect/i.test(all)) return 'a dependency the requests share (timeouts and connection errors)';
  return 'a dependency the failing code paths share';
}

function clockSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

function short(s: string): string {
  const line = s.split('\n')[0]!.trimEnd();
  return line.length > 80 ? line.slice(0, 80) + '…' : line;
}

function fmtRate(perHour: number): string {
  if (perHour >= 10) return String(Math.round(perHour));
  if (perHour >= 1) return perHour.toFixed(1);
  return perHour.toPrecision(2);
}
