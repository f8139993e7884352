import { describe, expect, it } from 'vitest';
import { containerChurn as detector } from '../../src/detectors/container-churn.js';
import { byTime, ms, runDetector, type TestEvent } from '../helpers/timeline.js';

const platform = (at: number, message: string, service = 'web', attrs?: Record<string, unknown>): TestEvent => ({ at, message, service, source: 'platform', ...(attrs ? { attrs } : {}) });
const app = (at: number, message: string, service = 'web', attrs?: Record<string, unknown>): TestEvent => ({ at, message, service, ...(attrs ? { attrs } : {}) });
const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

interface ContainerRow {
  deployment: string | null;
  start: string | null;
  stop: string | null;
  lifetimeSeconds: number | null;
  endedBy: string;
}

describe('container-churn: valid (no finding)', () => {
  it('a long-lived container', () => {
    const t0 = ms('2026-04-02T08:00:00Z');
    const events = [platform(t0, 'Starting Container'), app(t0 + 3 * S, 'INFO:     Application startup complete.'), platform(t0 + 6 * H, 'Stopping Container'), app(t0 + 6 * H + 500, 'INFO:     Shutting down')];
    expect(runDetector(detector, events)).toEqual([]);
  });

  it('a container still running at the end of the logs', () => {
    const t0 = ms('2026-04-02T08:00:00Z');
    expect(runDetector(detector, [app(t0, 'INFO:     Started server process [1]', 'api'), app(t0 + 2 * S, 'INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)', 'api')])).toEqual([]);
  });

  it('zero-downtime redeploys a day apart, paired by deployment id', () => {
    const t0 = ms('2026-04-02T08:00:00Z');
    const d = (i: number) => ({ deploymentId: `dep-${i}`, deploymentInstanceId: `inst-${i}` });
    const events: TestEvent[] = [];
    for (let i = 0; i < 4; i++) {
      events.push(platform(t0 + i * 24 * H, 'Starting Container', 'web', d(i)));
      if (i > 0) events.push(platform(t0 + i * 24 * H + 40 * S, 'Stopping Container', 'web', d(i - 1)));
    }
    expect(runDetector(detector, byTime(events))).toEqual([]);
  });
});

