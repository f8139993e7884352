// Every detector on healthy runs of real programs (test/fixtures/vocabulary/), read as Railway
// delivers them: a Celery worker and beat on stderr, a pino app on stdout, gunicorn serving
// requests. Nothing of medium or worse may come out of a healthy run, on any stack, and what does
// come out keeps the finding contract (DetectorTester's checks).
import { describe, expect, it } from 'vitest';
import { FINDING_SEVERITY_RANK } from '../../src/model.js';
import { DETECTORS } from '../../src/detectors/registry.js';
import { capturedTimeline } from './captured-run.js';
import { checkedFindings } from '../helpers/detector-tester.js';

const T = Date.parse('2026-12-07T17:42:00Z');

describe('healthy runs give no finding of medium or worse', () => {
  for (const [name, captures] of [
    ['Celery worker and beat', [{ fixture: 'celery-healthy-worker.txt', at: T }, { fixture: 'celery-healthy-beat.txt', at: T }]],
    ['pino (Node)', [{ fixture: 'pino-healthy.txt', at: T, stream: 'stdout' as const }]],
    ['gunicorn start and requests', [{ fixture: 'gunicorn.txt', at: T, lines: [0, 4] as [number, number] }, { fixture: 'gunicorn.txt', at: T + 1000, lines: [10, 12] as [number, number], stream: 'stdout' as const }]],
  ] as const) {
    it(name, async () => {
      const t = await capturedTimeline(captures, 'app');
      const serious = DETECTORS.flatMap((d) => checkedFindings(d.meta.id, t)).filter((f) => FINDING_SEVERITY_RANK[f.severity] >= FINDING_SEVERITY_RANK.medium);
      expect(serious.map((f) => `${f.detector}: ${f.title}`)).toEqual([]);
    });
  }
});
