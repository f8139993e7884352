// Lock contention in PostgreSQL's log: waits logged by log_lock_waits ("process N still waiting for
// ShareLock on transaction T after 1000.1 ms", then "acquired ... after"), deadlocks ("deadlock
// detected" with the cycle in DETAIL) and statements cancelled by lock_timeout. Waits longer than
// deadlock_timeout are only logged with log_lock_waits = on, so a log without them may still have had
// contention; deadlocks and lock timeouts are errors and always logged.
import type { TimelineEvent, TimelineSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { candidateEvents } from './shared/template-index.js';
import { countBy, distinct, firstLast, spreadEvidence, topCounts } from './shared/event-groups.js';
import { clockOf, humanDuration, plural } from '../words.js';
import { shownStatement } from '../timeline/postgres-stats.js';

const WAIT_RE = /^process (\d+) (still waiting for|acquired|avoided deadlock for|detected deadlock while waiting for) (\S+) on (.+?) after ([0-9.]+) ms/;
const DEADLOCK_RE = /^deadlock detected/;
const LOCK_TIMEOUT_RE = /^canceling statement due to lock timeout/;
const CYCLE_RE = /Process (\d+) waits for (\S+) on (.+?); blocked by process (\d+)/g;
const HOLDER_RE = /Process(?:es)? holding the lock: ([\d, ]+)/;
const RELATION_RE = /relation "([^"]+)"/;

interface LockEvent {
  kind: 'wait' | 'acquired' | 'deadlock-wait' | 'deadlock' | 'lock-timeout';
  ev: TimelineEvent;
  waitedMs?: number;
  mode?: string;
  object?: string;
  pids: number[];
}

/** Picks the templates to test (classify also wants a PostgreSQL source). */
const mayBeLockEvent = (m: string) => WAIT_RE.test(m) || DEADLOCK_RE.test(m) || LOCK_TIMEOUT_RE.test(m);

function classify(ev: TimelineEvent): LockEvent | null {
  if (ev.source !== 'postgres') return null;
  const msg = ev.message;
  const w = WAIT_RE.exec(msg);
  if (w) {
    const pids = [Number(w[1])];
    const h = HOLDER_RE.exec(ev.pg?.detail ?? '');
    if (h) for (const p of h[1]!.split(/[, ]+/)) if (p) pids.push(Number(p));
    const kind = w[2] === 'acquired' ? 'acquired' : w[2] === 'detected deadlock while waiting for' ? 'deadlock-wait' : 'wait';
    if (w[2] === 'avoided deadlock for') return null;
    return { kind, ev, waitedMs: Number(w[5]), mode: w[3], object: objectOf(w[4]!, ev), pids };
  }
  if (DEADLOCK_RE.test(msg)) {
    const pids: number[] = [];
    let mode: string | undefined;
    let object: string | undefined;
    const detail = ev.pg?.detail ?? '';
    CYCLE_RE.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = CYCLE_RE.exec(detail)) !== null) {
      pids.push(Number(m[1]), Number(m[4]));
      mode ??= m[2];
      object ??= objectOf(m[3]!, ev);
    }
    const le: LockEvent = { kind: 'deadlock', ev, pids: distinctNumbers(pids) };
    if (mode !== undefined) le.mode = mode;
    if (object !== undefined) le.object = object;
    return le;
  }
  if (LOCK_TIMEOUT_RE.test(msg)) return { kind: 'lock-timeout', ev, pids: ev.pg?.pid !== undefined ? [ev.pg.pid] : [] };
  return null;
}

