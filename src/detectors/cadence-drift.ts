// Templates that recur on a period, and whether they keep to it. A job scheduled on the clock (cron,
// an absolute next-run time) runs at the same minute every cycle; a `while True: run(); sleep(P)`
// loop takes P plus its own run time per cycle and drifts. A recurring error that drifts beside an
// exact-cadence success of the same job comes from a separate execution context (a retry loop, a
// second scheduler, another instance) — which an interval monitor ("did it run this hour?") never
// sees, because the successful runs keep it green.
//
// Works on each template's sorted `times` (kept for every template, info level included); see
// stats/periodicity.ts for the estimator (runs, median gap, chains with harmonic folding, jitter by
// MAD, snapping to a round period, phase regression with Theil–Sen and OLS standard error).
import type { Finding, FindingSeverity } from '../model.js';
import { LEVEL_RANK } from '../model.js';
import type { TimelineSummary, TemplateSummary, TimelineEvent } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { humanDuration } from '../words.js';
import { evidenceOf, evidenceOfTemplate } from './shared/evidence.js';
import { eventsOfTemplates } from './shared/template-index.js';
import { humanSeconds, num } from '../words.js';
import {
  estimatePeriod,
  snapPeriod,
  fitDrift,
  isDrifting,
  defaultDriftTest,
  type PeriodEstimate,
  type DriftFit,
  type PeriodOptions,
} from './shared/stats/periodicity.js';

export type CadenceKind = 'drift-beside-exact' | 'drift' | 'fixed' | 'exact' | 'sleep-loop';

interface Periodic {
  tpl: TemplateSummary;
  est: PeriodEstimate;
  /** Nominal period the drift was measured against (ms), or null when P̂ is not near a round period. */
  nominal: number | null;
  fit: DriftFit | null;
  drifting: boolean;
  exact: boolean;
  isError: boolean;
}

/** The `data` of a cadence-drift finding (its numbers, for the reports and the JSON). */
export type CadenceDriftData = {
  template: string;
  service: string;
  kind: CadenceKind;
  periodSeconds: number;
  realisedPeriodSeconds: number;
  jitterSeconds: number;
  driftSecondsPerCycle: number | null;
  driftStdErrorSeconds: number | null;
  driftRangeSeconds: number[] | null;
  phaseScatterSeconds: number | null;
  phaseOffsetSeconds: number | null;
  occurrences: number;
  records: number;
  onCadence: number;
  missed: number;
  offBeat: number;
  phaseResets: number;
  exactCadence: {
    template: string;
    periodSeconds: number;
  } | null;
};

