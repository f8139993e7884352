// The stage after the detectors: what the findings imply about the system (Architecture Gaps) and
// what they show works (What's Working Well), a pure function of the findings, the timeline summary
// and the detectors' runs. Part of the analysis: the JSON carries it, and the markdown and the
// terminal text only draw it. Rules are keyed on detector ids and the data fields named in the
// detector issues, never on an app's names, and every item cites the findings or figures it rests
// on. A rule whose detector did not run, or whose fields are missing, simply says nothing.
import type { Finding } from '../model.js';
import type { DetectorFinding, DetectorId } from '../detectors/registry.js';
import type { TimelineSummary } from '../timeline/timeline.js';
import type { DetectorRun } from '../pipeline.js';
import { countOf } from '../detectors/finding-data.js';
import { humanSeconds, int, plural } from '../words.js';
import { lifecycleOf } from '../detectors/shared/lifecycle.js';
import { resourceUsage, type ResourceUsage } from './resource-usage.js';
import { costPanels } from '../detectors/report-meta.js';

/** One inferred statement: a short title, a plain-text explanation, and the findings it cites. */
export interface Insight {
  title: string;
  text: string;
  cites: Finding[];
}

/** A healthy signal, and what it speaks of: the system, or only how this run read the inputs. */
export interface Strength extends Insight {
  /**
   * `system` for what the findings and records show about the services; `run` for what is true of
   * this reading (every line read, detectors that found nothing), which the terminal summary leaves out.
   */
  about: 'system' | 'run';
}

/** What the findings imply, in the order the report shows them. */
export interface Conclusions {
  architectureGaps: Insight[];
  workingWell: Strength[];
  /** Each metric series' shape and each measurement's verdict (the dashboard's Shape and Assessment). */
  resourceUsage: ResourceUsage;
}

/** The conclusions of a run from its findings, summary and detector runs. */
export function conclude(findings: readonly DetectorFinding[], t: TimelineSummary, runs: readonly DetectorRun[]): Conclusions {
  return { architectureGaps: architectureGaps(findings, t), workingWell: workingWell(findings, t, runs), resourceUsage: resourceUsage(byDetector(findings, 'resource-usage')[0]?.data ?? null, costPanels(findings).map((c) => ({ finding: c.f.id, panel: c.data }))) };
}

/** One detector's findings, their `data` typed by the registry (the compiler cannot narrow a union by a generic id itself). */
const byDetector = <K extends DetectorId>(fs: readonly DetectorFinding[], id: K) => fs.filter((f) => f.detector === id) as unknown as DetectorFinding<K>[];

