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
