// Clients that lost their broker or cache, in their library's words (the broker-outage entries of
// error-vocabulary.ts): ioredis's "[ioredis] Unhandled error event: Error: connect ECONNREFUSED",
// node-redis, redis-py's ConnectionError, Celery's "consumer: Cannot connect to redis://..." and
// beat's "Couldn't apply scheduled task". The lines of one service less than a minute apart are one
// outage; its length is from the first failure to the last, and a client retrying for minutes is
// a different matter from one reconnect.
import type { TimelineSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { vocabularyInterest } from '../ingest/error-vocabulary.js';
import { occurrenceMs, occurrencesOf, outageCounts, outageFigures } from './shared/vocabulary-events.js';
import { countBy, distinct, spreadEvidence } from './shared/event-groups.js';
import { isoSeconds, plural } from '../words.js';

/** The `data` of a broker-outage finding (its numbers, for the reports and the JSON). */
export type BrokerOutageData = {
  outages: number;
  failedLines: number;
  longestSeconds: number;
  byLibrary: Record<string, number>;
  perService: Record<string, number>;
  targets: string[];
  reasons: Record<string, number>;
  periods: {
    service: string;
    from: string | null;
    to: string | null;
    seconds: number;
    lines: number;
  }[];
  services: string[];
  firstSeen: string | null;
  lastSeen: string | null;
};

export const brokerOutage = defineDetector({
  meta: {
    id: 'broker-outage',
    title: 'Broker and cache connection failures',
    explanation:
      'Clients that lost or could not reach Redis, in their library\'s words (ioredis, node-redis, redis-py, Celery\'s consumer and beat), ' +
      'grouped per service into outages (lines less than gapSeconds apart), each with its length from the first failure to the last and ' +
      'the address the client names. A single reconnect is low; an outage of minutes is high.',
    defaults: { gapSeconds: 60, mediumSeconds: 10, highSeconds: 120, mediumCount: 4 },
    optionDocs: {
      gapSeconds: 'failures of one service less than this many seconds apart are one outage',
      mediumSeconds: 'an outage this long (s) is medium',
      highSeconds: 'an outage this long (s) is high',
      mediumCount: 'an outage with this many failed lines is medium even when short',
    },
    interests: [vocabularyInterest(['broker-outage'])],
  },
  detect(t: TimelineSummary, o): DetectedFinding<BrokerOutageData>[] {
    const outages = occurrencesOf(t, ['broker-outage'], o.gapSeconds * 1000);
    if (outages.length === 0) return [];
    const { lines, longestSeconds, severity, services, byLibrary, perService, firstSeen, lastSeen, lengthText } = outageFigures(outages, o);
    const targets = distinct(
      outages.flatMap((x) =>
        x.matches.map((m) => (typeof m.values.url === 'string' ? m.values.url : m.values.host !== undefined ? `${m.values.host}:${m.values.port}` : null)).filter((v): v is string => v !== null),
      ),
    );
    const reasons = countBy(outages.flatMap((x) => x.matches.filter((m) => typeof m.values.reason === 'string')), (m) => m.values.reason as string);
    return [
      {
        about: services.join('+'),
        severity,
        title: `Broker or Cache Unreachable (${plural(outages.length, 'outage')}, ${plural(lines, 'failed line')})`,
        summary:
          `${plural(outages.length, 'outage')} of the connection to ${targets.length > 0 ? targets.join(', ') : 'Redis'} on ${services.join(', ')} between ${firstSeen ?? '?'} and ${lastSeen ?? '?'}; ${lengthText}.`,
        pattern:
          outageCounts(byLibrary, perService) +
          (Object.keys(reasons).length > 0 ? `; reasons: ${Object.entries(reasons).slice(0, 5).map(([r, c]) => `${r} ×${c}`).join(', ')}` : '') +
          '.',
        rootCause:
          'The client could not reach its broker or cache: the Redis server restarted or was redeployed, ran out of memory, hit maxclients, or the network or private address changed. ' +
          'Connection refused means nothing listened at the address; closed by server means it went away under the client.',
        impact:
          'While the connection was down, cached reads fell back or failed, jobs were neither queued nor consumed (Celery\'s consumer waits and retries; beat fails to send due tasks), and requests that needed Redis failed.',
        recommendation:
          'Check the Redis service for a restart or out-of-memory at these times; give clients bounded retries with backoff and a failure path that does not take requests down; ' +
          'alert when a consumer stays disconnected longer than a few retries.',
        evidence: spreadEvidence(t, outages.map((x) => x.events[0]!), 5),
        data: {
          outages: outages.length,
          failedLines: lines,
          longestSeconds,
          byLibrary,
          perService,
          targets,
          reasons,
          periods: outages.slice(0, 20).map((x) => ({
            service: x.service,
            from: x.start === null ? null : isoSeconds(x.start),
            to: x.end === null ? null : isoSeconds(x.end),
            seconds: Math.round(occurrenceMs(x) / 1000),
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
