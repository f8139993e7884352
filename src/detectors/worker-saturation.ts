// A server's own workers all busy, in its words (the worker-saturation entries of
// error-vocabulary.ts): php-fpm's "server reached pm.max_children setting (3)", uvicorn's
// "Exceeded concurrency limit." (--limit-concurrency). Not a database pool (connection-exhaustion)
// nor a request stopped at its time limit (timeouts): the server had no worker for the next request,
// which waited in the listen backlog (php-fpm) or was answered 503 (uvicorn). Lines of one service
// less than gapSeconds apart are one episode.
import type { TimelineSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { vocabularyInterest } from '../ingest/error-vocabulary.js';
import { occurrencesOf } from './shared/vocabulary-events.js';
import { countBy, distinct, firstLast, spreadEvidence } from './shared/event-groups.js';
import { isoSeconds, plural } from '../words.js';

/** The `data` of a worker-saturation finding (its numbers, for the reports and the JSON). */
export type WorkerSaturationData = {
  /** Lines that said the server was at its limit. */
  count: number;
  episodes: number;
  byLibrary: Record<string, number>;
  perService: Record<string, number>;
  /** The limits the lines name ("php-fpm pool www: 3"); uvicorn's line names none. */
  limits: Record<string, number>;
  periods: { service: string; from: string | null; to: string | null; lines: number }[];
  services: string[];
  firstSeen: string | null;
  lastSeen: string | null;
};

export const workerSaturation = defineDetector({
  meta: {
    id: 'worker-saturation',
    title: 'Worker pools at their limit',
    explanation:
      'A server with every worker busy, in its own words (php-fpm\'s pm.max_children reached, uvicorn\'s --limit-concurrency exceeded): ' +
      'the next requests waited for a worker or were refused. One finding per run with the limit the lines name, how many times and when; medium.',
    defaults: { gapSeconds: 60 },
    optionDocs: { gapSeconds: 'lines of one service less than this many seconds apart are one episode' },
    interests: [vocabularyInterest(['worker-saturation'])],
  },
  detect(t: TimelineSummary, o): DetectedFinding<WorkerSaturationData>[] {
    const episodes = occurrencesOf(t, ['worker-saturation'], o.gapSeconds * 1000);
    if (episodes.length === 0) return [];
    const matches = episodes.flatMap((x) => x.matches);
    const count = matches.length;
    const byLibrary = countBy(matches, (m) => m.entry.library);
    const perService = countBy(
      episodes.flatMap((x) => x.events),
      (e) => e.service,
    );
    const limits: Record<string, number> = {};
    for (const m of matches) {
      if (typeof m.values.workerLimit !== 'number') continue;
      limits[`${m.entry.library}${m.values.pool !== undefined ? ` pool ${m.values.pool}` : ''}`] = m.values.workerLimit;
    }
    const services = distinct(episodes.map((x) => x.service));
    const { firstSeen, lastSeen } = firstLast(episodes.flatMap((x) => x.events));
    const limitText = Object.entries(limits).map(([k, v]) => `${k} at ${v}`).join(', ');
    return [
      {
        about: services.join('+'),
        severity: 'medium',
        title: `Worker Pool at Its Limit (${plural(count, 'time')})`,
        summary:
          `${Object.keys(byLibrary).join(' and ')} had every worker busy ${plural(count, 'time')} (${plural(episodes.length, 'episode')}) on ${services.join(', ')} ` +
          `between ${firstSeen ?? '?'} and ${lastSeen ?? '?'}${limitText !== '' ? `; limit: ${limitText}` : ''}.`,
        pattern:
          `by library: ${Object.entries(byLibrary).map(([l, c]) => `${l} ${c}`).join(', ')}; per service: ${Object.entries(perService).map(([s, c]) => `${s} ${c}`).join(', ')}` +
          (limitText !== '' ? `; limits: ${limitText}` : '') +
          '.',
        rootCause:
          'More requests arrived at once than the server has workers (php-fpm pm.max_children, uvicorn --limit-concurrency): slow requests (a slow query, a call without a timeout, long exports) hold workers, or the limit is too low for the traffic.',
        impact:
          'While the pool was full, new requests were not served: php-fpm queues them in its socket backlog (the proxy may time out first: 502/504), uvicorn answers 503 at once.',
        recommendation:
          'Find what held the workers at these times (slow requests, slow queries, timeouts in this report); bound slow calls and move long work to background jobs; ' +
          'raise the limit only as far as memory and the database connections allow.',
        evidence: spreadEvidence(t, episodes.map((x) => x.events[0]!), 5),
        data: {
          count,
          episodes: episodes.length,
          byLibrary,
          perService,
          limits,
          periods: episodes.slice(0, 20).map((x) => ({
            service: x.service,
            from: x.start === null ? null : isoSeconds(x.start),
            to: x.end === null ? null : isoSeconds(x.end),
            lines: x.events.length,
          })),
          services,
          firstSeen,
          lastSeen,
        },
      },
    ];
  },
});
