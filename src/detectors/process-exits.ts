// Processes that exited with a failure code or a signal, in the words of what ran them
// (src/ingest/error-vocabulary.ts): Node's uncaught-exception trailer ("Node.js v20.20.2"),
// npm's "npm error code 1" / "signal SIGKILL", yarn's "error Command failed with exit code 1.",
// pnpm's ELIFECYCLE, bun, supervisord's "exited: api (exit status 3; not expected)", a shell's
// "Killed" / "Aborted" / "Segmentation fault". The lines one exit prints together are one exit; an exit that
// is an out-of-memory crash is left to out-of-memory, one at a time limit (Celery's hard limit kills
// its pool process) to timeouts; SIGTERM and SIGINT are stops, not crashes.
import type { Finding } from '../model.js';
import type { TimelineSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { signalOfExitCode, vocabularyInterest } from '../ingest/error-vocabulary.js';
import { occurrencesOf, startBetween, type Occurrence } from './shared/vocabulary-events.js';
import { containerStarts, LIFECYCLE_INTERESTS } from './shared/lifecycle.js';
import { countBy, distinct, firstLast, spreadEvidence } from './shared/event-groups.js';
import { isoSeconds, plural } from '../words.js';

const STOP_SIGNALS = new Set(['SIGTERM', 'SIGINT']);

/** "exit 1", "SIGKILL", "exit 137 (SIGKILL)", or "unknown code". */
function codeOf(o: Occurrence): string {
  const code = typeof o.values.exitCode === 'number' ? o.values.exitCode : null;
  const signal = typeof o.values.signal === 'string' ? o.values.signal : code !== null ? signalOfExitCode(code) : null;
  if (code !== null) return signal !== null ? `exit ${code} (${signal})` : `exit ${code}`;
  return signal ?? 'unknown code';
}

function isStop(o: Occurrence): boolean {
  const code = typeof o.values.exitCode === 'number' ? o.values.exitCode : null;
  const signal = typeof o.values.signal === 'string' ? o.values.signal : code !== null ? signalOfExitCode(code) : null;
  return signal !== null && STOP_SIGNALS.has(signal);
}

/** The `data` of a process-exits finding (its numbers, for the reports and the JSON). */
export type ProcessExitsData = {
  count: number;
  byCode: Record<string, number>;
  perService: Record<string, number>;
  byReporter: Record<string, number>;
  leftToOutOfMemory: number;
  leftToTimeouts: number;
  stops: number;
  exits: ({
    at: string | null;
    service: string;
    code: string;
  } & Occurrence['values'])[];
  services: string[];
  firstSeen: string | null;
  lastSeen: string | null;
};

export const processExits = defineDetector({
  meta: {
    id: 'process-exits',
    title: 'Processes that exited with a failure',
    report: { count: (f: Finding<ProcessExitsData>) => f.data.count },
    explanation:
      'Processes that exited with a failure code or a signal, as the program that ran them reports it: Node\'s uncaught-exception exit, ' +
      'npm, yarn, pnpm and bun script failures ("error Command failed with exit code 1."), supervisord\'s unexpected exits, a shell\'s ' +
      '"Killed", "Aborted" or "Segmentation fault". Per service, with the exit codes and signals; out-of-memory crashes are left to out-of-memory, ' +
      'and SIGTERM/SIGINT exits (a platform stopping the process) are not failures.',
    defaults: { gapSeconds: 10, highCount: 3 },
    optionDocs: {
      gapSeconds: 'lines of one service less than this many seconds apart are one exit',
      highCount: 'failed exits that make the finding high (repeated crashes)',
    },
    interests: [vocabularyInterest(['process-exit']), ...LIFECYCLE_INTERESTS],
  },
  detect(t: TimelineSummary, o): DetectedFinding<ProcessExitsData>[] {
    const gap = o.gapSeconds * 1000;
    // One exit's lines are of one life: a container start between two lines parts them.
    const starts = containerStarts(t);
    const sameLife = (service: string, a: number, b: number) => {
      const s = starts.get(service);
      return s === undefined || !startBetween(s, Math.min(a, b), Math.max(a, b));
    };
    const near = (list: Occurrence[]) => (x: Occurrence) =>
      list.some((m) => m.service === x.service && x.start !== null && m.start !== null && x.start >= m.start - gap && x.start <= m.end! + gap && sameLife(x.service, x.start, m.start));
    const nearOom = near(occurrencesOf(t, ['out-of-memory'], gap, { starts }));
    // A worker killed at its time limit (Celery's hard limit kills the pool process) is a timeout;
    // surely so when the limit's line names its pid (gunicorn's WORKER TIMEOUT, php-fpm's
    // request_terminate_timeout), however near another worker's out-of-memory error.
    const limits = occurrencesOf(t, ['worker-timeout'], gap, { starts });
    const nearLimit = near(limits);
    const killedAtLimit = (x: Occurrence) => x.values.pid !== undefined && limits.some((m) => m.service === x.service && m.values.pid === x.values.pid);
    const exits = occurrencesOf(t, ['process-exit'], gap, { starts });
    const toTimeouts = (x: Occurrence) => killedAtLimit(x) || (!nearOom(x) && nearLimit(x));
    const leftToOom = exits.filter((x) => !killedAtLimit(x) && nearOom(x)).length;
    const leftToTimeouts = exits.filter(toTimeouts).length;
    const rest = exits.filter((x) => !nearOom(x) && !toTimeouts(x));
    const stops = rest.filter(isStop).length;
    const crashes = rest.filter((x) => !isStop(x));
    if (crashes.length === 0) return [];
    const services = distinct(crashes.map((x) => x.service));
    const byCode = countBy(crashes, codeOf);
    const perService = countBy(crashes, (x) => x.service);
    const byReporter = countBy(crashes, (x) => x.matches[0]!.entry.library);
    const { firstSeen, lastSeen } = firstLast(crashes.flatMap((x) => x.events));
    const codes = Object.entries(byCode).map(([c, n]) => `${c} ×${n}`).join(', ');
    return [
      {
        about: services.join('+'),
        severity: crashes.length >= o.highCount ? 'high' : 'medium',
        title: `Processes Exited with a Failure (${plural(crashes.length, 'exit')}: ${Object.keys(byCode).join(', ')})`,
        summary: `${plural(crashes.length, 'process exit')} with a failure on ${services.join(', ')} between ${firstSeen ?? '?'} and ${lastSeen ?? '?'} (${codes}).`,
        pattern:
          `Per service: ${Object.entries(perService).map(([s, c]) => `${s} ${c}`).join(', ')}; reported by ${Object.entries(byReporter).map(([r, c]) => `${r} ${c}`).join(', ')}` +
          (leftToOom > 0 ? `; ${plural(leftToOom, 'more exit')} came with an out-of-memory crash (see out-of-memory)` : '') +
          (leftToTimeouts > 0 ? `; ${plural(leftToTimeouts, 'more exit')} came with a time limit (see timeouts)` : '') +
          (stops > 0 ? `; ${plural(stops, 'exit')} by SIGTERM or SIGINT (stops, not failures) not counted` : '') +
          '.',
        rootCause:
          'Exit code 1 after an uncaught exception or a failed start (a missing variable, a refused connection at boot); 134 (SIGABRT) an abort; ' +
          '137 (SIGKILL) a kill (the kernel\'s OOM killer, a stop that timed out, kill -9, a supervisor); 139 (SIGSEGV) a crash in native code. The lines just before each exit say which.',
        impact: 'Each exit dropped the work the process had in flight; when the platform restarts it, repeated exits become a crash loop.',
        recommendation:
          'Read the error just before each exit (evidence below); handle the failure or let the process fail at start with a clear message, and ' +
          'make the start command exec the server (no npm or shell in between) so signals and exit codes reach the platform.',
        evidence: spreadEvidence(t, crashes.map((x) => x.events[x.events.length - 1]!), 5),
        data: {
          count: crashes.length,
          byCode,
          perService,
          byReporter,
          leftToOutOfMemory: leftToOom,
          leftToTimeouts,
          stops,
          exits: crashes.slice(0, 20).map((x) => ({ at: x.start === null ? null : isoSeconds(x.start), service: x.service, code: codeOf(x), ...x.values })),
          services,
          firstSeen,
          lastSeen,
        },
      },
    ];
  },
});