/** Architecture gaps implied by the findings, most consequential first. */
export function architectureGaps(findings: readonly DetectorFinding[], t: TimelineSummary): Insight[] {
  const out: Insight[] = [];

  const resets = byDetector(findings, 'connection-reset-per-deploy').filter((f) => !('attributed' in f.data) || f.data.attributed > 0);
  const ungraceful = byDetector(findings, 'ungraceful-shutdown');
  if (resets.length > 0 || ungraceful.length > 0) {
    const stops = resets.reduce((a, f) => a + ('stops' in f.data ? f.data.stops.length : 0), 0);
    out.push({
      title: 'No graceful shutdown',
      text:
        (resets.length > 0
          ? `The database logs dropped client connections${stops > 0 ? ` at ${stops} container stop${stops === 1 ? '' : 's'}` : ' at container stops'}: the application exits without closing its connection pool. `
          : '') +
        (ungraceful.length > 0 ? `${ungraceful.map(stopsText).join('; ')}. ` : '') +
        'A shutdown hook that stops background tasks and disposes of the pool (and a drain period on the platform) would end connections cleanly and turn every deploy into a non-event for the database.',
      cites: [...resets, ...ungraceful],
    });
  }

  const clusters = byDetector(findings, 'error-cluster');
  const stayedUp = clusters.filter((f) => !restartedDuring(f, t));
  if (stayedUp.length > 0) {
    const recovered = stayedUp.some((f) => f.data.recovery === 'self');
    out.push({
      title: 'Health check does not check the dependencies',
      text:
        `Errors clustered while the container stayed up: no restart, no stop was logged during ${stayedUp.length === 1 ? 'the burst' : 'the bursts'}` +
        `${recovered ? ', and the errors stopped without any deploy' : ''}. The platform kept routing requests to a container that could not serve them, ` +
        'which is what happens when the health check is a liveness probe (the process answers) rather than a readiness probe (the database answers). ' +
        'Point the platform health check at an endpoint that checks the database, and alert on the error rate.',
      cites: stayedUp,
    });
  }

  const empty = byDetector(findings, 'empty-error-message');
  if (empty.length > 0) {
    const n = empty.reduce((a, f) => a + (countOf(f) ?? 0), 0);
    out.push({
      title: 'Error logging loses the exception',
      text:
        `${plural(empty.length, 'error template')}${n > 0 ? ` (${plural(n, 'record')})` : ''} end${empty.length === 1 ? 's' : ''} where the exception's text should be. ` +
        'Formatting an exception as its message drops its type and traceback, and many exceptions have no message at all. ' +
        'Log with the exception attached (the type, the message and the stack), so that the next outage says what failed.',
      cites: empty,
    });
  }

  const drifting = byDetector(findings, 'cadence-drift').filter((f) => f.data.exactCadence !== null && Math.abs(f.data.driftSecondsPerCycle ?? 0) > 0);
  if (drifting.length > 0) {
    out.push({
      title: 'A recurring failure runs in a separate execution context',
      text:
        'A recurring error drifts while the successful runs of the same job keep an exact cadence. A scheduler keeps time; a loop that sleeps a fixed interval after its own work (and its error handling) drifts. ' +
        'Something outside the scheduled job fails on its own timer: find it, give it a timeout, and make it log what it is.',
      cites: drifting,
    });
  }

  const churn = byDetector(findings, 'container-churn');
  const crashLoops = churn.filter((f) => f.data.crashLoop);
  const loops = [...crashLoops, ...byDetector(findings, 'restart-loop')];
  if (loops.length > 0) {
    // What the loops' data says: whether the platform backed off, and whether the logs name why the starts failed.
    const restartLoops = byDetector(findings, 'restart-loop');
    const backoff = restartLoops.length > 0 && restartLoops.every((f) => f.data.backoff);
    const causes = [
      restartLoops.some((f) => Object.keys(f.data.exitCodes).length > 0) ? 'exit codes' : '',
      restartLoops.some((f) => f.data.killed > 0) ? 'kills' : '',
      restartLoops.some((f) => f.data.healthcheckFailures > 0) ? 'failed health checks' : '',
      restartLoops.some((f) => f.data.failedTransitions > 0) || crashLoops.some((f) => f.data.crashed > 0) ? 'failure lines' : '',
    ].filter((x) => x !== '');
    out.push({
      title: backoff ? (causes.length > 0 ? 'Containers restart in a loop' : 'Restarts without a cause in the logs') : causes.length > 0 ? 'Restarts without a backoff' : 'Restarts without a backoff or a cause in the logs',
      text:
        'Containers start again and again within minutes. Each start costs a boot and its connections; ' +
        (causes.length > 0 ? `the logs say why the starts ended (${causes.join(', ')}): fix that first` : 'the logs of the failed starts should say why they failed') +
        (backoff ? ', and cap the restarts.' : ', and the restart policy should back off.'),
      cites: loops,
    });
  }
  const shortLived = churn.filter((f) => f.data.shortLivedStopped > 0 && !f.data.crashLoop);
  if (shortLived.length > 0) {
    const n = shortLived.reduce((a, f) => a + f.data.shortLivedStopped, 0);
    out.push({
      title: 'Deploys start containers that are stopped within seconds',
      text: `${n} container${n === 1 ? '' : 's'} lived less than a minute. Each one boots, opens connections and is stopped again; when that is the platform replacing containers during a deploy, it is harmless only if shutdown is clean.`,
      cites: shortLived,
    });
  }

  const memory = byDetector(findings, 'memory-sawtooth');
  const leaks = memory.filter((f) => f.data.shape === 'leak');
  if (leaks.length > 0) {
    out.push({
      title: 'Memory grows without bound',
      text: 'Memory climbs steadily and only a restart brings it down. Something holds references across requests or jobs (caches without a bound, sessions kept open); the container will hit its limit.',
      cites: leaks,
    });
  }
  const saw = memory.filter((f) => f.data.shape === 'sawtooth');
  if (saw.length > 0) {
    out.push({
      title: 'Work accumulates objects between collections',
      text: 'Memory climbs and drops back in a sawtooth: a job or request path builds up many objects (whole result sets, long-lived sessions) and releases them together. Batching the work and closing sessions per unit keeps the peak, and the bill, down.',
      cites: saw,
    });
  }

  const crash = byDetector(findings, 'postgres-crash-recovery');
  if (crash.length > 0) {
    out.push({
      title: 'The database is not shut down cleanly',
      text: 'PostgreSQL had to recover from its write-ahead log after an unclean stop. A stop signal it can act on (and time to act on it) avoids the recovery and the failed client connections that come with it.',
      cites: crash,
    });
  }
  const longWork = [...byDetector(findings, 'slow-queries'), ...byDetector(findings, 'lock-contention'), ...byDetector(findings, 'unfinished-work')];
  const fired = byDetector(findings, 'timeouts');
  if (fired.length > 0) {
    out.push({
      title: 'Timeouts end work the application should have bounded itself',
      text:
        'Statements, sessions or requests were ended by a timeout: the limits exist, and the application runs into them. ' +
        'A request deadline shorter than the proxy\'s, a statement timeout below it, short transactions that never wait on the network, and each timeout logged as an error with its cause turn these into fast, explained failures.',
      cites: [...fired, ...longWork],
    });
  } else if (longWork.length > 0) {
    out.push({
      title: 'Work without timeouts',
      text: 'Queries, lock waits or units of work run far longer than normal, or never finish. Without a statement timeout, a lock timeout and a timeout around each unit of background work, one stuck operation holds a connection (and a worker) indefinitely.',
      cites: longWork,
    });
  }
  const exhaustion = byDetector(findings, 'connection-exhaustion');
  if (exhaustion.length > 0) {
    out.push({
      title: 'Connection pool sized against the wrong limit',
      text: 'Clients ran out of connections. The pools of every replica together must fit under the server\'s max_connections, and each pool must be large enough for the concurrency of its own process.',
      cites: exhaustion,
    });
  }
  return out;
}

