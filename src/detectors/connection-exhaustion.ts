// Connection exhaustion, on both sides of the wire: PostgreSQL refusing connections ("sorry, too
// many clients already", "remaining connection slots are reserved ...", SQLSTATE 53300) and the
// application's pool running dry (SQLAlchemy "QueuePool limit of size N overflow M reached",
// psycopg_pool "couldn't get a connection after N sec", asyncpg pool acquire timeouts). The peak
// demand is set against the capacity when the logs say it: the most sessions PostgreSQL had open
// at once, the pool size in the QueuePool message, pool sizes the app printed at start-up.
import type { Finding } from '../model.js';
import type { TimelineEvent, TimelineSummary } from '../timeline/timeline.js';
import { defineDetector } from './detector.js';
import { candidateEvents } from './template-index.js';
import { isoSeconds } from './evidence.js';
import { countBy, distinct, firstLast, spreadEvidence } from './event-groups.js';
import { plural } from '../words.js';

const TOO_MANY_RE = /sorry, too many clients already|TooManyConnectionsError/;
const RESERVED_RE = /remaining connection slots are reserved for/;
const QUEUEPOOL_RE = /QueuePool limit of size (\d+) overflow (-?\d+) reached, connection timed out, timeout ([0-9.]+)/;
/** Pool-acquire failures of the application's pool (exported: timeouts leaves these to this detector). */
// A traceback is one event: the acquire frame and the TimeoutError at its end may be lines apart.
export const POOL_EXHAUSTION_RE =
  /QueuePool limit of size \d+ overflow -?\d+ reached|couldn't get a connection after [0-9.]+ sec|\bPoolTimeout\b|pool (?:is )?exhausted|acquir\w*[\s\S]{0,3000}?\b(?:timed out|TimeoutError)\b|\b(?:timed out|TimeoutError)\b[\s\S]{0,300}?\bacquir/i;
const POOL_SIZE_RE = /\b(pool_size|max_overflow|max_size|min_size|DB_POOL_MAX_SIZE|DB_POOL_SIZE|POOL_SIZE|pool[ _]max(?:_size)?|maxconn|max_connections|connection_limit)\s*[=:]\s*(\d+)/gi;
/** The same names without flags (the timeline joins interests into one expression and drops flags). */
const POOL_SIZE_INTEREST = /\b(?:pool_size|max_overflow|max_size|min_size|DB_POOL_MAX_SIZE|DB_POOL_SIZE|POOL_SIZE|pool_max|pool max|maxconn|max_connections|connection_limit)\s*[=:]\s*\d/;

type Kind = 'too-many-clients' | 'reserved-slots' | 'queuepool' | 'pool-timeout';

/** Picks the templates to test: a refusal, a pool timeout or a logged pool size. */
const mayMatter = (m: string) => TOO_MANY_RE.test(m) || RESERVED_RE.test(m) || QUEUEPOOL_RE.test(m) || POOL_EXHAUSTION_RE.test(m) || POOL_SIZE_INTEREST.test(m);

function kindOf(ev: TimelineEvent): Kind | null {
  const m = ev.message;
  if (TOO_MANY_RE.test(m)) return 'too-many-clients';
  if (RESERVED_RE.test(m)) return 'reserved-slots';
  if (QUEUEPOOL_RE.test(m)) return 'queuepool';
  if (POOL_EXHAUSTION_RE.test(m)) return 'pool-timeout';
  return null;
}

