import { describe, expect, it } from 'vitest';
import { railwayJson } from '../../../src/ingest/formats/railway-json.js';
import { runFormat, readText } from '../run-format.js';

const j = (o: Record<string, unknown>) => JSON.stringify(o);
const T = '2026-02-07T19:12:02.412345678Z';
const T_MS = Date.UTC(2026, 1, 7, 19, 12, 2, 412);

describe('railway-json', () => {
  it('is recognised from railway logs --json lines, not from HTTP logs', () => {
    const lines = [j({ message: 'Starting Container', timestamp: T, level: 'info' }), j({ message: 'listening on :8080', timestamp: T, level: 'info', deploymentId: 'd1' })];
    expect(railwayJson.sniff(lines).score).toBeGreaterThan(0.8);
    expect(railwayJson.sniff([j({ timestamp: T, method: 'GET', path: '/', httpStatus: 200, message: 'x' })]).score).toBe(0);
  });

  it('reads nanosecond timestamps to the millisecond, keeps every attribute', () => {
    const r = runFormat(railwayJson, [j({ message: 'sync done in 41ms', timestamp: T, level: 'info', deploymentId: 'dep-9', deploymentInstanceId: 'inst-3', userId: 42 })]);
    const ev = r.events[0]!;
    expect(ev.ts).toBe(T_MS);
    expect(ev.attrs).toMatchObject({ deploymentId: 'dep-9', deploymentInstanceId: 'inst-3', userId: 42 });
    expect(ev.source).toBe('app');
  });

  it("takes the level the message announces over Railway's stderr 'error', and keeps 'error' as the stream", () => {
    const r = runFormat(railwayJson, [
      j({ message: 'INFO:     10.1.2.3:4455 - "GET /health HTTP/1.1" 200 OK', timestamp: T, level: 'error' }),
      j({ message: 'WARNING: retrying in 5s', timestamp: T, level: 'error' }),
      j({ message: '2026-02-07 19:12:02,118 - tasks.materialize - INFO - materialized 18 rows', timestamp: T, level: 'error' }),
      j({ message: 'Database session error: ', timestamp: T, level: 'error' }),
      j({ message: 'Error connecting sounds like an error but is a plain stdout line', timestamp: T, level: 'info' }),
      j({ message: 'request handled', timestamp: T, level: 'warn' }),
    ]);
    expect(r.events.map((e) => e.level)).toEqual(['info', 'warn', 'info', 'error', 'info', 'warn']);
    expect(r.events[0]!.stream).toBe('error');
    expect(r.events[0]!.levelText).toBe('error');
  });

  it('reads numeric pino levels and msg instead of message', () => {
    const r = runFormat(railwayJson, [j({ msg: 'db pool exhausted', level: 50, time: 1770491522412 })]);
    expect(r.events[0]).toMatchObject({ level: 'error', message: 'db pool exhausted', ts: 1770491522412 });
  });

  it('marks Railway platform lines', () => {
    const r = runFormat(railwayJson, [
      j({ message: 'Starting Container', timestamp: T, level: 'info' }),
      j({ message: 'Stopping Container', timestamp: T, level: 'info' }),
      j({ message: 'Railway rate limit of 500 logs/sec reached for replica, update your application to reduce the logging rate. Messages dropped: 50', timestamp: T, level: 'info' }),
    ]);
    expect(r.events.map((e) => e.source)).toEqual(['platform', 'platform', 'platform']);
    expect(r.events[2]!.level).toBe('warn');
  });

  it('reads a PostgreSQL line inside the message with PostgreSQL severity, time and joined DETAIL', () => {
    const r = runFormat(railwayJson, [
      j({ message: '2026-02-07 19:11:58.120 UTC [812] LOG:  could not receive data from client: Connection reset by peer', timestamp: T, level: 'error' }),
      j({ message: '2026-02-07 19:11:58.300 UTC [815] ERROR:  duplicate key value violates unique constraint "tasks_pkey"', timestamp: T, level: 'error' }),
      j({ message: '2026-02-07 19:11:58.300 UTC [815] DETAIL:  Key (id)=(17) already exists.', timestamp: T, level: 'error' }),
    ]);
    expect(r.events).toHaveLength(2);
    const [reset, dup] = r.events;
    expect(reset).toMatchObject({ source: 'postgres', level: 'info', levelText: 'LOG', stream: 'error', ts: Date.UTC(2026, 1, 7, 19, 11, 58, 120) });
    expect(dup!.level).toBe('error');
    expect(dup!.pg).toMatchObject({ pid: 815, detail: 'Key (id)=(17) already exists.' });
    expect(r.eventLines).toBe(3);
  });

  it('joins a traceback that arrives one JSON line per traceback line', () => {
    const lines = [
      'Materialization loop error: ',
      'Traceback (most recent call last):',
      '  File "/app/worker.py", line 88, in run',
      '    await materialize(batch)',
      'asyncio.exceptions.CancelledError',
      'next iteration scheduled',
    ].map((m, i) => j({ message: m, timestamp: `2026-02-07T19:12:02.${String(100 + i)}Z`, level: 'error' }));
    const r = runFormat(railwayJson, lines);
    expect(r.events).toHaveLength(2);
    expect(r.events[0]!.message.split('\n')).toHaveLength(5);
    expect(r.events[0]!.message).toContain('CancelledError');
    expect(r.events[1]!.line).toBe(6);
    expect(r.eventLines).toBe(6);
  });

  it('takes the service from the record, else the context (--service or file name)', () => {
    const r = runFormat(railwayJson, [j({ message: 'a', timestamp: T, service: 'worker' }), j({ message: 'b', timestamp: T })], { service: 'api' });
    expect(r.events.map((e) => e.service)).toEqual(['worker', 'api']);
  });

  it('skips blank lines, broken JSON and objects without a message, with reasons', () => {
    const r = runFormat(railwayJson, ['', '{"message": "cut', '[1,2]', j({ timestamp: T, level: 'info' }), j({ message: 'ok', timestamp: T })]);
    expect(r.skipped.map((s) => s.reason)).toEqual(['blank line', 'not valid JSON', 'not a JSON object', 'JSON object without a "message" field']);
    expect(r.events).toHaveLength(1);
  });

  it('an entry with a blank message is skipped, unless it holds fields of its own: winston\'s `logger.error(err)` in its json format', () => {
    // The record as winston 3.19.0's default json format writes a KnexTimeoutError (test/fixtures/vocabulary/knex-winston.txt).
    const r = runFormat(railwayJson, [
      j({ message: '', level: 'error', timestamp: T }),
      j({ name: 'KnexTimeoutError', message: '', level: 'error', timestamp: T, cause: {} }),
      j({ message: '  ', level: 'info', timestamp: T, deploymentId: 'd1' }),
    ]);
    expect(r.skipped.map((s) => [s.line, s.reason])).toEqual([[1, 'blank message'], [3, 'blank message']]);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ level: 'error', message: '', line: 2 });
    expect(r.events[0]!.attrs).toMatchObject({ name: 'KnexTimeoutError' });
  });

  it('turns Heroku runtime metrics in a message into memory samples and keeps the event', async () => {
    const msg = 'source=web.1 dyno=heroku.2808254.d97d0ea7-cf3d-411b-b453-d2943a50b456 sample#memory_total=21.00MB sample#memory_rss=21.22MB sample#memory_cache=0.00MB';
    const { events, metrics } = await readText([j({ message: msg, timestamp: T, level: 'info' }), j({ message: 'ok', timestamp: T })].join('\n'));
    expect(events).toHaveLength(2);
    expect(metrics).toEqual([{ service: 'web.1', measurement: 'memory', unit: 'MB', ts: T_MS, value: 21, instance: 'heroku.2808254.d97d0ea7-cf3d-411b-b453-d2943a50b456' }]);
  });
});