export const cadenceDrift = defineDetector({
  meta: {
    id: 'cadence-drift',
    title: 'Recurring jobs and errors: cadence and drift',
    report: {
      count: (f: Finding<CadenceDriftData>) => f.data.occurrences,
      summaryLabel: () => 'a drifting recurring failure',
      summaryDetail: (fs: Finding<CadenceDriftData>[]) => {
        const d = fs[0]!.data.driftSecondsPerCycle;
        return d !== null ? `drifting ${num(Math.abs(d), 0)} s per ${humanSeconds(fs[0]!.data.periodSeconds)} cycle beside an exact schedule` : undefined;
      },
    },
    explanation:
      'Finds templates that recur on a period (6 runs or more), estimates the period robustly (runs collapsed, median gap, ' +
      'chains of runs with harmonic folding for missed runs, off-beat runs and restarts set apart, jitter from the gap residuals), ' +
      'snaps it to a round period and fits the phase against the cycle ' +
      'number (Theil–Sen, OLS standard error) to measure drift per cycle. A job on an exact cadence is reported as evidence ' +
      '(info); a recurring error that drifts beside an exact-cadence success of the same service is the finding: the errors ' +
      'come from a separate execution context such as a sleep(P) loop.',
    defaults: {
      runGapSeconds: 30,
      minRuns: 6,
      maxJitterRatio: 0.1,
      minPeriodSeconds: 60,
      snapTolerance: 0.05,
      siblingTolerance: 0.15,
      exactScatterSeconds: 10,
      maxInfoFindings: 10,
      maxOffBeatShare: 0.05,
      nominalPeriodsSeconds: [60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 14400, 21600, 43200, 86400, 604800],
    },
    optionDocs: {
      runGapSeconds: 'Records of a template closer than this are one run of the job.',
      minRuns: 'Runs on the cadence needed before a template is called periodic.',
      maxJitterRatio: 'Periodic only when the spread of the gaps around the period is at most this share of it (with 20 runs or more; proportionally less with fewer, so that chance alignments of a few random events do not pass).',
      minPeriodSeconds: 'Shortest period considered.',
      snapTolerance: 'A measured period within this relative distance of a round period is measured against it (drift is the rest).',
      siblingTolerance: 'An error and an exact-cadence success are the same job when their periods differ by at most this share.',
      exactScatterSeconds: 'A non-drifting job is exact when its phase scatter is within max(this, 1% of the period).',
      maxInfoFindings: 'At most this many info findings (exact or sleep-loop cadences of non-error templates).',
      maxOffBeatShare: 'An exact or sleep-loop cadence is reported as a job only when at most this share of its runs (or 10 runs) falls off the beat (an uptime probe among other requests of one template is not a job).',
      nominalPeriodsSeconds: 'Round periods a schedule is written in.',
    },
  },
  detect(t, o): DetectedFinding<CadenceDriftData>[] {
    const popts: PeriodOptions = {
      runGapMs: o.runGapSeconds * 1000,
      minRuns: o.minRuns,
      maxJitterRatio: o.maxJitterRatio,
      minChainedShare: 0.6,
      chainTolerance: 0.25,
      minPeriodMs: o.minPeriodSeconds * 1000,
    };
    const nominals = o.nominalPeriodsSeconds;
    const exactScatterMs = o.exactScatterSeconds * 1000;
    const periodic: Periodic[] = [];
    for (const tpl of t.templates) {
      if (tpl.times.length < popts.minRuns) continue;
      const est = estimatePeriod(tpl.times, popts);
      if (est === null) continue;
      periodic.push(classify(tpl, est, snapPeriod(est.periodMs, o.snapTolerance, nominals), exactScatterMs));
    }
    const findings: DetectedFinding<CadenceDriftData>[] = [];
    const infos: { f: DetectedFinding<CadenceDriftData>; priority: number }[] = [];
    const siblingsUsed = new Set<TemplateSummary>();
    for (const p of periodic) {
      if (!p.isError) continue;
      const sib = siblingOf(p, periodic, o.siblingTolerance);
      let q = p;
      if (sib !== null) {
        // Measure the errors against the successes' period: that is the job's schedule.
        q = classify(p.tpl, p.est, sib.nominal!, exactScatterMs);
        siblingsUsed.add(sib.tpl);
      }
      const kind: CadenceKind = q.drifting ? (sib !== null ? 'drift-beside-exact' : 'drift') : q.exact ? 'exact' : 'fixed';
      findings.push(describe(t, q, kind, sib));
    }
    for (const p of periodic) {
      if (p.isError || p.tpl.source === 'postgres') continue;
      if (!p.exact && !p.drifting) continue;
      // A cadence that a minority of the template's runs keeps (a 5-minute health probe inside
      // "Request completed: GET <*>") says nothing about a job: only a template that is the job.
      // A few extra runs (a job that also runs at each container start) do not count against it.
      if (p.est.extra > Math.max(10, o.maxOffBeatShare * (p.est.chained + p.est.extra))) continue;
      const kind: CadenceKind = p.exact ? 'exact' : 'sleep-loop';
      infos.push({ f: describe(t, p, kind, null), priority: (siblingsUsed.has(p.tpl) ? 1e9 : 0) + p.est.chained });
    }
    // Ties in the order of the ids (`about` is the id less the prefix all of them share).
    infos.sort((a, b) => b.priority - a.priority || ((a.f.about ?? '') < (b.f.about ?? '') ? -1 : 1));
    for (const x of infos.slice(0, Math.max(0, o.maxInfoFindings))) findings.push(x.f);
    return findings;
  },
});

