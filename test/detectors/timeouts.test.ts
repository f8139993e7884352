import { describe, expect, it } from 'vitest';
import { buildTimeline, detectOn, runDetector } from '../helpers/timeline.js';
import { timeouts } from '../../src/detectors/timeouts.js';
import { appEvent, pgEvent, plus } from './pg-test-events.js';
import { detectOnCaptures, fixtureText } from './captured-run.js';

const T = '2026-05-10T12:00:00Z';

describe('timeouts', () => {
  it('valid: no timeouts, and pool-acquire timeouts are left to connection-exhaustion', () => {
    expect(runDetector(timeouts, [
      appEvent(T, 'GET /health 200 3ms'),
      appEvent(plus(T, 1), 'sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00', 'error'),
      pgEvent(plus(T, 2), 'ERROR', 'canceling statement due to user request'),
      appEvent(plus(T, 3), 'LOCK_TIMEOUT set to 5s', 'info'),
    ])).toEqual([]);
  });

  it('statement timeouts grouped by statement, counted once when the driver repeats them', () => {
    const fs = runDetector(timeouts, [
      ...[0, 1, 2].map((i) => pgEvent(plus(T, i * 10), 'ERROR', 'canceling statement due to statement timeout', 40 + i, { statement: `SELECT * FROM reports WHERE owner = ${i}`, user: 'web' })),
      pgEvent(plus(T, 40), 'ERROR', 'canceling statement due to statement timeout', 50, { statement: 'select count(*) from events' }),
      appEvent(plus(T, 41), 'asyncpg.exceptions.QueryCanceledError: canceling statement due to statement timeout', 'error', 'worker'),
    ]);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ kind: 'statement-timeout', count: 4, appSide: 1, users: { web: 3 } });
    expect(fs[0]!.data.statements).toEqual([{ statement: 'select * from reports where owner = ?', count: 3 }, { statement: 'select count(*) from events', count: 1 }]);
  });

  it('idle-in-transaction and idle-session terminations, one finding each', () => {
    const fs = runDetector(timeouts, [
      pgEvent(T, 'FATAL', 'terminating connection due to idle-in-transaction timeout', 9),
      pgEvent(plus(T, 5), 'FATAL', 'terminating connection due to idle-in-transaction timeout', 10),
      pgEvent(plus(T, 9), 'FATAL', 'terminating connection due to idle-session timeout', 11),
    ]);
    expect(fs.map((f) => [f.data.kind, f.data.count, f.severity])).toEqual([
      ['idle-in-transaction-timeout', 2, 'medium'],
      ['idle-session-timeout', 1, 'low'],
    ]);
  });

  it('counts the records a thinned template stands for, and says the count is an estimate', () => {
    const events = Array.from({ length: 64 }, (_, i) => pgEvent(plus(T, i * 30), 'FATAL', 'terminating connection due to idle-in-transaction timeout', 200 + i));
    const t = buildTimeline(events, [], [], { maxEventBytes: 4096, eventsPerTemplateFloor: 4 });
    const tpl = t.templates.find((x) => x.text.startsWith('terminating'))!;
    expect(tpl.keptEvery).toBeGreaterThan(1);
    expect(t.events.length).toBeLessThan(64);
    const [f] = detectOn(timeouts, t);
    expect(f!.data.count).toBe(t.events.length * tpl.keptEvery);
    expect(Math.abs((f!.data.count as number) - 64)).toBeLessThan(tpl.keptEvery);
    expect(f!.data.estimated).toBe(true);
    expect(f!.summary).toContain(`kept 1 in ${tpl.keptEvery}`);
  });

  it('application timeouts: handler markers, empty TimeoutError, HTTP 504 by text or attribute', () => {
    const fs = runDetector(timeouts, [
      ...[0, 1, 2, 3, 4].map((i) => appEvent(plus(T, i * 30), `WEBHOOK_HANDLER_TIMEOUT update_id=${1000 + i} elapsed=25.0s`, 'warn', 'bot')),
      appEvent(plus(T, 200), 'WORKER_TIMEOUT worker=reminders', 'error', 'bot'),
      appEvent(plus(T, 210), '[2026-05-10 12:03:30 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:42)', 'error', 'web'),
      appEvent(plus(T, 220), 'Task failed: asyncio.exceptions.TimeoutError', 'error', 'bot'),
      appEvent(plus(T, 221), 'TimeoutError: ', 'error', 'bot'),
      appEvent(plus(T, 230), 'upstream answered 504 Gateway Timeout for GET /reports', 'error', 'edge'),
      appEvent(plus(T, 231), 'request done', 'error', 'edge', { httpStatus: 504, path: '/export' }),
    ]);
    const byKind = Object.fromEntries(fs.map((f) => [f.data.kind, f]));
    expect(byKind['handler-timeout']!.data.count).toBe(6);
    expect(byKind['handler-timeout']!.data.markers).toEqual({ WEBHOOK_HANDLER_TIMEOUT: 5, WORKER_TIMEOUT: 1 });
    // gunicorn's own line is a worker timeout in its library's words.
    expect(byKind['worker-timeout']!.data).toMatchObject({ count: 1, byLibrary: { gunicorn: 1 } });
    expect(byKind['handler-timeout']!.severity).toBe('high');
    expect(byKind['app-timeout']!.data.count).toBe(2);
    expect(byKind['http-504']!.data.count).toBe(2);
    expect(byKind['http-504']!.data.perService).toEqual({ edge: 2 });
    expect(byKind['http-504']!.summary).toBe('2 HTTP 504 responses on edge.');
    expect(byKind['handler-timeout']!.summary).toMatch(/^6 handler or worker timeouts reported by the application on /);
  });

  it('a 504 logged by the timeout middleware and by the access log is one request', () => {
    const fs = runDetector(timeouts, [
      appEvent(T, 'Request timed out after 15.0s: GET /content?page=9', 'error', 'api', { request_id: 'a1', status_code: 504 }),
      appEvent(plus(T, 0.01), 'GET /content?page=9 504 15042ms', 'info', 'api', { request_id: 'a1', status_code: 504 }),
      appEvent(plus(T, 30), 'Request timed out after 15.0s: GET /content?page=12', 'error', 'api'),
      appEvent(plus(T, 30.01), 'GET /content?page=12 504 15011ms', 'warn', 'api'),
      appEvent(plus(T, 30.02), 'upstream: GET /content?page=12 504 Gateway Timeout', 'warn', 'api'),
      appEvent(plus(T, 90), 'GET /content?page=12 504 15020ms', 'warn', 'api'),
    ]);
    // The second middleware line says no status; its access-log and proxy lines are one request; 60 s later is another.
    expect(fs[0]!.data).toMatchObject({ kind: 'http-504', count: 3, duplicateLines: 2 });
  });
});

