// worker-saturation on the servers' own output (test/fixtures/vocabulary/): php-fpm 8.2.36 at
// pm.max_children (3) in the held-out PHP stack's web container, uvicorn 0.17.6 refusing two
// requests past --limit-concurrency 2 (Debian's python3-uvicorn), read as Railway delivers them
// (one entry per line, stderr labelled error).
import { expect } from 'vitest';
import { workerSaturation } from '../../src/detectors/worker-saturation.js';
import { DetectorTester } from '../helpers/detector-tester.js';
import { capturedTimeline, fixtureText, type Capture } from './captured-run.js';

const T = Date.parse('2026-12-08T02:10:10Z');
const captured = (captures: Capture[], service = 'web') => () => capturedTimeline(captures, service);
/** php-fpm.txt line 1. */
const MAX_CHILDREN = fixtureText('php-fpm.txt').split('\n')[0]!;

DetectorTester.run(workerSaturation, {
  valid: [
    { name: 'uvicorn workers started and stopped, nothing refused', timeline: captured([{ fixture: 'uvicorn-workers.txt', at: T }]) },
    { name: 'gunicorn with a worker timeout: a timeout, not a full pool', timeline: captured([{ fixture: 'gunicorn.txt', at: T }]) },
  ],
  invalid: [
    {
      name: "php-fpm's faults: pm.max_children reached once, its pool and limit named",
      timeline: captured([{ fixture: 'php-fpm.txt', at: T }]),
      findings: [
        {
          id: 'worker-saturation:web',
          severity: 'medium',
          data: { count: 1, episodes: 1, byLibrary: { 'php-fpm': 1 }, perService: { web: 1 }, limits: { 'php-fpm pool www': 3 } },
        },
      ],
      check: ([f]) => expect(f!.title).toBe('Worker Pool at Its Limit (1 time)'),
    },
    {
      name: 'uvicorn refusing two requests past --limit-concurrency: one episode, no limit in its words',
      timeline: captured([{ fixture: 'uvicorn-concurrency.txt', at: T }], 'api'),
      findings: [{ id: 'worker-saturation:api', severity: 'medium', data: { count: 2, episodes: 1, byLibrary: { uvicorn: 2 }, limits: {} } }],
    },
    {
      name: 'the pool full twice, ten minutes apart: two episodes',
      timeline: captured([
        { text: MAX_CHILDREN, at: T },
        { text: MAX_CHILDREN, at: T + 600_000 },
      ]),
      findings: [{ severity: 'medium', data: { count: 2, episodes: 2, periods: [{ lines: 1 }, { lines: 1 }] } }],
    },
  ],
});
