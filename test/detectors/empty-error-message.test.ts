import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { afterSharedPrefix, emptyErrorMessage as detector, subjectOf } from '../../src/detectors/empty-error-message.js';
import { byTime, ms, periodic, runDetector, type TestEvent } from '../helpers/timeline.js';
import { detectOnCaptures, fixtureText } from './captured-run.js';

const H = 3_600_000;
const T0 = ms('2026-02-07T03:20:00Z');

const err = (message: string, service = 'worker', attrs?: Record<string, unknown>) => (): Omit<TestEvent, 'at'> => ({ message, level: 'error', service, ...(attrs ? { attrs } : {}) });

describe('empty-error-message: valid (no finding)', () => {
  it('error messages that carry their detail', () => {
    const events = byTime(
      periodic(T0, H, 24, err('Materialization loop error: TimeoutError: pool acquire timed out after 30s')),
      periodic(T0 + 600_000, 7 * H, 3, err('Database session error: connection refused (host=db port=5432)', 'web')),
      [{ at: T0 + 5000, level: 'error', message: 'Sync failed: HTTP 503 from calendar API', service: 'sync' }],
    );
    expect(runDetector(detector, events)).toEqual([]);
  });

  it('an error that states its message and stack, its `cause` an Error serialized to {} (winston\'s json format of knex\'s KnexTimeoutError)', () => {
    const stack = 'KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?\n    at Client_PG.acquireConnection (/app/node_modules/knex/lib/client.js:493:26)';
    const events = periodic(T0, 1000, 5, err('Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?', 'api', {
      message: 'Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?', name: 'KnexTimeoutError', stack, cause: {},
    }));
    expect(runDetector(detector, events)).toEqual([]);
    // Without its message (winston's json format without format.errors()), the same record is empty.
    const bare = periodic(T0, 1000, 5, err('', 'api', { message: '', name: 'KnexTimeoutError', cause: {} }));
    expect(runDetector(detector, bare)).toHaveLength(1);
  });

  it('info and warning lines that end in a colon', () => {
    const events: TestEvent[] = [
      { at: T0, level: 'info', message: 'Starting jobs:' },
      { at: T0 + 1000, level: 'warn', message: 'Retrying request:' },
      { at: T0 + 2000, level: 'debug', message: 'payload=' },
    ];
    expect(runDetector(detector, events)).toEqual([]);
  });

  it('a traceback that ends with its message, and a JSON error field with text', () => {
    const events: TestEvent[] = [
      { at: T0, level: 'error', message: 'Unhandled error in job\nTraceback (most recent call last):\n  File "app/job.py", line 3, in run\n    parse(x)\nValueError: invalid literal for int() with base 10: \'x\'' },
      { at: T0 + 1000, level: 'error', message: 'Webhook delivery failed', service: 'api', attrs: { error: 'connect ECONNREFUSED 10.0.0.4:443', webhook_id: 7 } },
      { at: T0 + 2000, level: 'error', message: 'Request failed', service: 'api', attrs: { error: { type: 'TimeoutError', message: 'read timed out' } } },
    ];
    expect(runDetector(detector, events)).toEqual([]);
  });
});