function classify(tpl: TemplateSummary, est: PeriodEstimate, nominal: number | null, exactScatterMs: number): Periodic {
  const fit = nominal !== null ? fitDrift(est, nominal) : null;
  const drifting = fit !== null && isDrifting(fit, defaultDriftTest(nominal!, est.jitterMs));
  const tol = nominal !== null ? Math.max(exactScatterMs, 0.01 * nominal) : 0;
  const exact = fit !== null && !drifting && fit.phaseScatterMs <= tol && est.jitterMs <= tol && Math.abs(fit.driftMs) < defaultDriftTest(nominal!, 0).minDriftMs;
  const errors = tpl.levels.error + tpl.levels.fatal;
  return { tpl, est, nominal, fit, drifting, exact, isError: errors * 2 > tpl.count };
}

/** The exact-cadence, non-error template of the same service and period that shares the most words. */
function siblingOf(p: Periodic, all: Periodic[], tolerance: number): Periodic | null {
  const words = stems(p.tpl.text);
  let best: Periodic | null = null;
  let bestScore = -1;
  let bestDiff = Infinity;
  let candidates = 0;
  for (const s of all) {
    if (s === p || s.isError || !s.exact || s.nominal === null || s.tpl.service !== p.tpl.service) continue;
    const diff = Math.abs(p.est.periodMs - s.nominal) / s.nominal;
    if (diff > tolerance) continue;
    candidates++;
    const sw = stems(s.tpl.text);
    let score = 0;
    for (const w of words) if (sw.has(w)) score++;
    if (score > bestScore || (score === bestScore && diff < bestDiff)) {
      best = s;
      bestScore = score;
      bestDiff = diff;
    }
  }
  // Without a shared word, only an unambiguous candidate is the same job.
  if (best !== null && bestScore === 0 && candidates > 1) return null;
  return best;
}

const GENERIC = new Set(['error', 'errors', 'failed', 'failure', 'exception', 'warning', 'with', 'from', 'that', 'this', 'done', 'complete', 'completed', 'success', 'successful', 'successfully', 'start', 'started', 'starting', 'finish', 'finished', 'running', 'after', 'before', 'none', 'null', 'true', 'false', 'loop', 'task', 'tasks', 'job', 'jobs', 'took', 'info', 'debug']);

/** Word stems (first 6 letters of words of 4+ letters, generic words left out). */
function stems(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of text.toLowerCase().split(/[^a-z]+/)) if (w.length >= 4 && !GENERIC.has(w)) out.add(w.slice(0, 6));
  return out;
}

