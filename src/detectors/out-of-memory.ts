// Processes that ran out of memory, in their runtime's words (src/ingest/error-vocabulary.ts):
// V8's "FATAL ERROR: ... JavaScript heap out of memory" with the heap size of its last GC lines,
// the JVM's OutOfMemoryError (a crash when HotSpot's -XX:+ExitOnOutOfMemoryError or
// CrashOnOutOfMemoryError ends the process: "Terminating due to ...", "Aborting due to ..."), Python's MemoryError, the Go runtime's "fatal error: out of memory",
// and a SIGKILL (a shell's "Killed", exit 137) beside one of those lines: the kernel's OOM killer.
// A SIGKILL alone is any kill (a stop timeout, `kill -9`, a supervisor) and is left to
// process-exits. The lines one crash prints together are one occurrence.
import type { Finding, FindingSeverity } from '../model.js';
import type { TimelineSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { signalOfExitCode, vocabularyInterest, type VocabularyMatch } from '../ingest/error-vocabulary.js';
import { occurrencesOf, type Occurrence } from './shared/vocabulary-events.js';
import { containerStarts, LIFECYCLE_INTERESTS } from './shared/lifecycle.js';
import { countBy, distinct, firstLast, spreadEvidence } from './shared/event-groups.js';
import { isoSeconds, plural } from '../words.js';

/** Entries after which the process is gone (the runtime aborts). */
const FATAL = new Set(['v8-heap-out-of-memory', 'go-runtime-out-of-memory', 'hotspot-exit-on-out-of-memory', 'hotspot-crash-on-out-of-memory']);

const isOom = (m: VocabularyMatch) => m.entry.incident === 'out-of-memory';

/** An exit by SIGKILL: a shell's "Killed", exit code 137, "signal SIGKILL". */
function isSigkill(m: VocabularyMatch): boolean {
  const { signal, exitCode } = m.values;
  return m.entry.incident === 'process-exit' && (signal ?? (typeof exitCode === 'number' ? signalOfExitCode(exitCode) : null)) === 'SIGKILL';
}

function kindOf(o: Occurrence): 'runtime-crash' | 'killed' | 'exception' {
  if (o.matches.some((m) => FATAL.has(m.entry.id))) return 'runtime-crash';
  if (o.matches.some(isSigkill)) return 'killed';
  return 'exception';
}

/** The `data` of an out-of-memory finding (its numbers, for the reports and the JSON). */
export type OutOfMemoryData = {
  count: number;
  runtimeCrashes: number;
  killedBySigkill: number;
  exceptions: number;
  byLibrary: Record<string, number>;
  perService: Record<string, number>;
  heapMb: number | null;
  reasons: string[];
  occurrences: ({
    at: string | null;
    service: string;
    entries: string[];
  } & Occurrence['values'])[];
  services: string[];
  firstSeen: string | null;
  lastSeen: string | null;
};

export const outOfMemory = defineDetector({
  meta: {
    id: 'out-of-memory',
    title: 'Out of memory',
    report: { count: (f: Finding<OutOfMemoryData>) => f.data.count },
    explanation:
      'Processes that ran out of memory, in their runtime\'s words: V8\'s "JavaScript heap out of memory" (with the heap size of its last ' +
      'GC lines), the JVM\'s OutOfMemoryError, Python\'s MemoryError, the Go runtime\'s "fatal error: out of memory", and a SIGKILL (a shell\'s ' +
      '"Killed", exit 137) beside one of those lines, as the kernel\'s OOM killer does; a SIGKILL alone is any kill, left to process-exits. ' +
      'The lines of one crash count once.',
    defaults: { gapSeconds: 10, highCount: 2 },
    optionDocs: {
      gapSeconds: 'lines of one service less than this many seconds apart are one occurrence',
      highCount: 'occurrences of exceptions or SIGKILLs that make the finding high (a runtime crash is high at once)',
    },
    interests: [vocabularyInterest(['out-of-memory', 'process-exit']), ...LIFECYCLE_INTERESTS],
  },
  detect(t: TimelineSummary, o): DetectedFinding<OutOfMemoryData>[] {
    // Exits join the out-of-memory lines within the gap; an occurrence of exits only is no OOM.
    const all = occurrencesOf(t, ['out-of-memory', 'process-exit'], o.gapSeconds * 1000, { starts: containerStarts(t) }).filter((x) => x.matches.some(isOom));
    if (all.length === 0) return [];
    const kinds = all.map(kindOf);
    const crashes = kinds.filter((k) => k === 'runtime-crash').length;
    const killed = kinds.filter((k) => k === 'killed').length;
    const exceptions = kinds.filter((k) => k === 'exception').length;
    const severity: FindingSeverity = crashes > 0 || all.length >= o.highCount ? 'high' : 'medium';
    const services = distinct(all.map((x) => x.service));
    const byLibrary = countBy(all, (x) => x.matches.find(isOom)!.entry.library);
    const heaps = all.map((x) => x.values.heapMb).filter((v): v is number => typeof v === 'number');
    const heapMb = heaps.length > 0 ? Math.max(...heaps) : null;
    const { firstSeen, lastSeen } = firstLast(all.flatMap((x) => x.events));
    const parts: string[] = [];
    if (crashes > 0) parts.push(`${plural(crashes, 'runtime crash', 'runtime crashes')}`);
    if (killed > 0) parts.push(`${plural(killed, 'process', 'processes')} killed by SIGKILL`);
    if (exceptions > 0) parts.push(`${plural(exceptions, 'out-of-memory error')}`);
    const reasons = distinct(all.map((x) => x.values.reason).filter((r): r is string => typeof r === 'string'));
    return [
      {
        about: services.join('+'),
        severity,
        title: `Out of Memory (${parts.join(', ')})`,
        summary:
          `${parts.join(', ')} on ${services.join(', ')} between ${firstSeen ?? '?'} and ${lastSeen ?? '?'}` +
          (heapMb !== null ? `; the V8 heap held ${heapMb} MB after its last collection` : '') +
          '.',
        pattern:
          `By runtime: ${Object.entries(byLibrary).map(([l, c]) => `${l} ${c}`).join(', ')}; per service: ` +
          Object.entries(countBy(all, (x) => x.service)).map(([s, c]) => `${s} ${c}`).join(', ') +
          (reasons.length > 0 ? `; reasons: ${reasons.join(', ')}` : '') +
          '.',
        rootCause:
          (crashes + exceptions > 0
            ? 'The runtime could not allocate within its limit: a leak (memory that grows until the crash), one request or job loading too much at once, or a heap limit (--max-old-space-size, -Xmx) below what the work needs. '
            : '') +
          (killed > 0
            ? 'A process was killed by SIGKILL right beside an out-of-memory line: the kernel\'s OOM killer at the container\'s memory limit.'
            : ''),
        impact: 'The process died (or the failing operation was lost); requests and jobs in flight were dropped, and the service restarted if the platform restarts it.',
        recommendation:
          'Look at the memory metrics before each occurrence: a steady climb is a leak (take a heap snapshot), a sudden jump is one operation loading too much (stream or paginate it). ' +
          'Keep the runtime\'s heap limit below the container\'s memory limit so the runtime, not the kernel, reports the failure.',
        evidence: spreadEvidence(t, all.map((x) => x.events[x.matches.findIndex(isOom)]!), 5),
        data: {
          count: all.length,
          runtimeCrashes: crashes,
          killedBySigkill: killed,
          exceptions,
          byLibrary,
          perService: countBy(all, (x) => x.service),
          heapMb,
          reasons,
          occurrences: all.slice(0, 20).map((x) => ({
            at: x.start === null ? null : isoSeconds(x.start),
            service: x.service,
            entries: distinct(x.matches.map((m) => m.entry.id)),
            ...x.values,
          })),
          services,
          firstSeen,
          lastSeen,
        },
      },
    ];
  },
});
