import { describe, expect, it } from 'vitest';
import { cadenceDrift as detector } from '../../src/detectors/cadence-drift.js';
import { byTime, ms, periodic, runDetector, type TestEvent } from '../helpers/timeline.js';

const MIN = 60_000;
const H = 60 * MIN;

/** Deterministic "60 to 120 s" overheads: a sleep(P) loop's run time plus error handling. */
const overhead = (i: number, lo: number, hi: number) => lo + (((i * 37) % 61) / 60) * (hi - lo);

/** Times of a loop that sleeps `periodMs` after each attempt that took `extra(i)`. */
function sleepLoop(start: number, periodMs: number, count: number, extra: (i: number) => number): number[] {
  const out: number[] = [];
  let t = start;
  for (let i = 0; i < count; i++) {
    out.push(t);
    t += periodMs + extra(i);
  }
  return out;
}

const at = (times: number[], make: (i: number) => Omit<TestEvent, 'at'>): TestEvent[] => times.map((t, i) => ({ ...make(i), at: t }));

describe('cadence-drift: valid (no problem finding)', () => {
  it('a job on an exact hourly cadence gives only the info "exact cadence" finding', () => {
    const events = periodic('2026-02-07T04:00:00Z', H, 24, (i) => ({ message: `Materialized ${10 + i} task instances for 2 users`, service: 'web' }), (i) => (i % 3) * 400);
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe('info');
    expect(fs[0]!.data).toMatchObject({ kind: 'exact', periodSeconds: 3600, occurrences: 24, missed: 0, exactCadence: null, phaseOffsetSeconds: 0 });
    expect(fs[0]!.title).toMatch(/^"Materialized .* task instances for .* users" runs on an exact 60-minute cadence$/);
  });

  it('an uptime probe inside a request template is not a job; a job with one manual run still is', () => {
    // Every 10 minutes a probe hits /healthz; users hit other paths at irregular times, same template.
    const probe = periodic('2026-03-02T00:00:00Z', 10 * MIN, 144, (i) => ({ message: `GET /healthz 200 ${3 + (i % 4)}ms`, service: 'api' }));
    const users = Array.from({ length: 20 }, (_, i) => ({ at: ms('2026-03-02T00:03:17Z') + i * 71 * MIN + ((i * 7919) % 13) * MIN, message: `GET /app/${i} 200 ${20 + i}ms`, service: 'api' }));
    expect(runDetector(detector, byTime(probe, users))).toEqual([]);
    // Without the off-beat rule the probe's cadence would be reported as a job's.
    expect(runDetector(detector, byTime(probe, users), [], { maxOffBeatShare: 1 }).map((f) => f.data.kind)).toEqual(['exact']);
    const job = periodic('2026-03-02T00:00:00Z', 30 * MIN, 60, (i) => ({ message: `Exported ${i} rows to the warehouse`, service: 'etl' }));
    const manual = [{ at: ms('2026-03-02T07:12:40Z'), message: 'Exported 999 rows to the warehouse', service: 'etl' }];
    const fs = runDetector(detector, byTime(job, manual));
    expect(fs.map((f) => f.data.kind)).toEqual(['exact']);
  });

  it('random errors are not a cadence', () => {
    let t = ms('2026-02-01T00:00:00Z');
    let s = 42;
    const events: TestEvent[] = [];
    for (let i = 0; i < 60; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      t += -Math.log(1 - s / 2 ** 32) * 20 * MIN;
      events.push({ at: t, message: 'Payment webhook error: upstream closed', level: 'error', service: 'api' });
    }
    expect(runDetector(detector, events)).toEqual([]);
  });

  it('five runs are too few; a 30-second heartbeat is below the shortest period', () => {
    expect(runDetector(detector, periodic('2026-02-07T00:00:00Z', H, 5, () => ({ message: 'Backup failed:', level: 'error' })))).toEqual([]);
    expect(runDetector(detector, periodic('2026-02-07T00:00:00Z', 20_000, 100, () => ({ message: 'heartbeat failed', level: 'error' })))).toEqual([]);
  });

  it('postgres checkpoints are not reported as jobs', () => {
    const events = periodic('2026-02-07T00:00:00Z', 5 * MIN, 30, () => ({ message: 'checkpoint starting: time', source: 'postgres', service: 'Postgres' }));
    expect(runDetector(detector, events)).toEqual([]);
  });
});

