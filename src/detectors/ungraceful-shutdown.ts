// Stops that did not go through the app's own shutdown: a container stop with no "Shutting down" /
// "Finished server process" (uvicorn), "Handling signal: term" (gunicorn), "SIGTERM received"
// (Node), "received fast shutdown request" (PostgreSQL) around it; a SIGKILL after SIGTERM; exit
// 137; PostgreSQL's immediate shutdown; a server that died without a shutdown (PostgreSQL's backends
// logging the postmaster's unexpected exit, after a kill -9); and a life that logged no stop at all
// before the same server started again, when that end is known to be ungraceful: the next start
// reported a crash, or the program announces every clean stop of its own (its convention's
// `shutdown` in src/ingest/log-conventions.ts: Redis, uvicorn, gunicorn, puma, a Celery
// worker, nginx at notice) and announced none.
// A program that stops without a word (a plain Node server) ended unknown: no finding; its silent
// container stops make at most a low finding (a SIGTERM handler may close it quietly: NestJS and
// Next.js do), where a program that logs every clean stop makes them medium. Without a
// graceful stop, in-flight requests are cut, pooled connections are reset, and a database is left
// for crash recovery.
import type { TimelineEvent, TimelineSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { candidateEvents } from './shared/template-index.js';
import { evidenceOf } from './shared/evidence.js';
import { distinct } from './shared/event-groups.js';
import { matchVocabulary } from '../ingest/error-vocabulary.js';
import { clockOf, isoSeconds, plural } from '../words.js';
import { announcesShutdown, LIFECYCLE_INTERESTS, lifecycleOf, type ContainerLife, type LifecycleTransition } from './shared/lifecycle.js';

/** Shutdown lines of apps the lifecycle rules do not know (Node, generic). */
const APP_SHUTDOWN_RE =
  /\b(?:[Rr]eceived|[Gg]ot|[Cc]aught|[Hh]andling) (?:signal )?SIGTERM\b|\bSIGTERM (?:received|signal received|caught)|[Gg]raceful(?:ly)? shut(?:ting)? ?down|[Ss]hutdown complete|[Cc]losing (?:the )?(?:database|db|connection|pool|server)|[Dd]isposing (?:the )?(?:engine|pool)/;
const KILL_RE = /\bSIGKILL\b|exit(?:ed)? (?:with )?(?:code|status) 137\b|[Kk]illed by signal 9\b|OOMKilled/;
/** Picks the templates to test; the exit code and signal may be a template's variables. */
const EXITS: ['process-exit'] = ['process-exit'];
const mayBeShutdownOrKill = (m: string) => APP_SHUTDOWN_RE.test(m) || KILL_RE.test(m);

interface StopCheck {
  /** When it stopped: the stop's first line, or the last line of a life that logged no stop. */
  at: number;
  /** The stop's lines; none for a life that logged no stop. */
  stop: LifecycleTransition | null;
  life: ContainerLife;
  graceful: boolean;
  killed: boolean;
  immediate: boolean;
  /** A failure line ended it (PostgreSQL's backends reporting the postmaster's death, a crash) or the next start reported its crash. */
  crashed: boolean;
  gracefulLines: number;
}

/** The `data` of an ungraceful-shutdown finding (its numbers, for the reports and the JSON). */
export type UngracefulShutdownData = {
  service: string;
  stops: number;
  graceful: number;
  ungraceful: number;
  silent: number;
  killed: number;
  crashed: number;
  unlogged: number;
  unloggedCrashed: number;
  /** Unlogged ends of a program that announces every clean stop (its convention's `shutdown`), so it was killed or crashed. */
  unannounced: number;
  /**
   * Of the silent stops, those of a program not known to log its clean stop (a Node server, most
   * workers): they may have been graceful, so they alone make a low finding, not a medium one.
   */
  silentUnsure: number;
  sigkillAfterSigterm: number;
  immediate: number;
  ungracefulStops: {
    at: string;
    killed: boolean;
    immediate: boolean;
    crashed: boolean;
    exitCode: number | null;
    pid: number | null;
  }[];
  services: string[];
};

export const ungracefulShutdown = defineDetector({
  meta: {
    id: 'ungraceful-shutdown',
    title: 'Stops without a graceful shutdown',
    report: { summaryLabel: () => 'ungraceful shutdowns' },
    explanation:
      'Container stops not accompanied by the app\'s own shutdown lines (uvicorn "Shutting down"/"Finished server process", gunicorn ' +
      '"Handling signal: term", Node "SIGTERM received", PostgreSQL "received fast shutdown request"), SIGKILL after SIGTERM, exit 137 and ' +
      'PostgreSQL immediate shutdowns, and lives that logged no stop before the server started again when the next start reported a crash or the ' +
      'program announces every clean stop (Redis, uvicorn, gunicorn, puma, a Celery worker, nginx at notice: `hindsight conventions`) and announced none: in-flight work cut and ' +
      'connections reset at every stop. A silent end of a program that never announces its stop (a plain Node server) is unknown, not reported.',
    defaults: { minUngraceful: 1, beforeSeconds: 5, afterSeconds: 30 },
    optionDocs: {
      minUngraceful: 'ungraceful stops of one service needed for a finding',
      beforeSeconds: 'shutdown lines up to this long (s) before the stop line count for it',
      afterSeconds: 'shutdown lines up to this long (s) after the stop line count for it',
    },
    interests: [...LIFECYCLE_INTERESTS, APP_SHUTDOWN_RE, KILL_RE],
  },
  detect(t: TimelineSummary, o): DetectedFinding<UngracefulShutdownData>[] {
    const lc = lifecycleOf(t);
    const extra = new Map<string, TimelineEvent[]>();
    const kills = new Map<string, TimelineEvent[]>();
    for (const ev of candidateEvents(t, mayBeShutdownOrKill)) {
      if (ev.ts === null) continue;
      if (APP_SHUTDOWN_RE.test(ev.message)) (extra.get(ev.service) ?? extra.set(ev.service, []).get(ev.service)!).push(ev);
      // A worker its supervisor killed and replaced (a php-fpm child, a gunicorn worker, a Celery pool
      // process) is no kill of the container, however near its stop.
      if (KILL_RE.test(ev.message) && matchVocabulary(ev.message, EXITS)?.entry.child !== true) (kills.get(ev.service) ?? kills.set(ev.service, []).get(ev.service)!).push(ev);
    }
    // A line that is another stop's own lifecycle line (the previous container's "Application shutdown
    // complete" a second before this one was killed) does not count for this stop.
    const ownerOf = new Map<TimelineEvent, LifecycleTransition>();
    for (const st of lc.stops) for (const m of st.markers) ownerOf.set(m.event, st);
    const near = (list: TimelineEvent[] | undefined, s: LifecycleTransition) =>
      (list ?? []).filter((e) => e.ts! >= s.ts - o.beforeSeconds * 1000 && e.ts! <= s.end + o.afterSeconds * 1000 && (ownerOf.get(e) ?? s) === s);
    const byService = new Map<string, StopCheck[]>();
    const push = (c: StopCheck) => (byService.get(c.life.service) ?? byService.set(c.life.service, []).get(c.life.service)!).push(c);
    for (const life of lc.lives) {
      if (life.ended === 'restarted') {
        // Nothing logged its end before the server started again: a crash when the next start says
        // so, an ungraceful end when the program announces every clean stop; unknown otherwise
        // (a plain Node server stops without a word, so its kill and its redeploy look the same).
        if (life.endKnown === 'unknown') continue;
        const crashed = life.endKnown === 'crash';
        // A life that started before the logs and wrote nothing in them ended before its next start.
        push({ at: life.lastSeen ?? life.next!.ts, stop: null, life, graceful: false, killed: false, immediate: false, crashed, gracefulLines: 0 });
        continue;
      }
      const s = life.stop;
      if (s === null) continue;
      const platform = s.markers.some((m) => m.scope === 'container' || m.kind === 'exit' || m.kind === 'failure');
      const immediate = s.markers.some((m) => m.label === 'pg-shutdown-request' && m.signal === 'immediate');
      // PostgreSQL's own shutdown request is a stop of the server (graceful unless immediate); other
      // process-level lines without a container stop are restarts inside a running container.
      const pgStop = s.markers.some((m) => m.label === 'pg-shutdown-request');
      if (!platform && !pgStop) continue;
      const processLines = s.markers.filter((m) => m.scope === 'process' && m.kind === 'stop' && !(m.label === 'pg-shutdown-request' && m.signal === 'immediate'));
      const appLines = near(extra.get(s.service), s);
      const killed = s.markers.some((m) => m.exitCode === 137 || m.signal === 'SIGKILL' || m.signal === '9') || near(kills.get(s.service), s).length > 0;
      const gracefulLines = processLines.length + appLines.length;
      const crashed = s.markers.some((m) => m.kind === 'failure' && m.scope !== 'worker');
      push({ at: s.ts, stop: s, life, graceful: gracefulLines > 0 && !killed && !immediate && !crashed, killed, immediate, crashed, gracefulLines });
    }
    // The program each service runs, from any of its lifecycle lines: a life whose start fell outside
    // the window (railway logs prints the last 500 lines) is still known to be uvicorn's.
    const programOf = new Map<string, string>();
    for (const tr of lc.transitions) if (tr.program !== undefined && !programOf.has(tr.service)) programOf.set(tr.service, tr.program);
    const findings: DetectedFinding<UngracefulShutdownData>[] = [];
    for (const [service, checks] of [...byService].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      checks.sort((x, y) => x.at - y.at);
      const bad = checks.filter((c) => !c.graceful);
      if (bad.length < o.minUngraceful) continue;
      const killed = bad.filter((c) => c.killed).length;
      const termThenKill = bad.filter((c) => c.killed && c.gracefulLines > 0).length;
      // Each stop counted once: a life that logged nothing of its end is `unlogged` (crashed or not).
      const unlogged = bad.filter((c) => c.stop === null).length;
      const unloggedCrashed = bad.filter((c) => c.stop === null && c.crashed).length;
      // Of them, lives of a program that logs every clean stop of its own (Redis, uvicorn, gunicorn, puma) and logged none.
      const unannounced = bad.filter((c) => c.stop === null && c.life.endKnown === 'ungraceful');
      const crashed = bad.filter((c) => c.crashed && !c.killed && c.stop !== null).length;
      const silentChecks = bad.filter((c) => c.gracefulLines === 0 && !c.killed && !c.immediate && !c.crashed && c.stop !== null);
      const silent = silentChecks.length;
      const silentUnsure = silentChecks.filter((c) => !announcesShutdown(c.life.start?.program ?? programOf.get(service))).length;
      const immediate = bad.filter((c) => c.immediate).length;
      // The stop's lines, or for a life that logged no stop its start and the start that replaced it
      // (its first line and the one that reports the crash, past a platform line or a listening address).
      const evidence = [
        ...new Set(
          bad
            .slice(0, 5)
            .flatMap((c) =>
              c.stop !== null
                ? c.stop.markers.slice(0, 2)
                : [...(c.life.start?.markers.slice(0, 1) ?? []), ...(c.life.next?.markers.filter((m, i) => i === 0 || m.previous === true).slice(0, 2) ?? [])],
            ),
        ),
      ].map((m) => evidenceOf(t, m.event));
      findings.push({
        about: service,
        severity: killed > 0 || immediate > 0 || crashed + unlogged > 0 ? 'high' : silentUnsure === bad.length ? 'low' : 'medium',
        title: `Ungraceful Stops of ${service} (${bad.length} of ${plural(checks.length, 'stop')})`,
        summary:
          `${bad.length} of ${service}'s ${plural(checks.length, 'stop')} ended without a graceful shutdown` +
          (silent > 0 ? `: ${silent} with no shutdown line at all` : '') +
          (silentUnsure > 0 ? ` (${silentUnsure === silent ? '' : `${silentUnsure} of them `}from a program that need not log a clean stop: maybe graceful)` : '') +
          (unlogged > 0
            ? `${silent > 0 ? ',' : ':'} ${unlogged} logged nothing before the server started again` +
              (unloggedCrashed > 0 ? ` (${unloggedCrashed === unlogged ? (unlogged === 1 ? 'its' : 'their') : `${unloggedCrashed} of them:`} next start reported a crash)` : '') +
              (unannounced.length > 0
                ? ` (${unannounced.length === unlogged ? '' : `${unannounced.length} of them: `}${distinct(unannounced.map((c) => c.life.start!.program!)).join(', ')} logs every clean stop of its own, and logged none)`
                : '')
            : '') +
          (crashed > 0 ? `, ${crashed} crashed (${crashedHow(bad.filter((c) => c.stop !== null))})` : '') +
          (killed > 0 ? `, ${killed} killed (SIGKILL / exit 137)` : '') +
          (termThenKill > 0 ? `, ${termThenKill} of them after starting to shut down (SIGKILL after SIGTERM)` : '') +
          (immediate > 0 ? `, ${plural(immediate, 'PostgreSQL immediate shutdown')}` : '') +
          '.',
        pattern: `Ungraceful stops at ${bad.map((c) => clockOf(c.at)).join(', ')}; graceful ones: ${checks.length - bad.length}.`,
        rootCause:
          crashed + unlogged > 0 && silent === 0 && killed === 0
            ? 'The server died without a shutdown: killed outright (kill -9, the kernel\'s OOM killer) or crashed, so no shutdown ran; the platform or a supervisor started it again.'
            : silent > 0
            ? 'The process never logged its shutdown: it did not receive SIGTERM (a shell as PID 1 that does not forward signals) or had no handler, and was killed when the grace period ran out.'
            : 'The shutdown started but did not finish before SIGKILL: the grace period (RAILWAY_DEPLOYMENT_DRAINING_SECONDS, default 0) is shorter than the time to drain requests and close pools.',
        impact: 'In-flight requests were cut, pooled database connections reset (PostgreSQL logs "Connection reset by peer"), and a database stopped this way recovers its WAL at the next start.',
        recommendation:
          'Run the app with exec (or tini) as PID 1 so SIGTERM reaches it; handle SIGTERM by closing the server and disposing the database pool; ' +
          'set RAILWAY_DEPLOYMENT_DRAINING_SECONDS to cover the drain; stop PostgreSQL with SIGINT (fast shutdown), never immediate.',
        evidence,
        data: {
          service,
          stops: checks.length,
          graceful: checks.length - bad.length,
          ungraceful: bad.length,
          silent,
          killed,
          crashed,
          unlogged,
          unloggedCrashed,
          unannounced: unannounced.length,
          silentUnsure,
          sigkillAfterSigterm: termThenKill,
          immediate,
          ungracefulStops: bad.map((c) => ({
            at: isoSeconds(c.at),
            killed: c.killed,
            immediate: c.immediate,
            crashed: c.crashed,
            exitCode: c.stop?.exitCode ?? null,
            // The server's pid as its start named it (PostgreSQL's postmaster, uvicorn's process).
            pid: c.life.start?.pid ?? null,
          })),
          services: distinct([service]),
        },
      });
    }
    return findings;
  },
});

/** What the failure lines of crashed stops say, in words. */
function crashedHow(stops: readonly StopCheck[]): string {
  const died = stops.some((c) => c.stop?.markers.some((m) => m.label === 'pg-postmaster-died'));
  return died ? 'PostgreSQL\'s backends logged the postmaster\'s unexpected exit' : 'a failure line';
}
