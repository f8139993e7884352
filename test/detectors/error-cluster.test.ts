import { describe, expect, it } from 'vitest';
import { errorCluster as detector } from '../../src/detectors/error-cluster.js';
import { buildTimeline, byTime, detectOn, ms, periodic, runDetector, type TestEvent } from '../helpers/timeline.js';

const MIN = 60_000;
const H = 60 * MIN;

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A week of background: hourly empty errors of a worker loop, healthy requests every 5 minutes. */
function background(service: string, startIso: string, days = 7): TestEvent[] {
  const start = ms(startIso);
  return byTime(
    periodic(start + 20 * MIN, H + 70_000, Math.floor((days * 24 * H) / (H + 70_000)), () => ({ message: 'Materialization loop error: ', level: 'error', service })),
    periodic(start, 5 * MIN, days * 24 * 12, () => ({ message: 'Request completed: GET /health 200 (2 ms)', service })),
  );
}

/** The review's 19:12 cluster: the worker error, then five failed requests, each logged as two lines. */
function reviewCluster(service: string): TestEvent[] {
  const t = (s: string) => ms(`2026-02-07T19:12:${s}Z`);
  const failures: [string, string][] = [
    ['22.081', '/dashboard'],
    ['22.694', '/dashboard'],
    ['23.517', '/'],
    ['27.340', '/dashboard'],
    ['47.902', '/dashboard'],
  ];
  return [
    { at: t('02.412'), message: 'Materialization loop error: ', level: 'error', service },
    ...failures.flatMap(([s, path]) => [
      { at: t(s), message: 'Database session error: ', level: 'error' as const, service },
      { at: t(s) + 2, message: `Request failed: GET ${path}`, level: 'error' as const, service, attrs: { method: 'GET', path, status_code: 500 } },
    ]),
    { at: ms('2026-02-07T19:13:08.240Z'), message: 'Request completed: GET /dashboard 200 (612 ms)', service },
  ];
}

describe('error-cluster: valid (no finding)', () => {
  it('isolated errors spread over a week', () => {
    const r = rng(7);
    const start = ms('2026-02-01T00:00:00Z');
    const events: TestEvent[] = [];
    for (let i = 0; i < 25; i++) {
      const at = start + r() * 7 * 24 * H;
      events.push({ at, message: 'Database error: could not connect', level: 'error', service: 'api' });
      events.push({ at: at + 4, message: 'Request failed: GET /tasks', level: 'error', service: 'api' });
    }
    expect(runDetector(detector, byTime(events, background('api', '2026-02-01T00:00:00Z')))).toEqual([]);
  });

  it('one failure logged as a traceback, an error and a request line is not a burst', () => {
    const at = ms('2026-02-03T10:41:00Z');
    const events = byTime(background('web', '2026-02-01T00:00:00Z'), [
      { at, message: 'Exception in ASGI application\nTraceback (most recent call last):\nValueError: bad', level: 'error', service: 'web' },
      { at: at + 3, message: 'Database session error: boom', level: 'error', service: 'web' },
      { at: at + 5, message: 'Request failed: POST /api/tasks', level: 'error', service: 'web' },
    ]);
    expect(runDetector(detector, events)).toEqual([]);
  });

  it('a steady error rate has no burst above its own baseline', () => {
    const r = rng(3);
    const start = ms('2026-02-01T00:00:00Z');
    const events: TestEvent[] = [];
    let t = start;
    while (t < start + 24 * H) {
      t += -Math.log(1 - r()) * 20_000;
      events.push({ at: t, message: 'upstream timeout', level: 'error', service: 'proxy' });
    }
    expect(runDetector(detector, events)).toEqual([]);
  });

  it('two errors close together are below minFailures', () => {
    const at = ms('2026-02-05T12:00:00Z');
    const events = byTime(background('app', '2026-02-01T00:00:00Z'), [
      { at, message: 'Cache miss storm: timeout', level: 'error', service: 'app' },
      { at: at + 2000, message: 'Cache miss storm: timeout', level: 'error', service: 'app' },
    ]);
    expect(runDetector(detector, events)).toEqual([]);
  });
});

