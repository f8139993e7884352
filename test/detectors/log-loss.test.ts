// log-loss on Railway's rate-limit notice. No capture of it exists here (it needs Railway's log
// pipeline under more than 500 lines/s): the notice is the one Railway's documentation quotes
// (railwayapp/docs content/docs/observability/logs.md, RW-LOGS in /work/shared/guide/detection.md),
// with its count changed per case. It arrives as a `railway logs --json` entry among the app's own
// lines, here a real pino app's (test/fixtures/vocabulary/pino-healthy.txt, see its README), read
// through the real Railway JSON ingest.
import { expect } from 'vitest';
import { logLoss } from '../../src/detectors/log-loss.js';
import { DetectorTester } from '../helpers/detector-tester.js';
import { capturedTimeline, type Capture } from './captured-run.js';
import { appEvent } from './pg-test-events.js';

const T = Date.parse('2026-12-07T17:42:00Z');
const notice = (n: number) => `Railway rate limit of 500 logs/sec reached for replica, update your application to reduce the logging rate. Messages dropped: ${n}`;
const app: Capture = { fixture: 'pino-healthy.txt', at: T, stream: 'stdout' };
/** The app's lines with Railway's notices at `s` seconds after T, as one service's `railway logs --json`. */
const withNotices = (service: string, ...notices: [s: number, dropped: number][]) => () =>
  capturedTimeline([app, ...notices.map(([s, n]): Capture => ({ text: notice(n), at: T + s * 1000, stream: 'stdout' }))], service);

DetectorTester.run(logLoss, {
  valid: [
    { name: 'the app alone', timeline: withNotices('api') },
    { name: 'a message that only looks like it', events: [appEvent(T, 'Messages sent: 50')] },
    { name: 'fewer dropped than minDropped', timeline: withNotices('api', [1, 50]), options: { minDropped: 51 } },
  ],
  invalid: [
    {
      name: 'dropped lines summed per minute; the worst minute named',
      timeline: withNotices('api', [1, 50], [2, 120], [90, 30]),
      findings: [
        {
          id: 'log-loss:api',
          severity: 'medium',
          data: { dropped: 200, notices: 3, perService: { api: 200 }, perMinute: { '2026-12-07T17:42:00Z': 170, '2026-12-07T17:43:00Z': 30 }, services: ['api'] },
        },
      ],
      check: ([f], t) => {
        expect(f!.summary).toContain('the worst minute was 2026-12-07T17:42:00Z with 170');
        // The evidence points at the notices among the app's lines.
        expect(f!.evidence.map((e) => e.text)).toEqual([notice(50), notice(120), notice(30)]);
        expect(f!.evidence.every((e) => e.location.startsWith(`${t.inputPaths[0]}:`))).toBe(true);
      },
    },
    {
      name: 'a thousand dropped lines or more are high',
      timeline: withNotices('worker', [5, 600], [6, 400]),
      findings: [{ id: 'log-loss:worker', severity: 'high', data: { dropped: 1000, notices: 2 } }],
    },
    {
      name: 'two services in one finding, counted apart',
      events: [
        { at: T, message: notice(70), service: 'api', source: 'platform', level: 'warn' },
        { at: T + 30_000, message: notice(20), service: 'worker', source: 'platform', level: 'warn' },
      ],
      findings: [{ id: 'log-loss:api+worker', data: { dropped: 90, perService: { api: 70, worker: 20 }, services: ['api', 'worker'] } }],
    },
  ],
});
