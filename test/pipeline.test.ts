// The runner stamps a detector's identity on what it returns, as ESLint's linter stamps ruleId:
// a detector says what a finding is about, never which detector it is.
import { describe, expect, it } from 'vitest';
import { runDetector, runDetectors } from '../src/pipeline.js';
import { defineDetector } from '../src/detectors/detector.js';
import { buildTimeline } from './helpers/timeline.js';
import { pgEvent, plus } from './detectors/pg-test-events.js';

const finding = { severity: 'info' as const, title: 't', summary: 's', pattern: 'p', rootCause: 'r', impact: 'i', recommendation: 'x', evidence: [], data: {} };
const probe = defineDetector({
  meta: { id: 'probe', title: 'Probe', explanation: 'Two findings, one about a service and one about the run.', defaults: {} },
  detect: () => [{ about: 'api+worker', ...finding }, { ...finding }],
});

describe('runDetector', () => {
  it('writes `detector` and the id from the detector id and what each finding is about', () => {
    const fs = runDetector(probe, buildTimeline([]), {});
    expect(fs.map((f) => [f.detector, f.id])).toEqual([['probe', 'probe:api+worker'], ['probe', 'probe']]);
    expect(fs.every((f) => !('about' in f))).toBe(true);
    // The identity comes first in the finding, as the JSON has always written it.
    expect(Object.keys(fs[0]!).slice(0, 3)).toEqual(['detector', 'id', 'severity']);
  });

  it('stamps every registered detector: ids start with the detector id and are unique', () => {
    // PostgreSQL 15's message for a missing table (parserOpenTable in parse_relation.c), as in
    // test/detectors/small-pg-detectors.test.ts.
    const T = '2026-01-01T00:00:00Z';
    const { findings } = runDetectors(buildTimeline([1, 2, 3].map((i) => pgEvent(plus(T, i), 'ERROR', 'relation "users" does not exist at character 15', 30 + i, { statement: 'select * from users' }))));
    expect(findings.map((f) => f.id)).toContain('missing-relation:users');
    for (const f of findings) expect(f.id === f.detector || f.id.startsWith(`${f.detector}:`)).toBe(true);
    expect(new Set(findings.map((f) => f.id)).size).toBe(findings.length);
  });
});
