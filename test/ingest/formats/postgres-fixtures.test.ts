// Real PostgreSQL logs (pgBadger's test fixtures, see test/fixtures/postgres/README.md and LICENSE)
// read through readInput: the format sniffed, the line accounting, and the counts pgBadger reports.
import { describe, expect, it } from 'vitest';
import { readInput } from '../../../src/ingest/read-input.js';
import type { InputSummary, LogEvent } from '../../../src/model.js';

const DIR = 'test/fixtures/postgres/';

async function read(name: string): Promise<{ summary: InputSummary; events: LogEvent[] }> {
  const events: LogEvent[] = [];
  const summary = await readInput(DIR + name, 0, { event: (e) => events.push(e), metric: () => {} });
  expect(summary.lines).toBe(summary.events + summary.skipped);
  expect(summary.warnings).toEqual([]);
  return { summary, events };
}

function count(events: LogEvent[], test: (e: LogEvent) => boolean): number {
  let n = 0;
  for (const e of events) if (test(e)) n++;
  return n;
}

const pgSev = (sev: string) => (e: LogEvent) => e.source === 'postgres' && e.levelText === sev;

// pgBadger files "database system was shut down at ..." under events, not under LOG: its LOG
// count is ours minus those lines (checked with pgBadger 12.0 and the README's 13.2 figures).
const SHUT_DOWN = (e: LogEvent) => e.message.startsWith('database system was shut down at');