describe('empty-error-message: invalid (findings)', () => {
  it('hourly "Materialization loop error:" (text) → one finding with its cadence', () => {
    const events = byTime(
      periodic(T0, H + 90_000, 24, err('Materialization loop error: ')),
      periodic(ms('2026-02-07T04:00:00Z'), H, 24, () => ({ message: 'Materialized 12 task instances for 2 users', service: 'worker' })),
    );
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    const f = fs[0]!;
    expect(f.detector).toBe('empty-error-message');
    expect(f.severity).toBe('medium');
    expect(f.title).toBe('Empty Materialization Loop Errors (every ~60 minutes)');
    expect(f.data).toMatchObject({
      template: expect.stringMatching(/^Materialization loop error:\s*$/),
      kind: 'tail',
      count: 24,
      services: ['worker'],
      firstSeen: '2026-02-07T03:20:00.000Z',
      lastSeen: new Date(T0 + 23 * (H + 90_000)).toISOString(),
      periodSeconds: 3600,
      userFacingNearby: 0,
    });
    expect(f.recommendation).toMatch(/logger\.exception/);
    expect(f.recommendation).toMatch(/repr\(e\)/);
    expect(f.rootCause).toMatch(/str\(\)/);
    expect(f.evidence).toHaveLength(4);
    expect(f.evidence[0]).toEqual({ timestamp: '2026-02-07T03:20:00.000Z', service: 'worker', location: 'test.log:1', text: 'Materialization loop error: ' });
  });

  it('"Database session error:" beside user-facing failures is high, with the endpoints', () => {
    const at = ms('2026-02-07T19:12:22Z');
    const offsets = [0, 600, 1400, 5200, 25_800];
    const paths = ['/dashboard', '/dashboard', '/', '/dashboard', '/dashboard'];
    const events: TestEvent[] = offsets.flatMap((o, i) => [
      { at: at + o, level: 'error' as const, message: 'Database session error: ', service: 'web' },
      { at: at + o + 3, level: 'error' as const, message: `Request failed: GET ${paths[i]}`, service: 'web' },
    ]);
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe('high');
    expect(fs[0]!.title).toBe('Empty Database Session Errors (5 times in 25 s)');
    expect(fs[0]!.data).toMatchObject({
      count: 5,
      userFacingNearby: 5,
      userFacingEndpoints: [
        { endpoint: 'GET /dashboard', count: 4 },
        { endpoint: 'GET /', count: 1 },
      ],
      periodSeconds: null,
    });
    expect(fs[0]!.impact).toMatch(/GET \/dashboard ×4, GET \/ ×1/);
  });

  it('JSON logs with "error": "" (attribute) → one finding per template', () => {
    const events = byTime(
      periodic(T0, 15 * 60_000, 7, err('Webhook delivery failed', 'api', { error: '', webhook_id: 12 })),
      periodic(T0 + 60_000, 15 * 60_000, 3, err('Webhook delivery failed', 'api', { error: 'HTTP 410 Gone', webhook_id: 13 })),
    );
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ kind: 'empty-field', emptyField: 'error', count: 7, services: ['api'] });
    expect(fs[0]!.title).toBe('Empty "error" Field in Webhook Delivery Errors (every ~15 minutes)');
  });

  it('a nested error object with an empty message', () => {
    const fs = runDetector(detector, [
      { at: T0, level: 'error', message: 'job crashed', attrs: { err: { type: 'CancelledError', message: '' } } },
      { at: T0 + 5000, level: 'fatal', message: 'job crashed', attrs: { err: { type: 'CancelledError', message: '' } } },
    ]);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ kind: 'empty-field', emptyField: 'err.message', count: 2 });
  });

  it('a traceback ending in a bare asyncio.exceptions.TimeoutError, and a TimeoutError() repr', () => {
    const tb = 'Sync loop crashed\nTraceback (most recent call last):\n  File "/app/sync.py", line 88, in loop\n    await asyncio.wait_for(pull(), 30)\nasyncio.exceptions.TimeoutError';
    const events = byTime(
      periodic(T0, 6 * H, 3, () => ({ message: tb, level: 'error', service: 'sync' })),
      periodic(T0 + 1000, 6 * H, 2, err('Token refresh failed: TimeoutError()', 'auth')),
    );
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(2);
    const byType = Object.fromEntries(fs.map((f) => [f.data.exceptionType as string, f]));
    expect(byType['asyncio.exceptions.TimeoutError']!.data).toMatchObject({ kind: 'exception-type', count: 3, services: ['sync'] });
    expect(byType['asyncio.exceptions.TimeoutError']!.title).toBe('asyncio.exceptions.TimeoutError Raised Without a Message (3 times in 12 h)');
    expect(byType['TimeoutError']!.data).toMatchObject({ kind: 'exception-type', count: 2, services: ['auth'] });
  });

  it('tracebacks with different first lines ending in the same bare type are one finding', () => {
    const tb = (head: string) => `${head}\nTraceback (most recent call last):\n  File "/app/loop.py", line 12, in run_loop\n    await self.tick()\nasyncio.exceptions.CancelledError`;
    const fs = runDetector(detector, [
      { at: T0, level: 'error', message: tb('Materialization loop error:'), service: 'web' },
      { at: T0 + 60_000, level: 'error', message: tb('Calendar sync stopped'), service: 'web' },
      { at: T0 + 120_000, level: 'error', message: tb('Notifier crashed'), service: 'notifier' },
    ]);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ kind: 'exception-type', exceptionType: 'asyncio.exceptions.CancelledError', count: 3, services: ['notifier', 'web'] });
  });

  it('key=value and dash endings, and an empty message', () => {
    const fs = runDetector(detector, [
      { at: T0, level: 'error', message: 'level=error msg="cache refresh failed" err=' },
      { at: T0 + 1000, level: 'error', message: 'payment capture failed -', service: 'billing' },
      { at: T0 + 2000, level: 'error', message: '   ', service: 'billing' },
    ]);
    expect(fs.map((f) => f.data.kind).sort()).toEqual(['empty-message', 'tail', 'tail']);
  });

  it('the same message in two services is one finding; many records make it high', () => {
    const events = byTime(
      periodic(T0, 5 * 60_000, 80, err('Queue consumer error:', 'worker-a')),
      periodic(T0 + 30_000, 5 * 60_000, 80, err('Queue consumer error:', 'worker-b')),
    );
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe('high');
    expect(fs[0]!.data).toMatchObject({ count: 160, services: ['worker-a', 'worker-b'] });
    // Two services' runs interleave at 30 s: collapsed into one run each, the cadence is 5 minutes.
    expect(fs[0]!.data.periodSeconds).toBe(300);
    // Stable across runs on the same logs.
    expect(runDetector(detector, events)[0]!.id).toBe(fs[0]!.id);
  });

  it('highCount and minLevel are options', () => {
    const events = periodic(T0, H, 6, () => ({ message: 'Retry scheduled:', level: 'warn' }));
    expect(runDetector(detector, events)).toEqual([]);
    const fs = runDetector(detector, events, [], { minLevel: 'warn', highCount: 5 });
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe('high');
  });
});

