// PostgreSQL starting with crash recovery: "database system was interrupted; last known up at",
// "database system was not properly shut down; automatic recovery in progress", "redo starts at" /
// "redo done at", "invalid record length at" (the end of the WAL), or a crash-restart of the whole
// cluster ("terminated by signal 9", "all server processes terminated; reinitializing"). Each
// recovery is tied to what ended the server before it (an immediate shutdown, a SIGKILL / OOM, a
// container stop without PostgreSQL's own shut-down lines) and to the clients that failed while
// it was down or recovering.
import type { TimelineEvent, TimelineSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { candidateEvents } from './shared/template-index.js';
import { evidenceOf } from './shared/evidence.js';
import { countBy } from './shared/event-groups.js';
import { clockOf, humanDuration, isoSeconds, plural } from '../words.js';
import { LIFECYCLE_INTERESTS, lifecycleOf } from './shared/lifecycle.js';

const ANCHOR_RE = /database system was not properly shut down; automatic recovery in progress|database system (?:shutdown )?was interrupted(?: while in recovery)?; last known up at|all server processes terminated; reinitializing/;
const mayBeAnchor = (m: string) => ANCHOR_RE.test(m);
const LAST_UP_RE = /last known up at (.+)$/;
const REDO_START_RE = /^redo starts at ([0-9A-F]+\/[0-9A-F]+)/;
const REDO_DONE_RE = /^redo done at ([0-9A-F]+\/[0-9A-F]+)(?:.*elapsed: ([0-9.]+) s)?/;
const INVALID_RECORD_RE = /^invalid record length at ([0-9A-F]+\/[0-9A-F]+)/;
const READY_RE = /database system is ready to accept connections/;
const IMMEDIATE_RE = /received immediate shutdown request/;
const SIGNAL_RE = /\(PID (\d+)\) was terminated by signal (\d+)/;
/** A backend's last words when the postmaster itself died (kill -9, the OOM killer): it logs nothing. */
const POSTMASTER_DIED_RE = /terminating connection due to unexpected postmaster exit/;
const CLEAN_STOP_RE = /database system is shut down|received (?:smart|fast) shutdown request/;
/** What clients see while the server is down or recovering (server side and driver side). */
const CLIENT_FAILURE_RE =
  /the database system is (?:starting up|in recovery mode|not yet accepting connections|shutting down)|terminating connection because of crash of another server process|terminating connection due to unexpected postmaster exit|server closed the connection unexpectedly|Connection refused|could not connect to server|connection to server at .* failed|ConnectionDoesNotExistError|CannotConnectNowError|CrashShutdownError|AdminShutdownError/;
const mayBeClientFailure = (m: string) => CLIENT_FAILURE_RE.test(m);

const INTERESTS = [
  ANCHOR_RE,
  /^redo (?:starts|done) at /,
  /^invalid record length at /,
  READY_RE,
  /received (?:smart|fast|immediate) shutdown request/,
  /database system is shut down/,
  SIGNAL_RE,
  POSTMASTER_DIED_RE,
];

interface Episode {
  service: string;
  anchor: TimelineEvent;
  lines: TimelineEvent[];
  lastKnownUp: string | null;
  redoStart: string | null;
  redoDone: string | null;
  redoSeconds: number | null;
  endOfWal: string | null;
  ready: TimelineEvent | null;
  cause: 'immediate-shutdown' | 'killed-by-signal' | 'postmaster-died' | 'container-stop' | 'ended-silently' | 'unknown';
  causeEvent: TimelineEvent | null;
  /** When the cause happened: its line, or the last line of a server that ended without any. */
  causeTs: number | null;
  downSince: number | null;
  /** The previous "ready to accept connections" of the service, when in the lookback. */
  prevReady: number | null;
  failed: TimelineEvent[];
}

/** The `data` of a postgres-crash-recovery finding (its numbers, for the reports and the JSON). */
export type PostgresCrashRecoveryData = {
  service: string;
  recoveries: number;
  causes: Record<string, number>;
  failedClients: number;
  episodes: {
    start: string;
    ready: string | null;
    recoverySeconds: number | null;
    downSince: string | null;
    downtimeSeconds: number | null;
    lastKnownUp: string | null;
    redoStart: string | null;
    redoDone: string | null;
    redoSeconds: number | null;
    endOfWal: string | null;
    cause: 'unknown' | 'immediate-shutdown' | 'killed-by-signal' | 'postmaster-died' | 'container-stop' | 'ended-silently';
    causeAt: string | null;
    failedClients: number;
    failedByService: Record<string, number>;
  }[];
};

export const postgresCrashRecovery = defineDetector({
  meta: {
    id: 'postgres-crash-recovery',
    title: 'PostgreSQL crash recovery after an unclean stop',
    report: { summaryLabel: () => 'database crash recovery' },
    explanation:
      'PostgreSQL starting with WAL crash recovery ("database system was not properly shut down; automatic recovery in progress", ' +
      '"was interrupted", "redo starts/done", "invalid record length") or restarting all its processes after one was killed (signal 9, ' +
      'often the OOM killer), tied to the stop or kill before it and to the client connections that failed meanwhile.',
    defaults: { lookbackMinutes: 60, recoveryMinutes: 30, downWindowMinutes: 10 },
    optionDocs: {
      lookbackMinutes: 'how far before a recovery to look for what stopped the server (min)',
      recoveryMinutes: 'a recovery that logs no "ready to accept connections" within this many minutes is reported as unfinished',
      downWindowMinutes: 'when nothing names the stop, client failures this long (min) before the recovery date the outage',
    },
    interests: [...INTERESTS, ...LIFECYCLE_INTERESTS],
  },
  detect(t: TimelineSummary, o): DetectedFinding<PostgresCrashRecoveryData>[] {
    const lookback = o.lookbackMinutes * 60_000;
    const recoveryMs = o.recoveryMinutes * 60_000;
    // Without a recovery line there is no episode: skip the PostgreSQL records altogether.
    if (!candidateEvents(t, mayBeAnchor).some((e) => e.source === 'postgres' && e.ts !== null && ANCHOR_RE.test(e.message))) return [];
    const pgEvents = new Map<string, TimelineEvent[]>();
    for (const ev of t.events) {
      if (ev.ts === null || ev.source !== 'postgres') continue;
      let l = pgEvents.get(ev.service);
      if (l === undefined) pgEvents.set(ev.service, (l = []));
      l.push(ev);
    }
    const lc = lifecycleOf(t);
    const findings: DetectedFinding<PostgresCrashRecoveryData>[] = [];
    for (const [service, evs] of [...pgEvents].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const episodes: Episode[] = [];
      let cur: Episode | null = null;
      for (let i = 0; i < evs.length; i++) {
        const ev = evs[i]!;
        const msg = ev.message;
        if (cur !== null && (cur.ready !== null || ev.ts! - cur.anchor.ts! > recoveryMs)) cur = null;
        if (ANCHOR_RE.test(msg)) {
          if (cur === null) {
            cur = openEpisode(service, ev, evs, i, lc, lookback);
            episodes.push(cur);
          } else cur.lines.push(ev);
          const up = LAST_UP_RE.exec(msg);
          if (up) cur.lastKnownUp = up[1]!.trim();
          continue;
        }
        if (cur === null) continue;
        let m: RegExpExecArray | null;
        if ((m = REDO_START_RE.exec(msg))) {
          cur.redoStart = m[1]!;
          cur.lines.push(ev);
        } else if ((m = REDO_DONE_RE.exec(msg))) {
          cur.redoDone = m[1]!;
          if (m[2] !== undefined) cur.redoSeconds = Number(m[2]);
          cur.lines.push(ev);
        } else if ((m = INVALID_RECORD_RE.exec(msg))) {
          cur.endOfWal = m[1]!;
          cur.lines.push(ev);
        } else if (READY_RE.test(msg)) {
          cur.ready = ev;
          cur.lines.push(ev);
        }
      }
      if (episodes.length === 0) continue;
      // Clients that failed between the stop (or the last line before recovery) and "ready".
      for (const ep of episodes) {
        if (ep.downSince === null) {
          // Nothing says what stopped it: the database was down from the first client failure since it was last ready.
          const lower = Math.max(ep.prevReady ?? -Infinity, ep.anchor.ts! - o.downWindowMinutes * 60_000);
          const firstFailure = candidateEvents(t, mayBeClientFailure).find((e) => e.ts !== null && e.ts >= lower && e.ts <= ep.anchor.ts! && CLIENT_FAILURE_RE.test(e.message));
          ep.downSince = firstFailure?.ts ?? null;
        }
        const from = ep.downSince ?? ep.anchor.ts!;
        const to = ep.ready?.ts ?? ep.anchor.ts! + recoveryMs;
        for (const ev of candidateEvents(t, mayBeClientFailure)) {
          if (ev.ts === null || ev.ts < from || ev.ts > to) continue;
          if (CLIENT_FAILURE_RE.test(ev.message)) ep.failed.push(ev);
        }
      }
      const n = episodes.length;
      const killed = episodes.filter((e) => e.cause === 'killed-by-signal').length;
      const failed = episodes.reduce((s, e) => s + e.failed.length, 0);
      const causes = countBy(episodes, (e) => e.cause);
      const first = episodes[0]!;
      const evidence = [];
      for (const ep of episodes.slice(0, 3)) {
        if (ep.causeEvent) evidence.push(evidenceOf(t, ep.causeEvent));
        for (const l of [ep.anchor, ...ep.lines].slice(0, 4)) evidence.push(evidenceOf(t, l));
        if (ep.failed[0]) evidence.push(evidenceOf(t, ep.failed[0]));
      }
      const describe = (ep: Episode) => {
        const parts = [`${clockOf(ep.anchor.ts!)} recovery`];
        if (ep.causeTs !== null) parts.push(`after ${causeText(ep)} at ${clockOf(ep.causeTs)}`);
        if (ep.ready) parts.push(`ready at ${clockOf(ep.ready.ts!)} (${humanDuration(ep.ready.ts! - ep.anchor.ts!)})`);
        else parts.push('no "ready to accept connections" line followed');
        if (ep.failed.length > 0) parts.push(`${plural(ep.failed.length, 'failed client connection')} meanwhile`);
        return parts.join(', ');
      };
      findings.push({
        about: service,
        severity: n >= 2 || killed > 0 ? 'critical' : 'high',
        title: `PostgreSQL Crash Recovery on ${service} (${plural(n, 'time', 'times')})`,
        summary:
          `${service} started with crash recovery ${plural(n, 'time', 'times')}` +
          (causes['immediate-shutdown'] ? `, ${causes['immediate-shutdown']} after an immediate shutdown` : '') +
          (killed ? `, ${killed} after a process was killed by a signal` : '') +
          (causes['postmaster-died'] ? `, ${causes['postmaster-died']} after the postmaster died without a shutdown` : '') +
          (causes['container-stop'] ? `, ${causes['container-stop']} after a container stop without a clean PostgreSQL shutdown` : '') +
          (causes['ended-silently'] ? `, ${causes['ended-silently']} after a server that logged no shutdown at all` : '') +
          (failed > 0 ? `; ${plural(failed, 'client connection')} failed while it was down or recovering` : '') +
          '.',
        pattern: episodes.map(describe).join('; ') + '.',
        rootCause:
          'PostgreSQL was stopped without its shutdown checkpoint: ' +
          (killed > 0 ? 'a backend was killed by a signal (signal 9 is the kernel OOM killer or a hard kill), which makes the postmaster restart every process; ' : '') +
          (causes['postmaster-died']
            ? 'the postmaster itself died without a word (kill -9 or the OOM killer: its backends logged "terminating connection due to unexpected postmaster exit"), and was started again; '
            : '') +
          (causes['immediate-shutdown'] ? 'an immediate shutdown (pg_ctl -m immediate, or SIGQUIT) skips the checkpoint on purpose; ' : '') +
          (causes['container-stop'] || causes['ended-silently'] || causes.unknown
            ? 'the container was stopped or killed before PostgreSQL finished a fast shutdown (SIGKILL after the grace period, or a PID 1 that does not forward SIGTERM/SIGINT); '
            : '') +
          'on the next start it replays the WAL from the last checkpoint (redo) up to the end of the valid WAL ("invalid record length" marks that end and is normal in crash recovery).',
        impact:
          'The database was unavailable from the stop until "ready to accept connections"; transactions in flight were lost (committed ones are safe), ' +
          'clients got connection errors, and repeated hard stops risk corruption on storage that does not honour fsync.',
        timing:
          `First recovery at ${isoSeconds(first.anchor.ts!)}` +
          (first.ready ? `, ready ${humanDuration(first.ready.ts! - first.anchor.ts!)} later` : '') +
          (first.redoSeconds !== null ? ` (redo took ${first.redoSeconds} s)` : '') +
          '.',
        recommendation:
          'Stop PostgreSQL with SIGINT (fast shutdown) and give it time: STOPSIGNAL SIGINT and an init such as tini as PID 1 in the image, a ' +
          'longer stop grace period, and no restart loop of the services around it; if signal 9 appears, raise the memory limit or lower ' +
          'shared_buffers/work_mem; make clients retry connections with backoff while the database recovers.',
        evidence,
        data: {
          service,
          recoveries: n,
          causes,
          failedClients: failed,
          episodes: episodes.map((ep) => ({
            start: isoSeconds(ep.anchor.ts!),
            ready: ep.ready ? isoSeconds(ep.ready.ts!) : null,
            recoverySeconds: ep.ready ? (ep.ready.ts! - ep.anchor.ts!) / 1000 : null,
            downSince: ep.downSince !== null ? isoSeconds(ep.downSince) : null,
            downtimeSeconds: ep.downSince !== null && ep.ready ? (ep.ready.ts! - ep.downSince) / 1000 : null,
            lastKnownUp: ep.lastKnownUp,
            redoStart: ep.redoStart,
            redoDone: ep.redoDone,
            redoSeconds: ep.redoSeconds,
            endOfWal: ep.endOfWal,
            cause: ep.cause,
            causeAt: ep.causeTs !== null ? isoSeconds(ep.causeTs) : null,
            failedClients: ep.failed.length,
            failedByService: countBy(ep.failed, (e) => e.service),
          })),
        },
      });
    }
    return findings;
  },
});

function causeText(ep: Episode): string {
  switch (ep.cause) {
    case 'immediate-shutdown':
      return 'an immediate shutdown request';
    case 'killed-by-signal':
      return 'a process killed by a signal';
    case 'postmaster-died':
      return 'the postmaster\'s death';
    case 'container-stop':
      return 'a container stop';
    case 'ended-silently':
      return 'the previous server\'s last line (it logged no shutdown)';
    default:
      return 'the last line';
  }
}

function openEpisode(
  service: string,
  anchor: TimelineEvent,
  evs: readonly TimelineEvent[],
  i: number,
  lc: ReturnType<typeof lifecycleOf>,
  lookback: number,
): Episode {
  const ep: Episode = {
    service, anchor, lines: [], lastKnownUp: null, redoStart: null, redoDone: null, redoSeconds: null, endOfWal: null, ready: null,
    cause: 'unknown', causeEvent: null, causeTs: null, downSince: null, prevReady: null, failed: [],
  };
  const t0 = anchor.ts!;
  // What ended the previous run: the closest kill or immediate shutdown of this service before the recovery.
  for (let j = i - 1; j >= 0; j--) {
    const ev = evs[j]!;
    if (t0 - ev.ts! > lookback) break;
    if (CLEAN_STOP_RE.test(ev.message) && !/database system is shut down/.test(ev.message)) break;
    if (IMMEDIATE_RE.test(ev.message)) {
      ep.cause = 'immediate-shutdown';
      ep.causeEvent = ev;
      break;
    }
    const sig = SIGNAL_RE.exec(ev.message);
    if (sig) {
      ep.cause = 'killed-by-signal';
      ep.causeEvent = ev;
      break;
    }
    // Each connected backend logs it, at once: the earliest of them (back to the last ready line) is when the postmaster died.
    if (POSTMASTER_DIED_RE.test(ev.message)) {
      ep.cause = 'postmaster-died';
      ep.causeEvent = ev;
    }
    if (READY_RE.test(ev.message)) {
      ep.prevReady = ev.ts;
      break;
    }
  }
  if (ep.cause === 'unknown' && /all server processes terminated; reinitializing/.test(anchor.message)) {
    const sig = evs.slice(Math.max(0, i - 20), i).reverse().find((e) => SIGNAL_RE.test(e.message));
    if (sig) {
      ep.cause = 'killed-by-signal';
      ep.causeEvent = sig;
    }
  }
  if (ep.cause === 'unknown') {
    const stop = [...lc.stops].reverse().find((s) => s.service === service && s.ts <= t0 && t0 - s.ts <= lookback);
    if (stop) {
      ep.cause = 'container-stop';
      ep.causeEvent = stop.markers[0]!.event;
    }
  }
  ep.causeTs = ep.causeEvent?.ts ?? null;
  if (ep.cause === 'unknown') {
    // The server before this start logged nothing of its end (a kill -9 with no session open): it was
    // last seen at its last line, and this start took its place.
    // The latest such life: an earlier one was taken over by an earlier start.
    let gone: (typeof lc.lives)[number] | undefined;
    for (const l of lc.lives) {
      if (l.service === service && l.ended === 'restarted' && l.next !== undefined && l.next.ts <= t0 && t0 - l.next.ts <= lookback && l.next.ts > (gone?.next!.ts ?? -Infinity)) gone = l;
    }
    if (gone !== undefined) {
      ep.cause = 'ended-silently';
      ep.causeTs = gone.lastSeen ?? null;
    }
  }
  // A server's last line is not when it went down (it may have been quiet): its clients' failures date that.
  ep.downSince = ep.cause === 'ended-silently' ? null : ep.causeTs;
  return ep;
}