/** Healthy signals, each with the evidence for it. */
export function workingWell(findings: readonly DetectorFinding[], t: TimelineSummary, runs: readonly DetectorRun[]): Strength[] {
  const out: Strength[] = [];
  for (const f of byDetector(findings, 'error-cluster')) {
    // Only a recovery the detector saw come on its own (no restart, within its recovery window).
    const s = f.data.recoveredAfterSeconds;
    if (s === null || f.data.recovery !== 'self') continue;
    const start = Date.parse(f.data.start);
    out.push({
      title: `Recovered automatically within ${humanSeconds(s)}`,
      text: `The error burst${Number.isNaN(start) ? '' : ` at ${new Date(start).toISOString().slice(11, 19)} UTC`} ended without a restart or a deploy.`,
      cites: [f],
      about: 'system',
    });
  }
  const jobs: { tpl: string; period: number; f: Finding }[] = [];
  for (const f of byDetector(findings, 'cadence-drift')) {
    // The exact job the finding names beside a drifting one, or the finding itself when the detector
    // called it exact (a sleep loop drifting a few seconds per cycle is not exact: §1 says it drifts).
    const exact = f.data.exactCadence ?? (f.severity === 'info' && f.data.kind === 'exact' ? f.data : null);
    if (exact === null || jobs.some((j) => j.tpl === exact.template)) continue;
    jobs.push({ tpl: exact.template, period: exact.periodSeconds, f });
  }
  if (jobs.length > 0) {
    const shown = jobs.slice(0, 4).map((j) => `"${j.tpl}" every ${humanSeconds(j.period)}`);
    out.push({
      title: jobs.length === 1 ? 'A scheduled job keeps an exact cadence' : `${jobs.length} scheduled jobs keep an exact cadence`,
      text: `${shown.join('; ')}${jobs.length > 4 ? `; and ${jobs.length - 4} more` : ''}: their scheduler keeps time, with no drift across the window.`,
      cites: [...new Set(jobs.map((j) => j.f))],
      about: 'system',
    });
  }
  const onSchedule = byDetector(findings, 'known-jobs').filter((f) => f.severity === 'info');
  if (onSchedule.length > 0) {
    out.push({
      title: onSchedule.length === 1 ? 'The declared periodic job ran on schedule' : `${onSchedule.length} declared periodic jobs ran on schedule`,
      text: onSchedule.map((f) => f.title).join('; ') + '.',
      cites: onSchedule,
      about: 'system',
    });
  }
  for (const f of byDetector(findings, 'container-churn')) {
    // Fast boots are no good news where starts crashed or looped.
    if (f.data.crashed > 0 || f.data.crashLoop || byDetector(findings, 'restart-loop').some((r) => r.data.service === f.data.service)) continue;
    const vals = f.data.startupSeconds;
    if (vals.length === 0) continue;
    const lo = Math.min(...vals);
    const hi = Math.max(...vals);
    if (hi > 30) continue;
    out.push({
      title: `The application boots in ${lo === hi ? `${lo} s` : `${lo}-${hi} s`}`,
      text: `${vals.length} start${vals.length === 1 ? '' : 's'} logged a start-up time; fast boots keep deploys and restarts cheap.`,
      cites: [f],
      about: 'system',
    });
  }
  // Services an out-of-memory finding names: their memory is not "flat" good news.
  const oom = new Set(byDetector(findings, 'out-of-memory').flatMap((f) => Object.keys(f.data.perService)));
  for (const f of byDetector(findings, 'memory-sawtooth')) {
    if (f.data.shape !== 'flat' || oom.has(f.data.service)) continue;
    out.push({ title: `Memory is flat${f.data.service ? ` (${f.data.service})` : ''}`, text: 'No leak, sawtooth or step in the memory series.', cites: [f], about: 'system' });
  }
  // Figures from the timeline itself.
  const pgRecords = t.postgres.records;
  const pgSev = t.postgres.bySeverity;
  const fatalPg = (pgSev.FATAL ?? 0) + (pgSev.PANIC ?? 0);
  // A server that died without a FATAL line (killed with no session open) did stop: the findings say so.
  const pgStopped = byDetector(findings, 'postgres-crash-recovery').length > 0;
  if (pgRecords > 0 && fatalPg === 0 && !pgStopped) {
    out.push({ title: 'No FATAL or PANIC records from PostgreSQL', text: `None among ${int(pgRecords)} PostgreSQL records: the database itself never failed a session or stopped on an error.`, cites: [], about: 'system' });
  } else if (pgRecords === 0 && t.totals.records > 0 && t.totals.byLevel.fatal === 0) {
    out.push({ title: 'No fatal records', text: `None among ${plural(t.totals.records, 'record')}.`, cites: [], about: 'system' });
  }
  const lines = t.inputs.reduce((a, i) => a + i.lines, 0);
  const skipped = t.inputs.reduce((a, i) => a + i.skipped, 0);
  if (lines > 0 && skipped === 0) {
    out.push({ title: 'Every line was read', text: `All ${plural(lines, 'line')} of ${plural(t.inputs.length, 'input')} became records or metric samples; nothing was skipped.`, cites: [], about: 'run' });
  }
  const clean = runs.filter((r) => r.findings === 0 && r.error === undefined);
  if (clean.length > 0) {
    const names = clean.length <= 5 ? clean.map((r) => r.title).join('; ') + '.' : `Among them: ${clean.slice(0, 3).map((r) => r.title).join('; ')}; the appendix lists them all.`;
    out.push({ title: 'Nothing found by ' + (clean.length === 1 ? 'one detector' : `${clean.length} detectors`), text: names, cites: [], about: 'run' });
  }
  return out;
}

