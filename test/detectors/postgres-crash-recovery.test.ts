import { describe, expect, it } from 'vitest';
import { runDetector } from '../helpers/timeline.js';
import { postgresCrashRecovery } from '../../src/detectors/postgres-crash-recovery.js';
import { appEvent, pgEvent, plus } from './pg-test-events.js';

const T = '2025-11-20T03:00:00Z';

/** The lines of a start with crash recovery (PG 15-17 wording), `at` seconds after T. */
function recovery(at: number, pid: number, service = 'Postgres', lsn = '0/19EC278') {
  return [
    pgEvent(plus(T, at), 'LOG', `database system was interrupted; last known up at 2025-11-20 02:59:00 UTC`, pid, {}, service),
    pgEvent(plus(T, at + 0.1), 'LOG', 'database system was not properly shut down; automatic recovery in progress', pid, {}, service),
    pgEvent(plus(T, at + 0.2), 'LOG', 'redo starts at 0/19EC1A0', pid, {}, service),
    pgEvent(plus(T, at + 0.3), 'LOG', `invalid record length at ${lsn}: expected at least 24, got 0`, pid, {}, service),
    pgEvent(plus(T, at + 0.4), 'LOG', `redo done at 0/19EC240 system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.12 s`, pid, {}, service),
    pgEvent(plus(T, at + 2), 'LOG', 'database system is ready to accept connections', pid - 2, {}, service),
  ];
}

describe('postgres-crash-recovery', () => {
  it('valid: clean restarts (fast shutdown, "was shut down at") give nothing', () => {
    expect(runDetector(postgresCrashRecovery, [
      pgEvent(T, 'LOG', 'received fast shutdown request', 1),
      pgEvent(plus(T, 1), 'LOG', 'database system is shut down', 1),
      pgEvent(plus(T, 5), 'LOG', 'database system was shut down at 2025-11-20 03:00:01 UTC', 30),
      pgEvent(plus(T, 6), 'LOG', 'database system is ready to accept connections', 28),
    ])).toEqual([]);
  });

  it('a container stop without a PostgreSQL shutdown, then recovery, with the clients that failed', () => {
    const fs = runDetector(postgresCrashRecovery, [
      pgEvent(T, 'LOG', 'checkpoint complete: wrote 3 buffers (0.0%)', 20),
      { at: plus(T, 50), message: 'Stopping Container', service: 'Postgres', source: 'platform' },
      appEvent(plus(T, 55), 'psycopg2.OperationalError: server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally', 'error', 'backend'),
      { at: plus(T, 58), message: 'Starting Container', service: 'Postgres', source: 'platform' },
      pgEvent(plus(T, 59), 'FATAL', 'the database system is starting up', 41),
      ...recovery(60, 40),
      pgEvent(plus(T, 63), 'LOG', 'could not accept SSL connection: EOF detected', 45),
    ]);
    expect(fs).toHaveLength(1);
    const f = fs[0]!;
    expect(f.severity).toBe('high');
    expect(f.data).toMatchObject({ service: 'Postgres', recoveries: 1, causes: { 'container-stop': 1 }, failedClients: 2 });
    const ep = (f.data.episodes as Record<string, unknown>[])[0]!;
    expect(ep).toMatchObject({ redoStart: '0/19EC1A0', redoDone: '0/19EC240', redoSeconds: 0.12, endOfWal: '0/19EC278', recoverySeconds: 2, downtimeSeconds: 12, lastKnownUp: '2025-11-20 02:59:00 UTC' });
    expect(ep.failedByService).toEqual({ backend: 1, Postgres: 1 });
  });

  it('nothing names the stop: the outage is dated from the first client failure since the last ready', () => {
    const fs = runDetector(postgresCrashRecovery, [
      pgEvent(T, 'LOG', 'database system is ready to accept connections', 5),
      appEvent(plus(T, 10), 'could not connect to server: Connection refused', 'error', 'old-job'),
      appEvent(plus(T, 1000), 'sqlalchemy.exc.OperationalError: server closed the connection unexpectedly', 'error', 'api'),
      appEvent(plus(T, 1003), 'connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused', 'error', 'api'),
      ...recovery(1010, 70),
    ]);
    const ep = (fs[0]!.data.episodes as Record<string, unknown>[])[0]!;
    // The failure at +10 s is more than 10 minutes before the recovery: not this outage. The server
    // before the recovery logged no end (last seen at its ready line): the cause says so, the clients date it.
    expect(ep).toMatchObject({ cause: 'ended-silently', causeAt: '2025-11-20T03:00:00Z', downSince: '2025-11-20T03:16:40Z', downtimeSeconds: 12, failedClients: 2 });
  });

  it('a restart loop: several recoveries, one after an immediate shutdown, one after signal 9 (critical)', () => {
    const fs = runDetector(postgresCrashRecovery, [
      pgEvent(T, 'LOG', 'received immediate shutdown request', 10, {}, 'db'),
      ...recovery(10, 60, 'db', '0/3000100'),
      pgEvent(plus(T, 300), 'LOG', 'client backend (PID 77) was terminated by signal 9: Killed', 58, { detail: 'Failed process was running: SELECT big()' }, 'db'),
      pgEvent(plus(T, 300.1), 'LOG', 'terminating any other active server processes', 58, {}, 'db'),
      pgEvent(plus(T, 300.2), 'LOG', 'all server processes terminated; reinitializing', 58, {}, 'db'),
      ...recovery(301, 90, 'db', '0/4000100'),
    ]);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe('critical');
    expect(fs[0]!.data).toMatchObject({ recoveries: 2, causes: { 'immediate-shutdown': 1, 'killed-by-signal': 1 } });
    expect((fs[0]!.data.episodes as { endOfWal: string }[]).map((e) => e.endOfWal)).toEqual(['0/3000100', '0/4000100']);
  });
});
