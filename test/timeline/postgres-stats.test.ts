import { describe, expect, it } from 'vitest';
import { buildTimeline, type TestEvent } from '../helpers/timeline.js';
import { parseDuration, percentileSorted, redactedStatement, shownStatement, sqlstateOfMessage } from '../../src/timeline/postgres-stats.js';

const pg = (severity: string, message: string, pid = 100, extra: Record<string, unknown> = {}, at: string | number = '2026-03-01T10:00:00Z'): TestEvent => ({
  at,
  message,
  source: 'postgres',
  service: 'Postgres',
  level: severity === 'LOG' ? 'info' : severity === 'ERROR' ? 'error' : severity === 'FATAL' ? 'fatal' : 'warn',
  levelText: severity,
  pg: { severity, pid, ...extra },
});

describe('PostgresStats', () => {
  it('counts severities the way pgBadger does: event-like LOG lines and DEALLOCATE apart', () => {
    const s = buildTimeline([
      pg('LOG', 'database system was shut down at 2026-03-01 09:59:00 UTC'),
      pg('LOG', 'database system is ready to accept connections'),
      pg('LOG', 'process 12 still waiting for ShareLock on transaction 7 after 1000.1 ms'),
      pg('LOG', 'process 12 acquired ShareLock on transaction 7 after 2500.5 ms'),
      pg('LOG', 'duration: 0.1 ms  statement: DEALLOCATE pdo_stmt_1'),
      pg('ERROR', 'deadlock detected'),
      pg('FATAL', 'sorry, too many clients already'),
      pg('WARNING', 'there is no transaction in progress'),
    ]).postgres;
    expect(s.records).toBe(8);
    expect(s.bySeverity).toEqual({ LOG: 2, ERROR: 1, FATAL: 1, WARNING: 1 });
    expect(s.bySeverityRaw).toEqual({ LOG: 5, ERROR: 1, FATAL: 1, WARNING: 1 });
    expect(s.events).toBe(2);
    expect(s.errorsBySqlstate).toEqual({ '40P01': 1, '53300': 1 });
    expect(s.lockWaits).toEqual({ acquired: 1, acquiredTotalMs: 2500.5, stillWaiting: 1, maxWaitMs: 2500.5 });
    expect(s.deadlocks).toBe(1);
    expect(s.tooManyClients).toBe(1);
    expect(s.serverStarts).toBe(1);
  });

  it('counts connections, sessions and the peak of concurrent sessions per process', () => {
    const ev: TestEvent[] = [];
    for (let p = 1; p <= 5; p++) ev.push(pg('LOG', `connection authorized: user=app database=appdb application_name=worker${p}`, p));
    ev.push(pg('LOG', 'replication connection authorized: user=rep application_name=standby', 99));
    for (let p = 1; p <= 3; p++) ev.push(pg('LOG', `disconnection: session time: 0:00:0${p}.100 user=app database=appdb host=10.0.0.${p} port=5${p}`, p));
    ev.push(pg('LOG', 'disconnection: session time: 0:00:01.000 user=rep database= host=10.0.0.9 port=1', 99));
    ev.push(pg('LOG', 'connection authorized: user=app database=appdb', 6));
    const s = buildTimeline(ev).postgres;
    expect(s.connections).toBe(6);
    expect(s.replicationConnections).toBe(1);
    expect(s.sessions).toBe(3); // the replication session has no database: pgBadger does not count it
    expect(s.peakSessions.count).toBe(5);
  });

  it('aggregates durations per normalized statement with count, total, mean, max and p95', () => {
    const ev: TestEvent[] = [];
    const ms = [10, 20, 30, 40, 1500];
    ms.forEach((m, i) => ev.push(pg('LOG', `duration: ${m}.000 ms  statement: SELECT * FROM orders WHERE id = ${i + 7}`, 10 + i)));
    ev.push(pg('LOG', 'duration: 5.5 ms  execute <unnamed>: select name from users where email = $1', 20));
    ev.push(pg('LOG', 'duration: 0.2 ms  parse <unnamed>: select name from users where email = $1', 20));
    ev.push(pg('LOG', 'statement: UPDATE accounts SET balance = 3 WHERE id = 4', 21));
    ev.push(pg('LOG', 'duration: 250.0 ms', 21));
    const s = buildTimeline(ev).postgres;
    expect(s.queries.withDuration).toBe(7);
    expect(s.queries.slowest?.ms).toBe(1500);
    expect(s.queries.slowest?.text).toBe('SELECT * FROM orders WHERE id = 11');
    const orders = s.statements.find((x) => x.statement.includes('orders'))!;
    expect(orders.statement).toBe('select * from orders where id = ?');
    expect(orders.count).toBe(5);
    expect(orders.totalMs).toBe(1600);
    expect(orders.meanMs).toBe(320);
    expect(orders.maxMs).toBe(1500);
    expect(orders.p95Ms).toBeCloseTo(40 + 0.8 * 1460, 3);
    expect(orders.durations).toEqual(ms);
    expect(JSON.parse(JSON.stringify(orders)).durations).toBeUndefined();
    expect(s.statements[0]).toBe(orders);
    expect(s.statements.find((x) => x.statement.startsWith('update'))?.count).toBe(1);
    expect(s.statements.map((x) => x.count).reduce((a, b) => a + b, 0)).toBe(7);
  });

  it('counts checkpoints, autovacuum, autoanalyze, temporary files, timeouts and resets', () => {
    const s = buildTimeline([
      pg('LOG', 'checkpoint starting: time'),
      pg('LOG', 'checkpoint complete: wrote 3 buffers (0.0%); 0 WAL file(s) added, 0 removed, 0 recycled; write=0.1 s, sync=0.01 s, total=0.2 s'),
      pg('LOG', 'automatic vacuum of table "db.public.t": index scans: 1\npages: 0 removed, 10 remain'),
      pg('LOG', 'automatic aggressive vacuum to prevent wraparound of table "db.public.u": index scans: 0'),
      pg('LOG', 'automatic analyze of table "db.public.t"'),
      pg('LOG', 'temporary file: path "base/pgsql_tmp/pgsql_tmp1.0", size 2048'),
      pg('LOG', 'temporary file: path "base/pgsql_tmp/pgsql_tmp1.1", size 4096'),
      pg('ERROR', 'canceling statement due to statement timeout', 5, { sqlstate: '57014' }),
      pg('ERROR', 'canceling statement due to lock timeout'),
      pg('FATAL', 'terminating connection due to idle-in-transaction timeout'),
      pg('LOG', 'could not receive data from client: Connection reset by peer'),
      pg('LOG', 'unexpected EOF on client connection with an open transaction'),
    ]).postgres;
    expect(s.checkpoints).toEqual({ started: 1, completed: 1, restartpoints: 0, warnings: 0 });
    expect(s.autovacuum).toBe(2);
    expect(s.autoanalyze).toBe(1);
    expect(s.tempFiles).toEqual({ count: 2, totalBytes: 6144, maxBytes: 4096 });
    expect(s.cancelled).toEqual({ statementTimeout: 1, lockTimeout: 1, userRequest: 0 });
    expect(s.terminated.idleInTransactionTimeout).toBe(1);
    expect(s.clientResets).toBe(2);
    expect(s.errorsBySqlstate).toEqual({ '57014': 1, '55P03': 1, '25P03': 1 });
  });

  it('keeps memory bounded: a sample of durations per statement, exact aggregates', () => {
    const ev: TestEvent[] = [];
    for (let i = 0; i < 3000; i++) ev.push(pg('LOG', `duration: ${(i % 100) + 1}.0 ms  statement: select ${i}`, 1));
    const st = buildTimeline(ev).postgres.statements[0]!;
    expect(st.count).toBe(3000);
    expect(st.maxMs).toBe(100);
    expect(st.sampled).toBe(true);
    expect(st.durations.length).toBe(1000);
    expect(st.p95Ms).toBeGreaterThan(85);
    expect(st.p95Ms).toBeLessThanOrEqual(100);
  });
});

