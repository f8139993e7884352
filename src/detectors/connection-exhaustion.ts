// Connection exhaustion, on both sides of the wire: PostgreSQL refusing connections ("sorry, too
// many clients already", "remaining connection slots are reserved ...", SQLSTATE 53300) and the
// application's pool running dry, in its library's words (the pool-exhaustion entries of
// error-vocabulary.ts: SQLAlchemy's "QueuePool limit of size N overflow M reached", psycopg2,
// psycopg_pool, asyncpg, node-postgres, Sequelize, knex, HikariCP, ActiveRecord, Prisma), and
// acquire timeouts in other words. The peak demand is set against the capacity when the logs say
// it: the most sessions PostgreSQL had open at once, the pool size in the QueuePool message, pool
// sizes the app printed at start-up.
import type { Finding } from '../model.js';
import type { TimelineEvent, TimelineSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { candidateEvents } from './shared/template-index.js';
import { countBy, distinct, firstLast, spreadEvidence } from './shared/event-groups.js';
import { matchVocabulary, vocabularyInterest, vocabularyTest, type VocabularyMatch } from '../ingest/error-vocabulary.js';
import { ERROR_ATTRS, errorTextOf } from './shared/vocabulary-events.js';
import { isoSeconds, plural } from '../words.js';

const TOO_MANY_RE = /sorry, too many clients already|TooManyConnectionsError/;
const RESERVED_RE = /remaining connection slots are reserved for/;
// Acquire timeouts of pools the vocabulary does not name. A traceback is one event: the acquire
// frame and the TimeoutError at its end may be lines apart.
const OTHER_POOL_RE = /\bPoolTimeout\b|pool (?:is )?exhausted|acquir\w*[\s\S]{0,3000}?\b(?:timed out|TimeoutError)\b|\b(?:timed out|TimeoutError)\b[\s\S]{0,300}?\bacquir/i;
const mayBePoolWords = vocabularyTest(['pool-exhaustion']);

/** Whether a message is a pool-acquire failure of the application's pool (timeouts leaves these to this detector). */
export function isPoolExhaustion(message: string): boolean {
  return mayBePoolWords(message) || OTHER_POOL_RE.test(message);
}
const POOL_SIZE_RE = /\b(pool_size|max_overflow|max_size|min_size|DB_POOL_MAX_SIZE|DB_POOL_SIZE|POOL_SIZE|pool[ _]max(?:_size)?|maxconn|max_connections|connection_limit)\s*[=:]\s*(\d+)/gi;
/** The same names without flags (the timeline joins interests into one expression and drops flags). */
const POOL_SIZE_INTEREST = /\b(?:pool_size|max_overflow|max_size|min_size|DB_POOL_MAX_SIZE|DB_POOL_SIZE|POOL_SIZE|pool_max|pool max|maxconn|max_connections|connection_limit)\s*[=:]\s*\d/;

/** What a pool library's message may state about the pool (the vocabulary's captures). */
const POOL_VALUES = ['poolSize', 'overflow', 'timeoutSeconds', 'timeoutMs'] as const;

type Kind = 'too-many-clients' | 'reserved-slots' | 'queuepool' | 'pool-timeout';

/** Picks the templates to test: a refusal, a pool timeout or a logged pool size. */
const mayMatter = (m: string) => TOO_MANY_RE.test(m) || RESERVED_RE.test(m) || isPoolExhaustion(m) || POOL_SIZE_INTEREST.test(m);

function kindOf(text: string): { kind: Kind; words: VocabularyMatch | null } | null {
  if (TOO_MANY_RE.test(text)) return { kind: 'too-many-clients', words: null };
  if (RESERVED_RE.test(text)) return { kind: 'reserved-slots', words: null };
  const words = matchVocabulary(text, ['pool-exhaustion']);
  // A pool that waited in vain because no connection could be opened (HikariCP's timeout with the
  // driver's refusal as its cause): the database was down, which database-outage reports; the pool
  // was not busy.
  if (words !== null && matchVocabulary(text, ['database-outage']) !== null) return null;
  if (words !== null) return { kind: words.entry.id === 'sqlalchemy-queuepool-limit' ? 'queuepool' : 'pool-timeout', words };
  return OTHER_POOL_RE.test(text) ? { kind: 'pool-timeout', words: null } : null;
}

/** How far apart two lines of one failure may be (a library's warning, then the app's log of its error). */
const SAME_FAILURE_MS = 2000;

/**
 * Counts once a failure its library reports in two lines (an entry's `sameFailureAs`): each such
 * line pairs with the first unpaired line of the other entry on the same service within
 * SAME_FAILURE_MS, and the pair is one hit. `hits` are in timeline order; changed in place.
 */
function dropEchoes(hits: { words: VocabularyMatch | null; ev: TimelineEvent }[]): void {
  const paired = new Set<TimelineEvent>();
  const drop = new Set<number>();
  hits.forEach((h, i) => {
    const other = h.words?.entry.sameFailureAs;
    if (other === undefined || h.ev.ts === null) return;
    const j = hits.findIndex((x) => x.words?.entry.id === other && x.ev.service === h.ev.service && x.ev.ts !== null && Math.abs(x.ev.ts - h.ev.ts!) <= SAME_FAILURE_MS && !paired.has(x.ev));
    if (j === -1) return;
    paired.add(hits[j]!.ev);
    drop.add(i);
  });
  if (drop.size === 0) return;
  const kept = hits.filter((_, i) => !drop.has(i));
  hits.length = 0;
  hits.push(...kept);
}

/** The `data` of a connection-exhaustion finding (its numbers, for the reports and the JSON). */
export type ConnectionExhaustionData = {
  count: number;
  byKind: Record<string, number>;
  serverRefusals: number;
  appPoolTimeouts: number;
  perService: Record<string, number>;
  peakSessions: number;
  peakSessionsAt: string | null;
  byLibrary: Record<string, number>;
  poolSize: number | null;
  poolOverflow: number | null;
  poolCapacity: number | null;
  poolTimeoutSeconds: number | null;
  poolSizesLogged: {
    service: string;
    name: string;
    value: number;
    ts: string | null;
  }[];
  services: string[];
  firstSeen: string | null;
  lastSeen: string | null;
};

export const connectionExhaustion = defineDetector({
  meta: {
    id: 'connection-exhaustion',
    title: 'Connection exhaustion (server slots or application pool)',
    report: { summaryLabel: () => 'connection exhaustion', count: (f: Finding<ConnectionExhaustionData>) => f.data.count },
    explanation:
      'PostgreSQL refusing connections ("sorry, too many clients already", "remaining connection slots are reserved") and application pools ' +
      'running dry, in their library\'s words (SQLAlchemy "QueuePool limit of size N overflow M reached", psycopg2, psycopg_pool, asyncpg, ' +
      'node-postgres "timeout exceeded when trying to connect" (also under TypeORM and Drizzle), Sequelize, knex, mysql2 and mysql, HikariCP, ActiveRecord, ' +
      'Prisma P2024/P2028) or as other acquire timeouts, with the peak demand seen against the pool size or max_connections when the logs say them.',
    defaults: { minCount: 1 },
    optionDocs: { minCount: 'refused connections or pool timeouts needed for a finding' },
    interests: [POOL_SIZE_INTEREST, vocabularyInterest(['pool-exhaustion'])],
  },
  detect(t: TimelineSummary, o): DetectedFinding<ConnectionExhaustionData>[] {
    const hits: { kind: Kind; words: VocabularyMatch | null; ev: TimelineEvent }[] = [];
    const sizes: { service: string; name: string; value: number; ts: string | null }[] = [];
    const seenSize = new Set<string>();
    for (const ev of candidateEvents(t, mayMatter, ERROR_ATTRS)) {
      const k = kindOf(errorTextOf(ev));
      if (k !== null) {
        hits.push({ ...k, ev });
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
    dropEchoes(hits);
    if (hits.length < o.minCount) return [];
    // PostgreSQL logs each refusal and the refused client reports it too: when the server's lines are
    // in the logs, they are the count (the clients' are the same refusals).
    const isRefusal = (h: (typeof hits)[number]) => h.kind === 'too-many-clients' || h.kind === 'reserved-slots';
    const serverSide = hits.some((h) => isRefusal(h) && h.ev.source === 'postgres');
    const byKind = countBy(serverSide ? hits.filter((h) => !isRefusal(h) || h.ev.source === 'postgres') : hits, (h) => h.kind);
    // The pool's size and wait as its library's message states them (SQLAlchemy's QueuePool, Prisma's
    // P2024, HikariCP's and psycopg_pool's timeouts, ActiveRecord's): the message that says the most.
    let stated: VocabularyMatch | null = null;
    let statedCount = 0;
    for (const h of hits) {
      const n = h.words === null ? 0 : POOL_VALUES.filter((v) => h.words!.values[v] !== undefined).length;
      if (n > statedCount) [stated, statedCount] = [h.words, n];
    }
    const sv = (stated?.values ?? {}) as Partial<Record<(typeof POOL_VALUES)[number], number>>;
    const poolSize = sv.poolSize ?? null;
    const poolOverflow = sv.overflow ?? null;
    const poolTimeoutSeconds = sv.timeoutSeconds ?? (sv.timeoutMs !== undefined ? sv.timeoutMs / 1000 : null);
    const byLibrary = countBy(hits.filter((h) => h.words !== null), (h) => h.words!.entry.library);
    const loggedMax = sizes.find((x) => /max_size|DB_POOL_MAX_SIZE|pool[ _]max|maxconn/i.test(x.name));
    const poolCapacity = poolSize !== null ? poolSize + Math.max(0, poolOverflow ?? 0) : loggedMax ? loggedMax.value : null;
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
    if (stated !== null) {
      const size = poolSize === null ? '' : poolOverflow === null ? ` allows ${poolSize} connections` : ` allows ${poolSize} + ${Math.max(0, poolOverflow)} overflow = ${poolCapacity} connections`;
      const wait = poolTimeoutSeconds === null ? '' : `${size === '' ? ' waits' : ', with a'} ${poolTimeoutSeconds} s${size === '' ? ' for a connection' : ' wait'}`;
      demand.push(`the ${stated.entry.library} pool${size}${wait}`);
    }
    for (const s of sizes.slice(0, 5)) demand.push(`${s.service} logged ${s.name}=${s.value}`);
    return [
      {
        about: services.join('+'),
        severity: 'high',
        title: `Connection Exhaustion (${parts.join(', ')})`,
        summary: `${parts.join(' and ')} between ${firstSeen ?? '?'} and ${lastSeen ?? '?'}.` + (demand.length > 0 ? ` ${demand[0]}.` : ''),
        pattern:
          Object.entries(byKind).map(([k, c]) => `${k}: ${c}`).join(', ') +
          (Object.keys(byLibrary).length > 0 ? '; by library: ' + Object.entries(byLibrary).map(([l, c]) => `${l} ${c}`).join(', ') : '') +
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
          count: serverRefusals + appFailures,
          byKind,
          serverRefusals,
          appPoolTimeouts: appFailures,
          perService: countBy(hits, (h) => h.ev.service),
          peakSessions: peak.count,
          peakSessionsAt: peak.ts === null ? null : isoSeconds(peak.ts),
          byLibrary,
          poolSize,
          poolOverflow,
          poolCapacity,
          poolTimeoutSeconds,
          poolSizesLogged: sizes,
          services,
          firstSeen,
          lastSeen,
        },
      },
    ];
  },
});