/** "60 minutes", "5 minutes", "6 hours", "90 seconds", "2 days" for a period in ms. */
export function periodPhrase(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${Math.round(s)} seconds`;
  if (s < 7200) return `${Math.round(s / 60)} minutes`;
  if (s < 172800) return `${+(s / 3600).toFixed(1)} hours`;
  return `${+(s / 86400).toFixed(1)} days`;
}

/** `60-minute`, `6-hour`: the adjective form for "an exact 60-minute cadence". */
function periodAdjective(ms: number): string {
  return periodPhrase(ms).replace(/s$/, '').replace(' ', '-');
}

/** The cycle unit for "per hour" / "per 15-minute cycle". */
function perCycle(ms: number): string {
  if (ms === 3_600_000) return 'per hour';
  if (ms === 86_400_000) return 'per day';
  if (ms === 60_000) return 'per minute';
  return `per ${periodAdjective(ms)} cycle`;
}

/** Signed drift amount as text: "+90 s", "-2.5 min". */
function amount(msAbs: number): string {
  const s = msAbs / 1000;
  if (Math.abs(s) >= 90) return `${+(s / 60).toFixed(1)} min`;
  return `${+s.toFixed(1)} s`;
}

/** "~1-2 minutes" or "~85 s" from the interquartile range of the per-cycle excess. */
function driftRange(fit: DriftFit): string {
  const q1 = fit.gapExcessQ1Ms / 1000;
  const q3 = fit.gapExcessQ3Ms / 1000;
  const mid = fit.driftMs / 1000;
  if (Math.abs(mid) >= 45) {
    const a = Math.round(q1 / 60);
    const b = Math.round(q3 / 60);
    if (a !== b && Math.sign(a) === Math.sign(b) && a !== 0) return `~${Math.min(a, b)}-${Math.max(a, b)} minutes`;
    return `~${+(mid / 60).toFixed(1)} minutes`;
  }
  const a = Math.round(q1);
  const b = Math.round(q3);
  if (a !== b && Math.sign(a) === Math.sign(b) && a !== 0) return `~${Math.min(a, b)}-${Math.max(a, b)} s`;
  return `~${+mid.toFixed(1)} s`;
}

/** The last `count` runs of the most recent chain: what the job does now ("03:20, 04:20, 05:22"). */
function recentRuns(est: PeriodEstimate, count: number): number[] {
  let last = -1;
  for (let i = est.runs.length - 1; i >= 0; i--) {
    if (est.chainOf[i]! >= 0) {
      last = est.chainOf[i]!;
      break;
    }
  }
  const out: number[] = [];
  for (let i = est.runs.length - 1; i >= 0 && out.length < count; i--) if (est.chainOf[i] === last) out.push(est.runs[i]!);
  return out.reverse();
}

/** Runs of `est` in [from, to] (at most `count`), else its most recent runs: the sibling beside the errors shown. */
function runsWithin(est: PeriodEstimate, from: number, to: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < est.runs.length && out.length < count; i++) {
    const t = est.runs[i]!;
    if (est.chainOf[i]! >= 0 && t >= from && t <= to) out.push(t);
  }
  return out.length >= 2 ? out : recentRuns(est, count);
}

/** "03:20, 04:20, 05:22" (seconds and dates when the period calls for them). */
function clocks(times: number[], withSeconds: boolean, withDate: boolean): string {
  return times
    .map((t) => {
      const iso = new Date(t).toISOString();
      const clock = withSeconds ? iso.slice(11, 19) : iso.slice(11, 16);
      return withDate ? `${iso.slice(5, 10)} ${clock}` : clock;
    })
    .join(', ');
}

/** Seconds with enough digits to say something: 65.1, 0.04. */
function secs(ms: number): string {
  const s = ms / 1000;
  return Math.abs(s) >= 0.1 || s === 0 ? s.toFixed(1) : s.toPrecision(1);
}

function quote(tpl: TemplateSummary): string {
  const s = tpl.text.length > 100 ? tpl.text.slice(0, 100) + '…' : tpl.text;
  return `"${s.trimEnd()}"`;
}

function describe(t: TimelineSummary, p: Periodic, kind: CadenceKind, sib: Periodic | null): DetectedFinding<CadenceDriftData> {
  const { tpl, est, fit } = p;
  const period = p.nominal ?? est.periodMs;
  const phrase = periodPhrase(period);
  const driftS = fit ? Math.round(fit.driftMs / 100) / 10 : 0;
  const signed = `${driftS >= 0 ? '+' : '-'}${amount(Math.abs(fit?.driftMs ?? 0))}`;
  const withSeconds = period < 3_600_000 || (fit !== null && Math.abs(fit.driftMs) < 30_000);
  const withDate = period >= 86_400_000;
  const shown = recentRuns(est, 5);
  const runsList = clocks(shown, withSeconds, withDate);
  const name = quote(tpl);
  const severity: FindingSeverity = kind === 'drift-beside-exact' ? 'medium' : p.isError ? 'low' : 'info';
  const missedText = est.missed > 0 ? `, ${est.missed} missed` : '';
  const extraText = est.extra > 0 ? `, ${est.extra} off-beat` : '';
  const resets = est.chains > 1 ? `, ${est.chains - 1} phase reset${est.chains > 2 ? 's' : ''} (restarts)` : '';
  const measured = `${est.chained} runs on the cadence${missedText}${extraText}${resets}; measured period ${humanDuration(est.periodMs)}, jitter ${humanDuration(est.jitterMs)}`;
  const fitText = fit
    ? `drift ${signed} per cycle (Theil–Sen; OLS ${secs(fit.olsDriftMs)} ± ${Number.isFinite(fit.seMs) ? secs(fit.seMs) : '?'} s), phase scatter ${secs(fit.phaseScatterMs)} s`
    : 'not near a round period, so no drift is measured';
  const lockText =
    // Only a tight lock is worth a clock phrase; a mean phase over restarts says little.
    fit?.lock && p.exact && fit.lock.rBar >= 0.99 ? `; every run at ${offsetPhrase(fit.lock.offsetMs, period)} (R̄ = ${fit.lock.rBar.toFixed(3)})` : '';
  let title: string;
  let summary: string;
  let pattern: string;
  let rootCause: string;
  let impact: string;
  let timing: string;
  let recommendation: string;
  const sibPeriod = sib?.nominal ?? null;
  switch (kind) {
    case 'drift-beside-exact': {
      const s = sib!;
      title = `Recurring ${name} every ~${phrase}, drifting ${signed} per cycle beside an exact ${periodAdjective(sibPeriod!)} schedule`;
      summary = `${name} recurs every ~${phrase} (${est.chained} runs) and drifts ${signed} per cycle, while ${quote(s.tpl)} of the same service runs on an exact ${periodAdjective(sibPeriod!)} cadence: the errors come from a separate execution context, not from the scheduled runs.`;
      pattern = `Errors: ${measured}; ${fitText}. Successes: ${s.est.chained} runs, ${s.fit ? `drift ${(s.fit.driftMs / 1000).toFixed(1)} s per cycle, phase scatter ${(s.fit.phaseScatterMs / 1000).toFixed(1)} s` : ''}${s.fit?.lock && s.fit.lock.rBar >= 0.99 ? `, at ${offsetPhrase(s.fit.lock.offsetMs, sibPeriod!)}` : ''}${s.est.chains > 1 ? `, ${s.est.chains - 1} phase reset${s.est.chains > 2 ? 's' : ''} (restarts)` : ''}.`;
      rootCause =
        `Hypothesis: the errors are raised in an execution context of their own that sleeps a fixed interval after each attempt ` +
        `(for example while True: try: run() except: log(e); sleep(${Math.round(sibPeriod! / 1000)})), so each of its cycles lasts the sleep plus the attempt and its error handling (${amount(Math.abs(fit!.driftMs))}). ` +
        `The successful runs keep an exact period and do not drift${s.est.chains > 1 ? ' (their phase moves only at restarts)' : ''}. Evidence: the errors' phase moves ${signed} per cycle over ${fit!.spanCycles} cycles, ` +
        `the successes' phase stays put (scatter ${((s.fit?.phaseScatterMs ?? 0) / 1000).toFixed(1)} s). It may also be a second instance or replica running the same loop.`;
      impact =
        `The successful runs keep an interval check ("did the job run this hour?") green while another context fails every cycle, so the failure is invisible to such monitoring.` +
        (Math.abs(fit!.driftMs) * fit!.spanCycles >= sibPeriod!
          ? ` Its phase moved by ${humanDuration(Math.abs(fit!.driftMs) * fit!.spanCycles)} over the window, so it passes over the scheduled runs and can run concurrently with them.`
          : '');
      timing =
        `${quote(s.tpl)} runs on an exact ${periodAdjective(sibPeriod!)} cadence (${clocks(runsWithin(s.est, shown[0]!, shown[shown.length - 1]!, 3), withSeconds, withDate)}...). ` +
        `The errors drift by ${driftRange(fit!)} ${perCycle(sibPeriod!)} (${runsList}...), consistent with sleep(${Math.round(sibPeriod! / 1000)}) + error-handling overhead.`;
      recommendation =
        `Find where ${name} is logged and what loop runs it: make the job run from one scheduler only, scheduled on the clock (compute the next run from the schedule instead of sleep(${Math.round(sibPeriod! / 1000)}) after the work), ` +
        `put a timeout around each run, and log the exception with its type and traceback (logger.exception) so the failing context can be identified.`;
      break;
    }
    case 'drift':
      title = `Recurring ${name} every ~${phrase}, drifting ${signed} per cycle`;
      summary = `${name} recurs every ~${phrase} (${est.chained} runs) and drifts ${signed} per cycle: it runs from a loop that sleeps between attempts, not on a clock schedule.`;
      pattern = `${measured}; ${fitText}.`;
      rootCause = `Hypothesis: a loop retries on its own timer (work, then sleep(${Math.round(period / 1000)})), so every cycle is the sleep plus the run time (${amount(Math.abs(fit!.driftMs))}). Evidence: the phase moves ${signed} per cycle over ${fit!.spanCycles} cycles.`;
      impact = 'The same failure repeats every cycle; an interval monitor re-anchors on each run and never reports it late.';
      timing = `Every ~${phrase}, drifting by ${driftRange(fit!)} ${perCycle(period)} (${runsList}...).`;
      recommendation = `Fix the failure behind ${name} (log it with logger.exception to see its type and traceback), and schedule the job on the clock with a timeout per run rather than sleep after the work.`;
      break;
    case 'fixed':
    case 'exact':
      if (p.isError) {
        title = `Recurring ${name} every ~${phrase}`;
        summary = `${name} fails on a fixed ${periodAdjective(period)} schedule (${est.chained} runs${missedText}): a scheduled job that fails every time it runs.`;
        pattern = `${measured}; ${fitText}${lockText}.`;
        rootCause = `Hypothesis: a scheduled job (cron or a clock-aligned scheduler) hits the same failure on each run. Evidence: the errors keep a fixed phase (no drift) over ${est.chained} runs.`;
        impact = 'Whatever the job does has not been done in the window; every run fails the same way.';
        timing = `Every ~${phrase} (${runsList}...).`;
        recommendation = `Fix the failure behind ${name}; log it with logger.exception to see its type and traceback, and alert on consecutive failures of the job.`;
      } else {
        title = `${quote(tpl)} runs on an exact ${periodAdjective(period)} cadence`;
        summary = `${name} runs every ${phrase} on the clock (${est.chained} runs${missedText}), with no drift: a clock-scheduled job, reported as evidence.`;
        pattern = `${measured}; ${fitText}${lockText}.`;
        rootCause =
          est.chains > 1
            ? `Not a problem: the job keeps its period to within ${secs(Math.max(fit!.phaseScatterMs, est.jitterMs))} s between restarts; its phase moves at restarts (${est.chains - 1}), so it is timed from start-up (a loop with a negligible run time) rather than by the clock.`
            : 'Not a problem: a job scheduled on the clock (cron, a computed next-run time, or an external monitor polling the service) keeps its phase.';
        impact = 'None; this is the reference cadence for other templates of the service.';
        timing = `Every ${phrase} (${runsList}...).`;
        recommendation = est.missed > 0 ? `No change needed; check the ${est.missed} missed run${est.missed === 1 ? '' : 's'} against restarts.` : 'No change needed.';
      }
      break;
    case 'sleep-loop':
      title = `${subjectOf(tpl)} runs every ~${phrase}, drifting ${signed} per cycle`;
      summary = `${name} recurs every ~${phrase} (${est.chained} runs) and drifts ${signed} per cycle: a loop that sleeps after its work, not a clock schedule.`;
      pattern = `${measured}; ${fitText}.`;
      rootCause = `A loop of work then sleep(${Math.round(period / 1000)}) takes the sleep plus the run time (${amount(Math.abs(fit!.driftMs))}) per cycle.`;
      impact = 'Runs slide across the clock; fine unless something expects them at fixed times.';
      timing = `Every ~${phrase}, drifting by ${driftRange(fit!)} ${perCycle(period)} (${runsList}...).`;
      recommendation = 'If the job must run at fixed times, compute the next run from the schedule instead of sleeping after the work.';
      break;
  }
  const evidence = evidenceFor(t, p, sib);
  return {
    about: tpl.key,
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
      template: tpl.text,
      service: tpl.service,
      kind,
      periodSeconds: Math.round(period / 1000),
      realisedPeriodSeconds: Math.round(est.periodMs / 100) / 10,
      jitterSeconds: Math.round(est.jitterMs / 100) / 10,
      driftSecondsPerCycle: fit ? driftS : null,
      driftStdErrorSeconds: fit && Number.isFinite(fit.seMs) ? Math.round(fit.seMs / 100) / 10 : null,
      driftRangeSeconds: fit ? [Math.round(fit.gapExcessQ1Ms / 1000), Math.round(fit.gapExcessQ3Ms / 1000)] : null,
      phaseScatterSeconds: fit ? Math.round(fit.phaseScatterMs / 100) / 10 : null,
      phaseOffsetSeconds: fit?.lock ? Math.round(fit.lock.offsetMs / 1000) : null,
      occurrences: est.runs.length,
      records: tpl.count,
      onCadence: est.chained,
      missed: est.missed,
      offBeat: est.extra,
      phaseResets: Math.max(0, est.chains - 1),
      exactCadence: sib !== null ? { template: sib.tpl.text, periodSeconds: Math.round(sibPeriod! / 1000) } : null,
    },
  };
}