describe('secrets in logged statements', () => {
  it('redacts SQL passwords and URL passwords in the slowest statements', () => {
    const s = buildTimeline([
      pg('LOG', "duration: 2500.0 ms  statement: ALTER ROLE app WITH LOGIN PASSWORD 'hunter2'", 1),
      pg('LOG', "duration: 1500.0 ms  statement: SELECT dblink_connect('postgres://u:s3cr3t@db/x')", 2),
    ]).postgres;
    const text = JSON.stringify(s);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('s3cr3t');
    expect(s.queries.slowest?.text).toBe('ALTER ROLE app WITH LOGIN PASSWORD [REDACTED]');
  });

  // PostgreSQL's own forms (src/backend/tcop/postgres.c, 15: "duration: %s ms  execute %s%s%s%s: %s",
  // "duration: %s ms  parse %s: %s", "duration: %s ms  bind %s%s%s: %s"), with a prepared statement's
  // name as a client may choose it (libpq's PQprepare takes any string). The statement starts after
  // the name's first colon: a key ending the name leaves its value, alone, to start the statement.
  it('redacts a value split from its key by a prepared statement name (issue 19, fuzz seed 4242 case 640)', () => {
    const uuid = '3f0c9a52-7d1e-4b8a-9c61-2e5d4f7a8b90';
    const s = buildTimeline([
      pg('LOG', `duration: 2500.0 ms  execute Project-Access-Token: ${uuid} select 1`, 1),
      pg('LOG', `duration: 1500.0 ms  execute S_1 password=ab:cd1234x: select 2`, 2),
      pg('LOG', `duration: 900.0 ms  execute S_2/C_3 token: q9Zr7Kp2Lm select 3`, 3),
    ]).postgres;
    const text = JSON.stringify(s);
    for (const secret of [uuid, 'cd1234x', 'q9Zr7Kp2Lm']) expect(text).not.toContain(secret);
    expect(s.queries.slowest?.text).toBe('[REDACTED] select 1');
    expect(s.statements.map((x) => x.statement)).toEqual(['[redacted] select ?', 's_1 password=[redacted] select ?', '[redacted] select ?']);
    // the colon taken with the value: the redacted name is shown with the statement
    expect(s.statements[1]!.slowest.text).toBe('S_1 password=[REDACTED] select 2');
  });

  it('redacts parse and bind lines with their name, and a statement alone as before', () => {
    expect(redactedStatement('parse Project-Access-Token: 3f0c9a52-7d1e-4b8a-9c61-2e5d4f7a8b90', true)).toBe('[REDACTED]');
    expect(redactedStatement('bind S_7/C_8 secret: hunter2hunter2 select $1', true)).toBe('[REDACTED] select $1');
    expect(redactedStatement('bind <unnamed>: select $1', true)).toBe('select $1');
    expect(shownStatement('statement: select 1 where token: abc', true)).toBe(shownStatement('select 1 where token: abc'));
    expect(shownStatement("ALTER ROLE app PASSWORD 'x'")).toBe("alter role app password [redacted]");
  });
});

