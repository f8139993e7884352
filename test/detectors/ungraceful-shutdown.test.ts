import { describe, expect, it } from 'vitest';
import { runDetector, type TestEvent } from '../helpers/timeline.js';
import { ungracefulShutdown } from '../../src/detectors/ungraceful-shutdown.js';
import { appEvent, pgEvent, plus } from './pg-test-events.js';

const T = '2026-02-07T19:00:00Z';
const platform = (s: number, message: string, service = 'api'): TestEvent => ({ at: plus(T, s), message, service, source: 'platform' });

describe('ungraceful-shutdown', () => {
  it('valid: uvicorn and Node apps that shut down on SIGTERM; PostgreSQL fast shutdown', () => {
    expect(runDetector(ungracefulShutdown, [
      platform(0, 'Stopping Container'),
      appEvent(plus(T, 0.2), 'Shutting down', 'info', 'api'),
      appEvent(plus(T, 0.5), 'Finished server process [1]', 'info', 'api'),
      platform(3600, 'Stopping Container', 'web'),
      appEvent(plus(T, 3600.1), 'SIGTERM received, closing server', 'info', 'web'),
      pgEvent(plus(T, 7200), 'LOG', 'received fast shutdown request', 1),
      pgEvent(plus(T, 7201), 'LOG', 'database system is shut down', 1),
    ])).toEqual([]);
  });

  it('stops with no shutdown line, and a SIGKILL after SIGTERM', () => {
    const fs = runDetector(ungracefulShutdown, [
      platform(0, 'Stopping Container'),
      platform(3600, 'Stopping Container'),
      platform(7200, 'Stopping Container'),
      appEvent(plus(T, 7200.3), 'Shutting down', 'info', 'api'),
      platform(7230, 'Process exited with status 137'),
      platform(9000, 'Stopping Container'),
      appEvent(plus(T, 9000.2), 'Finished server process [3]', 'info', 'api'),
    ]);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ service: 'api', stops: 4, graceful: 1, ungraceful: 3, silent: 2, killed: 1, sigkillAfterSigterm: 1 });
    expect(fs[0]!.severity).toBe('high');
  });

  it('a PostgreSQL immediate shutdown', () => {
    const fs = runDetector(ungracefulShutdown, [
      pgEvent(T, 'LOG', 'received immediate shutdown request', 1, {}, 'db'),
      pgEvent(plus(T, 0.1), 'LOG', 'database system is shut down', 1, {}, 'db'),
    ]);
    expect(fs[0]!.data).toMatchObject({ service: 'db', ungraceful: 1, immediate: 1 });
  });
});