describe('subjectOf', () => {
  it('names what failed', () => {
    expect(subjectOf('Materialization loop error: ')).toBe('Materialization Loop');
    expect(subjectOf('ERROR:root:Database session error:')).toBe('Database Session');
    expect(subjectOf('')).toBe('Error');
  });
});

describe('empty-error-message: inputs without times', () => {
  it('still finds the empty messages, with no first/last time and no cadence', () => {
    const events: TestEvent[] = Array.from({ length: 4 }, () => ({ at: null, message: 'Export failed:', level: 'error' as const }));
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ count: 4, firstSeen: null, lastSeen: null, periodSeconds: null });
    expect(fs[0]!.title).toBe('Empty Export Errors (4 times)');
  });
});

// pino 10.4.0's own output (test/fixtures/vocabulary/pino-errors.txt): each JSON record as a
// structured logger's event (its msg the message, level 50 = error, the rest attributes), and the
// same lines kept whole as message text.
describe('empty-error-message: JavaScript and structured logs (real pino output)', () => {
  const records = fixtureText('pino-errors.txt').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.level === 50);
  const asEvents = (at: number) =>
    records.map((r, i): TestEvent => {
      const { msg, level: _level, time: _time, ...attrs } = r;
      return { at: at + i * 60_000, level: 'error', message: msg as string, service: 'api', attrs };
    });

  it('new Error() (err.message ""), "err": {}, undefined, null, [object Object], log.error(new Error()); not an error with its message', () => {
    const fs = runDetector(detector, asEvents(T0));
    const got = fs.map((f) => [f.data.kind, f.data.emptyField ?? f.data.emptyValue ?? null, f.data.count]).sort();
    expect(got).toEqual([
      ['empty-field', 'err.message', 1],
      ['empty-message', null, 1],
      ['empty-object', 'err', 1],
      ['empty-value', '[object Object]', 1],
      ['empty-value', 'null', 1],
      ['empty-value', 'undefined', 1],
    ]);
    const titles = fs.map((f) => f.title).sort();
    expect(titles).toContain('Job Errors Ending in [object Object] (once)');
    expect(titles).toContain('Empty "err" Field in Webhook Delivery Errors (once)');
    const obj = fs.find((f) => f.data.kind === 'empty-object')!;
    expect(obj.rootCause).toMatch(/JSON\.stringify/);
    expect(obj.recommendation).toMatch(/log\.error\(\{ err \}/);
    expect(fs.find((f) => f.data.kind === 'empty-field')!.recommendation).toMatch(/pino/);
  });

  it('the same records as JSON text in the message (a line Railway did not parse)', () => {
    const lines = fixtureText('pino-errors.txt').trimEnd().split('\n').filter((l) => l.includes('"level":50'));
    const fs = runDetector(detector, lines.map((message, i) => ({ at: T0 + i * 60_000, level: 'error' as const, message, service: 'api' })));
    expect(fs.map((f) => f.data.kind).sort()).toEqual(['empty-field', 'empty-message', 'empty-object', 'empty-value', 'empty-value', 'empty-value']);
  });

  it('a heading whose traceback or error follows in the next entry of the same service is not empty', () => {
    const at = ms('2026-02-07T03:20:00Z');
    const fs = runDetector(detector, [
      // Railway's entries of one logger.exception(...) write: the heading, then the traceback.
      { at, level: 'error', message: 'Materialization loop error:', service: 'worker' },
      { at: at + 1, level: 'error', message: 'Traceback (most recent call last):', service: 'worker' },
      { at: at + 2, level: 'error', message: '  File "/app/loop.py", line 12, in run', service: 'worker' },
      { at: at + 3, level: 'error', message: 'ValueError: invalid literal for int() with base 10: \'x\'', service: 'worker' },
      // A Node heading followed by console.error's stack.
      { at: at + 60_000, level: 'error', message: 'Sync loop failed:', service: 'api' },
      { at: at + 60_004, level: 'error', message: 'Error: connect ECONNREFUSED 127.0.0.1:6379', service: 'api' },
      // Another service's line in between does not break the pair.
      { at: at + 120_000, level: 'error', message: 'Materialization loop error:', service: 'worker' },
      { at: at + 120_001, level: 'info', message: 'GET /health 200', service: 'web' },
      { at: at + 120_002, level: 'error', message: 'Traceback (most recent call last):', service: 'worker' },
    ]);
    expect(fs).toEqual([]);
  });

  it('npm\'s headings whose detail follows, indented after the same `npm error ` / `npm ERR! ` prefix, are not empty (npm 10, 8 and 11 captures)', async () => {
    // vocabulary/npm.txt: npm 8's "npm ERR! A complete log of this run can be found in:" then the path;
    // conventions/npm.txt: npm 11's "npm error To see a list of scripts, run:" then "npm error   npm run".
    const npm11 = readFileSync(new URL('../fixtures/conventions/npm.txt', import.meta.url), 'utf8');
    expect(await detectOnCaptures(detector, [{ fixture: 'npm.txt', at: T0 }], 'npm')).toEqual([]);
    expect(await detectOnCaptures(detector, [{ text: npm11, at: T0 }], 'npm')).toEqual([]);
    // The shared prefix alone does not make a continuation: the next line must still be detail.
    expect(afterSharedPrefix('npm error To see a list of scripts, run:', 'npm error   npm run')).toBe('  npm run');
    expect(afterSharedPrefix('npm error Sync failed:', 'npm error code 1')).toBe('code 1');
    expect(afterSharedPrefix('Materialization loop error:', 'Materialization loop error:')).toBe('error:');
  });

  it('a heading followed by nothing, or by an unrelated line seconds later, stays empty', () => {
    const at = ms('2026-02-07T03:20:00Z');
    const fs = runDetector(detector, [
      { at, level: 'error', message: 'Materialization loop error:', service: 'worker' },
      { at: at + 60_000, level: 'error', message: 'Materialization loop error:', service: 'worker' },
      { at: at + 70_000, level: 'error', message: 'Traceback (most recent call last):', service: 'worker' },
      { at: at + 120_000, level: 'error', message: 'Materialization loop error:', service: 'worker' },
      { at: at + 120_001, level: 'error', message: 'Materialization loop error:', service: 'worker' },
    ]);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ kind: 'tail', count: 4 });
  });
});