describe('duration and SQLSTATE helpers', () => {
  it('reads the duration forms', () => {
    expect(parseDuration('duration: 12.5 ms  statement: select 1')).toMatchObject({ ms: 12.5, kind: 'statement', text: 'select 1' });
    expect(parseDuration('duration: 3 ms  execute S_1: select $1')).toMatchObject({ ms: 3, kind: 'execute', text: 'select $1' });
    expect(parseDuration('duration: 3 ms  bind <unnamed>: select $1')?.kind).toBe('bind');
    expect(parseDuration('duration: 7.0 ms')).toMatchObject({ ms: 7, kind: 'none', text: '' });
    expect(parseDuration('durations are long')).toBeNull();
    // read by hand since it ran on every duration line as a regular expression; the same answers
    expect(parseDuration('duration: 0.9 ms  query: select 2')).toMatchObject({ ms: 0.9, kind: 'statement', text: 'select 2' });
    expect(parseDuration('duration: 1 ms  rows: 3  size: 120 bytes  execute <unnamed>/C_1: select 3')).toMatchObject({ ms: 1, kind: 'execute', text: 'select 3' });
    expect(parseDuration('duration: 2 ms  statement: \n\tselect 4\n  from t')).toMatchObject({ ms: 2, kind: 'statement', text: 'select 4\n  from t' });
    expect(parseDuration('duration: 2 ms  parse S_1:')).toMatchObject({ ms: 2, kind: 'parse', text: '' });
    for (const bad of ['duration: 1 msx', 'duration: . ms', 'duration: 1 ms  explain: x', 'duration: 1 ms  execute S_1', 'duration: 1 ms  rows: 3  execute S_1: x', 'duration: 1 ms  statement : x', 'duration: 1 ms '])
      expect(parseDuration(bad), bad).toBeNull();
  });
  it('maps catalogue messages to SQLSTATE', () => {
    expect(sqlstateOfMessage('relation "users" does not exist at character 15')).toBe('42P01');
    expect(sqlstateOfMessage('something else')).toBeUndefined();
  });
  it('interpolates percentiles', () => {
    expect(percentileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentileSorted([5], 0.95)).toBe(5);
  });
});