function distinctNumbers(xs: number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

/** What was locked, without the ids that change each time ("transaction", "relation \"orders\"", "tuple of \"orders\""). */
function objectOf(raw: string, ev: TimelineEvent): string {
  const ctx = ev.pg?.context ?? '';
  const rel = RELATION_RE.exec(ctx);
  const kind = raw.split(' ')[0]!;
  if (rel) return `${kind} in "${rel[1]}"`;
  return kind;
}

/** The `data` of a lock-contention finding (its numbers, for the reports and the JSON). */
export type LockContentionData = {
  service: string;
  lockWaits: number;
  stillWaiting: number;
  acquired: number;
  acquiredWaitMs: number;
  maxWaitMs: number;
  deadlocks: number;
  lockTimeouts: number;
  processes: number[];
  lockModes: Record<string, number>;
  objects: { object: string; count: number }[];
  statements: { statement: string; count: number }[];
  firstSeen: string | null;
  lastSeen: string | null;
  services: string[];
};

export const lockContention = defineDetector({
  meta: {
    id: 'lock-contention',
    title: 'Lock waits, deadlocks and lock timeouts',
    report: { summaryLabel: () => 'lock contention' },
    explanation:
      'PostgreSQL lock waits logged by log_lock_waits ("still waiting for ... after N ms", "acquired ... after N ms"), deadlocks ' +
      '("deadlock detected" with the processes of the cycle) and statements cancelled by lock_timeout, per database service, with the ' +
      'statements and processes involved. Long transactions holding row locks and inconsistent lock order are the usual causes.',
    defaults: { minEvents: 1, longWaitMs: 5000 },
    optionDocs: {
      minEvents: 'lock events (waits, deadlocks, lock timeouts) of a service needed for a finding',
      longWaitMs: 'a wait this long (ms) or longer makes the finding at least medium',
    },
    interests: [/process \d+ (?:still waiting for|acquired|detected deadlock while waiting for) \S+ on .+ after [0-9.]+ ms/],
  },
  detect(t: TimelineSummary, o): DetectedFinding<LockContentionData>[] {
    const byService = new Map<string, LockEvent[]>();
    for (const ev of candidateEvents(t, mayBeLockEvent)) {
      const le = classify(ev);
      if (le === null) continue;
      let list = byService.get(ev.service);
      if (list === undefined) byService.set(ev.service, (list = []));
      list.push(le);
    }
    const findings: DetectedFinding<LockContentionData>[] = [];
    for (const [service, list] of [...byService].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const waits = list.filter((x) => x.kind === 'wait');
      const acquired = list.filter((x) => x.kind === 'acquired');
      const deadlockWaits = list.filter((x) => x.kind === 'deadlock-wait');
      const deadlocks = list.filter((x) => x.kind === 'deadlock');
      const timeouts = list.filter((x) => x.kind === 'lock-timeout');
      const events = waits.length + acquired.length + deadlockWaits.length + deadlocks.length + timeouts.length;
      if (events < o.minEvents) continue;
      const waitTimes = [...acquired, ...waits, ...deadlockWaits].map((x) => x.waitedMs ?? 0);
      const maxWaitMs = waitTimes.length > 0 ? Math.max(...waitTimes) : 0;
      const acquiredMs = acquired.reduce((s, x) => s + (x.waitedMs ?? 0), 0);
      const statements = countBy(
        list.filter((x) => x.ev.pg?.statement),
        (x) => shownStatement(x.ev.pg!.statement!),
      );
      const pids = distinctNumbers(list.flatMap((x) => x.pids));
      const objects = countBy(list.filter((x) => x.object !== undefined), (x) => x.object!);
      const modes = countBy(list.filter((x) => x.mode !== undefined), (x) => x.mode!);
      const severity = deadlocks.length > 0 ? 'high' : timeouts.length > 0 || maxWaitMs >= o.longWaitMs ? 'medium' : 'low';
      const { firstSeen, lastSeen } = firstLast(list.map((x) => x.ev));
      const parts: string[] = [];
      if (waits.length + deadlockWaits.length > 0) parts.push(plural(waits.length + deadlockWaits.length, 'lock wait'));
      if (deadlocks.length > 0) parts.push(plural(deadlocks.length, 'deadlock'));
      if (timeouts.length > 0) parts.push(plural(timeouts.length, 'lock timeout'));
      if (parts.length === 0) parts.push(plural(acquired.length, 'lock acquired after a wait', 'locks acquired after a wait'));
      const topObject = topCounts(objects, 1, 'object')[0];
      const topStatement = topCounts(statements, 1, 'statement')[0];
      const evidence = spreadEvidence(
        t,
        [...deadlocks, ...timeouts, ...waits, ...deadlockWaits, ...acquired].map((x) => x.ev).sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0)),
        6,
      );
      findings.push({
        about: service,
        severity,
        title: `Lock Contention on ${service} (${parts.join(', ')})`,
        summary:
          `${service} logged ${parts.join(', ')}` +
          (maxWaitMs > 0 ? `; the longest wait was ${(maxWaitMs / 1000).toFixed(1)} s` : '') +
          (topObject ? `, mostly on ${topObject.object}` : '') +
          '.',
        pattern:
          `Between ${firstSeen ?? '?'} and ${lastSeen ?? '?'}: ${plural(waits.length, 'wait')} still pending when logged, ${plural(acquired.length, 'lock')} acquired after ` +
          `waiting ${(acquiredMs / 1000).toFixed(1)} s in total, ${plural(deadlocks.length, 'deadlock')}, ${plural(timeouts.length, 'statement')} cancelled by lock_timeout. ` +
          `${pids.length} backend process(es) took part` +
          (Object.keys(modes).length > 0 ? `; lock modes: ${Object.entries(modes).map(([m, c]) => `${m} ×${c}`).join(', ')}` : '') +
          '.',
        rootCause:
          (deadlocks.length > 0
            ? 'Two or more transactions took the same locks in different orders (the DETAIL of "deadlock detected" names the cycle). '
            : '') +
          'Transactions held row or table locks long enough for others to queue behind them: typically a transaction left open around slow work ' +
          '(an HTTP call, a long loop) or a long UPDATE/DELETE on hot rows' +
          (topStatement ? `; the statement most often involved is \`${topStatement.statement.slice(0, 200)}\`` : '') +
          '.',
        impact:
          'Waiting requests hold their connection and their caller; deadlocks abort one transaction, and lock timeouts fail the statement with ' +
          'SQLSTATE 55P03, which the application sees as an error unless it retries.',
        timing: `${plural(list.length, 'lock event')} from ${firstSeen ? clockOf(Date.parse(firstSeen)) : '?'} to ${lastSeen ? clockOf(Date.parse(lastSeen)) : '?'}` +
          (firstSeen && lastSeen ? ` (${humanDuration(Date.parse(lastSeen) - Date.parse(firstSeen))})` : '') + '.',
        recommendation:
          'Keep transactions short (no network calls inside them), take locks in one consistent order (e.g. sort ids before UPDATE ... WHERE id IN), ' +
          'use SELECT ... FOR UPDATE SKIP LOCKED for work queues, set lock_timeout (e.g. 5s) so waits fail fast, and keep log_lock_waits = on ' +
          'with deadlock_timeout = 1s to see the waits.',
        evidence,
        data: {
          service,
          lockWaits: waits.length + deadlockWaits.length,
          stillWaiting: waits.length,
          acquired: acquired.length,
          acquiredWaitMs: Math.round(acquiredMs * 1000) / 1000,
          maxWaitMs,
          deadlocks: deadlocks.length,
          lockTimeouts: timeouts.length,
          processes: pids,
          lockModes: modes,
          objects: topCounts(objects, 10, 'object'),
          statements: topCounts(statements, 10, 'statement'),
          firstSeen,
          lastSeen,
          services: distinct([service]),
        },
      });
    }
    return findings;
  },
});
