// missing-relation, ssl-eof and log-loss: the small detectors where one message is the evidence.
import { describe, expect, it } from 'vitest';
import { runDetector } from '../helpers/timeline.js';
import { missingRelation } from '../../src/detectors/missing-relation.js';
import { sslEof } from '../../src/detectors/ssl-eof.js';
import { logLoss } from '../../src/detectors/log-loss.js';
import { appEvent, pgEvent, plus } from './pg-test-events.js';

const T = '2025-11-20T10:00:00Z';

describe('missing-relation', () => {
  it('valid: other errors', () => {
    expect(runDetector(missingRelation, [pgEvent(T, 'ERROR', 'column "names" does not exist at character 8')])).toEqual([]);
  });
  it('one finding per table, server lines counted, driver echoes apart, "after a start" when it follows one', () => {
    const fs = runDetector(missingRelation, [
      { at: T, message: 'Starting Container', service: 'backend', source: 'platform' },
      ...[1, 2, 3].map((i) => pgEvent(plus(T, 20 + i), 'ERROR', 'relation "users" does not exist at character 15', 30 + i, { statement: `select * from users where id = ${i}` })),
      appEvent(plus(T, 24), 'asyncpg.exceptions.UndefinedTableError: relation "users" does not exist', 'error', 'backend'),
      pgEvent(plus(T, 4000), 'ERROR', 'relation "public.Audit_Log" does not exist', 50),
    ]);
    expect(fs.map((f) => [f.data.relation, f.data.count, f.data.driverSide])).toEqual([['public.audit_log', 1, 0], ['users', 3, 1]]);
    const users = fs.find((f) => f.data.relation === 'users')!;
    expect(users.severity).toBe('high');
    expect(users.data.afterStartSeconds).toBe(21);
    expect(users.data.statements).toEqual([{ statement: 'select * from users where id = ?', count: 3 }]);
    expect(fs.find((f) => f.data.relation === 'public.audit_log')!.data.afterStartSeconds).toBeNull();
  });
});

describe('ssl-eof', () => {
  const line = (s: number, pid: number) => pgEvent(plus(T, s), 'LOG', 'could not accept SSL connection: EOF detected', pid);
  it('valid: fewer than minCount', () => {
    expect(runDetector(sslEof, [line(0, 1), line(600, 2), line(1200, 3), line(1800, 4)])).toEqual([]);
  });
  it('scattered drops are low, a burst is medium', () => {
    const scattered = runDetector(sslEof, [line(0, 1), line(900, 2), line(1800, 3), line(2700, 4), line(3600, 5)]);
    expect(scattered[0]!.severity).toBe('low');
    expect(scattered[0]!.data).toMatchObject({ count: 5, bursty: false, reasons: { 'EOF detected': 5 } });
    const burst = runDetector(sslEof, [line(0, 1), ...[1, 2, 3, 4, 5, 6].map((i) => line(3600 + i * 5, 10 + i))]);
    expect(burst[0]!.severity).toBe('medium');
    expect(burst[0]!.data).toMatchObject({ count: 7, bursty: true });
    expect((burst[0]!.data.densestWindow as { count: number }).count).toBe(6);
  });
});

describe('log-loss', () => {
  const notice = (s: number, n: number, service = 'api') =>
    ({ at: plus(T, s), service, source: 'platform' as const, level: 'warn' as const, message: `Railway rate limit of 500 logs/sec reached for replica, update your application to reduce the logging rate. Messages dropped: ${n}` });
  it('valid: no notices', () => {
    expect(runDetector(logLoss, [appEvent(T, 'Messages sent: 50')])).toEqual([]);
  });
  it('sums dropped lines per service and minute', () => {
    const fs = runDetector(logLoss, [notice(0, 50), notice(1, 120), notice(90, 30, 'worker')]);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ dropped: 200, notices: 3, perService: { api: 170, worker: 30 }, perMinute: { '2025-11-20T10:00:00Z': 170, '2025-11-20T10:01:00Z': 30 } });
    expect(fs[0]!.severity).toBe('medium');
    expect(runDetector(logLoss, [notice(0, 2000)])[0]!.severity).toBe('high');
  });
});
