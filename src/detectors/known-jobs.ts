// Periodic jobs the user declared (hindsight.config.json `periodicJobs`): did each one run as often
// as it should in the window, and was it still running at the end? cadence-drift finds periodic
// templates by itself; this answers the question people ask of the jobs they know about, including
// the one the statistics cannot see: a job that never logged at all.
//
// Works on template times only (every template keeps its sorted timestamps), so declared jobs need
// no change to what the timeline keeps.
import type { FindingSeverity } from '../model.js';
import type { TemplateSummary, TimelineSummary } from '../timeline/timeline.js';
import { hash32 } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { humanDuration, isoSeconds } from '../words.js';
import { evidenceOfTemplate } from './shared/evidence.js';

/** One declared job as the configuration hands it over: `<periodSeconds>|<service or empty>|<regex>`. */
export function encodeJob(job: { match: string; periodSeconds: number; service?: string }): string {
  return `${job.periodSeconds}|${job.service ?? ''}|${job.match}`;
}

function decodeJob(s: string): { periodSeconds: number; service: string | null; match: RegExp; source: string } | null {
  const a = s.indexOf('|');
  const b = a < 0 ? -1 : s.indexOf('|', a + 1);
  if (b < 0) return null;
  const periodSeconds = Number(s.slice(0, a));
  if (!(periodSeconds > 0)) return null;
  const source = s.slice(b + 1);
  try {
    return { periodSeconds, service: s.slice(a + 1, b) || null, match: new RegExp(source), source };
  } catch {
    return null;
  }
}

/** The `data` of a known-jobs finding (its numbers, for the reports and the JSON). */
export type KnownJobsData = {
  job: string;
  service: string | null;
  periodSeconds: number;
  runs: number;
  expected: number;
  missed: number;
  lastRun: string | null;
  longestGapSeconds: number | null;
  templates: string[];
  stopped?: boolean;
};

