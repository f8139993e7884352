// A service starting again and again in a short window: a crash loop, a failing health check that
// makes the platform kill and restart the container (review 001: "Railway would timeout and kill
// the container ... cycle repeats"), or a watchdog restarting a hung process (review 004). Starts
// come from the shared lifecycle (platform, app server and PostgreSQL start lines); health-check
// failures ("Attempt #N failed with service unavailable") and exit codes (137 = SIGKILL) explain them.
import type { TimelineEvent, TimelineSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { candidateEvents } from './shared/template-index.js';
import { evidenceOf } from './shared/evidence.js';
import { densestWindow, distinct } from './shared/event-groups.js';
import { clockOf, humanDuration, isoSeconds, plural } from '../words.js';
import { deployStarts, LIFECYCLE_INTERESTS, lifecycleOf, replacements, startsAfterCleanStop, type LifecycleTransition } from './shared/lifecycle.js';

const HEALTHCHECK_RE = /Attempt #(\d+) failed with (?:service unavailable|status \d+|.+)|[Hh]ealth ?check (?:failed|failure|timed out)/;
const mayBeHealthCheck = (m: string) => HEALTHCHECK_RE.test(m);

/** The `data` of a restart-loop finding (its numbers, for the reports and the JSON). */
export type RestartLoopData = {
  service: string;
  starts: number;
  startsTotal: number;
  windowStart: string;
  windowEnd: string;
  intervalsSeconds: number[];
  backoff: boolean;
  medianLifetimeSeconds: number | null;
  state: 'unknown' | 'served-by-older-container' | 'down' | 'up-between-restarts';
  servedBy: {
    start: string | null;
    stop: string | null;
  } | null;
  failedTransitions: number;
  killed: number;
  exitCodes: Record<string, number>;
  healthcheckFailures: number;
  healthcheckAttemptsFailed: number;
  services: string[];
};

export const restartLoop = defineDetector({
  meta: {
    id: 'restart-loop',
    title: 'Restart loops',
    report: { summaryLabel: () => 'a restart loop' },
    explanation:
      'The same service starting again and again within a short window (container, app server or PostgreSQL start lines; a container ' +
      'started while the one it replaced still ran, then stopped cleanly, is a redeploy and not counted, and so is the first start of a deployment that Railway\'s record (deployments.json of pull railway) says was created before it, and a start after a stop the program logged as its own clean shutdown, with no failed health check meanwhile: a deploy or a manual restart), with the ' +
      'health-check failures ("Attempt #N failed with service unavailable"), exit codes (137 = killed) and crashes around the starts. ' +
      'Growing gaps between starts are the platform\'s back-off.',
    defaults: { minStarts: 3, windowMinutes: 10 },
    optionDocs: {
      minStarts: 'starts of one service within windowMinutes that make a loop',
      windowMinutes: 'length of the window (min) the starts must fall in; starts up to half of it apart continue the same loop',
    },
    interests: [...LIFECYCLE_INTERESTS, HEALTHCHECK_RE],
  },
  detect(t: TimelineSummary, o): DetectedFinding<RestartLoopData>[] {
    const lc = lifecycleOf(t);
    // A container started while the one it replaced still ran (a redeploy), or the first start of a
    // deployment Railway's record says was created before it, is no restart: only the starts after
    // an end that was not such a handover count (a crash, a kill, a stop the program did not log, a boot that failed).
    const replacing = new Set([...replacements(lc.lives, lc.created).values(), ...deployStarts(lc.lives, lc.created)]);
    const health: TimelineEvent[] = candidateEvents(t, mayBeHealthCheck).filter((e) => e.ts !== null && HEALTHCHECK_RE.test(e.message));
    // Nor is a start after a life that stopped cleanly in its own words (a deploy that stops the old
    // container first, a manual restart), unless a health check failed meanwhile: then the platform stopped it.
    for (const [s, l] of startsAfterCleanStop(lc.lives, lc.starts)) {
      const from = l.start?.ts ?? l.stop!.ts;
      if (!health.some((e) => e.ts! >= from && e.ts! <= s.ts && (e.service === s.service || e.source === 'platform'))) replacing.add(s);
    }
    const byService = new Map<string, LifecycleTransition[]>();
    for (const s of lc.starts) {
      if (replacing.has(s)) continue;
      let l = byService.get(s.service);
      if (l === undefined) byService.set(s.service, (l = []));
      l.push(s);
    }
    const windowMs = o.windowMinutes * 60_000;
    const findings: DetectedFinding<RestartLoopData>[] = [];
    for (const [service, starts] of [...byService].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      starts.sort((a, b) => a.ts - b.ts);
      // Chains of starts no more than half a window apart; a chain is a loop when some window of it
      // holds minStarts starts. The whole chain is reported (a redeploy that loops again continues it).
      const chains: LifecycleTransition[][] = [];
      for (const st of starts) {
        const last = chains[chains.length - 1];
        if (last !== undefined && st.ts - last[last.length - 1]!.ts <= windowMs / 2) last.push(st);
        else chains.push([st]);
      }
      for (const loop of chains) {
        if (densestWindow(loop.map((x) => x.ts), windowMs).count < o.minStarts) continue;
        findings.push(loopFinding(t, lc, service, loop, starts.length, health, o));
      }
    }
    return findings;
  },
});

/** The finding for one loop: the starts of a chain, with the stops, exit codes and health checks around them. */
function loopFinding(
  t: TimelineSummary,
  lc: ReturnType<typeof lifecycleOf>,
  service: string,
  loop: LifecycleTransition[],
  startsTotal: number,
  health: TimelineEvent[],
  o: { minStarts: number; windowMinutes: number },
): DetectedFinding<RestartLoopData> {
  const from = loop[0]!.ts;
  const to = loop[loop.length - 1]!.ts;
  const intervals = loop.slice(1).map((s, k) => (s.ts - loop[k]!.ts) / 1000);
  const ratios = intervals.slice(1).map((v, k) => v / Math.max(intervals[k]!, 0.001));
  const backoff = ratios.length >= 2 && ratios.every((r) => r >= 1.5);
  const stops = lc.stops.filter((s) => s.service === service && s.ts >= from - 60_000 && s.ts <= to + 60_000);
  const exitCodes: Record<string, number> = {};
  for (const tr of [...stops, ...loop]) if (tr.exitCode !== undefined) exitCodes[String(tr.exitCode)] = (exitCodes[String(tr.exitCode)] ?? 0) + 1;
  const killed = [...stops, ...loop].filter((tr) => tr.exitCode === 137 || tr.signal === 'SIGKILL' || tr.signal === '9').length;
  const failed = [...stops, ...loop].filter((tr) => tr.failed).length;
  const hc = health.filter((e) => e.ts! >= from - 120_000 && e.ts! <= to + 120_000 && (e.service === service || e.source === 'platform'));
  const lifetimes = lc.lives
    .filter((l) => l.service === service && l.lifetimeMs !== null && l.start !== null && l.start.ts >= from && l.start.ts <= to)
    .map((l) => l.lifetimeMs! / 1000)
    .sort((a, b) => a - b);
  const medianLifetime = lifetimes.length > 0 ? lifetimes[Math.floor(lifetimes.length / 2)]! : null;
  // What users had meanwhile, from the lives: a container that came up before the loop and ended
  // after it (or never) kept serving; otherwise, when every start of the loop failed, nothing served.
  const lives = lc.lives.filter((l) => l.service === service);
  const endOf = (l: (typeof lives)[number]) => l.stop?.ts ?? l.lastSeen ?? l.next?.ts ?? Infinity;
  const serving = lives.find((l) => (l.start === null || (l.start.ts < from && !l.start.failed)) && endOf(l) > to && !(l.stop?.failed ?? false));
  const loopLives = lives.filter((l) => l.start !== null && l.start.ts >= from && l.start.ts <= to);
  const allFailed = loopLives.length > 0 && loopLives.every((l) => l.start!.failed || (l.stop?.failed ?? false) || l.endKnown === 'crash' || l.endKnown === 'ungraceful');
  const state: 'served-by-older-container' | 'down' | 'up-between-restarts' | 'unknown' =
    serving !== undefined ? 'served-by-older-container' : allFailed ? 'down' : loopLives.some((l) => l.start!.readyTs !== undefined) ? 'up-between-restarts' : 'unknown';
  const evidence = [...loop.slice(0, 4).map((s) => evidenceOf(t, s.markers[0]!.event)), ...hc.slice(0, 2).map((e) => evidenceOf(t, e))];
  const stopWithCode = stops.find((s) => s.exitCode !== undefined);
  if (stopWithCode) evidence.push(evidenceOf(t, stopWithCode.markers.find((m) => m.exitCode !== undefined)!.event));
  return {
    about: `${service}:${isoSeconds(from)}`,
    severity: killed > 0 || hc.length > 0 || loop.length >= 2 * o.minStarts ? 'high' : 'medium',
    title: `Restart Loop of ${service} (${loop.length} starts in ${humanDuration(Math.max(to - from, 1000))})`,
    summary:
      `${service} started ${loop.length} times between ${clockOf(from)} and ${clockOf(to)}` +
      (hc.length > 0 ? `, with ${plural(hc.length, 'failed health check')}` : '') +
      (killed > 0 ? `, ${plural(killed, 'stop')} by SIGKILL / exit 137` : '') +
      '.',
    pattern:
      `Gaps between starts: ${intervals.map((v) => humanDuration(v * 1000)).join(', ')}` +
      (backoff ? ' (growing: the platform is backing off)' : '') +
      (medianLifetime !== null ? `; median lifetime ${humanDuration(medianLifetime * 1000)}` : '') +
      (Object.keys(exitCodes).length > 0 ? `; exit codes ${Object.entries(exitCodes).map(([c, n]) => `${c} ×${n}`).join(', ')}` : '') +
      '.',
    rootCause:
      hc.length > 0
        ? 'The health check kept failing, so the platform killed and restarted the container before it could serve; a health check that depends on something not ready yet (database, migrations) or a start-up slower than the health-check timeout does this.'
        : killed > 0
          ? 'The process was killed (SIGKILL / exit 137: out of memory, or a stop that did not finish within the grace period) and restarted.'
          : 'The process exits soon after starting (a crash at start-up or a watchdog restart) and the restart policy starts it again.',
    impact:
      (state === 'served-by-older-container'
        ? `An older container of ${service}${serving!.start !== null ? ` (started ${clockOf(serving!.start.ts)})` : ''} kept serving through the loop: the service was not down, but none of the new containers took over. `
        : state === 'down'
          ? `Every start of the loop failed and no other container of ${service} was up: it served nothing from ${clockOf(from)} until a start stayed up. `
          : state === 'up-between-restarts'
            ? 'Containers came up between the restarts: the service flapped, serving between failures. '
            : 'Whether another container served meanwhile, the logs do not say. ') +
      'Each kill of a database container risks crash recovery, and each kill of a client drops its connections.',
    recommendation:
      'Read the last lines before each stop; make the health check test what the service needs (database reachable) but give start-up enough time ' +
      '(healthcheck timeout, start period); cap restarts and alert on the loop; fix the crash before raising limits.',
    evidence,
    data: {
      service,
      starts: loop.length,
      startsTotal,
      windowStart: isoSeconds(from),
      windowEnd: isoSeconds(to),
      intervalsSeconds: intervals,
      backoff,
      medianLifetimeSeconds: medianLifetime,
      // What served meanwhile: an older container, nothing (down), the loop's own containers between failures, or not known.
      state,
      servedBy: serving !== undefined ? { start: serving.start !== null ? isoSeconds(serving.start.ts) : null, stop: serving.stop !== null ? isoSeconds(serving.stop.ts) : null } : null,
      failedTransitions: failed,
      killed,
      exitCodes,
      healthcheckFailures: hc.length,
      healthcheckAttemptsFailed: hc.filter((e) => /Attempt #\d+ failed/.test(e.message)).length,
      services: distinct([service]),
    },
  };
}
