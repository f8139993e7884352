// The `postgres-syslog` and `heroku-logplex` formats: headers, [n-m] continuation numbering, other programs' lines.
import { describe, expect, it } from 'vitest';
import { readText } from '../run-format.js';

describe('postgres-syslog', () => {
  it('reads BSD syslog lines without a year, joining [n-2] parts and DETAIL/STATEMENT lines per process', async () => {
    const now = new Date();
    const year = now.getUTCFullYear();
    // A date safely in the past of the current year (or last year's when it is early January).
    const past = new Date(Date.UTC(year, now.getUTCMonth(), now.getUTCDate()) - 3 * 86_400_000);
    const mon = past.toUTCString().slice(8, 11);
    const day = String(past.getUTCDate()).padStart(2, ' ');
    const h = `${mon} ${day} 19:21:03 db-1`;
    const text = [
      `${h} postgres[4882]: [15-1] user=app,db=shop LOG:  process 4882 still waiting for ShareLock on transaction 259635360 after 1000.119 ms`,
      `${h} postgres[4849]: [19-1] user=app,db=shop ERROR:  deadlock detected`,
      `${h} postgres[4882]: [15-2] user=app,db=shop DETAIL:  Process holding the lock: 4821. Wait queue: 4886, 4882.`,
      `${h} postgres[4849]: [19-2] user=app,db=shop DETAIL:  Process 4849 waits for ShareLock on transaction 259635360; blocked by process 4821.`,
      `${h} postgres[4849]: [19-3] \tProcess 4821 waits for ShareLock on transaction 259635221; blocked by process 4849.`,
      `${h} postgres[4849]: [19-4] user=app,db=shop STATEMENT:  UPDATE t SET x = 1`,
      `${h} postgres[4849]: [19-5] \tWHERE id = 2`,
      `${h} kernel: [12345.678] Out of memory: Killed process 4999 (postgres)`,
      `${h} CRON[77]: (root) CMD (vacuumdb --all)`,
    ].join('\n');
    const { summary, events } = await readText(text);
    expect(summary.format).toBe('postgres-syslog');
    expect(summary.skipped).toBe(0);
    const pgEvents = events.filter((e) => e.source === 'postgres');
    expect(pgEvents).toHaveLength(2);
    const dl = pgEvents.find((e) => e.message === 'deadlock detected')!;
    expect(dl.pg).toMatchObject({ pid: 4849, user: 'app', database: 'shop', statement: 'UPDATE t SET x = 1\nWHERE id = 2' });
    expect(dl.pg!.detail!.split('\n')).toHaveLength(2);
    expect(dl.ts).toBe(Date.UTC(past.getUTCFullYear(), past.getUTCMonth(), past.getUTCDate(), 19, 21, 3));
    const wait = pgEvents.find((e) => e.pg!.pid === 4882)!;
    expect(wait.pg!.detail).toBe('Process holding the lock: 4821. Wait queue: 4886, 4882.');
    // Other programs' lines (the kernel's OOM killer, cron) are kept as events of their own.
    const other = events.filter((e) => e.source !== 'postgres');
    expect(other.map((e) => e.message)).toEqual(['[12345.678] Out of memory: Killed process 4999 (postgres)', '(root) CMD (vacuumdb --all)']);
    expect(other[0]!.attrs).toEqual({ ident: 'kernel', host: 'db-1' });
    expect(other[1]!.attrs).toEqual({ ident: 'CRON', pid: 77, host: 'db-1' });
    expect(summary.lines).toBe(summary.events + summary.skipped);
  });

  it('reads syslog lines with a year, RFC 3339 times and <PRI>, and syslog_sequence_numbers off', async () => {
    const text = [
      '2025 Dec 31 23:59:58 db-1 postgres[10]: [1-1] LOG:  checkpoint starting: time',
      'Jan  1 00:00:01 2026 db-1 postgres[11]: [1-1] FATAL:  the database system is starting up',
      '<134>2026-01-01T00:00:02.500+01:00 db-1 postgresql[12]: [3-1] 2026-01-01 00:00:02.500 CET [12] ERROR:  out of memory',
      '2026-01-01T00:00:03Z db-1 postgres[13]: WARNING:  there is no transaction in progress',
    ].join('\n');
    const { summary, events } = await readText(text);
    expect(summary.format).toBe('postgres-syslog');
    expect(events.map((e) => [e.ts, e.levelText, e.pg!.pid])).toEqual([
      [Date.UTC(2025, 11, 31, 23, 59, 58), 'LOG', 10],
      [Date.UTC(2026, 0, 1, 0, 0, 1), 'FATAL', 11],
      [Date.UTC(2025, 11, 31, 23, 0, 2, 500), 'ERROR', 12],
      [Date.UTC(2026, 0, 1, 0, 0, 3), 'WARNING', 13],
    ]);
  });

  it('skips a continuation part whose record is not in the input, and non-syslog lines, with reasons', async () => {
    const text = [
      'Feb  7 19:21:03 db-1 postgres[5]: [9-3] \tcontinuation of a record that started before this file',
      'Feb  7 19:21:03 db-1 postgres[5]: [10-1] LOG:  database system is ready to accept connections',
      'garbage line',
    ].join('\n');
    const { summary, events } = await readText(text, { inputFormat: 'postgres-syslog' });
    expect(events).toHaveLength(1);
    expect(summary.skippedExamples.map((s) => [s.line, s.reason])).toEqual([
      [1, 'continuation [9-3] of a record of process 5 that is not in this input'],
      [3, 'not a syslog line (`Mmm dd HH:MM:SS host ident[pid]: ...`)'],
    ]);
  });

  it('reads the syslog tail with --pg-prefix', async () => {
    const text = 'Feb  7 19:21:03 db-1 postgres[5]: [10-1] app=api,user=bob ERROR:  permission denied for table t\n';
    const { events } = await readText(text, { inputFormat: 'postgres-syslog', pgPrefix: 'app=%a,user=%u ' });
    expect(events[0]!.pg).toMatchObject({ pid: 5, application: 'api', user: 'bob', severity: 'ERROR' });
  });
});