function evidenceFor(t: TimelineSummary, p: Periodic, sib: Periodic | null) {
  // Error templates are kept as events: show the runs themselves (first three and the last).
  const kept: TimelineEvent[] = [];
  if (LEVEL_RANK[p.tpl.worst] >= LEVEL_RANK.warn) {
    for (const ev of eventsOfTemplates(t, (id) => id === p.tpl.id)) if (ev.template === p.tpl.id) kept.push(ev);
  }
  const own = kept.length > 0 ? [...kept.slice(0, 3), ...(kept.length > 3 ? [kept[kept.length - 1]!] : [])].map((e) => evidenceOf(t, e)) : evidenceOfTemplate(t, p.tpl, 3);
  return sib !== null ? [...own, ...evidenceOfTemplate(t, sib.tpl, 2)] : own;
}

/** ":00:00 past the hour", "04:15:00 UTC every day", "02:30 into each 5-minute cycle". */
function offsetPhrase(offsetMs: number, periodMs: number): string {
  const s = Math.round(offsetMs / 1000) % Math.round(periodMs / 1000);
  const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  if (periodMs === 3_600_000) return `:${mm}:${ss} past the hour`;
  if (periodMs === 86_400_000) return `${String(Math.floor(s / 3600)).padStart(2, '0')}:${mm}:${ss} UTC`;
  if (periodMs < 3_600_000) return `${mm}:${ss} into each ${periodAdjective(periodMs)} cycle (from the hour)`;
  return `${String(Math.floor(s / 3600)).padStart(2, '0')}:${mm}:${ss} into each ${periodAdjective(periodMs)} cycle (from midnight UTC)`;
}

/** "Materialization" from "Materialization complete: <*> tasks", for sentences. */
function subjectOf(tpl: TemplateSummary): string {
  const first = tpl.text.split('\n')[0]!.replace(/<\*>/g, '').trim();
  const cut = first.search(/[:=([{"]/);
  const head = (cut > 0 ? first.slice(0, cut) : first).trim();
  const words = head.split(/\s+/).filter(Boolean).slice(0, 4).join(' ');
  if (words.length === 0) return `"${first.slice(0, 40)}"`;
  return words[0]!.toUpperCase() + words.slice(1);
}

