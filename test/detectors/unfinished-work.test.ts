import { describe, expect, it } from 'vitest';
import { detectOnCaptures } from './captured-run.js';
import { runDetector, type TestEvent } from '../helpers/timeline.js';
import { unfinishedWork, workMarker } from '../../src/detectors/unfinished-work.js';
import { appEvent, plus } from './pg-test-events.js';

const T = '2025-02-15T09:00:00Z';

/** Iterations of a worker every `period` s lasting `dur(i)` s; `hang` lists iterations with no end. */
function worker(name: string, n: number, period: number, dur: (i: number) => number, hang: number[] = [], service = 'bot'): TestEvent[] {
  const out: TestEvent[] = [];
  for (let i = 0; i < n; i++) {
    out.push(appEvent(plus(T, i * period), `ITERATION_START worker=${name} iteration=${i}`, 'info', service));
    if (!hang.includes(i)) out.push(appEvent(plus(T, i * period + dur(i)), `ITERATION_END worker=${name} iteration=${i} duration=${dur(i)}s`, 'info', service));
  }
  return out;
}

const byTime = (xs: TestEvent[]) => [...xs].sort((a, b) => (a.at as number) - (b.at as number));

describe('unfinished-work', () => {
  it('reads markers of both forms', () => {
    expect(workMarker('ITERATION_START worker=x')).toEqual({ role: 'start', stem: 'ITERATION' });
    expect(workMarker('[sync] JOB_FINISHED id=4')).toEqual({ role: 'end', stem: 'JOB' });
    expect(workMarker('Starting nightly export...')).toEqual({ role: 'start', stem: 'nightly export' });
    expect(workMarker('INFO: Finished nightly export in 3.2s')).toEqual({ role: 'end', stem: 'nightly export' });
    expect(workMarker('GET /health 200')).toBeNull();
  });

  it('valid: every run ends (interleaved workers), starts without any end marker, server lifecycle lines', () => {
    const ok = byTime([...worker('reminders', 10, 60, () => 2), ...worker('payments', 10, 45, (i) => 1 + i)]);
    expect(runDetector(unfinishedWork, ok)).toEqual([]);
    expect(runDetector(unfinishedWork, [appEvent(T, 'Starting bot polling'), appEvent(plus(T, 5), 'Starting bot polling')])).toEqual([]);
    expect(runDetector(unfinishedWork, [appEvent(T, 'Started server process [7]'), appEvent(plus(T, 60), 'Started server process [9]'), appEvent(plus(T, 50), 'Finished server process [7]')])).toEqual([]);
  });

  it('finds iterations superseded by the next start, per worker, with finished durations', () => {
    const events = byTime([...worker('reminders', 12, 60, (i) => 2 + (i % 3), [4, 7]), ...worker('activation', 8, 90, () => 5)]);
    const fs = runDetector(unfinishedWork, events);
    expect(fs).toHaveLength(1);
    const d = fs[0]!.data;
    expect(d).toMatchObject({ service: 'bot', work: 'ITERATION', started: 20, finished: 18, lost: 2, lostReasons: { superseded: 2 }, lostByFields: { 'worker=reminders': 2 }, openAtEnd: 0 });
    expect(d.durations).toMatchObject({ count: 18, maxSeconds: 5 });
    expect(fs[0]!.severity).toBe('high'); // 2 of 20 = 10 %
  });

  it('"Starting X"/"Finished X": a run still open at the end, and one interrupted by a restart', () => {
    const events: TestEvent[] = [
      appEvent(T, 'Starting invoice sync', 'info', 'worker'),
      appEvent(plus(T, 30), 'Finished invoice sync in 30.0s', 'info', 'worker'),
      appEvent(plus(T, 600), 'Starting invoice sync', 'info', 'worker'),
      { at: plus(T, 700), message: 'Starting Container', service: 'worker', source: 'platform' },
      appEvent(plus(T, 1200), 'Starting invoice sync', 'info', 'worker'),
      appEvent(plus(T, 1230), 'Finished invoice sync in 30.0s', 'info', 'worker'),
      appEvent(plus(T, 1800), 'Starting invoice sync', 'info', 'worker'),
      appEvent(plus(T, 1810), 'heartbeat', 'info', 'worker'),
    ];
    const fs = runDetector(unfinishedWork, events);
    expect(fs).toHaveLength(1);
    // The run at 600 s is followed by a later start with the same (no) fields: superseded.
    expect(fs[0]!.data).toMatchObject({ work: 'invoice sync', started: 4, finished: 2, lost: 1, openAtEnd: 1 });
    expect((fs[0]!.data.openRuns as { openSeconds: number }[])[0]!.openSeconds).toBe(10);
  });
});

// Celery 5.2.6's own lines (test/fixtures/vocabulary/celery-*.txt), read as Railway delivers them:
// tasks pair by id between "received" and "succeeded"/"raised"/the hard time limit.
describe('unfinished-work: Celery tasks paired by id', () => {
  it('a healthy worker and beat: every task received finished', async () => {
    expect(await detectOnCaptures(unfinishedWork, [{ fixture: 'celery-healthy-worker.txt', at: 0 }, { fixture: 'celery-healthy-beat.txt', at: 0 }], 'worker')).toEqual([]);
  });

  it('a task that hangs, and the task queued behind it in the same pool process, never finish', async () => {
    // The faulty run (tasks.hang sleeps 600 s), then the worker's next life 29 minutes later.
    const fs = await detectOnCaptures(unfinishedWork, [{ fixture: 'celery-worker.txt', at: 0 }, { fixture: 'celery-healthy-worker.txt', at: 0 }], 'worker');
    expect(fs).toHaveLength(1);
    const f = fs[0]!;
    expect(f.data).toMatchObject({ service: 'worker', work: 'Celery tasks', lost: 2, orphanEnds: 0 });
    const lost = f.data.lostRuns.map((r) => r.fields);
    expect(lost).toEqual([
      { task: 'tasks.hang', id: 'cd12d377-155f-4744-8a5b-0ac453d4cd54' },
      { task: 'tasks.add', id: '4e51c9bf-8986-480a-a0d7-7579cd3f3538' },
    ]);
    // The soft- and hard-limited tasks ended (raised, killed): not lost.
    expect(f.data.started).toBe((f.data.finished as number) + 2);
  });
});
