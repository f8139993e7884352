// The `postgres-json` (jsonlog) and `cnpg` (CloudNativePG) formats.
import { describe, expect, it } from 'vitest';
import { readText } from '../run-format.js';

describe('postgres-json (jsonlog)', () => {
  it('reads a jsonlog record with every text key, and PostgreSQL 17 keys as attributes', async () => {
    const rec = {
      timestamp: '2026-02-07 19:21:03.120 UTC', user: 'svc', dbname: 'orders', pid: 4711, remote_host: '10.1.2.3', remote_port: 50432,
      session_id: '65c3a1b2.1267', line_num: 8, ps: 'UPDATE', session_start: '2026-02-07 19:00:00 UTC', vxid: '4/99', txid: 1234,
      error_severity: 'ERROR', state_code: '40P01', message: 'deadlock detected', detail: 'Process 4711 waits for ShareLock; blocked by process 4712.',
      hint: 'See server log for query details.', context: 'while updating tuple (0,3) in relation "orders"', statement: 'UPDATE orders SET paid = true WHERE id = 3',
      application_name: 'worker', backend_type: 'client backend', query_id: 99887766, internal_query: 'SELECT 1',
    };
    const fatal = { timestamp: '2026-02-07 22:21:04.000 +03', pid: 4712, error_severity: 'FATAL', state_code: '57P01', message: 'terminating connection due to administrator command', backend_type: 'client backend' };
    const { summary, events } = await readText([JSON.stringify(rec), JSON.stringify(fatal)].join('\n'));
    expect(summary.format).toBe('postgres-json');
    expect(events).toHaveLength(2);
    expect(events[0]!.pg).toEqual({
      severity: 'ERROR', pid: 4711, user: 'svc', database: 'orders', client: '10.1.2.3', sessionId: '65c3a1b2.1267', sqlstate: '40P01',
      detail: rec.detail, hint: rec.hint, query: 'SELECT 1', context: rec.context, statement: rec.statement, application: 'worker',
    });
    expect(events[0]!.attrs).toMatchObject({ ps: 'UPDATE', backend_type: 'client backend', query_id: 99887766 });
    expect(events[0]!.ts).toBe(Date.UTC(2026, 1, 7, 19, 21, 3, 120));
    expect(events[1]!.ts).toBe(Date.UTC(2026, 1, 7, 19, 21, 4));
    expect(events[1]!.level).toBe('fatal');
  });

  it('reads the stderr lines written before the logging collector, and skips other lines with reasons', async () => {
    const text = [
      '2026-02-07 19:21:00.000 UTC [1] LOG:  redirecting log output to logging collector process',
      '2026-02-07 19:21:00.000 UTC [1] HINT:  Future log output will appear in directory "log".',
      JSON.stringify({ timestamp: '2026-02-07 19:21:01.000 UTC', pid: 1, error_severity: 'LOG', message: 'database system is ready to accept connections' }),
      '{"timestamp": "2026-02-07 19:21:02.000 UTC", "pid": 2, "error_se',
      JSON.stringify({ timestamp: '2026-02-07 19:21:03.000 UTC', pid: 3, message: 'no severity' }),
    ].join('\n');
    const { summary, events } = await readText(text);
    expect(summary.format).toBe('postgres-json');
    expect(events.map((e) => e.message)).toEqual(['redirecting log output to logging collector process', 'database system is ready to accept connections']);
    expect(events[0]!.pg!.hint).toBe('Future log output will appear in directory "log".');
    expect(summary.skippedExamples.map((s) => [s.line, s.reason])).toEqual([
      [4, 'not valid JSON'],
      [5, 'JSON object without a PostgreSQL "error_severity"'],
    ]);
  });
});

describe('cnpg (CloudNativePG)', () => {
  const record = (r: Record<string, unknown>, ts = 1770492063.25) => JSON.stringify({ level: 'info', ts, logger: 'postgres', msg: 'record', logging_pod: 'shop-pg-2', record: r });

  it('reads records under "record", the postmaster stderr as msg, and the instance manager lines as platform events', async () => {
    const text = [
      JSON.stringify({ level: 'info', ts: 1770492060.5, msg: 'Starting CloudNativePG Instance Manager', logging_pod: 'shop-pg-2' }),
      JSON.stringify({ level: 'info', ts: 1770492061.0, logger: 'postgres', msg: '2026-02-07 19:21:01.000 UTC [27] LOG:  starting PostgreSQL 16.2', logging_pod: 'shop-pg-2' }),
      record({
        log_time: '2026-02-07 19:21:03.250 UTC', user_name: 'app', database_name: 'shop', process_id: '812', connection_from: '10.42.1.9:41220',
        session_id: '65c3a1b2.32c', session_line_num: '3', command_tag: 'SELECT', error_severity: 'ERROR', sql_state_code: '57014',
        message: 'canceling statement due to statement timeout', query: 'SELECT pg_sleep(60)', application_name: 'api', backend_type: 'client backend', query_id: '0',
      }),
      JSON.stringify({ level: 'error', ts: 1770492064.0, msg: 'Readiness probe failing', logging_pod: 'shop-pg-2', err: 'instance is not ready yet' }),
    ].join('\n');
    const { summary, events } = await readText(text);
    expect(summary.format).toBe('cnpg');
    expect(summary.skipped).toBe(0);
    expect(events.map((e) => [e.source, e.level, e.message])).toEqual([
      ['platform', 'info', 'Starting CloudNativePG Instance Manager'],
      ['postgres', 'info', 'starting PostgreSQL 16.2'],
      ['postgres', 'error', 'canceling statement due to statement timeout'],
      ['platform', 'error', 'Readiness probe failing: instance is not ready yet'],
    ]);
    const e = events[2]!;
    expect(e.ts).toBe(Date.UTC(2026, 1, 7, 19, 21, 3, 250));
    expect(e.pg).toMatchObject({ pid: 812, user: 'app', database: 'shop', client: '10.42.1.9', sqlstate: '57014', statement: 'SELECT pg_sleep(60)', application: 'api' });
    expect(e.attrs).toMatchObject({ logging_pod: 'shop-pg-2', command_tag: 'SELECT', backend_type: 'client backend' });
    expect(events[0]!.ts).toBe(1770492060500);
  });

  it('skips a record without a severity and a non-JSON line, with reasons', async () => {
    const text = [record({ log_time: '2026-02-07 19:21:03.250 UTC', process_id: '1', message: 'x' }), 'plain text', record({ log_time: '2026-02-07 19:21:03.250 UTC', process_id: '1', error_severity: 'LOG', message: 'ok' })].join('\n');
    const { summary, events } = await readText(text);
    expect(summary.format).toBe('cnpg');
    expect(events.map((e) => e.message)).toEqual(['ok']);
    expect(summary.skippedExamples.map((s) => s.reason)).toEqual(['CloudNativePG record without a PostgreSQL "error_severity"', 'not a JSON object']);
  });
});
