import { describe, expect, it } from 'vitest';
import { runDetector, type TestEvent } from '../helpers/timeline.js';
import { restartLoop } from '../../src/detectors/restart-loop.js';
import { appEvent, plus } from './pg-test-events.js';

const T = '2025-11-20T02:00:00Z';
const platform = (s: number, message: string, service = 'backend'): TestEvent => ({ at: plus(T, s), message, service, source: 'platform' });

describe('restart-loop', () => {
  it('valid: deploys hours apart, or two starts', () => {
    const events = [0, 3 * 3600, 7 * 3600].flatMap((s) => [platform(s, 'Starting Container'), appEvent(plus(T, s + 2), 'Application startup complete.', 'info', 'backend')]);
    expect(runDetector(restartLoop, events)).toEqual([]);
    expect(runDetector(restartLoop, [platform(0, 'Starting Container'), platform(60, 'Starting Container')])).toEqual([]);
  });

  it('a health-check loop: starts, failed attempts, kills with exit 137, back-off', () => {
    const events: TestEvent[] = [];
    let s = 0;
    for (const gap of [10, 20, 40, 80]) {
      events.push(platform(s, 'Starting Container'));
      events.push(appEvent(plus(T, s + 1), 'Started server process [1]', 'info', 'backend'));
      events.push(platform(s + 3, 'Attempt #1 failed with service unavailable. Continuing to retry for 1m30s', 'backend'));
      events.push(platform(s + gap - 2, 'Stopping Container'));
      events.push(platform(s + gap - 1, 'Process exited with status 137'));
      s += gap;
    }
    events.push(platform(s, 'Starting Container'));
    events.push(platform(s + 30, 'Healthcheck failed!'));
    const fs = runDetector(restartLoop, events);
    expect(fs).toHaveLength(1);
    const d = fs[0]!.data;
    expect(d).toMatchObject({ service: 'backend', starts: 5, healthcheckFailures: 5, healthcheckAttemptsFailed: 4, backoff: true, exitCodes: { '137': 4 }, killed: 4 });
    expect(d.intervalsSeconds).toEqual([10, 20, 40, 80]);
    expect(fs[0]!.severity).toBe('high');
  });

  it('a loop that a redeploy continues is one loop; loops far apart are two findings', () => {
    const starts = (from: number, n: number, gap: number) => Array.from({ length: n }, (_, i) => platform(from + i * gap, 'Starting Container', 'api'));
    const fs = runDetector(restartLoop, [...starts(0, 4, 30), ...starts(300, 4, 30), ...starts(7200, 3, 20)]);
    expect(fs.map((f) => f.data.starts)).toEqual([8, 3]);
    expect(fs[0]!.id).not.toBe(fs[1]!.id);
  });

  it('redeploys of two replicas are no loop: each new container starts before an old one is stopped', () => {
    // Railway's own lines (shared/guide/railway-api.md), with the deployment and instance ids its API gives.
    const events: TestEvent[] = [];
    const at = (s: number, message: string, dep: number, replica: number) =>
      events.push({ ...platform(s, message, 'api'), attrs: { deploymentId: `dep-${dep}`, deploymentInstanceId: `dep-${dep}-${replica}` } });
    for (const r of [0, 1]) at(r, 'Starting Container', 0, r);
    for (const dep of [1, 2, 3]) {
      const s = dep * 90;
      for (const r of [0, 1]) at(s + r, 'Starting Container', dep, r);
      for (const r of [0, 1]) at(s + 20 + r, 'Stopping Container', dep - 1, r);
    }
    expect(runDetector(restartLoop, events)).toEqual([]);
    // The same starts with the old containers gone before (crashed: no stop line) are a loop.
    const crashed = events.filter((e) => e.message === 'Starting Container');
    expect(runDetector(restartLoop, crashed)[0]!.data.starts).toBe(8);
  });

  // gunicorn 20.1.0's own lines, as test/fixtures/lives/gunicorn.jsonl captured them (apps/capture.py there);
  // "Starting Container" / "Stopping Container" are Railway's.
  const gunicorn = (s: number, end: 'crash' | 'clean' | 'stopped'): TestEvent[] => {
    const g = (at: number, message: string) => appEvent(plus(T, s + at), `[2026-12-07 17:31:10 +0000] [22667] [INFO] ${message}`, 'info', 'web');
    const life = [platform(s, 'Starting Container', 'web'), g(0.3, 'Starting gunicorn 20.1.0'), g(0.3, 'Listening at: http://127.0.0.1:36835 (22667)')];
    // A failed boot: the master halts with "Worker failed to boot." (exit 3, gunicorn/arbiter.py).
    if (end === 'crash') return [...life, g(1, 'Shutting down: Master'), g(1, 'Reason: Worker failed to boot.')];
    // The platform stops it and gunicorn logs its own graceful shutdown; or only the platform's line.
    const stop = [platform(s + 20, 'Stopping Container', 'web')];
    return end === 'clean' ? [...life, ...stop, g(20, 'Handling signal: term'), g(21, 'Shutting down: Master')] : [...life, ...stop];
  };

  it('a crash, a restart, a crash is a loop; a start after a clean stop gunicorn logged is a deploy, not a restart', () => {
    const crashes = [0, 30, 60].flatMap((s) => gunicorn(s, 'crash'));
    expect(runDetector(restartLoop, crashes)[0]!.data).toMatchObject({ service: 'web', starts: 3, exitCodes: { '3': 3 } });
    // The same three starts after lives that gunicorn stopped gracefully (deploys, manual restarts): no loop.
    expect(runDetector(restartLoop, [0, 30, 60].flatMap((s) => gunicorn(s, 'clean')))).toEqual([]);
    // One clean stop among crashes takes only the start after it out: crash, clean, crash, crash leave 3 starts.
    const mixed = [...gunicorn(0, 'crash'), ...gunicorn(30, 'clean'), ...gunicorn(60, 'crash'), ...gunicorn(90, 'crash')];
    expect(runDetector(restartLoop, mixed)[0]!.data.starts).toBe(3);
    // A stop that only the platform logged says nothing of how the program ended: its starts still count.
    expect(runDetector(restartLoop, [0, 30, 60].flatMap((s) => gunicorn(s, 'stopped')))[0]!.data.starts).toBe(3);
  });

  it('a clean stop with a failed health check before it is the platform\'s restart', () => {
    const events = [0, 30, 60].flatMap((s) => [...gunicorn(s, 'clean'), platform(s + 5, 'Attempt #1 failed with service unavailable. Continuing to retry for 1m30s', 'web')]);
    expect(runDetector(restartLoop, events)[0]!.data).toMatchObject({ starts: 3, healthcheckFailures: 3 });
  });

  it('PostgreSQL restarting (its own start lines), window as an option', () => {
    const pgStart = (s: number): TestEvent[] => [
      { at: plus(T, s), message: 'starting PostgreSQL 17.7 on x86_64-pc-linux-gnu', service: 'Postgres', source: 'postgres', pg: { severity: 'LOG' } },
      { at: plus(T, s + 1), message: 'database system is ready to accept connections', service: 'Postgres', source: 'postgres', pg: { severity: 'LOG' } },
    ];
    const events = [0, 240, 480].flatMap(pgStart);
    expect(runDetector(restartLoop, events)[0]!.data).toMatchObject({ service: 'Postgres', starts: 3, healthcheckFailures: 0 });
    expect(runDetector(restartLoop, events, [], { windowMinutes: 5 })).toEqual([]);
  });
});
