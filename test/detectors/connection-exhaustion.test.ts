import { describe, expect, it } from 'vitest';
import { runDetector } from '../helpers/timeline.js';
import { connectionExhaustion } from '../../src/detectors/connection-exhaustion.js';
import { appEvent, pgEvent, plus } from './pg-test-events.js';
import { detectOnCaptures, fixtureText } from './captured-run.js';

const T = '2026-06-01T18:00:00Z';

describe('connection-exhaustion', () => {
  it('valid: pool sizes logged at start-up and normal connections are not exhaustion', () => {
    expect(runDetector(connectionExhaustion, [
      appEvent(T, 'DB_POOL_MAX_SIZE=25'),
      pgEvent(plus(T, 1), 'LOG', 'connection authorized: user=app database=app'),
      appEvent(plus(T, 2), 'TimeoutError while calling https://api.example.com', 'error'),
    ])).toEqual([]);
  });

  it('server refusals with the peak of sessions seen in the log', () => {
    const events = [];
    for (let p = 1; p <= 8; p++) events.push(pgEvent(plus(T, p), 'LOG', `connection authorized: user=app database=app application_name=web${p}`, p));
    events.push(pgEvent(plus(T, 10), 'FATAL', 'remaining connection slots are reserved for roles with the SUPERUSER attribute', 20, { sqlstate: '53300' }));
    events.push(pgEvent(plus(T, 11), 'FATAL', 'sorry, too many clients already', 21));
    events.push(pgEvent(plus(T, 12), 'FATAL', 'sorry, too many clients already', 22));
    events.push(pgEvent(plus(T, 20), 'LOG', 'disconnection: session time: 0:00:19.000 user=app database=app host=10.0.0.1 port=5000', 1));
    const fs = runDetector(connectionExhaustion, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ serverRefusals: 3, appPoolTimeouts: 0, peakSessions: 8, byKind: { 'reserved-slots': 1, 'too-many-clients': 2 } });
  });

  it('SQLAlchemy QueuePool (1.x and 2.x wording), psycopg_pool and asyncpg acquire timeouts, with the pool sizes the app printed', () => {
    const fs = runDetector(connectionExhaustion, [
      appEvent(T, 'Starting bot: max_size=15 min_size=2', 'info', 'bot'),
      ...[0, 1, 2].map((i) => appEvent(plus(T, 60 + i), 'sqlalchemy.exc.TimeoutError: QueuePool limit of size 10 overflow 20 reached, connection timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)', 'error', 'api')),
      appEvent(plus(T, 70), 'QueuePool limit of size 10 overflow 20 reached, connection timed out, timeout 30', 'error', 'api'),
      appEvent(plus(T, 80), "psycopg_pool.PoolTimeout: couldn't get a connection after 30.00 sec", 'error', 'worker'),
      appEvent(plus(T, 90), 'asyncio.exceptions.TimeoutError in pool.acquire()', 'error', 'bot'),
    ]);
    expect(fs).toHaveLength(1);
    const d = fs[0]!.data;
    expect(d).toMatchObject({ appPoolTimeouts: 6, serverRefusals: 0, poolSize: 10, poolOverflow: 20, poolCapacity: 30, poolTimeoutSeconds: 30 });
    expect(d.byKind).toEqual({ queuepool: 4, 'pool-timeout': 2 });
    expect(d.poolSizesLogged).toEqual([
      { service: 'bot', name: 'max_size', value: 15, ts: '2026-06-01T18:00:00Z' },
      { service: 'bot', name: 'min_size', value: 2, ts: '2026-06-01T18:00:00Z' },
    ]);
    expect(d.services).toEqual(['api', 'bot', 'worker']);
  });

  it('an asyncpg traceback (one multi-line event) whose acquire frame ends in a bare TimeoutError; capacity from the logged max_size', () => {
    const tb = [
      'Iteration failed worker=reminders iteration=75',
      'Traceback (most recent call last):',
      '  File "/app/.venv/lib/python3.11/site-packages/asyncpg/pool.py", line 1024, in __aenter__',
      '    self.connection = await self.pool._acquire(self.timeout)',
      '  File "/usr/local/lib/python3.11/asyncio/tasks.py", line 502, in wait_for',
      '    raise exceptions.TimeoutError() from exc',
      'TimeoutError',
    ].join('\n');
    const fs = runDetector(connectionExhaustion, [
      appEvent(T, 'DB_POOL_CREATED min_size=5 max_size=25', 'info', 'worker'),
      appEvent(plus(T, 100), tb, 'error', 'worker'),
      appEvent(plus(T, 200), tb.replace('reminders', 'payments'), 'error', 'worker'),
      appEvent(plus(T, 300), 'Traceback (most recent call last):\n  File "x.py", line 1, in acquire_lock\nValueError: bad', 'error', 'worker'),
    ]);
    expect(fs[0]!.data).toMatchObject({ appPoolTimeouts: 2, poolCapacity: 25, byKind: { 'pool-timeout': 2 } });
  });
});