/** One ungraceful-shutdown finding in words: whose stops, and how they went, from its data. */
function stopsText({ data: d }: DetectorFinding<'ungraceful-shutdown'>): string {
  const how = [
    d.killed > 0 ? `${d.killed} killed` : '',
    d.crashed > 0 ? `${d.crashed} crashed` : '',
    d.immediate > 0 ? `${d.immediate} immediate` : '',
    d.silent > 0 ? `${d.silent} with no shutdown line` : '',
    d.unlogged > 0 ? `${d.unlogged} with no line at all before the next start${d.unloggedCrashed > 0 ? `, which reported a crash${d.unlogged > 1 ? ` (${d.unloggedCrashed})` : ''}` : ''}` : '',
  ].filter((x) => x !== '');
  return `${d.service} stopped without its own shut-down ${plural(d.ungraceful, 'time')} of ${d.stops}${how.length > 0 ? ` (${how.join(', ')})` : ''}`;
}

/** True when a container or server started or stopped inside the cluster (so the errors were not "while up"). */
function restartedDuring(f: DetectorFinding<'error-cluster'>, t: TimelineSummary): boolean {
  const start = Date.parse(f.data.start);
  const end = Date.parse(f.data.end);
  if (Number.isNaN(start) || Number.isNaN(end)) return false;
  if (lifecycleOf(t).transitions.some((x) => x.ts <= end && x.end >= start)) return true;
  for (const ev of t.events) {
    if (ev.ts === null || ev.ts < start) continue;
    if (ev.ts > end) break;
    if (ev.source === 'platform' && /\b(?:Stopping|Starting) Container\b|\bcrash/i.test(ev.message)) return true;
  }
  return false;
}
