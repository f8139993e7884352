import { describe, expect, it } from 'vitest';
import { runDetector, type TestEvent } from '../helpers/timeline.js';
import { slowQueries } from '../../src/detectors/slow-queries.js';
import { pgEvent, plus } from './pg-test-events.js';

const T = '2026-07-01T00:00:00Z';

describe('slow-queries', () => {
  it('valid: every duration under the threshold, or no durations at all', () => {
    const fast = [10, 50, 999.9].map((ms, i) => pgEvent(plus(T, i), 'LOG', `duration: ${ms} ms  statement: select * from t where id = ${i}`));
    expect(runDetector(slowQueries, fast)).toEqual([]);
    expect(runDetector(slowQueries, [pgEvent(T, 'LOG', 'checkpoint starting: time')])).toEqual([]);
  });

  it('groups slow executions by normalized statement with count, total, mean, max and p95', () => {
    const ev: TestEvent[] = [];
    // 20 runs of one report query (literals vary), 4 of them slow; 2 slow executes of a prepared statement.
    for (let i = 0; i < 20; i++) ev.push(pgEvent(plus(T, i), 'LOG', `duration: ${i % 5 === 0 ? 2500 + i : 100 + i}.000 ms  statement: SELECT * FROM reports WHERE tenant = 'acme${i}' AND day > ${i}`, 10 + i));
    ev.push(pgEvent(plus(T, 30), 'LOG', 'duration: 1500.000 ms  execute S_7: UPDATE jobs SET state = $1 WHERE id = $2', 50));
    ev.push(pgEvent(plus(T, 31), 'LOG', 'duration: 45000.000 ms  execute S_7: UPDATE jobs SET state = $1 WHERE id = $2', 51));
    const fs = runDetector(slowQueries, ev);
    expect(fs).toHaveLength(1);
    const f = fs[0]!;
    expect(f.severity).toBe('high'); // 45 s ≥ criticalMs
    expect(f.data).toMatchObject({ executions: 6, statementCount: 2, maxMs: 45000, queriesWithDuration: 22 });
    const [first, second] = f.data.statements as Record<string, unknown>[];
    expect(first).toMatchObject({ statement: 'update jobs set state = ? where id = ?', slowCount: 2, count: 2, totalMs: 46500, meanMs: 23250, maxMs: 45000 });
    expect(second).toMatchObject({ statement: 'select * from reports where tenant = ? and day > ?', slowCount: 4, count: 20, maxMs: 2515 });
    expect(second!.p95Ms as number).toBeGreaterThan(2500);
    expect(f.evidence[0]!.text).toContain('45000');
  });

  it('the threshold is an option: 100 ms finds more, medium when nothing is extreme', () => {
    const ev = [120, 130, 90].map((ms, i) => pgEvent(plus(T, i), 'LOG', `duration: ${ms}.0 ms  statement: select name from users where email = 'u${i}@x.io'`));
    const fs = runDetector(slowQueries, ev, [], { thresholdMs: 100 });
    expect(fs[0]!.severity).toBe('medium');
    expect(fs[0]!.data).toMatchObject({ executions: 2, statementCount: 1, thresholdMs: 100 });
    expect(JSON.stringify(fs[0])).not.toContain('u0@x.io');
  });
});