describe('connection-exhaustion on real pools (test/fixtures/vocabulary/)', () => {
  const LIBRARIES: [fixture: string, library: string][] = [
    ['sqlalchemy.txt', 'SQLAlchemy'],
    ['psycopg2.txt', 'psycopg2'],
    ['psycopg-pool.txt', 'psycopg_pool'],
    ['asyncpg.txt', 'asyncpg'],
    ['node-postgres.txt', 'node-postgres (pg-pool)'],
    ['typeorm.txt', 'node-postgres (pg-pool)'],
    ['drizzle.txt', 'node-postgres (pg-pool)'],
    ['sequelize.txt', 'Sequelize'],
    ['knex.txt', 'knex'],
    ['hikaricp.txt', 'HikariCP'],
    ['activerecord.txt', 'ActiveRecord'],
    ['prisma.txt', 'Prisma'],
  ];

  it('each library\'s pool timeout, logged as one record (a traceback or stack rejoined), is an application pool timeout', () => {
    for (const [fixture, library] of LIBRARIES) {
      const fs = runDetector(connectionExhaustion, [appEvent(T, fixtureText(fixture).trimEnd(), 'error', 'api')]);
      expect(fs, fixture).toHaveLength(1);
      expect(fs[0]!.data.byLibrary, fixture).toEqual({ [library]: 1 });
    }
  });

  it('the same as Railway delivers it, one entry per line: node-postgres, knex, HikariCP and SQLAlchemy name themselves on one line', async () => {
    const fs = await detectOnCaptures(connectionExhaustion, [
      { fixture: 'node-postgres.txt', at: Date.parse(T) },
      { fixture: 'knex.txt', at: Date.parse(T) + 60_000 },
      { fixture: 'hikaricp.txt', at: Date.parse(T) + 120_000 },
      { fixture: 'sqlalchemy.txt', at: Date.parse(T) + 180_000 },
    ]);
    expect(fs[0]!.data).toMatchObject({
      byLibrary: { 'node-postgres (pg-pool)': 1, knex: 1, HikariCP: 1, SQLAlchemy: 1 },
      poolSize: 2,
      poolOverflow: 1,
      poolCapacity: 3,
      poolTimeoutSeconds: 1,
    });
  });

  it('Django, psycopg2 and Prisma (P2037) refused by PostgreSQL are server refusals; pino\'s err object is read', () => {
    const fs = runDetector(connectionExhaustion, [
      appEvent(T, fixtureText('django.txt').trimEnd(), 'error', 'web'),
      appEvent(plus(T, 0.5), fixtureText('psycopg2-too-many.txt').trimEnd(), 'error', 'worker'),
      appEvent(plus(T, 0.7), fixtureText('prisma-p2037.txt').trimEnd(), 'error', 'api'),
      appEvent(plus(T, 1), 'request failed', 'error', 'api', { err: { type: 'Error', message: 'timeout exceeded when trying to connect', stack: 'Error: timeout exceeded when trying to connect\n    at /app/node_modules/pg-pool/index.js:45:11' } }),
    ]);
    expect(fs[0]!.data).toMatchObject({ serverRefusals: 3, appPoolTimeouts: 1, byLibrary: { 'node-postgres (pg-pool)': 1 } });
  });

  it('Prisma P2024 in the engine\'s text, on a plain line or inside a structured err, is a pool timeout with the pool\'s limit and timeout the message states', async () => {
    // The engine's text as it is, and wrapped as @prisma/client 7.10.1's runtime/client.js wraps a
    // request error (`Invalid \`prisma.model.action()\` invocation:`), in pino's err with its code.
    const engine = fixtureText('prisma-p2024.txt').trimEnd();
    const fs = await detectOnCaptures(connectionExhaustion, [{ fixture: 'prisma-p2024.txt', at: Date.parse(T) }]);
    expect(fs[0]!.data).toMatchObject({ appPoolTimeouts: 1, byLibrary: { Prisma: 1 }, poolSize: 5, poolCapacity: 5, poolTimeoutSeconds: 10 });
    const structured = runDetector(connectionExhaustion, [
      appEvent(T, 'request errored', 'error', 'api', { err: { type: 'PrismaClientKnownRequestError', code: 'P2024', message: `\nInvalid \`prisma.item.findMany()\` invocation:\n\n${engine}` } }),
      appEvent(plus(T, 1), engine, 'error', 'api'),
    ]);
    expect(structured[0]!.data).toMatchObject({ appPoolTimeouts: 2, byLibrary: { Prisma: 2 }, poolSize: 5, poolTimeoutSeconds: 10 });
    expect(structured[0]!.pattern).toContain('the Prisma pool allows 5 connections, with a 10 s wait');
  });

  it('mysql2 and mysql refusing a request when every connection is busy are pool timeouts by library', async () => {
    const fs = await detectOnCaptures(connectionExhaustion, [{ fixture: 'mysql2.txt', at: Date.parse(T) }]);
    expect(fs[0]!.data).toMatchObject({ appPoolTimeouts: 4, serverRefusals: 0, byLibrary: { 'mysql2 / mysql': 4 } });
  });

  it('pgx: PostgreSQL\'s refusal through pgconn is a server refusal; a busy pgxpool says only "context deadline exceeded", which names no pool', async () => {
    const fs = await detectOnCaptures(connectionExhaustion, [{ fixture: 'pgx.txt', at: Date.parse(T) }]);
    expect(fs[0]!.data).toMatchObject({ serverRefusals: 1, appPoolTimeouts: 0 });
  });

  it('healthy runs and pool start-up lines give nothing', async () => {
    expect(
      await detectOnCaptures(connectionExhaustion, [
        { fixture: 'pino-healthy.txt', at: Date.parse(T), stream: 'stdout' },
        { fixture: 'celery-healthy-worker.txt', at: Date.parse(T) },
        { fixture: 'celery-healthy-beat.txt', at: Date.parse(T) },
        { fixture: 'hikaricp.txt', at: Date.parse(T), lines: [0, 2] },
      ]),
    ).toEqual([]);
  });
});