describe('heroku-logplex', () => {
  it('reads Heroku Postgres records in both header shapes, the newer key="value" prefix, and the app/router lines beside them', async () => {
    const text = [
      '2026-02-07T19:21:03.123456+00:00 app[postgres.1234]: [DATABASE] [7-1]  sql_error_code = 57014 time_ms = "2026-02-07 19:21:03.123 UTC" pid="1234" proc_start_time="2026-02-07 19:00:00 UTC" session_id="65c3a1b2.4d2" vtid="3/9" tid="0" log_line="7" database="d8f0" connection_source="10.0.1.9(5432)" user="u3a1" application_name="web.1" ERROR:  canceling statement due to statement timeout',
      '2026-02-07T19:21:03.123456+00:00 app[postgres.1234]: [DATABASE] [7-2]  sql_error_code = 57014 time_ms = "2026-02-07 19:21:03.123 UTC" pid="1234" STATEMENT:  SELECT * FROM orders',
      '2026-02-07T19:21:03.200000+00:00 heroku[router]: at=error code=H12 desc="Request timeout" method=GET path="/orders" status=503',
      '2026-02-07T19:21:03.300000+00:00 app[web.1]: ERROR: request failed',
      '2026-02-07T19:21:04+00:00 d.0b1c2d3e-1111-2222-3333-444455556666 app[postgres.99] [HEROKU_POSTGRESQL_AQUA] [3-1]  sql_error_code = 00000 LOG:  duration: 1500.000 ms  execute <unnamed>: UPDATE t',
      '2026-02-07T19:21:04+00:00 d.0b1c2d3e-1111-2222-3333-444455556666 app[postgres.99] [HEROKU_POSTGRESQL_AQUA] [3-2]         SET x = 1',
    ].join('\n');
    const { summary, events } = await readText(text);
    expect(summary.format).toBe('heroku-logplex');
    expect(summary.skipped).toBe(0);
    const pg = events.filter((e) => e.source === 'postgres');
    expect(pg).toHaveLength(2);
    expect(pg[0]!.pg).toMatchObject({ pid: 1234, sqlstate: '57014', database: 'd8f0', user: 'u3a1', application: 'web.1', client: '10.0.1.9', sessionId: '65c3a1b2.4d2', statement: 'SELECT * FROM orders' });
    expect(pg[0]!.ts).toBe(Date.UTC(2026, 1, 7, 19, 21, 3, 123));
    expect(pg[1]!.message).toBe('duration: 1500.000 ms  execute <unnamed>: UPDATE t\n        SET x = 1');
    expect(pg[1]!.pg!.pid).toBe(99);
    const router = events.find((e) => e.attrs?.dyno === 'router')!;
    expect(router.source).toBe('platform');
    const web = events.find((e) => e.attrs?.dyno === 'web.1')!;
    expect([web.source, web.level, web.message]).toEqual(['app', 'error', 'ERROR: request failed']);
  });
});
