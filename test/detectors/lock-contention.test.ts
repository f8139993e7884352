import { describe, expect, it } from 'vitest';
import { runDetector } from '../helpers/timeline.js';
import { lockContention } from '../../src/detectors/lock-contention.js';
import { pgEvent, plus } from './pg-test-events.js';

const T = '2026-04-02T08:00:00Z';

describe('lock-contention', () => {
  describe('valid: no finding', () => {
    it('ordinary traffic and errors that are not about locks', () => {
      expect(runDetector(lockContention, [
        pgEvent(T, 'LOG', 'duration: 1200.5 ms  statement: select 1'),
        pgEvent(plus(T, 1), 'ERROR', 'duplicate key value violates unique constraint "users_pkey"'),
        pgEvent(plus(T, 2), 'LOG', 'process 77 avoided deadlock for AccessExclusiveLock on relation 16384 of database 5 by rearranging queue order after 1000.1 ms'),
      ])).toEqual([]);
    });
  });

  describe('invalid: findings with their numbers', () => {
    it('a wait that was acquired, a lock timeout and a deadlock (stderr, with DETAIL and STATEMENT)', () => {
      const fs = runDetector(lockContention, [
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
      ]);
      expect(fs).toHaveLength(1);
      const d = fs[0]!.data;
      expect(fs[0]!.severity).toBe('high');
      expect([d.lockWaits, d.stillWaiting, d.acquired, d.lockTimeouts, d.deadlocks]).toEqual([2, 2, 1, 1, 1]);
      expect(d.maxWaitMs).toBe(4511.441);
      expect(d.processes).toEqual([4821, 4882, 5001, 6001, 6002]);
      expect(d.statements).toContainEqual({ statement: 'update orders set status = ? where id = ?', count: 2 });
      expect(d.objects).toContainEqual({ object: 'transaction in "orders"', count: 1 });
      expect(fs[0]!.evidence.length).toBeGreaterThan(0);
    });

    it('only waits, on another service name and lock mode: low severity unless a wait is long', () => {
      const events = [1, 2, 3].map((i) => pgEvent(plus(T, i * 60), 'LOG', `process ${300 + i} acquired ExclusiveLock on tuple (3,${i}) of relation 5 of database 1 after ${1000 + i * 100}.5 ms`, 300 + i, {}, 'db-primary'));
      const low = runDetector(lockContention, events);
      expect(low).toHaveLength(1);
      expect(low[0]!.id).toBe('lock-contention:db-primary');
      expect(low[0]!.severity).toBe('low');
      expect(low[0]!.data.acquired).toBe(3);
      expect(low[0]!.data.lockModes).toEqual({ ExclusiveLock: 3 });
      const medium = runDetector(lockContention, events, [], { longWaitMs: 1200 });
      expect(medium[0]!.severity).toBe('medium');
      expect(runDetector(lockContention, events, [], { minEvents: 4 })).toEqual([]);
    });
  });
});
