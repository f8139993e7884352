// database-outage on the node shapes lab's captures (test/fixtures/stacks/node-shapes/, README
// there): NestJS over TypeORM, Express with winston over knex, bunyan over Sequelize and Next.js over
// Drizzle, each with PostgreSQL 15 stopped (fast shutdown) for 6 s under traffic, read as Railway
// delivers a service's log and its database's.
import { join } from 'node:path';
import { expect } from 'vitest';
import { databaseOutage } from '../../src/detectors/database-outage.js';
import { DetectorTester } from '../helpers/detector-tester.js';
import { capturedTimeline } from './captured-run.js';

const ROOT = new URL('../fixtures/stacks/node-shapes/', import.meta.url).pathname;
const run = (name: string) => [join(ROOT, name, 'api.jsonl'), join(ROOT, name, 'postgres.jsonl')];
const T = Date.parse('2026-12-07T18:05:00Z');

DetectorTester.run(databaseOutage, {
  valid: [
    { name: 'NestJS healthy, with its PostgreSQL', files: run('nest-color/healthy') },
    { name: 'Express + winston + knex healthy', files: run('winston-json/healthy') },
    { name: 'Next.js healthy', files: run('next/healthy') },
    {
      // ioredis refused by a Redis at 6392: the broker's outage, not the database's.
      name: 'a refused connection to a port PostgreSQL does not listen on',
      timeline: () => capturedTimeline([{ fixture: 'ioredis.txt', at: T }], 'api'),
    },
  ],
  invalid: [
    {
      name: 'NestJS: the ExceptionsHandler\'s ECONNREFUSED at the port PostgreSQL logged, and the pool\'s "shutting down" as the server stopped',
      files: run('nest-json/faults'),
      findings: [{ id: 'database-outage:api', severity: 'medium', data: { outages: 1, services: ['api'], byLibrary: { 'Node.js (net)': 7, 'PostgreSQL (via the client)': 1 } } }],
      check: ([f]) => {
        const d = f!.data as { longestSeconds: number; targets: string[] };
        // PostgreSQL was down 6 s; the failures span the requests that hit it.
        expect(d.longestSeconds).toBeGreaterThanOrEqual(4);
        expect(d.longestSeconds).toBeLessThanOrEqual(7);
        expect(d.targets).toHaveLength(1);
      },
    },
    {
      name: 'knex through winston: its acquire warnings name the refused address',
      files: run('winston-json/faults'),
      findings: [{ id: 'database-outage:api', severity: 'medium', data: { outages: 1 } }],
    },
    {
      name: 'Next.js over Drizzle: the sessions ended by the fast shutdown, and the refused reconnections',
      files: run('next/faults'),
      findings: [{ id: 'database-outage:api', data: { outages: 1 } }],
    },
    {
      name: 'a refused connection to 5432 without the server\'s log (the port PostgreSQL uses by default)',
      timeline: () => capturedTimeline([0, 1, 2, 3, 4].map((i) => ({ text: 'Error: connect ECONNREFUSED 10.0.0.7:5432', at: T + i * 2000 })), 'api'),
      findings: [{ id: 'database-outage:api', severity: 'medium', data: { outages: 1, failedLines: 5, longestSeconds: 8, targets: ['10.0.0.7:5432'] } }],
    },
  ],
});
