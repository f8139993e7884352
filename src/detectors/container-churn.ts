// Containers that live for seconds, restart in loops, or come and go several times an hour.
// Lives come from lifecycle.ts (platform, Heroku, uvicorn, gunicorn and PostgreSQL start/stop
// lines, paired by deployment instance when the lines carry Railway's ids). Each life is classed by
// how it ended: crashed (failure line, non-zero exit, kill), replaced (another container of the
// service started shortly before the stop: a zero-downtime redeploy; or, by Railway's record, the
// first start after the stop of a deployment created before it), stopped, ended without a
// shutdown line before another start (a crash when its program always announces its stops), or
// still running.
// Crash loop (detection.md §4): at least 3 troubled starts (short life, failure, or a start that
// never saw its stop before the next one) of one service and deployment within 10 minutes.
import type { Evidence, Finding, FindingSeverity } from '../model.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { evidenceOf } from './shared/evidence.js';
import { LIFECYCLE_INTERESTS, lifecycleOf, replacements, type ContainerLife, type LifecycleMarker, type LifecycleTransition } from './shared/lifecycle.js';
import { clockOf, humanDuration, isoSeconds, plural } from '../words.js';

export type EndedBy = 'crash' | 'replaced' | 'stopped' | 'restarted' | 'running';

