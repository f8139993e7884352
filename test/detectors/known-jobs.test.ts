import { describe, expect, it } from 'vitest';
import { knownJobs, encodeJob } from '../../src/detectors/known-jobs.js';
import { periodic, runDetector, byTime, type TestEvent } from '../helpers/timeline.js';

const T0 = '2026-09-01T00:00:00Z';
const H = 3_600_000;
const noise = (hours: number, service = 'app'): TestEvent[] => periodic(T0, 10 * 60_000, hours * 6 + 1, (i) => ({ message: `GET /items/${i % 5} 200`, service }));

describe('known-jobs', () => {
  it('reports a declared job on schedule as info, with its numbers', () => {
    const events = byTime(noise(24), periodic(T0, H, 24, (i) => ({ message: `Nightly rollup done: ${i} rows`, service: 'app' }), (i) => (i % 3) * 1000));
    const [f, ...rest] = runDetector(knownJobs, events, [], { jobs: [encodeJob({ match: '^Nightly rollup done', periodSeconds: 3600 })] });
    expect(rest).toEqual([]);
    expect(f!.severity).toBe('info');
    expect(f!.data).toMatchObject({ runs: 24, expected: 24, missed: 0, stopped: false, periodSeconds: 3600 });
  });

  it('counts runs missed in the middle of the window', () => {
    const runs = periodic(T0, 15 * 60_000, 48, () => ({ message: 'Queue drained', service: 'worker' })).filter((_, i) => i < 20 || i >= 26);
    const [f] = runDetector(knownJobs, byTime(noise(12, 'worker'), runs), [], { jobs: [encodeJob({ match: 'Queue drained', periodSeconds: 900, service: 'worker' })] });
    expect(f!.severity).toBe('medium');
    expect(f!.data).toMatchObject({ runs: 42, missed: 6, stopped: false });
    expect(f!.title).toBe('Declared job /Queue drained/ (worker) missed 6 runs (every 15 min)');
  });

  it('says a job stopped when it has not run for the last periods of the window', () => {
    const runs = periodic(T0, 5 * 60_000, 60, () => ({ message: 'Token refresh ok' })); // 5 h of runs in a 24 h window
    const [f] = runDetector(knownJobs, byTime(noise(24), runs), [], { jobs: [encodeJob({ match: 'Token refresh', periodSeconds: 300 })] });
    expect(f!.severity).toBe('high');
    expect(f!.data).toMatchObject({ runs: 60, stopped: true });
    expect(f!.title).toMatch(/^Declared job \/Token refresh\/ stopped: last run 19\.\d h before the end of the window$/);
  });

  it('says a job never ran, and ignores other services', () => {
    const events = byTime(noise(6), periodic(T0, H, 6, () => ({ message: 'Backup complete', service: 'other' })));
    const [f] = runDetector(knownJobs, events, [], { jobs: [encodeJob({ match: 'Backup complete', periodSeconds: 3600, service: 'app' })] });
    expect(f!.severity).toBe('high');
    expect(f!.title).toBe('Declared job /Backup complete/ (app) never ran (expected every 60 min)');
    expect(f!.data).toMatchObject({ runs: 0, expected: 6 });
  });

  it('folds the records of one run together and finds nothing without declared jobs', () => {
    const burst = periodic(T0, 2 * H, 12, () => ({ message: 'Sync step' })).flatMap((e) => [e, { ...e, at: (e.at as number) + 5_000 }, { ...e, at: (e.at as number) + 10_000 }]);
    const [f] = runDetector(knownJobs, byTime(noise(24), burst), [], { jobs: [encodeJob({ match: '^Sync step$', periodSeconds: 7200 })] });
    expect(f!.data).toMatchObject({ runs: 12, missed: 0 });
    expect(runDetector(knownJobs, byTime(noise(24), burst))).toEqual([]);
  });
});