describe('container-churn: invalid (findings)', () => {
  it('the review\'s two short lives: 9 s and 5 s, start-up 3.2 s', () => {
    const ev = (iso: string, message: string, plat = false) => (plat ? platform(ms(iso), message, 'whendoist') : app(ms(iso), message, 'whendoist'));
    const events = [
      ev('2026-02-07T19:20:50Z', 'Starting Container', true),
      ev('2026-02-07T19:20:55Z', 'Starting Whendoist v0.39.7'),
      ev('2026-02-08T02:57:00Z', 'Stopping Container', true),
      ev('2026-02-08T02:57:21Z', 'Starting Container', true),
      ev('2026-02-08T02:57:26Z', 'Starting Whendoist v0.39.8'),
      ev('2026-02-08T02:57:30Z', 'Stopping Container', true),
      ev('2026-02-08T03:00:22Z', 'Starting Container', true),
      ev('2026-02-08T03:00:30Z', 'Startup complete (3.2s)'),
      ev('2026-02-08T03:00:35Z', 'Stopping Container', true),
      ev('2026-02-08T03:10:00Z', 'Starting Container', true),
      ev('2026-02-08T03:10:05Z', 'Startup complete (2.5s)'),
    ];
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    const f = fs[0]!;
    expect(f.title).toBe('Container Churn (2 containers lived under 60 s)');
    expect(f.severity).toBe('low');
    expect(f.data.shortLived).toBe(2);
    expect(f.data.crashLoop).toBe(false);
    expect(f.data.startupSeconds).toEqual([3.2, 2.5]);
    expect(f.data.medianStartupSeconds).toBe(2.85);
    const rows = f.data.containers as ContainerRow[];
    expect(rows.map((r) => r.lifetimeSeconds)).toEqual([27370, 9, 13, null]);
    expect(rows[1]).toMatchObject({ start: '2026-02-08T02:57:21Z', stop: '2026-02-08T02:57:30Z', endedBy: 'stopped', readySeconds: null });
    expect(rows[2]).toMatchObject({ lifetimeSeconds: 13, readySeconds: 5 });
    expect(f.pattern).toContain('03:00:22 → 03:00:35 (13 s, 5 s after it reported ready, stopped)');
    expect(f.evidence.map((e) => e.text)).toEqual(['Starting Container', 'Starting Whendoist v0.39.8', 'Stopping Container', 'Starting Container', 'Startup complete (3.2s)', 'Stopping Container']);
  });

  it('Heroku crash loop: four starts exiting with status 1 within six minutes', () => {
    const t0 = ms('2026-05-10T14:00:00Z');
    const events: TestEvent[] = [];
    [0, 20, 80, 340].forEach((s, i) => {
      const at = t0 + s * S;
      events.push(app(at, i === 0 ? 'State changed from up to starting' : 'State changed from crashed to starting', 'worker'));
      events.push(app(at + 2 * S, 'Starting process with command `python worker.py`', 'worker'));
      events.push(app(at + 9 * S, 'Process exited with status 1', 'worker'));
      events.push(app(at + 9 * S, 'State changed from starting to crashed', 'worker'));
    });
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe('high');
    expect(fs[0]!.data.crashLoop).toBe(true);
    expect(fs[0]!.data.crashed).toBe(4);
    expect(fs[0]!.title).toBe('Crash Loop (4 failing starts within 10 min)');
    expect(fs[0]!.evidence.some((e) => e.text === 'Process exited with status 1')).toBe(true);
  });

  it('Railway restarts without stop lines (same deployment, new instances every 30 s) are a crash loop', () => {
    const t0 = ms('2026-05-10T14:00:00Z');
    const events = [0, 30, 60, 90].map((s, i) => platform(t0 + s * S, 'Starting Container', 'api', { deploymentId: 'dep-9', deploymentInstanceId: `i-${i}` }));
    events.push(app(t0 + 95 * S, 'ERROR: Application startup failed. Exiting.', 'api', { deploymentId: 'dep-9', deploymentInstanceId: 'i-3' }));
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data.crashLoop).toBe(true);
    expect(fs[0]!.data.pairedBy).toBe('deployment');
  });

  it('gunicorn lives paired by deployment; the threshold is an option', () => {
    const t0 = ms('2026-06-01T00:00:00Z');
    const events: TestEvent[] = [];
    [20, 45, 120].forEach((life, i) => {
      const at = t0 + i * 2 * H;
      const attrs = { deploymentId: `d${i}` };
      events.push(app(at, '[2026-06-01 00:00:00 +0000] [1] [INFO] Starting gunicorn 22.0.0', 'shop', attrs));
      events.push(app(at + 100, '[2026-06-01 00:00:00 +0000] [1] [INFO] Listening at: http://0.0.0.0:8080 (1)', 'shop', attrs));
      events.push(app(at + 200, '[2026-06-01 00:00:00 +0000] [7] [INFO] Booting worker with pid: 7', 'shop', attrs));
      events.push(app(at + life * S, '[2026-06-01 00:00:00 +0000] [1] [INFO] Handling signal: term', 'shop', attrs));
      events.push(app(at + life * S + 300, '[2026-06-01 00:00:00 +0000] [7] [INFO] Worker exiting (pid: 7)', 'shop', attrs));
      events.push(app(at + life * S + 600, '[2026-06-01 00:00:00 +0000] [1] [INFO] Shutting down: Master', 'shop', attrs));
    });
    const fs = runDetector(detector, events);
    expect(fs[0]!.data.shortLived).toBe(2);
    expect((fs[0]!.data.containers as ContainerRow[]).map((r) => [r.deployment, r.lifetimeSeconds])).toEqual([['d0', 20], ['d1', 45], ['d2', 120]]);
    expect(runDetector(detector, events, [], { shortLivedSeconds: 30 })[0]!.data.shortLived).toBe(1);
    expect(runDetector(detector, events, [], { shortLivedSeconds: 10 })).toEqual([]);
  });

  it('zero-downtime handovers with ids: lifetimes by deployment, handover gaps, a container replaced after 4 min', () => {
    const t0 = ms('2026-07-14T09:00:00Z');
    const events: TestEvent[] = [];
    // Deploy k starts at startsAt[k], is ready 6 s later, and the previous deployment is stopped 10 + k s after the start.
    const startsAt = [0, 3 * H, 3 * H + 4 * MIN, 9 * H].map((x) => t0 + x);
    startsAt.forEach((at, k) => {
      const mine = { deploymentId: `deploy-${k}`, deploymentInstanceId: `inst-${k}` };
      events.push(platform(at, 'Starting Container', 'billing', mine));
      events.push(app(at + 6 * S, 'INFO:     Application startup complete.', 'billing', mine));
      const prev = { deploymentId: `deploy-${k - 1}`, deploymentInstanceId: `inst-${k - 1}` };
      events.push(platform(at + (10 + k) * S, 'Stopping Container', 'billing', prev));
      events.push(app(at + (10 + k) * S + 50, 'INFO:     Shutting down', 'billing', prev));
    });
    const fs = runDetector(detector, byTime(events));
    expect(fs).toHaveLength(1);
    const d = fs[0]!.data;
    expect(fs[0]!.title).toBe('Container Churn (4 redeploys; 1 container replaced within 10 min)');
    expect(d).toMatchObject({ shortLived: 0, quickReplaced: 1, replacements: 4, shortestLifetimeSeconds: 252, pairedBy: 'deployment' });
    expect((d.handovers as { startToStopSeconds: number; readyToStopSeconds: number }[]).map((h) => [h.startToStopSeconds, h.readyToStopSeconds])).toEqual([
      [10, 4],
      [11, 5],
      [12, 6],
      [13, 7],
    ]);
    expect((d.containers as ContainerRow[]).map((r) => [r.deployment, r.lifetimeSeconds, r.endedBy])).toEqual([
      ['deploy--1', null, 'replaced'],
      ['deploy-0', 3 * 3600 + 11, 'replaced'],
      ['deploy-1', 4 * 60 + 12, 'replaced'],
      ['deploy-2', 6 * 3600 - 4 * 60 + 13, 'replaced'],
      ['deploy-3', null, 'running'],
    ]);
    expect(fs[0]!.pattern).toContain('not a container that lived seconds');
  });

  it('PostgreSQL restarted twice after crashes → unclean restarts (medium)', () => {
    const t0 = ms('2026-08-02T06:00:00Z');
    const events: TestEvent[] = [6 * MIN, 90 * MIN].flatMap((off) => [
      { at: t0 + off, message: 'starting PostgreSQL 16.4 on x86_64-pc-linux-gnu', service: 'db', source: 'postgres' as const },
      { at: t0 + off + 200, message: 'database system was interrupted; last known up at 2026-08-02 05:59:00 UTC', service: 'db', source: 'postgres' as const },
      { at: t0 + off + 900, message: 'database system is ready to accept connections', service: 'db', source: 'postgres' as const },
    ]);
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.title).toBe('Unclean Restarts (2 starts after a crash)');
    expect(fs[0]!.severity).toBe('medium');
    // Each start ended the life before it in the crash it reports: the first one's began before the
    // logs; neither logged its end (no lifetime).
    expect(fs[0]!.data).toMatchObject({ startsAfterCrash: 2, crashed: 2, crashLoop: false });
    expect((fs[0]!.data.containers as ContainerRow[]).map((r) => [r.start, r.endedBy, r.lifetimeSeconds])).toEqual([
      [null, 'crash', null],
      ['2026-08-02T06:06:00Z', 'crash', null],
      ['2026-08-02T07:30:00Z', 'running', null],
    ]);
  });

  it('flapping: five 8-minute lives within an hour', () => {
    const t0 = ms('2026-06-01T10:00:00Z');
    const events: TestEvent[] = [];
    for (let i = 0; i < 5; i++) {
      events.push(app(t0 + i * 11 * MIN, 'Server listening on port 3000', 'node-api'));
      events.push(app(t0 + i * 11 * MIN + 8 * MIN, 'Shutting down...', 'node-api'));
    }
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ flapping: true, maxStartsPerHour: 5, shortLived: 0, crashLoop: false });
    expect(fs[0]!.severity).toBe('medium');
  });
});