interface Life {
  life: ContainerLife;
  endedBy: EndedBy;
  troubled: boolean;
  /** The start that replaced this container (the latest other start before its stop). */
  replacedBy: LifecycleTransition | null;
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** When a life with a lifetime ended: its stop, or its last line when it logged no stop. */
const endOf = (l: ContainerLife): number => l.stop?.ts ?? l.lastSeen!;

/** Largest number of times in `ts` (sorted) that fit in a window of `windowMs`. */
function maxInWindow(ts: readonly number[], windowMs: number): { count: number; from: number } {
  let best = { count: 0, from: NaN };
  let j = 0;
  for (let i = 0; i < ts.length; i++) {
    while (ts[i]! - ts[j]! > windowMs) j++;
    if (i - j + 1 > best.count) best = { count: i - j + 1, from: ts[j]! };
  }
  return best;
}

/** The `data` of a container-churn finding (its numbers, for the reports and the JSON). */
export type ContainerChurnData = {
  service: string;
  containers: {
    deployment: string | null;
    instance: string | null;
    start: string | null;
    stop: string | null;
    lastSeen: string | null;
    pid: number | null;
    restarts: number;
    lifetimeSeconds: number | null;
    readySeconds: number | null;
    endedBy: EndedBy;
  }[];
  shortLived: number;
  shortLivedStopped: number;
  quickReplaced: number;
  shortestLifetimeSeconds: number | null;
  replacements: number;
  handovers: {
    start: string;
    stop: string;
    startToStopSeconds: number;
    readyToStopSeconds: number | null;
    stopped: string | null;
    by: string | null;
  }[];
  startupSeconds: number[];
  medianStartupSeconds: number | null;
  bootSeconds: number[];
  crashLoop: boolean;
  crashed: number;
  startsAfterCrash: number;
  flapping: boolean;
  maxStartsPerHour: number;
  pairedBy: string;
};

export const containerChurn = defineDetector({
  meta: {
    id: 'container-churn',
    title: 'Container churn',
    report: {
      summaryLabel: () => 'container churn',
      summaryDetail: (fs: Finding<ContainerChurnData>[]) => {
        const n = fs.reduce((a, f) => a + f.data.shortLived, 0);
        return n > 0 ? `${plural(n, 'container')} stopped within a minute of starting` : undefined;
      },
    },
    explanation:
      'Container starts and stops (Railway "Starting/Stopping Container", Heroku dyno states, uvicorn/gunicorn/PostgreSQL start-up and shut-down lines), ' +
      'paired per deployment when the lines carry its id; otherwise by the server\'s pid when both ends name it (PostgreSQL\'s postmaster, uvicorn, the pid pino or bunyan writes on every line: ' +
      'a stop or crash line naming none is of the process that went quiet there, not of the replica that wrote on), ' +
      'a stop ends a container whose boot just failed or that has not come up yet while an older one serves, and else the oldest running one ' +
      '(unless the service keeps writing after it, which shows the stopped one was older than the logs); a failed boot ends at its failure line, ' +
      'and a server started again in place, or in a new container whose lines report the crash of the one before (a PostgreSQL recovering from it), ends the life before it, which logged no stop (a crashed life that began before the logs, when nothing came before that report); ' +
      'so does a newer start once the logs show it was no redeploy\'s handover (the newer life stopped first, another start came, or 10 minutes passed without the older one\'s stop; ' +
      'when only the logs going on tell, how it ended is unknown: a replica that still runs looks the same), unless a later stop names the older one\'s pid, or the service ' +
      'writes on after the newer one\'s stop with only the older one left (a replica). ' +
      'Such a silent end is a crash when the next start says so or the program announces every clean stop of its own (Redis, uvicorn, gunicorn, puma, a Celery worker, nginx at notice) and announced none; otherwise it is unknown. ' +
      'A stop followed by the first start of a deployment that Railway\'s record (deployments.json of pull railway) says was created before the stop is a replacement too (a deploy that stops the old container first). ' +
      'Reports containers that lived less than a minute, containers replaced by a newer deploy within ' +
      'minutes, crash loops (repeated failing or short-lived starts) and flapping services, with start-up times ("Startup complete (3.2s)") and the ' +
      'handover of each zero-downtime replacement (new start → old stop).',
    defaults: {
      shortLivedSeconds: 60,
      crashLoopStarts: 3,
      crashLoopWindowSeconds: 600,
      flappingStartsPerHour: 4,
      replacedWithinSeconds: 600,
      quickReplaceSeconds: 600,
    },
    optionDocs: {
      shortLivedSeconds: 'a container that lived less than this (s) is short-lived',
      crashLoopStarts: 'troubled starts (short-lived, failed, or never stopped before the next start) of one deployment that make a crash loop',
      crashLoopWindowSeconds: 'window (s) in which those starts must fall',
      flappingStartsPerHour: 'starts of one service within any hour that count as flapping (a redeploy\'s replacement of a running container aside)',
      replacedWithinSeconds: 'a stop this soon (s) after another container of the service started is a replacement (zero-downtime redeploy)',
      quickReplaceSeconds: 'a container replaced by a newer deploy less than this (s) after its own start counts as churn',
    },
    interests: [...LIFECYCLE_INTERESTS],
  },
  detect(t, o): DetectedFinding<ContainerChurnData>[] {
    const lc = lifecycleOf(t);
    if (lc.lives.length === 0) return [];
    const shortMs = o.shortLivedSeconds * 1000;
    const byService = new Map<string, ContainerLife[]>();
    for (const l of lc.lives) {
      const list = byService.get(l.service) ?? [];
      list.push(l);
      byService.set(l.service, list);
    }
    const replaced = replacements(lc.lives, lc.created);
    const findings: DetectedFinding<ContainerChurnData>[] = [];
    for (const [service, lives] of [...byService].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const starts = lives.filter((l) => l.start !== null).map((l) => l.start!);
      const classified: Life[] = lives.map((life) => {
        // A life the next start reports as crashed (PostgreSQL's recovery at boot) crashed; so did one
        // of a program that announces every clean stop and ended without a word (lifecycle.ts endKnown).
        const failed = (life.start?.failed ?? false) || (life.stop?.failed ?? false) || life.endKnown === 'crash' || life.endKnown === 'ungraceful';
        let endedBy: EndedBy;
        let replacedBy: LifecycleTransition | null = null;
        if (failed) endedBy = 'crash';
        else if (life.ended === 'restarted') endedBy = 'restarted';
        else if (life.stop === null) endedBy = 'running';
        else {
          const by = replaced.get(life);
          if (by !== undefined && life.stop.ts - by.ts <= o.replacedWithinSeconds * 1000) replacedBy = by;
          endedBy = replacedBy !== null ? 'replaced' : 'stopped';
        }
        const startTs = life.start?.ts;
        // A start that never saw its stop before its deployment started again (replicas start together, restarts later).
        const vanished =
          life.stop === null &&
          startTs !== undefined &&
          starts.some((s) => s.ts > startTs + 5_000 && (s.key === life.start!.key || (s.deployment !== undefined && s.deployment === life.start!.deployment)));
        // A short life a deploy replaced (the new container up, the old one stopped cleanly) is a deploy, not trouble.
        const troubled = failed || (life.lifetimeMs !== null && life.lifetimeMs < shortMs && endedBy !== 'replaced') || vanished;
        return { life, endedBy, troubled, replacedBy };
      });
      const short = classified.filter((c) => c.life.lifetimeMs !== null && c.life.lifetimeMs < shortMs);
      const crashed = classified.filter((c) => c.endedBy === 'crash');
      // Starts that report the previous life's crash (PostgreSQL's recovery at boot): that life ended in a crash.
      const afterCrash = classified.filter((c) => c.life.start?.afterFailure === true);
      // Crash loop: troubled starts of one deployment (or of the service, when ids are unknown).
      const groups = new Map<string, number[]>();
      for (const c of classified) {
        if (!c.troubled || c.life.start === null) continue;
        const k = c.life.deployment ?? '';
        const list = groups.get(k) ?? [];
        list.push(c.life.start.ts);
        groups.set(k, list);
      }
      let loop = { count: 0, from: NaN };
      for (const ts of groups.values()) {
        const w = maxInWindow(ts.sort((a, b) => a - b), o.crashLoopWindowSeconds * 1000);
        if (w.count > loop.count) loop = w;
      }
      const crashLoop = loop.count >= o.crashLoopStarts;
      // Redeploys come and go without the service going down: only the other starts make it flap.
      const handedOver = new Set(classified.map((c) => c.replacedBy));
      const flap = maxInWindow(starts.filter((s) => !handedOver.has(s)).map((s) => s.ts), 3600_000);
      const flapping = flap.count >= o.flappingStartsPerHour;
      const quickMs = o.quickReplaceSeconds * 1000;
      const quick = classified.filter((c) => c.endedBy === 'replaced' && c.life.lifetimeMs !== null && c.life.lifetimeMs >= shortMs && c.life.lifetimeMs < quickMs);
      if (short.length === 0 && crashed.length === 0 && afterCrash.length === 0 && !crashLoop && !flapping && quick.length === 0) continue;

      // A replacement (zero-downtime redeploy): the new container starts, gets ready, then the old one
      // is stopped. (A deploy that stopped the old container first, which Railway's record tells, is a
      // replacement but no handover.)
      const handovers = classified
        .filter((c) => c.replacedBy !== null && c.replacedBy.ts <= c.life.stop!.ts)
        .sort((x, y) => x.life.stop!.ts - y.life.stop!.ts)
        .map((c) => {
          const next = c.replacedBy!;
          const stop = c.life.stop!;
          return {
            start: next,
            stop,
            startToStopSeconds: round((stop.ts - next.ts) / 1000, 0),
            readyToStopSeconds: next.readyTs !== undefined && next.readyTs <= stop.ts ? round((stop.ts - next.readyTs) / 1000, 0) : null,
            stopped: c.life.deployment ?? c.life.instance ?? null,
            by: next.deployment ?? next.instance ?? null,
          };
        });
      const startupSeconds = starts.filter((s) => s.startupSeconds !== undefined).map((s) => s.startupSeconds!);
      const bootSeconds = starts.filter((s) => s.readyTs !== undefined && s.readyTs > s.ts).map((s) => round((s.readyTs! - s.ts) / 1000, 1));
      const lifetimes = classified.filter((c) => c.life.lifetimeMs !== null).map((c) => c.life.lifetimeMs! / 1000);
      const shortest = lifetimes.length > 0 ? Math.min(...lifetimes) : null;
      const severity: FindingSeverity = crashLoop ? 'high' : crashed.length > 0 || afterCrash.length > 0 || flapping ? 'medium' : 'low';
      const shortText = short.map((c) => `${round(c.life.lifetimeMs! / 1000, 0)} s`);
      const title = crashLoop
        ? `Crash Loop (${loop.count} failing starts within ${humanDuration(o.crashLoopWindowSeconds * 1000)})`
        : short.length > 0
          ? `Container Churn (${plural(short.length, 'container')} lived under ${o.shortLivedSeconds} s)`
          : crashed.some((c) => c.life.next?.afterFailure !== true)
            ? `Container Crashes (${plural(crashed.length, 'container')} crashed)`
            : afterCrash.length > 0
              ? `Unclean Restarts (${plural(afterCrash.length, 'start')} after a crash)`
              : quick.length > 0
              ? `Container Churn (${plural(handovers.length, 'redeploy')}; ${plural(quick.length, 'container')} replaced within ${humanDuration(quickMs)})`
              : `Container Flapping (${flap.count} starts within an hour)`;
      const ends: Record<EndedBy, number> = { crash: 0, replaced: 0, stopped: 0, restarted: 0, running: 0 };
      for (const c of classified) ends[c.endedBy]++;
      const pairedBy = lives.some((l) => l.pairedBy === 'deployment') ? 'deployment' : lives.some((l) => l.pairedBy === 'pid') ? 'pid' : 'order';
      const paired =
        pairedBy === 'deployment' ? 'by deployment id' : pairedBy === 'pid' ? 'by the server\'s pid (the lines carry no deployment id)' : 'by sequence (the lines carry no deployment id)';
      const shortList = short.map((c) => {
        const ready = c.life.start!.readyTs;
        const served = ready !== undefined ? `, ${round((endOf(c.life) - ready) / 1000, 0)} s after it reported ready` : '';
        return `${clockOf(c.life.start!.ts)} → ${clockOf(endOf(c.life))} (${round(c.life.lifetimeMs! / 1000, 0)} s${served}, ${c.endedBy})`;
      });
      const quickList = quick.map((c) => `${clockOf(c.life.start!.ts)} → ${clockOf(c.life.stop!.ts)} (${humanDuration(c.life.lifetimeMs!)})`);
      const rangeText = (xs: number[], unit: string) => {
        if (xs.length === 0) return '';
        const lo = Math.min(...xs);
        const hi = Math.max(...xs);
        return lo === hi ? `${lo} ${unit}` : `${lo}–${hi} ${unit}`;
      };
      const s2s = handovers.map((h) => h.startToStopSeconds);
      const r2s = handovers.filter((h) => h.readyToStopSeconds !== null).map((h) => h.readyToStopSeconds!);
      const handoverText =
        handovers.length > 0
          ? ` ${plural(handovers.length, 'replacement')}: the new container started and the previous one was stopped ${rangeText(s2s, 's')} later` +
            (r2s.length > 0 ? ` (${rangeText(r2s, 's')} after the new one reported ready)` : '') +
            '; a Starting/Stopping pair seconds apart is this handover between two deployments, not a container that lived seconds.'
          : '';
      // The start line, its ready/banner line, the stop line and any failure line of the worst lives;
      // for replacements, the new start and the old stop of the shortest handovers.
      const shown = new Set<LifecycleMarker>();
      for (const c of [...new Set([...crashed, ...afterCrash, ...short, ...quick])].slice(0, 4)) {
        const startMs = c.life.start?.markers ?? [];
        const stopMs = c.life.stop?.markers ?? [];
        for (const m of [startMs[0], startMs.find((x) => x.kind === 'ready' || x.version !== undefined), stopMs[0], ...[...startMs, ...stopMs].filter((x) => x.kind === 'failure' || x.kind === 'exit').slice(0, 2)]) {
          if (m !== undefined) shown.add(m);
        }
      }
      for (const h of [...handovers].sort((x, y) => x.startToStopSeconds - y.startToStopSeconds).slice(0, 2)) {
        shown.add(h.start.markers[0]!);
        const ready = h.start.markers.find((x) => x.kind === 'ready');
        if (ready !== undefined) shown.add(ready);
        shown.add(h.stop.markers[0]!);
      }
      const evidence: Evidence[] = [...shown].sort((x, y) => x.ts - y.ts).slice(0, 12).map((m) => evidenceOf(t, m.event));
      const medStartup = median(startupSeconds);
      let rootCause: string;
      if (crashLoop || crashed.length > 0 || afterCrash.length > 0) {
        const failLines = [
          ...new Set(
            [...crashed, ...afterCrash]
              .flatMap((c) => [...(c.life.start?.markers ?? []), ...(c.life.stop?.markers ?? [])])
              .filter((m) => m.kind === 'failure' || (m.kind === 'exit' && m.exitCode !== undefined && m.exitCode !== 0))
              .map((m) => m.event.message.trim().replace(/\s{2,}/g, ' ')),
          ),
        ].slice(0, 3);
        rootCause =
          (crashed.length > 0 || crashLoop
            ? `Hypothesis: the container fails during or soon after start-up (killed: exit code 137 or SIGKILL usually means the memory limit; or a start-up exception, or a failed health check) and the platform restarts it (Railway's default policy restarts on failure up to 10 times). `
            : 'Hypothesis: the process was killed without a clean shutdown (SIGKILL after the stop timeout, an out-of-memory kill, a host restart), and the next start had to recover. ') +
          `Evidence: ${plural(crashed.length, 'life', 'lives')} ended in a failure` +
          (afterCrash.length > 0 ? `, ${plural(afterCrash.length, 'start')} reported that the previous life crashed` : '') +
          (failLines.length > 0 ? ` (${failLines.map((l) => `"${l}"`).join(', ')})` : '') +
          (crashLoop ? `; ${loop.count} troubled starts within ${humanDuration(o.crashLoopWindowSeconds * 1000)} from ${isoSeconds(loop.from)}.` : '.');
      } else if (short.length === 0 || ends.replaced >= short.length) {
        rootCause =
          'Hypothesis: redeploys in quick succession (several pushes in a row, or a redeploy for each variable change), each a zero-downtime replacement: ' +
          'a new container starts, passes its health check, and the previous deployment\'s container is stopped. ' +
          `Evidence: ${ends.replaced} of ${lives.length} containers were stopped after a newer container of ${service} had started` +
          (quickList.length > 0 ? `; replaced soon after their own start: ${quickList.join('; ')}` : '') +
          (shortList.length > 0 ? `; short-lived: ${shortList.join('; ')}` : '') +
          (medStartup !== null ? `; start-up takes ${round(medStartup, 1)} s, so boot time is not the problem.` : '.');
      } else {
        rootCause =
          'Hypothesis: the containers were stopped right after start-up (a manual restart, a scale-down, or a newer deploy whose logs are not among the inputs), ' +
          `not crashes: their stops carry no failure line or non-zero exit code. Evidence: ${shortList.join('; ')}` +
          (medStartup !== null ? `; the app reports start-up in ${round(medStartup, 1)} s, so boot time is not the problem.` : '.');
      }
      findings.push({
        about: service,
        severity,
        title,
        summary:
          `${service}: ${plural(starts.length, 'container start')} in the logs` +
          (handovers.length > 0 ? `, ${plural(handovers.length, 'zero-downtime replacement')}` : '') +
          (short.length > 0 ? `, ${short.length} ended within ${o.shortLivedSeconds} s of starting (${shortText.join(', ')})` : '') +
          (quick.length > 0 ? `, ${quick.length} replaced within ${humanDuration(quickMs)} of starting (shortest ${humanDuration(Math.min(...quick.map((c) => c.life.lifetimeMs!)))})` : '') +
          (crashed.length > 0 ? `, ${crashed.length} ended in a crash` : '') +
          (afterCrash.length > 0 ? `, ${afterCrash.length} after a crash of the previous one` : '') +
          (crashLoop ? '; the starts form a crash loop' : flapping ? `; up to ${flap.count} starts within an hour` : '') +
          '.',
        pattern:
          `${plural(lives.length, 'container life', 'container lives')} paired ${paired}: ${ends.stopped} stopped, ${ends.replaced} replaced, ${ends.crash} crashed, ` +
          (ends.restarted > 0 ? `${ends.restarted} ended without a shutdown line before the next start (how is unknown: the program does not announce its stops), ` : '') +
          `${ends.running} still running at the end of the logs.` +
          (lifetimes.length > 0 ? ` Lifetimes ${humanDuration(shortest! * 1000)} to ${humanDuration(Math.max(...lifetimes) * 1000)} (median ${humanDuration(median(lifetimes)! * 1000)}).` : '') +
          (shortList.length > 0 ? ` Short-lived: ${shortList.join('; ')}.` : '') +
          handoverText,
        rootCause,
        impact:
          (crashLoop || crashed.length > 0 || afterCrash.length > 0
            ? 'Requests fail while no healthy container is up, and each crash drops in-flight work. '
            : 'Each replacement drops the old container\'s in-flight requests and pooled database connections (connection-reset noise in PostgreSQL) and repeats start-up work (the hourly job runs again at every start). ') +
          (medStartup !== null ? `Start-up takes ${round(medStartup, 1)} s (median of ${startupSeconds.length} reported).` : ''),
        timing: `Starts at ${starts.slice(0, 12).map((x) => clockOf(x.ts).slice(0, 5)).join(', ')}${starts.length > 12 ? ', …' : ''} (UTC).`,
        recommendation:
          crashLoop || crashed.length > 0 || afterCrash.length > 0
            ? 'Read the first failure line of each crashed start (exit code, OOM kill, start-up exception) and fix that; make start-up fail fast with a clear message; ' +
              'check the restart policy and memory limit; a readiness health check keeps a failing build from replacing a healthy one.'
            : 'Batch deploys (deploy on merge to the main branch, not on every push; avoid redeploys on each variable edit); keep the health check a readiness check; ' +
              'shut down gracefully (close the database pool, finish in-flight requests, set RAILWAY_DEPLOYMENT_DRAINING_SECONDS) so each replacement is clean.',
        evidence,
        data: {
          service,
          containers: classified.map((c) => ({
            deployment: c.life.deployment ?? c.life.instance ?? null,
            instance: c.life.instance ?? null,
            start: c.life.start ? isoSeconds(c.life.start.ts) : null,
            stop: c.life.stop ? isoSeconds(c.life.stop.ts) : null,
            // A life that logged no stop: its last line.
            lastSeen: c.life.lastSeen !== undefined ? isoSeconds(c.life.lastSeen) : null,
            pid: c.life.start?.pid ?? null,
            restarts: c.life.restarts.length,
            lifetimeSeconds: c.life.lifetimeMs === null ? null : round(c.life.lifetimeMs / 1000, 1),
            // From the first "ready" line to the stop: how long it served.
            readySeconds: c.life.start?.readyTs !== undefined && c.life.lifetimeMs !== null ? round((endOf(c.life) - c.life.start.readyTs) / 1000, 1) : null,
            endedBy: c.endedBy,
          })),
          shortLived: short.length,
          // Of them, the ones stopped or replaced (not crashed): a deploy's doing, not a failure's.
          shortLivedStopped: short.filter((c) => c.endedBy === 'stopped' || c.endedBy === 'replaced').length,
          quickReplaced: quick.length,
          shortestLifetimeSeconds: shortest === null ? null : round(shortest, 1),
          replacements: handovers.length,
          handovers: handovers.map((h) => ({
            start: isoSeconds(h.start.ts),
            stop: isoSeconds(h.stop.ts),
            startToStopSeconds: h.startToStopSeconds,
            readyToStopSeconds: h.readyToStopSeconds,
            stopped: h.stopped,
            by: h.by,
          })),
          startupSeconds,
          medianStartupSeconds: medStartup,
          bootSeconds,
          crashLoop,
          crashed: crashed.length,
          startsAfterCrash: afterCrash.length,
          flapping,
          maxStartsPerHour: flap.count,
          pairedBy,
        },
      });
    }
    return findings;
  },
});
