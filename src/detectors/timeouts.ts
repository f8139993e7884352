// Timeouts at every layer, each a separate finding: statements cancelled by statement_timeout,
// sessions ended by idle_in_transaction_session_timeout or idle_session_timeout (PostgreSQL), and
// the application's own: asyncio/asyncpg TimeoutError, workers and tasks stopped for running too
// long in their library's words (the worker-timeout entries of error-vocabulary.ts: gunicorn's
// WORKER TIMEOUT, Celery's soft and hard time limits, RQ, puma, Sidekiq, BullMQ stalled jobs),
// handler timeouts the code names (WEBHOOK_HANDLER_TIMEOUT) and HTTP 504 responses.
// Pool-acquire timeouts belong to connection-exhaustion and lock timeouts to lock-contention.
import type { Finding, FindingSeverity } from '../model.js';
import type { TimelineEvent, TimelineSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { countBy, distinct, firstLast, recordsBehind, spreadEvidence, topCounts, weightOf } from './shared/event-groups.js';
import { plural } from '../words.js';
import { shownStatement } from '../timeline/postgres-stats.js';
import { isPoolExhaustion } from './connection-exhaustion.js';
import { candidateEvents, type MessageTest } from './shared/template-index.js';
import { ERROR_ATTRS, errorTextOf } from './shared/vocabulary-events.js';
import { matchVocabulary, vocabularyInterest, vocabularyTest } from '../ingest/error-vocabulary.js';

const WORKER: ['worker-timeout'] = ['worker-timeout'];
const mayBeWorkerTimeout = vocabularyTest(WORKER);

export type Kind = 'statement-timeout' | 'idle-in-transaction-timeout' | 'idle-session-timeout' | 'worker-timeout' | 'app-timeout' | 'handler-timeout' | 'http-504';

const STATEMENT_TIMEOUT_RE = /canceling statement due to statement timeout/;
const IDLE_TX_RE = /terminating connection due to idle-in-transaction timeout|IdleInTransactionSessionTimeoutError/;
const IDLE_SESSION_RE = /terminating connection due to idle-session timeout|IdleSessionTimeoutError/;
const HANDLER_RE = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_TIMEOUT\b|\bWORKER TIMEOUT\b/;
// Go's context.DeadlineExceeded says `context deadline exceeded`: a call (a pgx pool's Acquire, a
// query, an HTTP request) that outlived the deadline its caller set.
const APP_TIMEOUT_RE = /\b(?:asyncio\.(?:exceptions\.)?|concurrent\.futures\.(?:_base\.)?)?TimeoutError\b|\basyncpg\b.*\btime(?:d )?out\b|\b(?:Read|Connect|Pool)Timeout\b|\bcontext deadline exceeded\b/;
// nginx's own line for the request it answers 504: `upstream timed out (110: Connection timed out) while reading response header from upstream`.
const HTTP_504_RE = /\b504 Gateway Time-?out\b|\bupstream timed out \(110: |"(?:status|statusCode|httpStatus|status_code)"\s*:\s*504\b|\b(?:status|statusCode|httpStatus|status_code)[=:]\s*504\b|"\s504\s|\s504\s+\d+\s*(?:ms|s)?$/;

const STATUS_ATTRS = ['httpStatus', 'status', 'statusCode', 'status_code'];
const CANDIDATE_ATTRS = [...STATUS_ATTRS, ...ERROR_ATTRS];
const REQUEST_ID_ATTRS = ['request_id', 'requestId', 'req_id', 'reqId', 'x-request-id', 'trace_id', 'traceId'];
const METHOD_PATH_RE = /\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\S+)/;

/** What identifies the request behind a line: its request id, else its service and path. */
function requestKey(ev: TimelineEvent): string | null {
  if (ev.attrs !== undefined) {
    for (const k of REQUEST_ID_ATTRS) {
      const v = ev.attrs[k];
      if ((typeof v === 'string' && v.length > 0) || typeof v === 'number') return 'id:' + String(v);
    }
  }
  const path = typeof ev.attrs?.path === 'string' ? ev.attrs.path : METHOD_PATH_RE.exec(ev.message)?.[1];
  return path === undefined ? null : 'path:' + ev.service + ' ' + path;
}

/** Every expression above needs "time"/"Time" ("ime"), "TIME", "deadline" or "504" in the message: a few substring searches rule most messages out before any of them runs. */
const mayHaveTimeoutWord = (m: string) => m.includes('ime') || m.includes('IME') || m.includes('504') || m.includes('deadline');

/** Whether a message may be a timeout of some kind (the source and attributes are not looked at): picks the events to test. */
const mayBeTimeout: MessageTest = (m) =>
  (mayHaveTimeoutWord(m) && (STATEMENT_TIMEOUT_RE.test(m) || IDLE_TX_RE.test(m) || IDLE_SESSION_RE.test(m) || HANDLER_RE.test(m) || HTTP_504_RE.test(m) || APP_TIMEOUT_RE.test(m))) ||
  mayBeWorkerTimeout(m);

function kindOf(ev: TimelineEvent): Kind | null {
  // A structured logger's error beside the message (zap's `error`, pino's `err`) is read with it.
  const msg = ev.source === 'postgres' ? ev.message : errorTextOf(ev);
  if (ev.source !== 'postgres' && matchVocabulary(msg, WORKER) !== null) return 'worker-timeout';
  if (!mayHaveTimeoutWord(msg)) return ev.source !== 'postgres' && has504Status(ev) ? 'http-504' : null;
  if (STATEMENT_TIMEOUT_RE.test(msg)) return 'statement-timeout';
  if (IDLE_TX_RE.test(msg)) return 'idle-in-transaction-timeout';
  if (IDLE_SESSION_RE.test(msg)) return 'idle-session-timeout';
  if (ev.source === 'postgres') return null;
  if (HANDLER_RE.test(msg) && !/\b(?:STATEMENT|LOCK|IDLE)_TIMEOUT\b/.test(msg)) return 'handler-timeout';
  if (HTTP_504_RE.test(msg)) return 'http-504';
  if (has504Status(ev)) return 'http-504';
  if (APP_TIMEOUT_RE.test(msg) && !isPoolExhaustion(msg)) return 'app-timeout';
  return null;
}

function has504Status(ev: TimelineEvent): boolean {
  if (ev.attrs !== undefined) for (const k of STATUS_ATTRS) if (ev.attrs[k] === 504 || ev.attrs[k] === '504') return true;
  return false;
}

const TEXT: Record<Kind, { title: string; what: [one: string, many: string]; cause: string; impact: string; fix: string; severity: (n: number) => FindingSeverity }> = {
  'statement-timeout': {
    title: 'Statements Cancelled by statement_timeout',
    what: ['statement cancelled by statement_timeout (SQLSTATE 57014)', 'statements cancelled by statement_timeout (SQLSTATE 57014)'],
    cause: 'Queries ran longer than statement_timeout: missing indexes, large scans or sorts, or waits on locks counted in the statement time.',
    impact: 'Each cancelled statement is an error for its caller (a failed request or job run) and wasted database time up to the limit.',
    fix: 'Find the statements below in the slow-query report (log_min_duration_statement) and EXPLAIN ANALYZE them; add the missing index or paginate; keep statement_timeout below the request timeout so the database, not the proxy, ends the work.',
    severity: (n) => (n >= 10 ? 'high' : 'medium'),
  },
  'idle-in-transaction-timeout': {
    title: 'Sessions Ended by idle_in_transaction_session_timeout',
    what: ['session terminated for idling inside an open transaction (SQLSTATE 25P03)', 'sessions terminated for idling inside an open transaction (SQLSTATE 25P03)'],
    cause: 'The application opened a transaction and then stopped using the connection without COMMIT or ROLLBACK: a session leaked on an exception path, a transaction held open around network calls, or a stream not closed.',
    impact: 'The open transaction held its locks and its snapshot (blocking vacuum) until PostgreSQL killed the session; the application then finds a dead pooled connection.',
    fix: 'Close sessions in finally blocks or context managers, do not hold a transaction across awaits on external services, and enable pool_pre_ping so a killed connection is replaced rather than reused.',
    severity: (n) => (n >= 10 ? 'high' : 'medium'),
  },
  'idle-session-timeout': {
    title: 'Idle Sessions Ended by idle_session_timeout',
    what: ['idle session terminated by idle_session_timeout (SQLSTATE 57P05)', 'idle sessions terminated by idle_session_timeout (SQLSTATE 57P05)'],
    cause: 'Pooled connections stayed idle longer than idle_session_timeout.',
    impact: 'Harmless by itself, but a pool without pre-ping hands the dead connection to the next request, which fails.',
    fix: 'Set the pool recycle time below idle_session_timeout (pool_recycle) or enable pool_pre_ping.',
    severity: () => 'low',
  },
  'worker-timeout': {
    title: 'Workers and Tasks Stopped for Running Too Long',
    what: ['worker or task stopped at its time limit', 'workers or tasks stopped at their time limit'],
    cause: 'A request or task ran past the limit its server or queue sets (gunicorn --timeout, Celery time_limit/soft_time_limit, RQ job_timeout, puma worker_timeout, BullMQ lock duration): a call without its own timeout (database, HTTP), a lock wait, or work too big for one request or task.',
    impact: 'The work was killed or interrupted: a request got no response (gunicorn, puma), a task failed or was retried (Celery, RQ, BullMQ); a hard kill also drops whatever else the worker process held.',
    fix: 'Find the call the work was waiting on (the traceback or the slow-query log at that time) and bound it with a timeout shorter than the limit; move long work out of requests into tasks, and split tasks that need more than their limit.',
    severity: (n) => (n >= 5 ? 'high' : 'medium'),
  },
  'app-timeout': {
    title: 'Application Timeouts',
    what: ['application timeout error', 'application timeout errors'],
    cause: 'An awaited call (database query, pool acquire, HTTP request) did not finish within its timeout; an empty TimeoutError message usually comes from asyncio.wait_for, Go\'s `context deadline exceeded` from a context\'s deadline (a pgx pool that stays busy says only that).',
    impact: 'The work behind each timeout failed or was retried.',
    fix: 'Log which call timed out and its limit; bound every external call with a timeout shorter than the caller\'s, and make the slow dependency visible (slow queries, pool usage).',
    severity: (n) => (n >= 10 ? 'high' : 'medium'),
  },
  'handler-timeout': {
    title: 'Handler and Worker Timeouts',
    what: ['handler or worker timeout reported by the application', 'handler or worker timeouts reported by the application'],
    cause: 'Handlers or workers ran past the deadline the application set for them: hung awaits (no timeout on a network or database call) or exhausted pools.',
    impact: 'Timed-out handlers drop their work (and may be retried by the sender, as Telegram does with webhooks).',
    fix: 'Find what the handler waited on when it timed out (log the stage), put timeouts on the inner calls, and keep the ITERATION/handler end log in a finally block.',
    severity: (n) => (n >= 5 ? 'high' : 'medium'),
  },
  'http-504': {
    title: 'HTTP 504 Gateway Timeouts',
    what: ['HTTP 504 response', 'HTTP 504 responses'],
    cause: 'The proxy gave up waiting for the application: requests ran past the edge timeout.',
    impact: 'Users got errors; the work may still have run to completion behind the proxy.',
    fix: 'Bound handler time below the proxy timeout (return 503/504 yourself with a log line), and move long work to background jobs.',
    severity: (n) => (n >= 10 ? 'high' : 'medium'),
  },
};

/** The `data` of a timeouts finding (its numbers, for the reports and the JSON). */
export type TimeoutsData = {
  firstSeen: string | null;
  lastSeen: string | null;
  byLibrary?: Record<string, number>;
  tasks?: Record<string, number>;
  limits?: string[];
  perService: Record<string, number>;
  services: string[];
  statements: { statement: string; count: number }[];
  users: Record<string, number>;
  markers: Record<string, number>;
  duplicateLines?: number;
  appSide: number;
  estimated?: boolean;
  keptEvery?: number;
  kind: Kind;
  count: number;
};

export const timeouts = defineDetector({
  meta: {
    id: 'timeouts',
    title: 'Timeouts: statement, idle-in-transaction, idle-session, worker and task time limits, application, 504',
    report: { summaryLabel: () => 'timeouts', count: (f: Finding<TimeoutsData>) => f.data.count },
    explanation:
      'Statements cancelled by statement_timeout, sessions ended by idle_in_transaction_session_timeout or idle_session_timeout, workers and ' +
      'tasks stopped at their time limit (gunicorn WORKER TIMEOUT, Celery soft and hard time limits, RQ, puma, Sidekiq, BullMQ stalled jobs), and ' +
      'application-side timeouts (asyncio/asyncpg TimeoutError, Go\'s context deadline exceeded, handler timeouts such as WEBHOOK_HANDLER_TIMEOUT, HTTP 504), ' +
      'one finding per kind with counts per service and the statements involved.',
    defaults: { minCount: 1 },
    optionDocs: { minCount: 'timeouts of one kind needed for a finding' },
    interests: [/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_TIMEOUT\b/, /TimeoutError/, /\b504\b/, vocabularyInterest(WORKER)],
  },
  detect(t: TimelineSummary, o): DetectedFinding<TimeoutsData>[] {
    const byKind = new Map<Kind, TimelineEvent[]>();
    // One request often logs its 504 twice (the timeout middleware and the access log, nginx's error
    // and access logs): count requests. Two lines of one template are two requests.
    const seen504 = new Map<string, { ts: number; template: number }>();
    let duplicates504 = 0;
    for (const ev of candidateEvents(t, mayBeTimeout, CANDIDATE_ATTRS)) {
      const k = kindOf(ev);
      if (k === null) continue;
      if (k === 'http-504') {
        const key = requestKey(ev);
        const last = key === null ? undefined : seen504.get(key);
        if (key !== null) seen504.set(key, { ts: ev.ts ?? 0, template: ev.template });
        if (last !== undefined && (key!.startsWith('id:') || (last.template !== ev.template && Math.abs((ev.ts ?? 0) - last.ts) <= 2000))) {
          duplicates504++;
          continue;
        }
      }
      let list = byKind.get(k);
      if (list === undefined) byKind.set(k, (list = []));
      list.push(ev);
    }
    const findings: DetectedFinding<TimeoutsData>[] = [];
    for (const kind of Object.keys(TEXT) as Kind[]) {
      const all = byKind.get(kind);
      if (all === undefined) continue;
      // The server's line and the driver's exception report the same cancel: count the server's when it is there.
      const server = all.filter((e) => e.source === 'postgres');
      const list = server.length > 0 ? server : all;
      const appSide = all.length - list.length;
      if (list.length < o.minCount) continue;
      const tx = TEXT[kind];
      // A template the timeline thinned keeps one line in `keptEvery`: count the records it stands for.
      const { records: n, keptEvery } = recordsBehind(t, list);
      const estimated = keptEvery > 1 ? ` (estimated: the timeline kept 1 in ${keptEvery} of these lines)` : '';
      const perService = countBy(list, (e) => e.service, (e) => weightOf(t, e));
      const statements = countBy(list.filter((e) => e.pg?.statement), (e) => shownStatement(e.pg!.statement!));
      const users = countBy(list.filter((e) => e.pg?.user), (e) => e.pg!.user!);
      const markers = kind === 'handler-timeout' ? countBy(list, (e) => HANDLER_RE.exec(e.message)![0]) : {};
      const words = kind === 'worker-timeout' ? list.map((e) => matchVocabulary(e.message, WORKER)!) : [];
      const byLibrary = countBy(words, (w) => w.entry.library);
      const tasks = countBy(words.filter((w) => typeof w.values.task === 'string'), (w) => w.values.task as string);
      const limits = distinct(words.filter((w) => w.values.limitSeconds !== undefined).map((w) => `${w.values.limitSeconds} s`));
      const { firstSeen, lastSeen } = firstLast(list);
      const topStatement = topCounts(statements, 1, 'statement')[0];
      findings.push({
        about: kind,
        severity: tx.severity(n),
        title: `${tx.title} (${n})`,
        summary: `${plural(n, ...tx.what)} on ${Object.keys(perService).sort().join(', ')}${estimated}.`,
        pattern:
          `${plural(n, ...tx.what)} between ${firstSeen ?? '?'} and ${lastSeen ?? '?'}; per service: ` +
          Object.entries(perService).map(([s, c]) => `${s} ${c}`).join(', ') +
          (Object.keys(markers).length > 0 ? `; markers: ${Object.entries(markers).map(([m, c]) => `${m} ×${c}`).join(', ')}` : '') +
          (Object.keys(byLibrary).length > 0 ? `; by library: ${Object.entries(byLibrary).map(([l, c]) => `${l} ${c}`).join(', ')}` : '') +
          (Object.keys(tasks).length > 0 ? `; tasks: ${Object.entries(tasks).map(([x, c]) => `${x} ×${c}`).join(', ')}` : '') +
          (limits.length > 0 ? `; limits: ${limits.join(', ')}` : '') +
          (topStatement ? `; most often for \`${topStatement.statement.slice(0, 200)}\` (${topStatement.count})` : '') +
          '.',
        rootCause: tx.cause,
        impact: tx.impact,
        recommendation: tx.fix,
        evidence: spreadEvidence(t, list, 5),
        data: {
          kind,
          count: n,
          ...(keptEvery > 1 ? { estimated: true, keptEvery } : {}),
          appSide,
          ...(kind === 'http-504' ? { duplicateLines: duplicates504 } : {}),
          perService,
          services: distinct(Object.keys(perService)),
          statements: topCounts(statements, 10, 'statement'),
          users,
          markers,
          ...(kind === 'worker-timeout' ? { byLibrary, tasks, limits } : {}),
          firstSeen,
          lastSeen,
        },
      });
    }
    return findings;
  },
});
