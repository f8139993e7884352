// broker-outage on real Redis clients' output (test/fixtures/vocabulary/): ioredis 6.1.0,
// node-redis 6.4.0, redis-py 4.3.4 and Celery 5.2.6 against a redis-server 7.0 stopped for 8 s,
// read as Railway delivers it (one entry per line, stderr labelled error).
import { describe, expect, it } from 'vitest';
import { brokerOutage } from '../../src/detectors/broker-outage.js';
import { detectOnCaptures } from './captured-run.js';

const T = Date.parse('2026-12-07T18:05:00Z');

describe('broker-outage: valid (no finding)', () => {
  it('healthy Celery worker and beat, pino requests', async () => {
    expect(
      await detectOnCaptures(brokerOutage, [
        { fixture: 'celery-healthy-worker.txt', at: T },
        { fixture: 'celery-healthy-beat.txt', at: T },
        { fixture: 'pino-healthy.txt', at: T, stream: 'stdout' },
      ]),
    ).toEqual([]);
  });
});

describe('broker-outage: invalid (findings)', () => {
  it('Celery\'s worker and beat through a Redis restart: one outage of the worker\'s consumer, with its length and the broker\'s URL', async () => {
    const fs = await detectOnCaptures(brokerOutage, [{ fixture: 'celery-worker.txt', at: T }, { fixture: 'celery-beat.txt', at: T }], 'worker');
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({
      outages: 1,
      longestSeconds: 6,
      // The worker's consumer lines, beat's failed send, and redis-py's own exception in each traceback.
      byLibrary: { Celery: 4, 'redis-py': 2, 'Celery beat': 1 },
      targets: ['redis://127.0.0.1:6391/0'],
    });
    // Six seconds of retries: more than a blip, not an outage of minutes.
    expect(fs[0]!.severity).toBe('medium');
  });

  it('ioredis, node-redis and redis-py apps, each its own service', async () => {
    const io = await detectOnCaptures(brokerOutage, [{ fixture: 'ioredis.txt', at: T }], 'api');
    expect(io[0]!.data).toMatchObject({ outages: 1, byLibrary: { ioredis: 8 }, targets: ['127.0.0.1:6392'] });
    const nr = await detectOnCaptures(brokerOutage, [{ fixture: 'node-redis.txt', at: T }], 'api');
    expect(nr[0]!.data).toMatchObject({ byLibrary: { 'node-redis': 7 }, targets: ['127.0.0.1:6392'] });
    const py = await detectOnCaptures(brokerOutage, [{ fixture: 'redis-py.txt', at: T }], 'web');
    // Five failed reads, each a traceback (its chained exceptions are one record once rejoined).
    expect(py[0]!.data).toMatchObject({ byLibrary: { 'redis-py': 5 }, targets: ['localhost:6392'] });
  });

  it('one reconnect is low; minutes of retries are high', async () => {
    const once = await detectOnCaptures(brokerOutage, [{ text: '[ioredis] Unhandled error event: Error: connect ECONNREFUSED 10.0.0.5:6379', at: T }]);
    expect(once.map((f) => f.severity)).toEqual(['low']);
    const long = await detectOnCaptures(brokerOutage, [0, 40, 80, 120, 160].map((s) => ({ text: '[ioredis] Unhandled error event: Error: connect ECONNREFUSED 10.0.0.5:6379', at: T + s * 1000 })));
    expect(long[0]!.data).toMatchObject({ outages: 1, longestSeconds: 160 });
    expect(long[0]!.severity).toBe('high');
  });
});