describe('error-cluster: invalid (findings)', () => {
  it('the review: 19:12 cluster led by the materialization error 20 s earlier, 5 user-facing over 25 s', () => {
    const events = byTime(background('whendoist', '2026-02-01T08:00:00Z'), reviewCluster('whendoist'));
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    const f = fs[0]!;
    expect(f.id).toBe('error-cluster:2026-02-07T19:12:22Z');
    expect(f.severity).toBe('high');
    expect(f.data).toMatchObject({
      start: '2026-02-07T19:12:22.081Z',
      end: '2026-02-07T19:12:47.904Z',
      durationSeconds: 25,
      count: 10,
      failures: 5,
      userFacing: 5,
      dropped: 0,
      leadTemplate: expect.stringMatching(/^Materialization loop error:\s*$/),
      leadService: 'whendoist',
      leadTimestamp: '2026-02-07T19:12:02.412Z',
      leadSeconds: 20,
      endpoints: [
        { endpoint: 'GET /dashboard', count: 4 },
        { endpoint: 'GET /', count: 1 },
      ],
      recoveredAfterSeconds: 21,
    });
    const templates = f.data.templates as { template: string; count: number }[];
    // How "Request failed: GET /dashboard" and "... GET /" group is the template miner's call.
    expect(templates.reduce((s, x) => s + x.count, 0)).toBe(10);
    expect(templates.find((x) => /^Database session error:/.test(x.template))!.count).toBe(5);
    expect(f.title).toBe('Error burst at 19:12 on 2026-02-07: 10 errors in 25 s (5 user-facing)');
    expect(f.rootCause).toMatch(/database/);
    expect(f.evidence[0]).toMatchObject({ timestamp: '2026-02-07T19:12:02.412Z', text: 'Materialization loop error: ' });
    expect(f.evidence[0]!.location).toMatch(/^test\.log:\d+$/);
  });

  it('JSON HTTP failures in one service led by a Redis error in another', () => {
    const start = ms('2026-03-10T14:00:00Z');
    const lead: TestEvent = { at: start - 45_000, message: 'Redis connection lost: ECONNRESET', level: 'error', service: 'worker' };
    const failures = Array.from({ length: 12 }, (_, i) => ({
      at: start + i * 3500,
      message: 'upstream error',
      level: 'error' as const,
      service: 'api',
      attrs: { method: 'POST', path: `/api/orders/${1000 + i}?retry=1`, status_code: 502 },
    }));
    const events = byTime(
      periodic('2026-03-09T00:00:00Z', 10 * MIN, 6 * 24 * 2, () => ({ message: 'GET /healthz 200', service: 'api' })),
      [{ at: ms('2026-03-09T03:00:00Z'), message: 'Redis connection lost: ETIMEDOUT', level: 'error', service: 'worker' }],
      [lead],
      failures,
    );
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({
      count: 12,
      userFacing: 12,
      durationSeconds: 38,
      leadService: 'worker',
      leadSeconds: 45,
      endpoints: [{ endpoint: 'POST /api/orders/:id', count: 12 }],
      services: ['api'],
    });
    expect(fs[0]!.data.leadTemplate).toMatch(/^Redis connection lost/);
    expect(fs[0]!.rootCause).toMatch(/Redis/);
  });

  it('a line that is an error only by its stream label, and says no failure, does not lead a burst', () => {
    // Django 3.2.25's runserver writes this line to stderr with no level (captured from
    // `/usr/bin/python3 manage.py runserver`); Railway labels it `error`.
    const events = byTime(background('whendoist', '2026-02-01T08:00:00Z'), reviewCluster('whendoist'), [
      { at: '2026-02-07T19:11:50Z', message: 'Watching for file changes with StatReloader', level: 'error', stream: 'error', service: 'admin' },
    ]);
    const f = runDetector(detector, events)[0]!;
    // The lead is still the worker's own error, 20 s before; the line 32 s before reports no failure.
    expect(f.data).toMatchObject({ leadService: 'whendoist', leadSeconds: 20, leadTemplate: expect.stringMatching(/^Materialization loop error:/) });
    // The same label on a line that says what failed (bash reporting its child killed, from
    // test/fixtures/lives/uvicorn.jsonl) can lead.
    const killed = byTime(background('whendoist', '2026-02-01T08:00:00Z'), reviewCluster('whendoist'), [
      { at: '2026-02-07T19:11:50Z', message: 'start.sh: line 5: 16382 Killed                  /usr/bin/python3 -m uvicorn asgi_app:app --host 127.0.0.1 --port "$PORT"', level: 'error', stream: 'error', service: 'api' },
    ]);
    expect(runDetector(detector, killed)[0]!.data).toMatchObject({ leadService: 'api', leadSeconds: 32 });
  });

  it('a success long after the burst is not a recovery, and one after a restart is a recovery by restart', () => {
    const start = ms('2026-02-02T12:00:00Z');
    const base = periodic('2026-02-01T00:00:00Z', 15 * MIN, 4 * 36, () => ({ message: 'sync ok', service: 'sync' }));
    const burst = Array.from({ length: 6 }, (_, i) => ({ at: start + i * 4000, message: `Sync worker crashed: KeyError ${i}`, level: 'error' as const, service: 'sync' }));
    // Nothing for 30 hours after the burst, then the service is seen working again.
    const late = [{ at: start + 30 * H, message: 'sync ok', service: 'sync' }];
    const quiet = runDetector(detector, byTime(base, burst, late))[0]!;
    expect(quiet.data).toMatchObject({ recovery: 'unknown', recoveredAfterSeconds: null, nextSuccessAfterSeconds: 30 * 3600 - 20 });
    expect(quiet.impact).toContain('whether it was down or idle meanwhile, the logs do not say');
    expect(quiet.impact).not.toContain('recovered');
    const restarted = runDetector(detector, byTime(base, burst, [{ at: start + 60_000, message: 'Starting Container', source: 'platform', service: 'sync' }, { at: start + 90_000, message: 'sync ok', service: 'sync' }]))[0]!;
    expect(restarted.data).toMatchObject({ recovery: 'restart', recoveredAfterSeconds: 70 });
    expect(restarted.impact).toContain('after a restart');
  });

  it('"Messages dropped: N" inside a burst adds N records', () => {
    const start = ms('2026-02-04T09:30:00Z');
    const events = byTime(
      periodic('2026-02-04T00:00:00Z', 5 * MIN, 24 * 12, () => ({ message: 'tick ok', service: 'jobs' })),
      Array.from({ length: 4 }, (_, i) => ({ at: start + i * 1500, message: 'Job failed: deadlock detected', level: 'error' as const, service: 'jobs' })),
      [{ at: start + 5000, message: 'Railway rate limit of 500 logs/sec reached for replica, update your application to reduce the logging rate. Messages dropped: 250', source: 'platform', level: 'warn', service: 'jobs' }],
    );
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ count: 254, dropped: 250, failures: 4, userFacing: 0, leadTemplate: null, leadSeconds: null });
    expect(fs[0]!.severity).toBe('high');
  });

  it('a burst at the end of the logs has no recovery; one without user-facing failures is medium', () => {
    const start = ms('2026-02-02T23:59:00Z');
    const events = byTime(
      periodic('2026-02-01T00:00:00Z', 15 * MIN, 4 * 48 - 1, () => ({ message: 'sync ok', service: 'sync' })),
      Array.from({ length: 6 }, (_, i) => ({ at: start + i * 4000, message: `Sync worker crashed: KeyError ${i}`, level: 'error' as const, service: 'sync' })),
    );
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe('medium');
    expect(fs[0]!.data).toMatchObject({ count: 6, failures: 6, recoveredAfterSeconds: null, durationSeconds: 20 });
  });

  it('a burst of a template the timeline thinned counts the records its kept lines stand for, and says it estimates', () => {
    const start = ms('2026-02-02T12:00:00Z');
    const events = byTime(
      periodic('2026-02-01T00:00:00Z', 15 * MIN, 4 * 48 - 1, () => ({ message: 'sync ok', service: 'sync' })),
      Array.from({ length: 64 }, (_, i) => ({ at: start + i * 300, message: `Sync worker crashed: KeyError ${i}`, level: 'error' as const, service: 'sync' })),
    );
    const t = buildTimeline(events, [], detector.meta.interests ?? [], { maxEventBytes: 8192, eventsPerTemplateFloor: 8 });
    const tpl = t.templates.find((x) => x.text.startsWith('Sync worker crashed'))!;
    expect(tpl.keptEvery).toBeGreaterThan(1);
    const fs = detectOn(detector, t);
    expect(fs).toHaveLength(1);
    const data = fs[0]!.data as { keptEvery: number; keptLines: number; count: number; estimated: boolean; templates: { template: string; count: number }[] };
    expect(data).toMatchObject({ estimated: true, keptEvery: tpl.keptEvery });
    expect(data.keptLines).toBeLessThan(64);
    // Every kept line stands for keptEvery records: the estimate is within one stride of the 64 written.
    expect(data.count).toBe(data.keptLines * tpl.keptEvery);
    expect(Math.abs(data.count - 64)).toBeLessThanOrEqual(tpl.keptEvery);
    expect(data.templates[0]).toMatchObject({ template: tpl.text, count: data.count });
    expect(fs[0]!.title).toContain(`about ${data.count} errors`);
    expect(fs[0]!.summary).toContain(`kept 1 in up to ${tpl.keptEvery} lines`);
    // Kept whole, the same burst carries no such note.
    expect(runDetector(detector, events)[0]!.data.keptEvery).toBeUndefined();
  });

  it('a template firing all the time is not taken as the lead', () => {
    const start = ms('2026-02-06T08:00:00Z');
    const events = byTime(
      periodic('2026-02-06T00:00:00Z', 40_000, 24 * 90, () => ({ message: 'metrics push failed: 429', level: 'error', service: 'agent' })),
      [{ at: start - 30_000, message: 'Primary database failover started', level: 'fatal', service: 'db-proxy' }],
      Array.from({ length: 30 }, (_, i) => ({ at: start + i * 600, message: 'Request failed: GET /api/items', level: 'error' as const, service: 'web' })),
    );
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ leadService: 'db-proxy', leadSeconds: 30, userFacing: 30 });
  });

  it('two separate bursts are two findings with stable ids', () => {
    const events = byTime(
      background('web', '2026-02-01T00:00:00Z', 3),
      Array.from({ length: 5 }, (_, i) => ({ at: ms('2026-02-01T12:00:00Z') + i * 2000, message: 'Request failed: GET /a', level: 'error' as const, service: 'web' })),
      Array.from({ length: 7 }, (_, i) => ({ at: ms('2026-02-02T18:30:00Z') + i * 1000, message: 'Request failed: GET /b', level: 'error' as const, service: 'web' })),
    );
    const fs = runDetector(detector, events);
    expect(fs.map((f) => f.id).sort()).toEqual(['error-cluster:2026-02-01T12:00:00Z', 'error-cluster:2026-02-02T18:30:00Z']);
    expect(runDetector(detector, events).map((f) => f.id).sort()).toEqual(fs.map((f) => f.id).sort());
  });
});

describe('error-cluster: inputs without times', () => {
  it('events without a timestamp are left out, not a crash', () => {
    const events: TestEvent[] = Array.from({ length: 10 }, () => ({ at: null, message: 'Request failed: GET /x', level: 'error' as const }));
    expect(runDetector(detector, events)).toEqual([]);
  });
});

describe('error-cluster: failed requests in the same second', () => {
  it('two failed requests to different endpoints within a second are two user-facing failures', () => {
    const start = ms('2026-02-05T10:00:00Z');
    const events = byTime(
      background('web', '2026-02-01T00:00:00Z'),
      [0, 4000, 9000].flatMap((o) => [
        { at: start + o, message: 'Order create failed', level: 'error' as const, service: 'web', attrs: { method: 'POST', path: '/orders', status_code: 500 } },
        { at: start + o + 300, message: 'Cart load failed', level: 'error' as const, service: 'web', attrs: { method: 'GET', path: '/cart', status_code: 503 } },
      ]),
    );
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ count: 6, failures: 3, userFacing: 6, endpoints: [{ endpoint: 'GET /cart', count: 3 }, { endpoint: 'POST /orders', count: 3 }] });
  });
});