// pgBadger 13.2's figures on its own fixtures (test/fixtures/postgres/README.md). The one figure
// that differs on purpose is explained in docs/postgres.md: CloudNativePG's stderr passthrough.
describe('PostgreSQL statistics match pgBadger on real logs', () => {
  const fixture = (name: string) => new URL(`../fixtures/postgres/${name}`, import.meta.url).pathname;
  const statsOf = async (name: string) => {
    const { readTimeline } = await import('../../src/pipeline.js');
    const { summary } = await readTimeline([fixture(name)]);
    return summary.postgres;
  };
  const sev = (s: { bySeverity: Record<string, number> }) => [s.bySeverity.LOG ?? 0, s.bySeverity.ERROR ?? 0, s.bySeverity.FATAL ?? 0];

  it('light.postgres.log (stderr, pgbench): 629/0/0, 629 durations, slowest 470.688 ms', async () => {
    const s = await statsOf('light.postgres.log');
    expect(sev(s)).toEqual([629, 0, 0]);
    expect([s.connections, s.sessions]).toEqual([0, 0]);
    expect(s.queries.withDuration).toBe(629);
    expect(s.queries.slowest?.ms).toBe(470.688);
  });

  it('logplex (Heroku): 8/1/0, 4 durations, slowest 85756.273 ms, 3 locks acquired, 1 deadlock', async () => {
    const s = await statsOf('logplex');
    // pgBadger 13.2 says 7 LOG: it also files the `detected deadlock while waiting for` line as an
    // event; pgBadger 12.0, whose list bySeverity follows (below), keeps it as LOG.
    expect(sev(s)).toEqual([8, 1, 0]);
    expect(s.queries.withDuration).toBe(4);
    expect(s.queries.slowest?.ms).toBe(85756.273);
    expect(s.lockWaits.acquired).toBe(3);
    expect(s.lockWaits.acquiredTotalMs).toBe(20657.734); // pgBadger's lock_info duration
    expect(s.deadlocks).toBe(1);
  });

  it('cnpg.log (CloudNativePG): 4 ERROR, 1 FATAL, 382 connections, 382 sessions, 400 durations, slowest 202.728 ms', async () => {
    const s = await statsOf('cnpg.log');
    // pgBadger: 1969 LOG. hindsight also counts the 2 LOG lines CloudNativePG passes through from
    // stderr before the logging collector starts (docs/postgres.md).
    expect(sev(s)).toEqual([1971, 4, 1]);
    expect([s.connections, s.sessions]).toEqual([382, 382]);
    expect(s.replicationConnections).toBe(4);
    expect(s.queries.withDuration).toBe(400);
    expect(s.queries.slowest?.ms).toBe(202.728);
  });

  it('pg_rawcsv.log (stderr mixed with pg_ctl lines): 5/2/1, no durations', async () => {
    const s = await statsOf('pg_rawcsv.log');
    expect(sev(s)).toEqual([5, 2, 1]);
    expect(s.queries.withDuration).toBe(0);
    expect(s.queries.slowest).toBeNull();
  });

  it('pg_vacuums.json (jsonlog): 3544 LOG, 2094 autovacuum and 1450 autoanalyze runs (pgBadger 12)', async () => {
    const s = await statsOf('pg_vacuums.json');
    expect(sev(s)).toEqual([3544, 0, 0]);
    expect(s.autovacuum).toBe(2094);
    expect(s.autoanalyze).toBe(1450);
  });

  it('tempfile_only.log: 5 temporary files, 65 durations (pgBadger 12)', async () => {
    const s = await statsOf('tempfile_only.log');
    expect(s.tempFiles.count).toBe(5);
    expect(s.tempFiles.totalBytes).toBe(84803584);
    expect(s.tempFiles.maxBytes).toBe(18071552);
    expect(s.queries.withDuration).toBe(65);
    expect(s.queries.slowest?.ms).toBe(29372.07);
  });
});

