// broker-outage on real Redis clients' output (test/fixtures/vocabulary/): ioredis 6.1.0,
// node-redis 6.4.0, redis-py 4.3.4 and Celery 5.2.6 against a redis-server 7.0 stopped for 8 s,
// read as Railway delivers it (one entry per line, stderr labelled error).
import { brokerOutage } from '../../src/detectors/broker-outage.js';
import { DetectorTester } from '../helpers/detector-tester.js';
import { capturedTimeline, type Capture } from './captured-run.js';

const T = Date.parse('2026-12-07T18:05:00Z');
const captured = (captures: Capture[], service = 'app') => () => capturedTimeline(captures, service);
const REFUSED = '[ioredis] Unhandled error event: Error: connect ECONNREFUSED 10.0.0.5:6379';

DetectorTester.run(brokerOutage, {
  valid: [
    {
      name: 'healthy Celery worker and beat, pino requests',
      timeline: captured([
        { fixture: 'celery-healthy-worker.txt', at: T },
        { fixture: 'celery-healthy-beat.txt', at: T },
        { fixture: 'pino-healthy.txt', at: T, stream: 'stdout' },
      ]),
    },
  ],
  invalid: [
    {
      name: "Celery's worker and beat through a Redis restart: one outage of the worker's consumer, with its length and the broker's URL",
      timeline: captured([{ fixture: 'celery-worker.txt', at: T }, { fixture: 'celery-beat.txt', at: T }], 'worker'),
      findings: [
        {
          id: 'broker-outage:worker',
          // Six seconds of retries: more than a blip, not an outage of minutes.
          severity: 'medium',
          data: {
            outages: 1,
            longestSeconds: 6,
            // The worker's consumer lines, beat's failed send, and redis-py's own exception in each traceback.
            byLibrary: { Celery: 4, 'redis-py': 2, 'Celery beat': 1 },
            targets: ['redis://127.0.0.1:6391/0'],
          },
        },
      ],
    },
    {
      name: 'an ioredis app',
      timeline: captured([{ fixture: 'ioredis.txt', at: T }], 'api'),
      findings: [{ data: { outages: 1, byLibrary: { ioredis: 8 }, targets: ['127.0.0.1:6392'] } }],
    },
    {
      name: 'a node-redis app',
      timeline: captured([{ fixture: 'node-redis.txt', at: T }], 'api'),
      findings: [{ data: { byLibrary: { 'node-redis': 7 }, targets: ['127.0.0.1:6392'] } }],
    },
    {
      // Five failed reads, each a traceback (its chained exceptions are one record once rejoined).
      name: 'a redis-py app',
      timeline: captured([{ fixture: 'redis-py.txt', at: T }], 'web'),
      findings: [{ data: { byLibrary: { 'redis-py': 5 }, targets: ['localhost:6392'] } }],
    },
    { name: 'one reconnect is low', timeline: captured([{ text: REFUSED, at: T }]), findings: [{ severity: 'low' }] },
    {
      name: 'minutes of retries are high',
      timeline: captured([0, 40, 80, 120, 160].map((s) => ({ text: REFUSED, at: T + s * 1000 }))),
      findings: [{ severity: 'high', data: { outages: 1, longestSeconds: 160 } }],
    },
  ],
});
