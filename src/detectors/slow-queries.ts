// Slow statements from PostgreSQL's `duration: N ms` records (log_min_duration_statement), grouped
// by normalized statement like pgBadger's "top queries": count, total, mean, max and p95 per group.
// It reads the timeline's PostgreSQL statistics, which aggregate every duration in one pass, so it
// sees all of them even though the timeline does not keep info-level lines.
import type { Evidence } from '../model.js';
import type { TimelineSummary } from '../timeline/timeline.js';
import type { StatementStats } from '../timeline/postgres-stats.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { locationOf } from './shared/evidence.js';
import { isoOf } from '../ingest/timestamp.js';
import { cutText, redact } from '../redact.js';
import { plural } from '../words.js';

/** How many of a statement's durations reach `threshold` (exact unless the statement was sampled). */
function countAtLeast(s: StatementStats, threshold: number): number {
  const d = s.durations;
  let lo = 0;
  let hi = d.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (d[mid]! < threshold) lo = mid + 1;
    else hi = mid;
  }
  const inSample = d.length - lo;
  return s.sampled ? Math.round((inSample * s.count) / d.length) : inSample;
}

/** The `data` of a slow-queries finding (its numbers, for the reports and the JSON). */
export type SlowQueriesData = {
  thresholdMs: number;
  executions: number;
  statementCount: number;
  maxMs: number;
  queriesWithDuration: number;
  statements: {
    statement: string;
    slowCount: number;
    count: number;
    totalMs: number;
    meanMs: number;
    maxMs: number;
    p95Ms: number;
    sampled: boolean;
    slowestAt: string | null;
    location: string;
  }[];
  services: string[];
  unattributedSlowest: number | null;
};

export const slowQueries = defineDetector({
  meta: {
    id: 'slow-queries',
    title: 'Slow queries (top statements by time)',
    report: { summaryLabel: () => 'slow queries' },
    explanation:
      'PostgreSQL `duration: N ms` records at or over a threshold, grouped by normalized statement (literals and parameters as `?`) ' +
      'with count, total, mean, max and p95 like pgBadger\'s top queries. Needs log_min_duration_statement (or log_duration) on the server.',
    defaults: { thresholdMs: 1000, top: 10, criticalMs: 30_000 },
    optionDocs: {
      thresholdMs: 'a statement is slow when one of its executions took at least this long (ms)',
      top: 'statements listed, by total time of their slow executions',
      criticalMs: 'an execution this long (ms) makes the finding high',
    },
  },
  detect(t: TimelineSummary, o): DetectedFinding<SlowQueriesData>[] {
    const pg = t.postgres;
    const slow = pg.statements
      .map((s) => ({ s, slowCount: countAtLeast(s, o.thresholdMs) }))
      .filter((x) => x.slowCount > 0);
    const unattributed = pg.queries.slowest !== null && pg.queries.slowest.text === '' && pg.queries.slowest.ms >= o.thresholdMs;
    if (slow.length === 0 && !unattributed) return [];
    const slowTotal = (x: { s: StatementStats }) => {
      let sum = 0;
      for (const d of x.s.durations) if (d >= o.thresholdMs) sum += d;
      return x.s.sampled ? (sum * x.s.count) / x.s.durations.length : sum;
    };
    slow.sort((a, b) => slowTotal(b) - slowTotal(a) || b.s.maxMs - a.s.maxMs);
    const top = slow.slice(0, o.top);
    const executions = slow.reduce((n, x) => n + x.slowCount, 0);
    const maxMs = Math.max(...slow.map((x) => x.s.maxMs), unattributed ? pg.queries.slowest!.ms : 0);
    const statements = top.map((x) => ({
      statement: redact(x.s.statement),
      slowCount: x.slowCount,
      count: x.s.count,
      totalMs: x.s.totalMs,
      meanMs: x.s.meanMs,
      maxMs: x.s.maxMs,
      p95Ms: x.s.p95Ms,
      sampled: x.s.sampled,
      slowestAt: isoOf(x.s.slowest.ts),
      location: locationOf(t, x.s.slowest.input, x.s.slowest.line),
    }));
    const evidence: Evidence[] = top.slice(0, 5).map((x) => ({
      timestamp: isoOf(x.s.slowest.ts),
      service: x.s.slowest.service,
      location: locationOf(t, x.s.slowest.input, x.s.slowest.line),
      text: redact(cutText(`duration: ${x.s.slowest.ms} ms  statement: ${x.s.slowest.text}`, 400)),
    }));
    const first = top[0];
    const services = [...new Set(top.map((x) => x.s.slowest.service))].sort();
    return [
      {
        severity: maxMs >= o.criticalMs ? 'high' : 'medium',
        title: `Slow Queries (${executions} executions of ${slow.length} statements at or over ${o.thresholdMs} ms)`,
        summary:
          `${executions} statement executions took ${o.thresholdMs} ms or more (slowest ${(maxMs / 1000).toFixed(1)} s)` +
          (first ? `; the heaviest is \`${redact(first.s.statement).slice(0, 120)}\` with ${first.slowCount} slow runs` : '') +
          '.',
        pattern:
          `Of ${pg.queries.withDuration} logged durations, ${executions} reached ${o.thresholdMs} ms, spread over ${plural(slow.length, 'normalized statement')}. ` +
          top
            .slice(0, 5)
            .map((x) => `\`${redact(x.s.statement).slice(0, 100)}\`: ${x.slowCount} slow of ${x.s.count}, mean ${x.s.meanMs} ms, p95 ${x.s.p95Ms} ms, max ${x.s.maxMs} ms`)
            .join('; ') +
          '.',
        rootCause:
          'Statements that scan or sort more rows than they return (missing or unused indexes, deep OFFSET pagination, N+1 patterns) ' +
          'or that wait on locks, which counts in their duration. The groups with a high mean are slow every time; a high max with a low ' +
          'mean points at contention or a cold cache.',
        impact:
          'Slow statements hold a connection and often a transaction for their whole duration, so they also feed pool exhaustion, lock waits ' +
          'and request timeouts.',
        recommendation:
          'EXPLAIN (ANALYZE, BUFFERS) the top statements; add the index the plan is missing or switch to keyset pagination; install ' +
          'pg_stat_statements to track them between incidents; keep log_min_duration_statement on (e.g. 1000 ms).',
        evidence,
        data: {
          thresholdMs: o.thresholdMs,
          executions,
          statementCount: slow.length,
          maxMs,
          queriesWithDuration: pg.queries.withDuration,
          statements,
          services,
          unattributedSlowest: unattributed ? pg.queries.slowest!.ms : null,
        },
      },
    ];
  },
});
