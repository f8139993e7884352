// ssl-eof on PostgreSQL 15.18's own lines: test/fixtures/postgres-15-clients/postgres-15-ssl.log
// (six peers closing during the TLS handshake, `EOF detected`, and two answering it with HTTP,
// `http request`; probe.py and the README there say how), read as a file and as Railway delivers
// it. The records written here copy its message at other times.
import { expect } from 'vitest';
import { sslEof } from '../../src/detectors/ssl-eof.js';
import { DetectorTester } from '../helpers/detector-tester.js';
import { capturedTimeline } from './captured-run.js';
import { pgEvent, plus } from './pg-test-events.js';
import { readFileSync } from 'node:fs';

const CAPTURE = 'test/fixtures/postgres-15-clients/postgres-15-ssl.log';
const T = '2026-12-07T20:54:02Z';
/** postgres-15-ssl.log line 6. */
const line = (s: number, pid: number) => pgEvent(plus(T, s), 'LOG', 'could not accept SSL connection: EOF detected', pid);

DetectorTester.run(sslEof, {
  valid: [
    { name: 'fewer than minCount', events: [line(0, 1), line(600, 2), line(1200, 3), line(1800, 4)] },
    { name: 'a PostgreSQL log without TLS drops', files: ['test/fixtures/postgres-15-clients/postgres-15-missing-table.log'] },
    { name: 'the capture under a higher minCount', files: [CAPTURE], options: { minCount: 9 } },
  ],
  invalid: [
    {
      name: 'the capture: eight drops within seconds are a burst, reasons counted apart',
      files: [CAPTURE],
      findings: [
        {
          id: 'ssl-eof:postgres-15-ssl',
          severity: 'medium',
          data: { count: 8, reasons: { 'EOF detected': 6, 'http request': 2 }, bursty: true, densestWindow: { count: 8, start: '2026-12-07T20:54:02Z', seconds: 60 } },
        },
      ],
      check: ([f]) => expect(f!.evidence[0]!.location).toBe(`${CAPTURE}:6`),
    },
    {
      name: 'the same lines as Railway delivers them (stderr, one JSON entry a line)',
      timeline: () => capturedTimeline([{ text: readFileSync(CAPTURE, 'utf8'), at: Date.parse(T) }], 'Postgres'),
      findings: [{ id: 'ssl-eof:Postgres', severity: 'medium', data: { count: 8, services: ['Postgres'], bursty: true } }],
    },
    {
      name: 'the capture with a larger burstCount is scattered drops: low',
      files: [CAPTURE],
      options: { burstCount: 10 },
      findings: [{ severity: 'low', data: { count: 8, bursty: false } }],
    },
    {
      name: 'scattered drops are low, a burst among them medium',
      events: [line(0, 1), line(900, 2), line(1800, 3), line(2700, 4), line(3600, 5)],
      findings: [{ severity: 'low', data: { count: 5, bursty: false, reasons: { 'EOF detected': 5 } } }],
    },
    {
      name: 'a burst an hour after a lone drop',
      events: [line(0, 1), ...[1, 2, 3, 4, 5, 6].map((i) => line(3600 + i * 5, 10 + i))],
      findings: [{ severity: 'medium', data: { count: 7, bursty: true, densestWindow: { count: 6 } } }],
    },
  ],
});
