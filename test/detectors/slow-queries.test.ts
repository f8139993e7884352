import { expect } from 'vitest';
import type { TestEvent } from '../helpers/timeline.js';
import { slowQueries } from '../../src/detectors/slow-queries.js';
import { DetectorTester } from '../helpers/detector-tester.js';
import { pgEvent, plus } from './pg-test-events.js';

const T = '2026-07-01T00:00:00Z';

/** 20 runs of one report query (literals vary), 4 of them slow; 2 slow executes of a prepared statement. */
const reportsAndJobs: TestEvent[] = [
  ...Array.from({ length: 20 }, (_, i) =>
    pgEvent(plus(T, i), 'LOG', `duration: ${i % 5 === 0 ? 2500 + i : 100 + i}.000 ms  statement: SELECT * FROM reports WHERE tenant = 'acme${i}' AND day > ${i}`, 10 + i),
  ),
  pgEvent(plus(T, 30), 'LOG', 'duration: 1500.000 ms  execute S_7: UPDATE jobs SET state = $1 WHERE id = $2', 50),
  pgEvent(plus(T, 31), 'LOG', 'duration: 45000.000 ms  execute S_7: UPDATE jobs SET state = $1 WHERE id = $2', 51),
];

DetectorTester.run(slowQueries, {
  valid: [
    { name: 'every duration under the threshold', events: [10, 50, 999.9].map((ms, i) => pgEvent(plus(T, i), 'LOG', `duration: ${ms} ms  statement: select * from t where id = ${i}`)) },
    { name: 'no durations at all', events: [pgEvent(T, 'LOG', 'checkpoint starting: time')] },
  ],
  invalid: [
    {
      name: 'slow executions grouped by normalized statement with count, total, mean, max and p95',
      events: reportsAndJobs,
      findings: [
        {
          id: 'slow-queries',
          severity: 'high', // 45 s ≥ criticalMs
          data: {
            executions: 6,
            statementCount: 2,
            maxMs: 45000,
            queriesWithDuration: 22,
            statements: [
              { statement: 'update jobs set state = ? where id = ?', slowCount: 2, count: 2, totalMs: 46500, meanMs: 23250, maxMs: 45000 },
              { statement: 'select * from reports where tenant = ? and day > ?', slowCount: 4, count: 20, maxMs: 2515 },
            ],
          },
        },
      ],
      check: ([f]) => {
        expect((f!.data.statements as Record<string, number>[])[1]!.p95Ms).toBeGreaterThan(2500);
        expect(f!.evidence[0]!.text).toContain('45000');
      },
    },
    {
      name: 'the threshold is an option: 100 ms finds more, medium when nothing is extreme',
      events: [120, 130, 90].map((ms, i) => pgEvent(plus(T, i), 'LOG', `duration: ${ms}.0 ms  statement: select name from users where email = 'u${i}@x.io'`)),
      options: { thresholdMs: 100 },
      findings: [{ severity: 'medium', data: { executions: 2, statementCount: 1, thresholdMs: 100 } }],
      check: ([f]) => expect(JSON.stringify(f)).not.toContain('u0@x.io'),
    },
  ],
});