describe('timeouts: workers and tasks at their time limit, on real output (test/fixtures/vocabulary/)', () => {
  it('gunicorn\'s WORKER TIMEOUT and Celery\'s soft and hard limits as Railway delivers them: one per limit, the hard one counted once', async () => {
    const fs = await detectOnCaptures(timeouts, [
      { fixture: 'gunicorn.txt', at: Date.parse(T) },
      { fixture: 'celery-worker.txt', at: Date.parse(T) },
    ]);
    const w = fs.find((f) => f.data.kind === 'worker-timeout')!;
    expect(w.data).toMatchObject({
      count: 3,
      byLibrary: { gunicorn: 1, Celery: 2 },
      tasks: { 'tasks.soft': 1, 'tasks.hard': 1 },
      limits: ['1 s', '2 s'],
    });
    expect(w.severity).toBe('medium');
  });

  it('RQ, puma, Sidekiq and BullMQ in their own words', () => {
    const fs = runDetector(timeouts, ['rq.txt', 'puma.txt', 'sidekiq.txt', 'bullmq.txt'].map((f, i) => appEvent(plus(T, i * 60), fixtureText(f).trimEnd(), 'error', 'worker')));
    expect(fs.map((f) => [f.data.kind, f.data.count, f.data.byLibrary])).toEqual([['worker-timeout', 4, { RQ: 1, puma: 1, Sidekiq: 1, BullMQ: 1 }]]);
  });

  it('healthy Celery worker and beat, pino and gunicorn\'s start lines give nothing', async () => {
    expect(
      await detectOnCaptures(timeouts, [
        { fixture: 'celery-healthy-worker.txt', at: Date.parse(T) },
        { fixture: 'celery-healthy-beat.txt', at: Date.parse(T) },
        { fixture: 'celery-beat.txt', at: Date.parse(T) },
        { fixture: 'pino-healthy.txt', at: Date.parse(T), stream: 'stdout' },
        { fixture: 'gunicorn.txt', at: Date.parse(T), lines: [0, 4] },
      ]),
    ).toEqual([]);
  });
});