describe('cadence-drift: invalid (findings)', () => {
  it('the review: hourly errors drifting 1-2 min beside exact hourly successes', () => {
    const errors = sleepLoop(ms('2026-02-07T03:20:00Z'), H, 20, (i) => overhead(i, 60_000, 120_000));
    const events = byTime(
      at(errors, () => ({ message: 'Materialization loop error: ', level: 'error', service: 'whendoist' })),
      periodic('2026-02-07T04:00:00Z', H, 20, (i) => ({ message: `Materialized ${i} task instances for 2 users`, service: 'whendoist' })),
      periodic('2026-02-07T04:30:00Z', H, 20, () => ({ message: 'Refreshed Google access token', service: 'whendoist' })),
    );
    const fs = runDetector(detector, events);
    const drift = fs.filter((f) => f.severity !== 'info');
    expect(drift).toHaveLength(1);
    const f = drift[0]!;
    expect(f.severity).toBe('medium');
    expect(f.data).toMatchObject({
      template: expect.stringMatching(/^Materialization loop error:\s*$/),
      kind: 'drift-beside-exact',
      periodSeconds: 3600,
      occurrences: 20,
      missed: 0,
      exactCadence: { template: expect.stringMatching(/^Materialized .* task instances for .* users$/), periodSeconds: 3600 },
    });
    const d = f.data.driftSecondsPerCycle as number;
    expect(d).toBeGreaterThan(85);
    expect(d).toBeLessThan(95);
    expect(f.timing).toMatch(/^"Materialized .* task instances for .* users" runs on an exact 60-minute cadence \(19:00, 20:00, 21:00\.\.\.\)\. The errors drift by ~1-2 minutes per hour \(18:41, 19:42, 20:44, 21:45, 22:47\.\.\.\)/);
    expect(f.timing).toMatch(/consistent with sleep\(3600\) \+ error-handling overhead/);
    expect(f.title).toMatch(/^Recurring "Materialization loop error:" every ~60 minutes, drifting \+8\d s per cycle beside an exact 60-minute schedule$/);
    expect(f.evidence.length).toBeGreaterThanOrEqual(5);
    // The siblings are reported as evidence, the chosen one first among the infos.
    const infos = fs.filter((x) => x.severity === 'info');
    expect(infos.map((x) => x.data.template)).toEqual([expect.stringMatching(/^Materialized /), 'Refreshed Google access token']);
  });

  it('5-minute job, 300 runs, negative drift of 2 s per cycle, other names', () => {
    const errors = sleepLoop(ms('2026-03-01T00:02:10Z'), 5 * MIN, 300, () => -2000);
    const events = byTime(
      at(errors, () => ({ message: 'Queue drain failed: upstream reset', level: 'error', service: 'queue-worker' })),
      periodic('2026-03-01T00:00:00Z', 5 * MIN, 300, () => ({ message: 'Queue drained', service: 'queue-worker' })),
    );
    const f = runDetector(detector, events).find((x) => x.severity !== 'info')!;
    expect(f.data).toMatchObject({ kind: 'drift-beside-exact', periodSeconds: 300, occurrences: 300, driftSecondsPerCycle: -2, missed: 0 });
    expect((f.data.exactCadence as { template: string }).template).toBe('Queue drained');
  });

  it('15-minute errors drifting 20 s per cycle with three missed runs (JSON-style attrs do not matter)', () => {
    const all = sleepLoop(ms('2026-03-01T10:05:00Z'), 15 * MIN, 40, () => 20_000);
    const errors = all.filter((_, i) => i !== 7 && i !== 19 && i !== 20);
    const events = at(errors, (i) => ({ message: 'report export failed', level: 'error', service: 'reports', attrs: { job: 'export', attempt: i } }));
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe('low');
    expect(fs[0]!.data).toMatchObject({ kind: 'drift', periodSeconds: 900, occurrences: 37, missed: 3, driftSecondsPerCycle: 20, exactCadence: null });
  });

  it('6-hour errors drifting 5 minutes per cycle over 8 runs', () => {
    const errors = sleepLoop(ms('2026-03-01T01:00:00Z'), 6 * H, 8, () => 5 * MIN);
    const fs = runDetector(detector, at(errors, () => ({ message: 'Nightly-ish sync error: quota exceeded', level: 'fatal', service: 'sync' })));
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ kind: 'drift', periodSeconds: 21600, driftSecondsPerCycle: 300, occurrences: 8 });
    expect(fs[0]!.timing).toMatch(/drifting by ~5 minutes per 6-hour cycle/);
  });

  it('a failing job on a fixed schedule is a low "recurring error", not drift', () => {
    const events = byTime(
      periodic('2026-03-01T00:00:00Z', H, 12, () => ({ message: 'Invoice run failed: card declined', level: 'error', service: 'billing' }), (i) => (i % 2) * 1500),
      periodic('2026-03-01T00:00:05Z', H, 12, () => ({ message: 'Invoice run started', service: 'billing' })),
    );
    const fs = runDetector(detector, events);
    const f = fs.find((x) => x.severity !== 'info')!;
    expect(f.severity).toBe('low');
    expect(f.data).toMatchObject({ kind: 'exact', periodSeconds: 3600, exactCadence: { template: 'Invoice run started', periodSeconds: 3600 } });
  });

  it('picks the sibling that shares words, in the same service only', () => {
    const errors = sleepLoop(ms('2026-02-07T00:10:00Z'), H, 12, () => 75_000);
    const events = byTime(
      at(errors, () => ({ message: 'Calendar sync error:', level: 'error', service: 'app' })),
      periodic('2026-02-07T00:00:00Z', H, 12, () => ({ message: 'Cleanup finished', service: 'app' })),
      periodic('2026-02-07T00:00:30Z', H, 12, () => ({ message: 'Calendar sync complete', service: 'app' })),
      periodic('2026-02-07T00:01:00Z', H, 12, () => ({ message: 'Calendar sync complete', service: 'other' })),
    );
    const f = runDetector(detector, events).find((x) => x.severity === 'medium')!;
    expect(f.data.exactCadence).toEqual({ template: 'Calendar sync complete', periodSeconds: 3600 });
    expect(f.data.service).toBe('app');
  });

  it('a restart resets the loop phase: drift is measured inside each segment', () => {
    const a = sleepLoop(ms('2026-02-07T00:20:00Z'), H, 10, () => 90_000);
    const b = sleepLoop(ms('2026-02-07T12:47:00Z'), H, 10, () => 90_000);
    const events = at([...a, ...b], () => ({ message: 'Digest mail error:', level: 'error', service: 'mailer' }));
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ driftSecondsPerCycle: 90, phaseResets: 1, occurrences: 20 });
  });

  it('an info job that drifts is reported as a sleep loop (info)', () => {
    const times = sleepLoop(ms('2026-02-07T00:00:00Z'), 30 * MIN, 30, () => 45_000);
    const fs = runDetector(detector, at(times, () => ({ message: 'Indexer pass done', service: 'search' })));
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe('info');
    expect(fs[0]!.data).toMatchObject({ kind: 'sleep-loop', periodSeconds: 1800, driftSecondsPerCycle: 45 });
  });

  it('maxInfoFindings caps the evidence-only findings', () => {
    const events = byTime(
      ...['a', 'b', 'c'].map((n, k) => periodic('2026-02-07T00:00:00Z', H, 10, () => ({ message: `job ${n} ok`, service: `svc-${n}` }), () => k * 1000)),
    );
    expect(runDetector(detector, events)).toHaveLength(3);
    expect(runDetector(detector, events, [], { maxInfoFindings: 1 })).toHaveLength(1);
  });
});

describe('cadence-drift: inputs without times', () => {
  it('templates without timestamps have no cadence', () => {
    const events: TestEvent[] = Array.from({ length: 12 }, () => ({ at: null, message: 'Backup failed:', level: 'error' as const }));
    expect(runDetector(detector, events)).toEqual([]);
  });
});
