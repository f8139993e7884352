// PostgreSQL "could not receive data from client: Connection reset by peer" (and relatives) lined
// up with the stops of the services that use the database. PostgreSQL logs a reset only when the
// client's socket was torn down (a clean close is not logged), and Railway stops an old deployment
// with SIGTERM then SIGKILL after RAILWAY_DEPLOYMENT_DRAINING_SECONDS (default 0): an app that does
// not close its pool on SIGTERM leaves one reset per pooled connection at every deploy.
//
// Algorithm (detection.md §3): cluster the resets (gap ≤ ε) into bursts; match each burst to the
// nearest client stop with −before ≤ onset − stop ≤ after + draining; recall = stops followed by a
// burst / stops; chance level p0 = min(1, stops·(before + after)/T) and the binomial tail
// P(X ≥ matched | bursts, p0) says whether the alignment could be luck.
import type { Evidence, Finding } from '../model.js';
import type { TimelineEvent, TimelineSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { eventsOfTemplates } from './shared/template-index.js';
import { clockOf, humanDuration, isoSeconds } from '../words.js';
import { evidenceOf } from './shared/evidence.js';
import { LIFECYCLE_INTERESTS, isFailure, lifecycleOf, type ContainerLife, type LifecycleTransition } from './shared/lifecycle.js';
import { int, plural } from '../words.js';

/** A failure line this long before a stop line is the same death. */
const CRASH_BEFORE_STOP_MS = 30_000;

type ResetKind = 'reset' | 'eof' | 'eof-in-transaction' | 'send-failed' | 'client-lost' | 'server-crash';

// PostgreSQL writes these at LOG level (info), so they must be declared as interests.
const RESET_PATTERNS: readonly { kind: ResetKind; re: RegExp }[] = [
  { kind: 'reset', re: /could not receive data from client: (?:Connection reset by peer|An existing connection was forcibly closed)/ },
  { kind: 'eof-in-transaction', re: /unexpected EOF on client connection with an open transaction/ },
  { kind: 'eof', re: /unexpected EOF on client connection/ },
  { kind: 'send-failed', re: /could not send data to client: (?:Broken pipe|Connection reset by peer)/ },
  { kind: 'client-lost', re: /connection to client lost/ },
  { kind: 'server-crash', re: /terminating connection because of crash of another server process/ },
];

interface Reset {
  ts: number;
  kind: ResetKind;
  service: string;
  template: number;
  /** The kept line of this reset, or null when the timeline thinned its template (the time is still known). */
  ev: TimelineEvent | null;
}

interface Burst {
  onset: number;
  end: number;
  resets: Reset[];
  stop: LifecycleTransition | null;
  lagMs: number;
}

/** Upper tail of the binomial distribution, P(X ≥ k), computed in log space. */
export function binomialUpperTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  let logC = 0; // log C(n, 0)
  for (let i = 1; i <= k; i++) logC += Math.log((n - i + 1) / i);
  let sum = 0;
  let lc = logC;
  for (let i = k; i <= n; i++) {
    sum += Math.exp(lc + i * lp + (n - i) * lq);
    lc += Math.log((n - i) / (i + 1));
  }
  return Math.min(1, sum);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** The resets, and the sampling stride behind them (1 = every reset; N = each stands for N, from the timeline's thinning). */
function resetsOf(t: TimelineSummary): { resets: Reset[]; every: number } {
  // The kind is found once per template, on its first line (as the timeline decides what to keep).
  const kindOf: (ResetKind | null)[] = [];
  let any = false;
  for (const tpl of t.templates) {
    const text = tpl.examples[0]?.text;
    const kind = text === undefined ? null : (RESET_PATTERNS.find((p) => p.re.test(text))?.kind ?? null);
    kindOf[tpl.id] = kind;
    if (kind !== null) any = true;
  }
  const out: Reset[] = [];
  if (!any) return { resets: out, every: 1 };
  // A template the timeline thinned (keptEvery > 1) keeps only every k-th line, which would split
  // and shrink the bursts: its resets come from the template's timestamps instead, which hold every
  // reset or, for the busiest templates, a finer sample than the kept lines (timesEvery < keptEvery).
  const fromTimes = new Set<number>();
  for (const tpl of t.templates) {
    if ((kindOf[tpl.id] ?? null) === null || tpl.keptEvery <= 1 || tpl.timesEvery >= tpl.keptEvery) continue;
    fromTimes.add(tpl.id);
  }
  const keptAt = new Map<number, Map<number, TimelineEvent>>();
  for (const ev of eventsOfTemplates(t, (id) => (kindOf[id] ?? null) !== null)) {
    if (ev.ts === null) continue;
    const kind = kindOf[ev.template] ?? null;
    if (kind === null) continue;
    if (fromTimes.has(ev.template)) {
      let m = keptAt.get(ev.template);
      if (m === undefined) keptAt.set(ev.template, (m = new Map()));
      if (!m.has(ev.ts)) m.set(ev.ts, ev);
    } else out.push({ ts: ev.ts, kind, service: ev.service, template: ev.template, ev });
  }
  for (const id of fromTimes) {
    const tpl = t.templates[id]!;
    const kept = keptAt.get(id);
    for (const ts of tpl.times) out.push({ ts, kind: kindOf[id]!, service: tpl.service, template: id, ev: kept?.get(ts) ?? null });
  }
  if (fromTimes.size > 0) out.sort((a, b) => a.ts - b.ts);
  let every = 1;
  for (const tpl of t.templates) if ((kindOf[tpl.id] ?? null) !== null) every = Math.max(every, fromTimes.has(tpl.id) ? tpl.timesEvery : tpl.keptEvery);
  return { resets: out, every };
}

/** The text of a burst's resets: the first kept line's message, else its template's text. */
function resetText(t: TimelineSummary, resets: readonly Reset[]): string {
  const kept = resets.find((r) => r.ev !== null);
  return kept !== undefined ? kept.ev!.message.trim() : (t.templates[resets[0]!.template]?.text ?? '');
}

/** Evidence for the first `n` resets that have a kept line. */
function resetEvidence(t: TimelineSummary, resets: readonly Reset[], n: number): Evidence[] {
  const out: Evidence[] = [];
  for (const r of resets) {
    if (out.length === n) break;
    if (r.ev !== null) out.push(evidenceOf(t, r.ev));
  }
  return out;
}

function kindCounts(resets: readonly Reset[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const r of resets) c[r.kind] = (c[r.kind] ?? 0) + 1;
  return c;
}

/** The `data` of a connection-reset-per-deploy finding (its numbers, for the reports and the JSON). */
export type ConnectionResetPerDeployData = {
  stops: {
    timestamp: string;
    service: string;
    resets: number;
    lagSeconds: number | null;
    crash: boolean;
  }[];
  attributed: number;
  unattributed: number;
  medianLagSeconds: number;
  bursts: number;
  matchedBursts: number;
  precision: number;
  recall: number;
  pValue: number;
  kinds: Record<string, number>;
  crashes: number;
} | {
  resets: number;
  bursts: number;
  firstSeen: string;
  lastSeen: string;
  services: string[];
};

export const connectionResetPerDeploy = defineDetector({
  meta: {
    id: 'connection-reset-per-deploy',
    title: 'Connection resets at every deploy',
    report: {
      count: (f: Finding<ConnectionResetPerDeployData>) => ('attributed' in f.data ? f.data.attributed : undefined),
      summaryLabel: () => 'no graceful shutdown',
      summaryDetail: (fs: Finding<ConnectionResetPerDeployData>[]) => {
        const stops = fs.reduce((a, f) => a + ('stops' in f.data ? f.data.stops.length : 0), 0);
        const resets = fs.reduce((a, f) => a + ('attributed' in f.data ? f.data.attributed : 0), 0);
        return stops > 0 ? `${int(resets)} database connections dropped at ${plural(stops, 'container stop')}` : undefined;
      },
    },
    explanation:
      'PostgreSQL "could not receive data from client: Connection reset by peer" (and unexpected EOF, broken pipe, connection to client lost) ' +
      'lined up with the container stops of the services using the database (a life that ended without a stop line, its server started ' +
      'again in place, counts as a crash at its last line). Bursts that follow stops far more often than chance says ' +
      'the app does not close its connection pool on SIGTERM, so every deploy drops its connections (and any open transaction).',
    defaults: {
      clusterSeconds: 5,
      beforeSeconds: 2,
      afterSeconds: 10,
      drainingSeconds: 0,
      minMatchedStops: 2,
      minRecall: 0.5,
      maxPValue: 0.01,
      minUnattributedBursts: 3,
    },
    optionDocs: {
      clusterSeconds: 'resets closer than this (s) form one burst',
      beforeSeconds: 'a burst may start this many seconds before the stop line (clock skew between services)',
      afterSeconds: 'a burst may start this many seconds after the stop line',
      drainingSeconds: 'RAILWAY_DEPLOYMENT_DRAINING_SECONDS of the app, added to afterSeconds',
      minMatchedStops: 'stops followed by a burst needed for a finding',
      minRecall: 'share of client stops that must be followed by a burst',
      maxPValue: 'largest chance probability (binomial) of the alignment for a finding',
      minUnattributedBursts: 'bursts away from any stop needed for the separate low-severity note (0 = never)',
    },
    interests: [...RESET_PATTERNS.map((p) => p.re), ...LIFECYCLE_INTERESTS],
  },
  detect(t, o): DetectedFinding<ConnectionResetPerDeployData>[] {
    // When even the busiest reset template's timestamps were thinned, counts are of a sample.
    const { resets, every: sampledEvery } = resetsOf(t);
    const sampleNote = sampledEvery > 1 ? ` Counted on a sample, 1 in ${sampledEvery} of the resets (the timeline thinned them): the true counts are larger.` : '';
    if (resets.length === 0) return [];
    const findings: DetectedFinding<ConnectionResetPerDeployData>[] = [];
    // The database's own services are not clients; their stops are another incident.
    const dbServices = new Set(resets.map((r) => r.service));
    const lc = lifecycleOf(t);
    // A life that ended without a word (killed, and its server started again in place) let go of its
    // connections when it died, after its last line: the nearest instant the logs give. It stands as a
    // stop with no line of its own, and a crash (nothing asked it to stop). A boot that crashed is left
    // out: it ends at its own failure line, before it held a pool.
    const silent = new Map<LifecycleTransition, ContainerLife>();
    for (const l of lc.lives) {
      if (l.ended !== 'restarted' || l.lastSeen === undefined || l.start === null) continue;
      silent.set({ kind: 'stop', service: l.service, key: l.start.key, ts: l.lastSeen, end: l.lastSeen, failed: true, container: false, markers: [] }, l);
    }
    const allStops = [...lc.stops, ...silent.keys()].sort((a, b) => a.ts - b.ts);
    const linesOf = (s: LifecycleTransition) => silent.get(s)?.start!.markers ?? s.markers;
    let stops = allStops.filter((s) => !dbServices.has(s.service));
    if (stops.length === 0) {
      // One stream for everything (a dashboard copy): keep the stops that are not PostgreSQL's own.
      stops = allStops.filter((s) => !linesOf(s).some((m) => m.label.startsWith('pg-')));
    }
    // A killed client dies at its failure line ("Killed", "exited with code 137"), which comes before
    // the platform's stop line: that is the instant to match, and the stop is a crash, not a deploy.
    const failures = lc.markers.filter(isFailure);
    const crashOf = new Map<LifecycleTransition, number>();
    for (const s of stops) {
      let first = s.failed ? s.ts : Infinity;
      for (const f of failures) {
        if (f.service === s.service && f.ts <= s.ts && f.ts >= s.ts - CRASH_BEFORE_STOP_MS && (s.key === '' || (f.instance ?? f.deployment ?? '') === s.key)) first = Math.min(first, f.ts);
      }
      if (first !== Infinity) crashOf.set(s, first);
    }
    stops = [...stops].sort((a, b) => (crashOf.get(a) ?? a.ts) - (crashOf.get(b) ?? b.ts));
    const instantOf = (s: LifecycleTransition) => crashOf.get(s) ?? s.ts;
    // A crash of the server terminates every backend; that is not the client letting go.
    const clientResets = resets.filter((r) => r.kind !== 'server-crash');
    const bursts: Burst[] = [];
    for (const r of clientResets) {
      const last = bursts[bursts.length - 1];
      if (last !== undefined && r.ts - last.end <= o.clusterSeconds * 1000) {
        last.resets.push(r);
        last.end = r.ts;
      } else bursts.push({ onset: r.ts, end: r.ts, resets: [r], stop: null, lagMs: NaN });
    }
    const before = o.beforeSeconds * 1000;
    const after = (o.afterSeconds + o.drainingSeconds) * 1000;
    // Nearest stop in the window, by binary search over the stop times.
    const stopTs = stops.map(instantOf);
    for (const b of bursts) {
      let lo = 0;
      let hi = stopTs.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (stopTs[mid]! < b.onset - after) lo = mid + 1;
        else hi = mid;
      }
      let best: LifecycleTransition | null = null;
      let bestLag = Infinity;
      for (let i = lo; i < stops.length && stopTs[i]! <= b.onset + before; i++) {
        const lag = b.onset - stopTs[i]!;
        if (Math.abs(lag) < Math.abs(bestLag)) {
          best = stops[i]!;
          bestLag = lag;
        }
      }
      if (best !== null) {
        b.stop = best;
        b.lagMs = bestLag;
      }
    }
    const matched = bursts.filter((b) => b.stop !== null);
    const unmatched = bursts.filter((b) => b.stop === null);
    const perStop = new Map<LifecycleTransition, number>();
    for (const b of matched) perStop.set(b.stop!, (perStop.get(b.stop!) ?? 0) + b.resets.length);
    const stopsHit = stops.filter((s) => perStop.has(s));
    const attributed = matched.reduce((a, b) => a + b.resets.length, 0);
    const unattributed = clientResets.length - attributed;
    const span = t.window.start !== null && t.window.end !== null ? t.window.end - t.window.start : 0;
    const p0 = span > 0 ? Math.min(1, (stops.length * (before + after)) / span) : 1;
    const pValue = binomialUpperTail(bursts.length, matched.length, p0);
    const recall = stops.length > 0 ? stopsHit.length / stops.length : 0;
    const precision = bursts.length > 0 ? matched.length / bursts.length : 0;
    const serverCrash = resets.length - clientResets.length;

    if (stopsHit.length >= o.minMatchedStops && recall >= o.minRecall && pValue <= o.maxPValue) {
      const lags = matched.map((b) => b.lagMs / 1000);
      const medianLag = median(lags);
      const perStopCounts = stopsHit.map((s) => perStop.get(s)!);
      const minPer = Math.min(...perStopCounts);
      const maxPer = Math.max(...perStopCounts);
      const perText = minPer === maxPer ? `${minPer}` : `${minPer}–${maxPer}`;
      const kinds = kindCounts(matched.flatMap((b) => b.resets));
      const inTransaction = kinds['eof-in-transaction'] ?? 0;
      const clientServices = [...new Set(stopsHit.map((s) => s.service))].sort();
      const every = stopsHit.length === stops.length;
      const stopList = stops.map((s) => clockOf(s.ts).slice(0, 5));
      const stopLabels = [...new Set(stopsHit.flatMap((s) => (silent.has(s) ? ['last line of a life that logged no stop'] : s.markers.map((m) => m.label))))];
      const crashes = stopsHit.filter((s) => crashOf.has(s)).length;
      const mostlyCrashes = crashes * 2 > stopsHit.length;
      const evidence: Evidence[] = [];
      for (const b of matched.slice(0, 3)) {
        const s = b.stop!;
        const died = crashOf.get(s);
        const failure = died !== undefined ? failures.find((f) => f.service === s.service && f.ts === died) : undefined;
        if (failure !== undefined) evidence.push(evidenceOf(t, failure.event));
        // A silent end has no line: the start that followed it shows the restart.
        const line = s.markers[0] ?? silent.get(s)?.next?.markers[0];
        if (line !== undefined) evidence.push(evidenceOf(t, line.event));
        evidence.push(...resetEvidence(t, b.resets, 2));
      }
      evidence.sort((a, b) => ((a.timestamp ?? '') < (b.timestamp ?? '') ? -1 : (a.timestamp ?? '') > (b.timestamp ?? '') ? 1 : 0));
      const title = mostlyCrashes
        ? every
          ? `Connection Drops at Every Crash (${stops.length} stops, ${attributed} resets)`
          : `Connection Drops at ${stopsHit.length} of ${stops.length} Container Stops (${crashes} crashes, ${attributed} resets)`
        : every
          ? `Connection Drops on Every Deploy (${stops.length} stops, ${attributed} resets)`
          : `Connection Drops on ${stopsHit.length} of ${stops.length} Deploys (${attributed} resets)`;
      const crashCause =
        `Hypothesis: ${crashes} of the ${stopsHit.length} stops are kills or crashes (a failure line just before the stop), and a killed process cannot close ` +
        'its pool: the resets are a symptom of the crash, and the fix is the crash itself (see container-churn). For the clean stops, the shutdown handler ' +
        'should still close the pool (`await engine.dispose()` / `pool.end()`). Evidence: ';
      const shutdownCause =
        'Hypothesis: the shutdown handler never closes the database pool (no `await engine.dispose()` / `pool.end()` / `pool.close()`), ' +
        `so when the platform stops the container (SIGTERM, then SIGKILL after RAILWAY_DEPLOYMENT_DRAINING_SECONDS, default 0) the pooled ` +
        'sockets are torn down without a Terminate message and PostgreSQL logs a reset per connection. Evidence: ';
      findings.push({
        about: clientServices.join('+'),
        severity: inTransaction > 0 ? 'high' : 'medium',
        title,
        summary:
          (every ? `Each of the ${stops.length} container stops of ${clientServices.join(', ')} is` : `${stopsHit.length} of ${stops.length} container stops of ${clientServices.join(', ')} ${stopsHit.length === 1 ? 'is' : 'are'}`) +
          ` followed by PostgreSQL connection resets (${perText} per stop, ${attributed} in all, median ${round(medianLag, 1)} s after the stop): ` +
          (mostlyCrashes
            ? `${crashes} of these stops are crashes, which leave every pooled connection open.`
            : 'the app abandons its pooled connections instead of closing them on shutdown.'),
        pattern:
          `${matched.length} burst${matched.length === 1 ? '' : 's'} of "${resetText(t, matched[0]!.resets)}" ` +
          `start${matched.length === 1 ? 's' : ''} between ${round(Math.min(...lags), 1)} s and ${round(Math.max(...lags), 1)} s after a stop ` +
          `(${stopLabels.join(', ')}). ${perText} resets per stop, close to one per pooled connection.${sampleNote}` +
          (unattributed > 0 ? ` ${unattributed} other reset${unattributed === 1 ? '' : 's'} came away from any stop.` : ' No reset came away from a stop.'),
        rootCause:
          (mostlyCrashes ? crashCause : shutdownCause) +
          `${stopsHit.length}/${stops.length} stops followed by a burst (recall ${round(recall)}), ${matched.length}/${bursts.length} bursts at a stop ` +
          `(precision ${round(precision)}); a window of −${o.beforeSeconds}/+${o.afterSeconds + o.drainingSeconds} s around ${stops.length} stops covers ` +
          `${round(p0 * 100, 3)}% of the logs' ${humanDuration(span)}, so this alignment by chance has p = ${pValue.toExponential(1)}.` +
          (inTransaction > 0 ? ` ${inTransaction} of the drops happened inside an open transaction, which PostgreSQL rolled back.` : ''),
        impact:
          `Each ${mostlyCrashes ? 'crash' : 'deploy'} drops the connections mid-use: in-flight queries fail and open transactions are rolled back; the database log fills with ` +
          `noise that hides real network faults. At higher deploy rates or pool sizes this also costs backend slots while PostgreSQL notices the dead peers.` +
          (serverCrash > 0 ? ` (${serverCrash} "terminating connection because of crash of another server process" lines are a database crash, not counted here.)` : ''),
        timing: `Stops at ${stopList.join(', ')} (UTC); resets follow by a median of ${round(medianLag, 1)} s.`,
        recommendation:
          (mostlyCrashes ? 'First stop the crashes (read the failure lines; exit code 137 / SIGKILL is usually the memory limit). Then close the pool' : 'Close the pool') +
          ' in the shutdown path: FastAPI/Starlette lifespan `await engine.dispose()` after cancelling background tasks; ' +
          'asyncpg `await pool.close()`; node-postgres `await pool.end()` on SIGTERM. Give it time with RAILWAY_DEPLOYMENT_DRAINING_SECONDS ' +
          '(e.g. 10–30) and the server\'s graceful timeout (uvicorn --timeout-graceful-shutdown). Keep `pool_pre_ping=True` for connections ' +
          'the database itself drops.',
        evidence,
        data: {
          stops: stops.map((s) => {
            const first = matched.find((b) => b.stop === s);
            return { timestamp: isoSeconds(s.ts), service: s.service, resets: perStop.get(s) ?? 0, lagSeconds: first !== undefined ? round(first.lagMs / 1000, 2) : null, crash: crashOf.has(s) };
          }),
          attributed,
          unattributed,
          medianLagSeconds: round(medianLag, 2),
          bursts: bursts.length,
          matchedBursts: matched.length,
          precision: round(precision, 3),
          recall: round(recall, 3),
          pValue: Number(pValue.toPrecision(3)),
          kinds,
          crashes,
        },
      });
    }

    if (o.minUnattributedBursts > 0 && unmatched.length >= o.minUnattributedBursts) {
      const n = unmatched.reduce((a, b) => a + b.resets.length, 0);
      const services = [...dbServices].sort();
      findings.push({
        about: `unattributed:${services.join('+')}`,
        severity: 'low',
        title: `Connection Resets Away From Deploys (${n} resets in ${unmatched.length} bursts)`,
        summary: `${n} PostgreSQL connection resets came in ${unmatched.length} bursts that no container stop in the logs explains.${sampleNote}`,
        pattern: `Bursts from ${isoSeconds(unmatched[0]!.onset)} to ${isoSeconds(unmatched[unmatched.length - 1]!.onset)}, ${round(median(unmatched.map((b) => b.resets.length)), 1)} resets per burst (median).`,
        rootCause:
          'Hypothesis: clients killed outside a deploy (crash, OOM kill, a stop whose logs are not among the inputs), or a proxy/NAT dropping idle ' +
          `connections. Evidence: no stop line within −${o.beforeSeconds}/+${o.afterSeconds + o.drainingSeconds} s of these bursts` +
          (stops.length === 0 ? ' (the inputs hold no stop lines of client services at all: add the app\'s logs to attribute them).' : '.'),
        impact: 'Queries in flight on those connections failed; the cause is outside what the logs show.',
        timing: `${unmatched.length} bursts over ${humanDuration(unmatched[unmatched.length - 1]!.onset - unmatched[0]!.onset)}.`,
        recommendation: 'Include the client services\' logs to line the resets up with their restarts; check for OOM kills and crashes; enable TCP keepalives and `pool_pre_ping`.',
        evidence: unmatched.slice(0, 3).flatMap((b) => resetEvidence(t, b.resets, 1)),
        data: { resets: n, bursts: unmatched.length, firstSeen: isoSeconds(unmatched[0]!.onset), lastSeen: isoSeconds(unmatched[unmatched.length - 1]!.onset), services },
      });
    }
    return findings;
  },
});