// pgBadger 12.0's own output (`pgbadger -x json`, test/fixtures/pgbadger/README.md) on real logs:
// pgBadger files some LOG lines as events (its change_log_level) and reports them with the errors,
// each example with the level it was logged at. Events, ERROR and FATAL must be pgBadger's, and
// LOG plus events every LOG line pgBadger counted.
describe('bySeverity and events match pgBadger 12\'s own output', () => {
  const cases: [string, string][] = [
    ['multiline/postgres-15-faults.log', 'postgres-15-faults.log.json'],
    ['multiline/postgres-15-events.log', 'postgres-15-events.log.json'],
    ['postgres/light.postgres.log', 'light.postgres.log.json'],
    ['postgres/queryid.log', 'queryid.log.json'],
    ['postgres/pg_rawcsv.log', 'pg_rawcsv.log.json'],
    ['postgres/tempfile_only.log', 'tempfile_only.log.json'],
    ['postgres/logplex', 'logplex.json'],
    // Cloud SQL in Cloud Logging and RDS exported from CloudWatch (test/fixtures/postgres-hosted/), which pgBadger reads too.
    ['postgres-hosted/cloud-sql.jsonl', 'cloud-sql.jsonl.json'],
    ['postgres-hosted/aws-cloudwatch-export.log', 'aws-cloudwatch-export.log.json'],
  ];
  interface PgBadgerErrors {
    logs_type: Record<string, Record<string, number>>;
    error_info: Record<string, Record<string, { count: number; error: string[] }>>;
  }
  /** pgBadger's figures: its events (reported errors whose example was logged as LOG), ERROR, FATAL and LOG lines. */
  const pgBadger = (o: PgBadgerErrors) => {
    const types = Object.values(o.logs_type)[0] ?? {};
    const by: Record<string, number> = {};
    for (const e of Object.values(Object.values(o.error_info)[0] ?? {})) {
      const level = e.error[0]!.slice(0, e.error[0]!.indexOf(':'));
      by[level] = (by[level] ?? 0) + e.count;
    }
    const errors = by.ERROR ?? 0;
    // logs_type counts an event under ERROR unless pgBadger moved it back to LOG when reporting it.
    return { events: by.LOG ?? 0, ERROR: errors, FATAL: types.FATAL ?? 0, logLines: (types.LOG ?? 0) + (types.ERROR ?? 0) - errors };
  };

  for (const [log, out] of cases) {
    it(log, async () => {
      const { readFileSync } = await import('node:fs');
      const { readTimeline } = await import('../../src/pipeline.js');
      const want = pgBadger(JSON.parse(readFileSync(new URL(`../fixtures/pgbadger/${out}`, import.meta.url), 'utf8')) as PgBadgerErrors);
      const { summary } = await readTimeline([new URL(`../fixtures/${log}`, import.meta.url).pathname]);
      const s = summary.postgres;
      expect({ events: s.events, ERROR: s.bySeverity.ERROR ?? 0, FATAL: s.bySeverity.FATAL ?? 0, logLines: (s.bySeverity.LOG ?? 0) + s.events }).toEqual(want);
    });
  }

  it('keeps the LOG lines pgBadger names as plain LOG out of the events (captured from PostgreSQL 15)', async () => {
    const { readTimeline } = await import('../../src/pipeline.js');
    const { summary } = await readTimeline([new URL('../fixtures/multiline/postgres-15-events.log', import.meta.url).pathname]);
    // 2 incomplete startup packets, 2 unexpected EOFs in a transaction and 1 deadlock wait are LOG;
    // the events are the 3 `database system was`, the parameter change, the wait still pending and the killed backend.
    expect(summary.postgres.events).toBe(6);
    expect(summary.postgres.bySeverityRaw.LOG! - summary.postgres.bySeverity.LOG!).toBe(6);
  });
});