describe('PostgreSQL fixtures', () => {
  it('light.postgres.log: %t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h — 629 durations, pgBadger LOG 629', async () => {
    const { summary, events } = await read('light.postgres.log');
    expect(summary.format).toBe('postgres');
    expect(summary.lines).toBe(630);
    expect(summary.skipped).toBe(0);
    expect(count(events, pgSev('LOG'))).toBe(630);
    expect(count(events, (e) => pgSev('LOG')(e) && !SHUT_DOWN(e))).toBe(629);
    expect(count(events, (e) => e.message.startsWith('duration: '))).toBe(629);
    expect(count(events, (e) => e.level !== 'info')).toBe(0);
    const d = events.find((e) => e.message.startsWith('duration: 2.280 ms'))!;
    expect(d.pg).toMatchObject({ pid: 36, user: 'postgres', database: 'postgres', application: 'pgbench', client: '172.23.0.1', severity: 'LOG' });
    expect(d.ts).toBe(Date.UTC(2017, 8, 6, 8, 41, 41));
    // Empty prefix fields of a non-session process are absent, not empty strings.
    const first = events.find((e) => e.line === 1)!;
    expect(first.pg).toEqual({ severity: 'LOG', pid: 20 });
    // The slowest statement pgBadger reports.
    const slowest = Math.max(...events.map((e) => Number(/^duration: ([\d.]+) ms/.exec(e.message)?.[1] ?? 0)));
    expect(slowest).toBe(470.688);
  });

  it('pg_rawcsv.log: %m [%p] with pg_ctl lines — LOG/ERROR/FATAL 5/2/1 as pgBadger, pg_ctl lines skipped with a reason', async () => {
    const { summary, events } = await read('pg_rawcsv.log');
    expect(summary.format).toBe('postgres');
    expect(summary.lines).toBe(14);
    expect(count(events, (e) => pgSev('LOG')(e) && !SHUT_DOWN(e))).toBe(5);
    expect(count(events, pgSev('LOG'))).toBe(6);
    expect(count(events, pgSev('ERROR'))).toBe(2);
    expect(count(events, pgSev('FATAL'))).toBe(1);
    expect(summary.skipped).toBe(2);
    expect(summary.skippedExamples.map((s) => [s.line, s.text])).toEqual([
      [3, 'pg_ctl: could not start server'],
      [4, 'Examine the log output.'],
    ]);
    expect(summary.skippedExamples[0]!.reason).toMatch(/not a PostgreSQL log line.*pg_ctl/);
    const fatal = events.find(pgSev('FATAL'))!;
    expect(fatal.level).toBe('fatal');
    expect(fatal.ts).toBe(Date.UTC(2025, 0, 21, 17, 32, 48, 288)); // CET = UTC+1
    const err = events.find((e) => e.message.startsWith('conflicting values'))!;
    expect(err.pg).toMatchObject({
      pid: 78798,
      user: 'gilles',
      database: 'gilles',
      detail: 'This value contradicts a previous setting for the same field type.',
      statement: "SELECT TO_DATE('311299999','DDMMYYYYY');",
    });
    expect(err.level).toBe('error');
  });

  it('logplex: Heroku Postgres — LOG/ERROR 9/1 (pgBadger 12.0), 4 durations, DETAIL/CONTEXT/STATEMENT and [n-m] parts joined', async () => {
    const { summary, events } = await read('logplex');
    expect(summary.format).toBe('heroku-logplex');
    expect(summary.lines).toBe(36);
    expect(summary.skipped).toBe(0);
    expect(summary.records).toBe(10);
    expect(count(events, pgSev('LOG'))).toBe(9);
    expect(count(events, pgSev('ERROR'))).toBe(1);
    expect(count(events, (e) => /^duration: /.test(e.message))).toBe(4);
    expect(count(events, (e) => / acquired \S+ on .* after [\d.]+ ms$/.test(e.message))).toBe(3);
    const dl = events.find((e) => e.message === 'deadlock detected')!;
    expect(dl.pg).toMatchObject({ pid: 4849, sqlstate: '40P01', hint: 'See server log for query details.' });
    expect(dl.pg!.detail!.split('\n')).toHaveLength(6);
    expect(dl.pg!.detail).toMatch(/^Process 4849 waits for ShareLock on transaction 259635360; blocked by process 4821\.\nProcess 4821 waits/);
    expect(dl.pg!.context).toMatch(/^while locking tuple/);
    expect(dl.pg!.statement).toMatch(/^WITH redacted_table/);
    const wait = events.find((e) => e.message.startsWith('process 4882 still waiting'))!;
    expect(wait.pg).toMatchObject({ pid: 4882, sqlstate: '00000', detail: 'Process holding the lock: 4821. Wait queue: 4886, 4882.' });
    // A statement split by syslog into [921320-1] .. [921320-6] is one record.
    const slow = events.find((e) => e.message.startsWith('duration: 85756.273 ms'))!;
    expect(slow.message.split('\n')).toHaveLength(6);
    expect(slow.pg!.pid).toBe(5925);
    expect(slow.ts).toBe(Date.UTC(2021, 8, 7, 4, 1, 27));
    const slowest = Math.max(...events.map((e) => Number(/^duration: ([\d.]+) ms/.exec(e.message)?.[1] ?? 0)));
    expect(slowest).toBe(85756.273);
  });

  it('cnpg.log: CloudNativePG — records LOG/ERROR/FATAL 1969/4/1 as pgBadger, 382 connections, 382 sessions', async () => {
    const { summary, events } = await read('cnpg.log');
    expect(summary.format).toBe('cnpg');
    expect(summary.lines).toBe(2022);
    expect(summary.skipped).toBe(0);
    const fromRecord = (e: LogEvent) => e.source === 'postgres' && e.attrs !== undefined && 'session_line_num' in e.attrs;
    expect(count(events, (e) => fromRecord(e) && pgSev('LOG')(e) && !SHUT_DOWN(e))).toBe(1969);
    expect(count(events, (e) => fromRecord(e) && pgSev('ERROR')(e))).toBe(4);
    expect(count(events, (e) => fromRecord(e) && pgSev('FATAL')(e))).toBe(1);
    expect(count(events, (e) => e.message.startsWith('connection authorized'))).toBe(382);
    // pgBadger counts a session per disconnection of a database session; three are walsenders (`database=`).
    const disconnections = events.filter((e) => e.message.startsWith('disconnection:'));
    expect(disconnections).toHaveLength(385);
    expect(disconnections.filter((e) => e.pg!.database !== undefined)).toHaveLength(382);
    expect(count(events, (e) => e.message.startsWith('duration: '))).toBe(400);
    // The postmaster's stderr before the logging collector: two LOG lines and their HINTs (the file is newest first).
    expect(count(events, (e) => e.source === 'postgres' && !fromRecord(e))).toBe(3);
    // The instance manager's own lines are platform events.
    expect(count(events, (e) => e.source === 'platform')).toBe(43);
    const colErr = events.find((e) => e.message === 'column "names" does not exist')!;
    expect(colErr.pg).toMatchObject({
      pid: 464,
      user: 'postgres',
      database: 'myapp',
      sqlstate: '42703',
      application: 'psql',
      client: '[local]',
      hint: 'Perhaps you meant to reference the column "states.name".',
      statement: "delete from states where names = 'America';",
    });
    expect(colErr.ts).toBe(Date.UTC(2022, 10, 27, 18, 54, 26, 572));
    const fatal = events.find(pgSev('FATAL'))!;
    expect(fatal.message).toBe('the database system is starting up');
    expect(fatal.pg!.sqlstate).toBe('57P03');
    expect(fatal.level).toBe('fatal');
  });

  it('pg_vacuums.json: jsonlog — 3544 LOG as pgBadger, multi-line messages kept whole', async () => {
    const { summary, events } = await read('pg_vacuums.json');
    expect(summary.format).toBe('postgres-json');
    expect(summary.lines).toBe(3544);
    expect(summary.skipped).toBe(0);
    expect(count(events, pgSev('LOG'))).toBe(3544);
    const first = events[0]!;
    expect(first.ts).toBe(Date.UTC(2024, 5, 26, 22, 0, 7, 369)); // CEST = UTC+2
    expect(first.pg).toMatchObject({ pid: 58151, sessionId: '667c8f67.e327', severity: 'LOG' });
    expect(first.message).toMatch(/^automatic analyze of table "testdb\.sales\.tab_shop_stats"\nI\/O timings/);
    expect(count(events, (e) => /^automatic (aggressive )?vacuum of table/.test(e.message))).toBeGreaterThan(0);
  });

  it('tempfile_only.log: %t [%p]: [%l-1] user=%u,db=%d — 171 LOG as pgBadger, 5 STATEMENT lines joined', async () => {
    const { summary, events } = await read('tempfile_only.log');
    expect(summary.format).toBe('postgres');
    expect(summary.skipped).toBe(0);
    expect(count(events, pgSev('LOG'))).toBe(171);
    expect(events).toHaveLength(171);
    expect(count(events, (e) => e.pg!.statement !== undefined)).toBe(5);
    const tmp = events.find((e) => e.message.startsWith('temporary file: path "base/pgsql_tmp/pgsql_tmp19475.0"'))!;
    expect(tmp.pg).toMatchObject({ pid: 19475, user: 'bss_fwc14', database: 'bss_fwc14' });
    expect(tmp.pg!.statement).toMatch(/^SELECT "order_lines"/);
  });

  it('queryid.log: %m [%p] [queryid=%Q] %u@%d — LOG/ERROR 25/3 as pgBadger; tab lines and space-indented lines join the statement', async () => {
    const { summary, events } = await read('queryid.log');
    expect(summary.format).toBe('postgres');
    expect(count(events, pgSev('LOG'))).toBe(25);
    expect(count(events, pgSev('ERROR'))).toBe(3);
    expect(count(events, (e) => e.pg!.hint !== undefined)).toBe(1);
    expect(count(events, (e) => e.pg!.detail !== undefined)).toBe(2);
    expect(count(events, (e) => e.pg!.statement !== undefined)).toBe(8);
    // The only lines left out are blank ones.
    expect(summary.skippedExamples.every((s) => s.reason === 'blank line')).toBe(true);
    const cancel = events.find((e) => e.message === 'canceling statement due to user request')!;
    expect(cancel.pg).toMatchObject({ user: 'postgres', database: 'stackoverflow', pid: 691 });
    expect(cancel.pg!.statement).toBe('explain (analyze,buffers) SELECT\n  avg(viewcount),\n  avg(answercount),\n  avg(commentcount),\n  avg(favoritecount)\nFROM posts_toast;');
    const multi = events.find((e) => e.message.startsWith('duration: 25.450 ms'))!;
    expect(multi.message.split('\n').length).toBeGreaterThan(10);
  });

  it('multiline_param.log: DETAIL parameters with tab-indented lines join their record', async () => {
    const { summary, events } = await read('multiline_param.log');
    expect(summary.format).toBe('postgres');
    expect(summary.skipped).toBe(0);
    expect(count(events, pgSev('LOG'))).toBe(8);
    expect(count(events, (e) => e.pg!.detail !== undefined)).toBe(4);
    const bind = events.find((e) => e.message.startsWith('duration: 0.700 ms  bind'))!;
    expect(bind.pg!.detail).toBe("parameters: $1 = '1234', $2 = 'njchar\nhello', $3 = 'aaaa'");
  });

  it('begin_end.log, stmt_type.log, postgresql_param_range.log: more stderr prefixes and zones', async () => {
    const be = await read('begin_end.log');
    expect(be.summary.format).toBe('postgres');
    expect(count(be.events, pgSev('LOG'))).toBe(24);
    expect(count(be.events, (e) => e.message.startsWith('connection authorized'))).toBe(8);
    expect(be.events.find((e) => e.message.startsWith('connection authorized'))!.pg).toMatchObject({ user: 'postgres', database: 'template1', client: '[local]', pid: 30291 });
    expect(be.events[0]!.ts).toBe(Date.UTC(2021, 1, 14, 0, 34, 2));
    const st = await read('stmt_type.log');
    expect(count(st.events, pgSev('LOG'))).toBe(12);
    expect(st.events[0]!.ts).toBe(Date.UTC(2019, 9, 21, 9, 3, 31, 311)); // MSK = UTC+3
    const pr = await read('postgresql_param_range.log');
    expect(pr.summary.format).toBe('postgres');
    expect(pr.events).toHaveLength(3);
    expect(pr.events.every((e) => e.pg!.detail!.startsWith('parameters: $1 = '))).toBe(true);
    expect(pr.events.find((e) => e.pg!.pid === 130096)!.pg).toMatchObject({ user: 'usr6', database: 'progdb', application: '76ae131687c458a8' });
  });

  it("pg-timezones.log: RDS's %t:%r:%u@%d:[%p]:", async () => {
    const { summary, events } = await read('pg-timezones.log');
    expect(summary.format).toBe('postgres');
    expect(events.map((e) => e.pg)).toEqual([
      { severity: 'LOG', pid: 24743, user: 'user', database: 'my_db', client: '10.1.91.65' },
      { severity: 'LOG', pid: 19003, user: 'user', database: 'my_db', client: '10.1.17.194' },
    ]);
    expect(events[0]!.message).toBe('duration: 0.054 ms statement: SELECT * FROM t1;');
    expect(events[0]!.ts).toBe(Date.UTC(2021, 4, 27, 17, 0, 0));
  });

  it('csvlog fixtures: anonymize.log, weeknumber.log, csv_statement_without_duration.log', async () => {
    const an = await read('anonymize.log');
    expect(an.summary.format).toBe('postgres-csv');
    expect(an.summary.skipped).toBe(0);
    expect(count(an.events, pgSev('LOG'))).toBe(an.summary.lines - countMultiLine(an.events));
    const a0 = an.events[0]!;
    expect(a0.pg).toMatchObject({ user: 'aaaa', database: 'aaaa', pid: 1486, client: '127.0.0.1', sessionId: '6009c305.5ce', sqlstate: '00000' });
    expect(a0.pg!.detail).toMatch(/^parameters: \$1 = 'XXXXXXXX'/);
    expect(a0.ts).toBe(Date.UTC(2021, 0, 22, 9, 3, 22, 785));
    const wk = await read('weeknumber.log');
    expect(wk.summary.format).toBe('postgres-csv');
    expect(wk.events).toHaveLength(6);
    expect(wk.events[0]!.message).toBe('duration: 0.576 ms  execute pdo_stmt_00000003: select * from "users" where "cn" = $1 and "users"."deleted_at" is null limit 1');
    const cs = await read('csv_statement_without_duration.log');
    expect(cs.summary.format).toBe('postgres-csv');
    expect(cs.events.map((e) => [e.pg!.application, e.attrs!.backend_type])).toEqual([
      ['example app', 'client backend'],
      ['example healthcheck', 'client backend'],
    ]);
    expect(cs.events[0]!.message).toMatch(/^duration: 688786\.283 ms  execute stmt_slow/);
  });
});

/** Extra lines taken by multi-line CSV records (lines - records). */
function countMultiLine(events: LogEvent[]): number {
  let extra = 0;
  for (const e of events) extra += e.message.split('\n').length - 1 + [e.pg?.detail, e.pg?.statement, e.pg?.context, e.pg?.query, e.pg?.hint].reduce((n, t) => n + (t ? t.split('\n').length - 1 : 0), 0);
  return extra;
}
