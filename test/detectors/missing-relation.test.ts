// missing-relation on PostgreSQL 15.18's own lines and psycopg2 / SQLAlchemy's echo of them:
// test/fixtures/postgres-15-clients/ (postgres-15-missing-table.log and missing-table-app.stderr,
// captured together by missing_table.py, see the README there) and
// test/fixtures/multiline/postgres-15-faults.log (the e2e fault script's missing table, a
// multi-line statement). The records written here copy messages from those captures.
import { expect } from 'vitest';
import { missingRelation } from '../../src/detectors/missing-relation.js';
import { DetectorTester } from '../helpers/detector-tester.js';
import { appEvent, pgEvent, plus } from './pg-test-events.js';

const CLIENTS = 'test/fixtures/postgres-15-clients';
const T = '2026-12-07T20:55:33Z';
/** postgres-15-missing-table.log line 6 and missing-table-app.stderr's psycopg2 exception line. */
const SERVER = 'relation "users" does not exist at character 23';
const PSYCOPG2 = 'psycopg2.errors.UndefinedTable: relation "users" does not exist';

DetectorTester.run(missingRelation, {
  valid: [
    {
      name: 'the other errors of the fault capture',
      events: ['canceling statement due to lock timeout', 'deadlock detected', 'canceling statement due to statement timeout'].map((m, i) => pgEvent(plus(T, i), 'ERROR', m, 27000 + i)),
    },
    { name: 'a PostgreSQL log with no query error', files: [`${CLIENTS}/postgres-15-ssl.log`] },
    { name: 'fewer errors than minCount', events: [pgEvent(T, 'ERROR', SERVER, 23265)], options: { minCount: 2 } },
  ],
  invalid: [
    {
      name: 'psycopg2 and SQLAlchemy on missing tables: one finding per table, the server line counted, the driver echo apart',
      files: [`${CLIENTS}/postgres-15-missing-table.log`, `${CLIENTS}/missing-table-app.stderr`],
      findings: [
        {
          id: 'missing-relation:users',
          severity: 'high',
          data: { relation: 'users', count: 1, driverSide: 1, statements: [{ statement: 'select id, email from users where id = ?', count: 1 }], lastStartBefore: '2026-12-07T20:55:33Z' },
        },
        { id: 'missing-relation:public.audit_log', severity: 'high', data: { relation: 'public.audit_log', count: 1, statements: [{ statement: 'select count(*) from public.audit_log', count: 1 }] } },
      ],
      check: ([users]) => {
        // The server started 2.6 s before: the schema was not there when the app came.
        expect(users!.data.afterStartSeconds).toBeCloseTo(2.616, 3);
        expect(users!.evidence.map((e) => e.location)).toEqual([`${CLIENTS}/postgres-15-missing-table.log:6`, `${CLIENTS}/missing-table-app.stderr:1`]);
      },
    },
    {
      name: 'a multi-line statement on a missing table (the e2e fault capture)',
      files: ['test/fixtures/multiline/postgres-15-faults.log'],
      findings: [{ id: 'missing-relation:orderz', data: { relation: 'orderz', count: 1, statements: [{ statement: 'select id, total from orderz where id = ?', count: 1 }] } }],
    },
    {
      name: 'errors long after any start are medium; right after a container start, high; names folded to lower case',
      events: [
        { at: T, message: 'Starting Container', service: 'backend', source: 'platform' },
        ...[1, 2, 3].map((i) => pgEvent(plus(T, 20 + i), 'ERROR', SERVER, 30 + i, { statement: `SELECT id, email FROM users WHERE id = ${i}` })),
        appEvent(plus(T, 24), PSYCOPG2, 'error', 'backend'),
        pgEvent(plus(T, 4000), 'ERROR', 'relation "public.Audit_Log" does not exist at character 22', 50),
      ],
      findings: [
        { id: 'missing-relation:users', severity: 'high', data: { count: 3, driverSide: 1, afterStartSeconds: 21, statements: [{ statement: 'select id, email from users where id = ?', count: 3 }] } },
        { id: 'missing-relation:public.audit_log', severity: 'medium', data: { count: 1, afterStartSeconds: null, lastStartBefore: '2026-12-07T20:55:33Z' } },
      ],
    },
    {
      name: 'ten errors are high without a start',
      events: Array.from({ length: 10 }, (_, i) => pgEvent(plus(T, 60 * i), 'ERROR', SERVER, 100 + i)),
      findings: [{ severity: 'high', data: { count: 10, afterStartSeconds: null } }],
    },
    {
      name: 'only the driver saw it: its lines count',
      events: [appEvent(T, PSYCOPG2, 'error', 'backend'), appEvent(plus(T, 5), PSYCOPG2, 'error', 'backend')],
      findings: [{ id: 'missing-relation:users', severity: 'medium', data: { count: 2, driverSide: 0, services: ['backend'] } }],
    },
  ],
});
