import type { TestEvent } from '../helpers/timeline.js';
import { ungracefulShutdown } from '../../src/detectors/ungraceful-shutdown.js';
import { DetectorTester } from '../helpers/detector-tester.js';
import { appEvent, pgEvent, plus } from './pg-test-events.js';

const T = '2026-02-07T19:00:00Z';
const platform = (s: number, message: string, service = 'api'): TestEvent => ({ at: plus(T, s), message, service, source: 'platform' });

DetectorTester.run(ungracefulShutdown, {
  valid: [
    {
      name: 'uvicorn and Node apps that shut down on SIGTERM; PostgreSQL fast shutdown',
      events: [
        platform(0, 'Stopping Container'),
        appEvent(plus(T, 0.2), 'Shutting down', 'info', 'api'),
        appEvent(plus(T, 0.5), 'Finished server process [1]', 'info', 'api'),
        platform(3600, 'Stopping Container', 'web'),
        appEvent(plus(T, 3600.1), 'SIGTERM received, closing server', 'info', 'web'),
        pgEvent(plus(T, 7200), 'LOG', 'received fast shutdown request', 1),
        pgEvent(plus(T, 7201), 'LOG', 'database system is shut down', 1),
      ],
    },
  ],
  invalid: [
    {
      name: 'stops with no shutdown line, and a SIGKILL after SIGTERM',
      events: [
        platform(0, 'Stopping Container'),
        platform(3600, 'Stopping Container'),
        platform(7200, 'Stopping Container'),
        appEvent(plus(T, 7200.3), 'Shutting down', 'info', 'api'),
        platform(7230, 'Process exited with status 137'),
        platform(9000, 'Stopping Container'),
        appEvent(plus(T, 9000.2), 'Finished server process [3]', 'info', 'api'),
      ],
      findings: [{ id: 'ungraceful-shutdown:api', severity: 'high', data: { service: 'api', stops: 4, graceful: 1, ungraceful: 3, silent: 2, killed: 1, sigkillAfterSigterm: 1 } }],
    },
    {
      // NestJS and Next.js stop on SIGTERM without a line (test/fixtures/stacks/node-shapes): a silent
      // stop of a program not known to log its clean stop may have been graceful.
      name: 'silent stops of a program that need not log its stop: low',
      events: [platform(0, 'Stopping Container'), platform(3600, 'Stopping Container')],
      findings: [{ id: 'ungraceful-shutdown:api', severity: 'low', data: { ungraceful: 2, silent: 2, silentUnsure: 2 } }],
    },
    {
      // uvicorn logs every clean stop (Shutting down, Finished server process): its silence is no clean stop,
      // also when its start is the only uvicorn line and the stop comes hours later.
      name: 'silent stops of a program that logs every clean stop: medium',
      events: [platform(0, 'Starting Container'), appEvent(plus(T, 1), 'Started server process [1]', 'info', 'api'), platform(3600, 'Stopping Container')],
      findings: [{ id: 'ungraceful-shutdown:api', severity: 'medium', data: { ungraceful: 1, silent: 1, silentUnsure: 0 } }],
    },
    {
      name: 'a PostgreSQL immediate shutdown',
      events: [pgEvent(T, 'LOG', 'received immediate shutdown request', 1, {}, 'db'), pgEvent(plus(T, 0.1), 'LOG', 'database system is shut down', 1, {}, 'db')],
      findings: [{ id: 'ungraceful-shutdown:db', data: { service: 'db', ungraceful: 1, immediate: 1 } }],
    },
  ],
});