export const connectionExhaustion = defineDetector({
  meta: {
    id: 'connection-exhaustion',
    title: 'Connection exhaustion (server slots or application pool)',
    explanation:
      'PostgreSQL refusing connections ("sorry, too many clients already", "remaining connection slots are reserved") and application pools ' +
      'running dry (SQLAlchemy "QueuePool limit of size N overflow M reached", psycopg_pool and asyncpg acquire timeouts), with the peak ' +
      'demand seen against the pool size or max_connections when the logs say them.',
    defaults: { minCount: 1 },
    optionDocs: { minCount: 'refused connections or pool timeouts needed for a finding' },
    interests: [POOL_SIZE_INTEREST],
  },
  detect(t: TimelineSummary, o): Finding[] {
    const hits: { kind: Kind; ev: TimelineEvent }[] = [];
    const sizes: { service: string; name: string; value: number; ts: string | null }[] = [];
    const seenSize = new Set<string>();
    for (const ev of candidateEvents(t, mayMatter)) {
      const k = kindOf(ev);
      if (k !== null) {
        hits.push({ kind: k, ev });
        continue;
      }
      if (ev.source === 'postgres' || !POOL_SIZE_INTEREST.test(ev.message)) continue;
      for (const s of ev.message.matchAll(POOL_SIZE_RE)) {
        const key = ev.service + '\u0000' + s[1]!.toLowerCase() + '\u0000' + s[2];
        if (!seenSize.has(key)) {
          seenSize.add(key);
          sizes.push({ service: ev.service, name: s[1]!, value: Number(s[2]), ts: ev.ts === null ? null : isoSeconds(ev.ts) });
        }
      }
    }
    if (hits.length < o.minCount) return [];
    const byKind = countBy(hits, (h) => h.kind);
    const queuePool = hits.filter((h) => h.kind === 'queuepool').map((h) => QUEUEPOOL_RE.exec(h.ev.message)!);
    const qp = queuePool[0];
    const loggedMax = sizes.find((x) => /max_size|DB_POOL_MAX_SIZE|pool[ _]max|maxconn/i.test(x.name));
    const poolCapacity = qp ? Number(qp[1]) + Math.max(0, Number(qp[2])) : loggedMax ? loggedMax.value : null;
    const peak = t.postgres.peakSessions;
    const serverRefusals = (byKind['too-many-clients'] ?? 0) + (byKind['reserved-slots'] ?? 0);
    const appFailures = (byKind.queuepool ?? 0) + (byKind['pool-timeout'] ?? 0);
    const services = distinct(hits.map((h) => h.ev.service));
    const { firstSeen, lastSeen } = firstLast(hits.map((h) => h.ev));
    const parts: string[] = [];
    if (serverRefusals > 0) parts.push(`${plural(serverRefusals, 'connection')} refused by PostgreSQL`);
    if (appFailures > 0) parts.push(`${plural(appFailures, 'pool timeout')} in the application`);
    const demand: string[] = [];
    if (peak.count > 0) demand.push(`PostgreSQL had at most ${peak.count} sessions open at once${peak.ts !== null ? ` (at ${isoSeconds(peak.ts)})` : ''}`);
    if (qp) demand.push(`the SQLAlchemy pool allows ${qp[1]} + ${Math.max(0, Number(qp[2]))} overflow = ${poolCapacity} connections, with a ${qp[3]} s wait`);
    for (const s of sizes.slice(0, 5)) demand.push(`${s.service} logged ${s.name}=${s.value}`);
    return [
      {
        detector: 'connection-exhaustion',
        id: `connection-exhaustion:${services.join('+')}`,
        severity: 'high',
        title: `Connection Exhaustion (${parts.join(', ')})`,
        summary: `${parts.join(' and ')} between ${firstSeen ?? '?'} and ${lastSeen ?? '?'}.` + (demand.length > 0 ? ` ${demand[0]}.` : ''),
        pattern:
          Object.entries(byKind).map(([k, c]) => `${k}: ${c}`).join(', ') +
          '; per service: ' + Object.entries(countBy(hits, (h) => h.ev.service)).map(([s, c]) => `${s} ${c}`).join(', ') + '.' +
          (demand.length > 0 ? ' Demand and capacity: ' + demand.join('; ') + '.' : ''),
        rootCause:
          (serverRefusals > 0
            ? 'More clients tried to connect than max_connections allows (minus superuser_reserved_connections): pools sized per process times the number of processes or replicas exceed the server limit, or connections leak. '
            : '') +
          (appFailures > 0
            ? 'The application pool had no free connection within its timeout: connections held by slow queries, sessions not returned (leaks), or more concurrent work (workers + request handlers) than the pool size.'
            : ''),
        impact: 'Requests and jobs that needed a connection failed or waited for the full pool timeout; under load this turns into a spiral of timeouts and retries.',
        recommendation:
          'Add up peak demand (web workers × concurrency + background workers) and size the pool for it, keeping the sum of all pools below max_connections; ' +
          'return connections promptly (context managers, no transaction around network calls); put PgBouncer in front when many processes share one server.',
        evidence: spreadEvidence(t, hits.map((h) => h.ev), 6),
        data: {
          count: hits.length,
          byKind,
          serverRefusals,
          appPoolTimeouts: appFailures,
          perService: countBy(hits, (h) => h.ev.service),
          peakSessions: peak.count,
          peakSessionsAt: peak.ts === null ? null : isoSeconds(peak.ts),
          poolSize: qp ? Number(qp[1]) : null,
          poolOverflow: qp ? Number(qp[2]) : null,
          poolCapacity,
          poolTimeoutSeconds: qp ? Number(qp[3]) : null,
          poolSizesLogged: sizes,
          services,
          firstSeen,
          lastSeen,
        },
      },
    ];
  },
});
