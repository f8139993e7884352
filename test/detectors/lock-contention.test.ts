import { expect } from 'vitest';
import { lockContention } from '../../src/detectors/lock-contention.js';
import { DetectorTester } from '../helpers/detector-tester.js';
import { pgEvent, plus } from './pg-test-events.js';

const T = '2026-04-02T08:00:00Z';
/** Three waits on another service name and lock mode, each acquired after a second or so. */
const waits = [1, 2, 3].map((i) => pgEvent(plus(T, i * 60), 'LOG', `process ${300 + i} acquired ExclusiveLock on tuple (3,${i}) of relation 5 of database 1 after ${1000 + i * 100}.5 ms`, 300 + i, {}, 'db-primary'));

DetectorTester.run(lockContention, {
  valid: [
    {
      name: 'ordinary traffic and errors that are not about locks',
      events: [
        pgEvent(T, 'LOG', 'duration: 1200.5 ms  statement: select 1'),
        pgEvent(plus(T, 1), 'ERROR', 'duplicate key value violates unique constraint "users_pkey"'),
        pgEvent(plus(T, 2), 'LOG', 'process 77 avoided deadlock for AccessExclusiveLock on relation 16384 of database 5 by rearranging queue order after 1000.1 ms'),
      ],
    },
    { name: 'fewer lock events than minEvents', events: waits, options: { minEvents: 4 } },
  ],
  invalid: [
    {
      name: 'a wait that was acquired, a lock timeout and a deadlock (stderr, with DETAIL and STATEMENT)',
      events: [
        pgEvent(T, 'LOG', 'process 4882 still waiting for ShareLock on transaction 259635360 after 1000.119 ms', 4882, {
          detail: 'Process holding the lock: 4821. Wait queue: 4882.', context: 'while updating tuple (0,5) in relation "orders"', statement: "UPDATE orders SET status = 'x' WHERE id = 5",
        }),
        pgEvent(plus(T, 4), 'LOG', 'process 4882 acquired ShareLock on transaction 259635360 after 4511.441 ms', 4882, { statement: "UPDATE orders SET status = 'y' WHERE id = 6" }),
        pgEvent(plus(T, 30), 'LOG', 'process 5001 still waiting for RowExclusiveLock on relation 16402 of database 16384 after 200.0 ms', 5001),
        pgEvent(plus(T, 31), 'ERROR', 'canceling statement due to lock timeout', 5001, { statement: 'ALTER TABLE invoices ADD COLUMN note text' }),
        pgEvent(plus(T, 60), 'ERROR', 'deadlock detected', 6001, {
          sqlstate: '40P01',
          detail: 'Process 6001 waits for ShareLock on transaction 901; blocked by process 6002.\nProcess 6002 waits for ShareLock on transaction 900; blocked by process 6001.',
          statement: 'UPDATE accounts SET balance = balance - 5 WHERE id = 2',
        }),
      ],
      findings: [{ severity: 'high', data: { lockWaits: 2, stillWaiting: 2, acquired: 1, lockTimeouts: 1, deadlocks: 1, maxWaitMs: 4511.441, processes: [4821, 4882, 5001, 6001, 6002] } }],
      check: ([f]) => {
        expect(f!.data.statements).toContainEqual({ statement: 'update orders set status = ? where id = ?', count: 2 });
        expect(f!.data.objects).toContainEqual({ object: 'transaction in "orders"', count: 1 });
        expect(f!.evidence.length).toBeGreaterThan(0);
      },
    },
    {
      name: 'only waits: low severity unless a wait is long',
      events: waits,
      findings: [{ id: 'lock-contention:db-primary', severity: 'low', data: { acquired: 3, lockModes: { ExclusiveLock: 3 } } }],
    },
    { name: 'only waits, one longer than longWaitMs: medium', events: waits, options: { longWaitMs: 1200 }, findings: [{ severity: 'medium' }] },
  ],
});
