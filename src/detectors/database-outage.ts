// The application losing its PostgreSQL, in the clients' words (the database-outage entries of
// error-vocabulary.ts): connections refused at the port the server listens on (Node's `connect
// ECONNREFUSED host:5432`, whatever the client: node-postgres under TypeORM, knex, Sequelize,
// Drizzle; pgjdbc's `Connection to host:5432 refused.`, also as the cause under HikariCP's timeout), new sessions refused while it stops ("the database system is shutting down") and
// sessions ended by its shutdown ("terminating connection due to administrator command"), relayed
// by the client. A refused connection counts when its port is 5432 or one PostgreSQL's own log says
// it listens on; the server's own lines are not the application's. The lines of one service less
// than gapSeconds apart are one outage, its length from the first failure to the last.
import type { TimelineSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { vocabularyInterest } from '../ingest/error-vocabulary.js';
import { occurrencesOf, outageCounts, outageFigures, type Occurrence } from './shared/vocabulary-events.js';
import { candidateEvents } from './shared/template-index.js';
import { distinct, spreadEvidence } from './shared/event-groups.js';
import { isoSeconds, plural } from '../words.js';

/** PostgreSQL's start-up line naming its port (`listening on IPv4 address "0.0.0.0", port 5432`). */
const LISTENING_RE = /listening on IPv[46] address "[^"\n]{0,200}", port (\d{1,5})/;
/** The port PostgreSQL listens on unless configured otherwise. */
const DEFAULT_PORT = 5432;

/** An outage: an occurrence of the vocabulary's database-outage lines, every line with a time. */
type Outage = Occurrence & { start: number; end: number };

/** The `data` of a database-outage finding (its numbers, for the reports and the JSON). */
export type DatabaseOutageData = {
  outages: number;
  failedLines: number;
  longestSeconds: number;
  byLibrary: Record<string, number>;
  perService: Record<string, number>;
  targets: string[];
  periods: { service: string; from: string; to: string; seconds: number; lines: number }[];
  services: string[];
  firstSeen: string | null;
  lastSeen: string | null;
};

export const databaseOutage = defineDetector({
  meta: {
    id: 'database-outage',
    title: 'Database unreachable from the application',
    explanation:
      'The application\'s connections to PostgreSQL refused at its port (Node\'s "connect ECONNREFUSED host:5432" under any client, pgjdbc\'s "Connection to host:5432 refused", ' +
      'also as the cause of a pool\'s timeout, which is then not counted as pool exhaustion), new sessions ' +
      'refused while the server stops ("the database system is shutting down") and sessions ended by its shutdown ("terminating connection due to ' +
      'administrator command"), as the client relays them; grouped per service into outages (lines less than gapSeconds apart), each with its length ' +
      'from the first failure to the last and the address refused. A refused connection counts when its port is 5432 or one PostgreSQL says it listens on.',
    defaults: { gapSeconds: 60, mediumSeconds: 10, highSeconds: 120, mediumCount: 4 },
    optionDocs: {
      gapSeconds: 'failures of one service less than this many seconds apart are one outage',
      mediumSeconds: 'an outage this long (s) is medium',
      highSeconds: 'an outage this long (s) is high',
      mediumCount: 'an outage with this many failed lines is medium even when short',
    },
    interests: [vocabularyInterest(['database-outage']), LISTENING_RE],
  },
  detect(t: TimelineSummary, o): DetectedFinding<DatabaseOutageData>[] {
    // The ports PostgreSQL itself says it listens on: a refusal at another port is another server's.
    const ports = new Set<number>([DEFAULT_PORT]);
    for (const ev of candidateEvents(t, (m) => LISTENING_RE.test(m))) {
      const l = ev.source === 'postgres' ? LISTENING_RE.exec(ev.message) : null;
      if (l !== null) ports.add(Number(l[1]));
    }
    // The client's lines with a time (so every outage has a start and an end), not the server's own.
    const outages = occurrencesOf(t, ['database-outage'], o.gapSeconds * 1000, {
      keep: (ev, m) => ev.source !== 'postgres' && ev.ts !== null && (typeof m.values.port !== 'number' || ports.has(m.values.port)),
    }) as Outage[];
    if (outages.length === 0) return [];
    const { lines, longestSeconds, severity, services, byLibrary, perService, firstSeen, lastSeen, lengthText } = outageFigures(outages, o);
    const targets = distinct(outages.flatMap((x) => x.matches).filter((m) => m.values.host !== undefined).map((m) => `${m.values.host}:${m.values.port}`));
    return [
      {
        about: services.join('+'),
        severity,
        title: `Database Unreachable (${plural(outages.length, 'outage')}, ${plural(lines, 'failed line')})`,
        summary: `${plural(outages.length, 'outage')} of the connection to PostgreSQL${targets.length > 0 ? ` (${targets.join(', ')})` : ''} on ${services.join(', ')} between ${firstSeen ?? '?'} and ${lastSeen ?? '?'}; ${lengthText}.`,
        pattern: `${outageCounts(byLibrary, perService)}.`,
        rootCause:
          'The application could not reach PostgreSQL: the server stopped or restarted (a redeploy, a crash, a failover, maintenance), or the network or its address changed. ' +
          'Connection refused means nothing listened at the port; "shutting down" and "administrator command" mean the server was stopping while the app used it.',
        impact: 'Every request and job that needed the database failed while it was down, and pooled connections were cut.',
        recommendation:
          'Check the PostgreSQL service for a stop, crash or restart at these times (its own log says which); retry a failed connection with backoff instead of failing the request at once; ' +
          'deploy the database apart from the app so an app deploy does not restart it.',
        evidence: spreadEvidence(t, outages.map((x) => x.events[0]!), 5),
        data: {
          outages: outages.length,
          failedLines: lines,
          longestSeconds,
          byLibrary,
          perService,
          targets,
          periods: outages.slice(0, 20).map((x) => ({ service: x.service, from: isoSeconds(x.start), to: isoSeconds(x.end), seconds: Math.round((x.end - x.start) / 1000), lines: x.events.length })),
          services,
          firstSeen,
          lastSeen,
        },
      },
    ];
  },
});