export const knownJobs = defineDetector({
  meta: {
    id: 'known-jobs',
    title: 'Declared periodic jobs: missed and stopped runs',
    report: { summaryLabel: () => 'a declared job that did not run' },
    explanation:
      'For each periodic job declared in hindsight.config.json (a regular expression for its messages and its period), counts its runs in the window against ' +
      'the runs expected, finds the gaps where runs were missed, and says when the job stopped before the end of the window or never ran at all.',
    defaults: {
      jobs: [] as string[],
      gapFactor: 1.5,
      runGapSeconds: 60,
    },
    optionDocs: {
      jobs: 'Declared jobs, `<periodSeconds>|<service>|<regex>` each; set from the configuration\'s periodicJobs rather than by hand.',
      gapFactor: 'A gap between runs longer than this many periods holds missed runs.',
      runGapSeconds: 'Records of the job closer than this are one run.',
    },
  },
  detect(t: TimelineSummary, o): DetectedFinding<KnownJobsData>[] {
    const out: DetectedFinding<KnownJobsData>[] = [];
    const { start, end } = t.window;
    if (start === null || end === null || end <= start) return out;
    for (const raw of o.jobs) {
      const job = decodeJob(raw);
      if (!job) continue;
      const P = job.periodSeconds * 1000;
      const tps = t.templates.filter((tp) => tp.count > 0 && (job.service === null || tp.service === job.service) && (job.match.test(tp.text) || tp.examples.some((x) => job.match.test(x.text))));
      const runs = runsOf(tps, o.runGapSeconds * 1000);
      const expected = Math.floor((end - start) / P);
      const about = hash32(raw);
      const name = `/${job.source}/${job.service ? ` (${job.service})` : ''}`;
      const every = humanDuration(P);
      if (runs.length === 0) {
        if (expected < 2) continue;
        out.push({
          about,
          severity: 'high',
          title: `Declared job ${name} never ran (expected every ${every})`,
          summary: `No record matched ${name} in ${humanDuration(end - start)}, where a run every ${every} means about ${expected} runs.`,
          pattern: `Not one record of the job in the window ${isoSeconds(start)} to ${isoSeconds(end)}.`,
          rootCause: 'Either the job does not run (not scheduled, crashed at start, disabled), or it runs without logging the line it is declared by (a changed message, a log level filtered out).',
          impact: 'Whatever the job maintains (materializations, cleanups, syncs, token refreshes) is not being done, and nothing else in the logs says so.',
          recommendation: 'Check the scheduler and the job\'s start-up; if it runs, make it log one line per run that the declaration matches, and alert on its absence (a dead man\'s switch).',
          evidence: [],
          data: { job: job.source, service: job.service, periodSeconds: job.periodSeconds, runs: 0, expected, missed: expected, lastRun: null, longestGapSeconds: null, templates: [] },
        });
        continue;
      }
      // Gaps inside the window, and before the first / after the last run.
      let missed = 0;
      let longest = 0;
      let longestAt = runs[0]!;
      for (let i = 1; i < runs.length; i++) {
        const gap = runs[i]! - runs[i - 1]!;
        if (gap > longest) {
          longest = gap;
          longestAt = runs[i - 1]!;
        }
        if (gap > o.gapFactor * P) missed += Math.round(gap / P) - 1;
      }
      const head = runs[0]! - start;
      const tail = end - runs[runs.length - 1]!;
      if (head > o.gapFactor * P) missed += Math.floor(head / P);
      const stopped = tail > 2 * P;
      if (tail > o.gapFactor * P) missed += Math.floor(tail / P);
      const severity: FindingSeverity = stopped ? 'high' : missed > 0 ? 'medium' : 'info';
      const last = runs[runs.length - 1]!;
      const templates = tps.map((tp) => tp.text);
      const evidence = tps.flatMap((tp) => evidenceOfTemplate(t, tp, 2)).slice(0, 4);
      const base = {
        about,
        severity,
        evidence,
        data: {
          job: job.source, service: job.service, periodSeconds: job.periodSeconds, runs: runs.length, expected, missed,
          lastRun: isoSeconds(last), longestGapSeconds: Math.round(longest / 1000), templates, stopped,
        },
      };
      if (severity === 'info') {
        out.push({
          ...base,
          title: `Declared job ${name} ran on schedule (${runs.length} runs, every ${every})`,
          summary: `${runs.length} runs for ${expected} expected; no gap longer than ${o.gapFactor} periods.`,
          pattern: `Runs every ${every} from ${isoSeconds(runs[0]!)} to ${isoSeconds(last)}.`,
          rootCause: 'Not a problem: the job runs as declared.',
          impact: 'None.',
          recommendation: 'No change needed.',
        });
        continue;
      }
      out.push({
        ...base,
        title: stopped
          ? `Declared job ${name} stopped: last run ${humanDuration(tail)} before the end of the window`
          : `Declared job ${name} missed ${missed} run${missed === 1 ? '' : 's'} (every ${every})`,
        summary: `${runs.length} runs for about ${expected} expected; ${missed} missed${stopped ? `, none after ${isoSeconds(last)}` : ''}.`,
        pattern: `The longest gap between runs is ${humanDuration(longest)} (from ${isoSeconds(longestAt)}), ${(longest / P).toFixed(1)} periods.`,
        rootCause: stopped
          ? 'The job stopped running: its loop or scheduler died (an unhandled exception in a background task, a cancelled task after a restart), or it hangs on something without a timeout.'
          : 'Runs were skipped: the process was down or restarting at those times, the scheduler skips a run while the previous one is still active, or a run hung past its slot.',
        timing: `Last run ${isoSeconds(last)}; window ends ${isoSeconds(end)}.`,
        impact: 'The work the job does was not done for the missed periods, and a monitor that checks only for errors sees nothing.',
        recommendation: 'Alert on the absence of the job\'s run line (a dead man\'s switch such as a heartbeat check), put a timeout around each run, and supervise the loop so that an exception restarts it.',
      });
    }
    return out;
  },
});

/** Run start times: template times merged, records closer than `runGapMs` folded into one run. */
function runsOf(tps: TemplateSummary[], runGapMs: number): number[] {
  const all: number[] = [];
  for (const tp of tps) for (const ts of tp.times) all.push(ts);
  all.sort((a, b) => a - b);
  const runs: number[] = [];
  for (const x of all) if (runs.length === 0 || x - runs[runs.length - 1]! > runGapMs) runs.push(x);
  return runs;
}
