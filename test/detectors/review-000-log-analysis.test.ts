// samples/whendoist reproduces review 000 (../shared/seeds/000_bc1cce360dfa4e06.txt). Sections 1.1
// and 1.2 of the review, as the log-analysis detectors must find them there: the empty hourly
// materialization errors, their drift beside the exact hourly successes, and the 19:12 cluster.
import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readTimeline, runDetectors } from '../../src/pipeline.js';
import type { Finding } from '../../src/model.js';

const SAMPLE = fileURLToPath(new URL('../../samples/whendoist', import.meta.url));

describe.skipIf(!existsSync(SAMPLE))('review 000 §1.1–1.2 on samples/whendoist', () => {
  let findings: Finding[] = [];
  beforeAll(async () => {
    const { summary } = await readTimeline([SAMPLE]);
    findings = runDetectors(summary, {}, ['empty-error-message', 'cadence-drift', 'error-cluster']).findings;
  });

  it('§1.1: one finding per empty-message template, the hourly materialization errors among them', () => {
    const empty = findings.filter((f) => f.detector === 'empty-error-message');
    expect(empty.map((f) => f.data.template as string).sort()).toEqual([
      expect.stringMatching(/^Database session error:\s*$/),
      expect.stringMatching(/^Materialization loop error:\s*$/),
    ]);
    const mat = empty.find((f) => /^Materialization/.test(f.data.template as string))!;
    expect(mat.title).toBe('Empty Materialization Loop Errors (every ~60 minutes)');
    expect(mat.data).toMatchObject({ count: 165, periodSeconds: 3600, services: ['whendoist'] });
    const db = empty.find((f) => /^Database/.test(f.data.template as string))!;
    expect(db.data).toMatchObject({ count: 5, userFacingNearby: 5 });
    expect(db.severity).toBe('high');
  });

  it('§1.1 timing: errors drift 1-2 min per hour beside the exact hourly successes', () => {
    const drift = findings.filter((f) => f.detector === 'cadence-drift' && f.severity !== 'info');
    expect(drift).toHaveLength(1);
    const f = drift[0]!;
    expect(f.severity).toBe('medium');
    expect(f.data).toMatchObject({ kind: 'drift-beside-exact', periodSeconds: 3600, occurrences: 165, missed: 0 });
    expect(f.data.exactCadence).toEqual({ template: expect.stringMatching(/^Materialized /), periodSeconds: 3600 });
    const d = f.data.driftSecondsPerCycle as number;
    expect(d).toBeGreaterThanOrEqual(60);
    expect(d).toBeLessThanOrEqual(120);
    expect(f.timing).toContain('runs on an exact 60-minute cadence (04:00, 05:00, 06:00...)');
    expect(f.timing).toContain('(03:20, 04:20, 05:22, 06:23, 07:24...), consistent with sleep(3600) + error-handling overhead');
  });

  it('§1.2: the 19:12 cluster, led by the materialization error 20 s earlier, 5 user-facing failures over 25 s', () => {
    const clusters = findings.filter((f) => f.detector === 'error-cluster');
    expect(clusters).toHaveLength(1);
    const c = clusters[0]!;
    expect(c.id).toBe('error-cluster:2026-02-07T19:12:22Z');
    expect(c.data).toMatchObject({
      durationSeconds: 25,
      count: 10,
      userFacing: 5,
      leadSeconds: 20,
      leadTimestamp: '2026-02-07T19:12:02.412Z',
      endpoints: [
        { endpoint: 'GET /dashboard', count: 4 },
        { endpoint: 'GET /', count: 1 },
      ],
    });
    expect(c.data.leadTemplate).toMatch(/^Materialization loop error:\s*$/);
    expect(c.data.recoveredAfterSeconds).toBe(21);
  });
});
