// "What's working well" says only what the findings' data carries, and never contradicts a finding:
// a cadence is exact when the cadence detector called it exact (not when it drifts a few seconds a
// cycle), a recovery is automatic only when the burst's data says it came on its own, fast boots are
// not good news beside crashes, flat memory not beside an out-of-memory kill.
import { describe, expect, it } from 'vitest';
import { workingWell } from '../../src/conclusions/insights.js';
import type { Finding } from '../../src/model.js';
import type { DetectorData, DetectorFinding, DetectorId } from '../../src/detectors/registry.js';
import { buildTimeline } from '../helpers/timeline.js';

// A finding with only the fields a rule reads: their names and types are checked against the
// detector's data type (a renamed field fails to compile); the rest of the data is left out, which
// the one cast below allows.
const finding = <K extends DetectorId>(detector: K, data: Partial<DetectorData[K]>, severity: Finding['severity'] = 'info') =>
  ({
    detector,
    id: `${detector}:${JSON.stringify(data).length}`,
    severity,
    title: detector,
    summary: '',
    pattern: '',
    rootCause: '',
    impact: '',
    recommendation: '',
    evidence: [],
    data,
  }) as unknown as DetectorFinding<K>;

const titles = (fs: DetectorFinding[]) => workingWell(fs, buildTimeline([]), []).map((i) => i.title);

describe('workingWell', () => {
  it('calls a cadence exact only when the detector did', () => {
    const loop = finding('cadence-drift', { kind: 'sleep-loop', template: 'Synced <*> users', periodSeconds: 300, driftSecondsPerCycle: 4 });
    const exact = finding('cadence-drift', { kind: 'exact', template: 'Refreshed token', periodSeconds: 3600, driftSecondsPerCycle: 0.2 });
    const ww = workingWell([loop, exact], buildTimeline([]), []);
    const item = ww.find((i) => /exact cadence/.test(i.title))!;
    expect(item.title).toBe('A scheduled job keeps an exact cadence');
    expect(item.text).toContain('Refreshed token');
    expect(item.text).not.toContain('Synced');
    // A recurring error on a fixed schedule is exact but fails every run: not working well.
    const failing = finding('cadence-drift', { kind: 'exact', template: 'Backup failed', periodSeconds: 3600, driftSecondsPerCycle: 0 }, 'low');
    expect(titles([failing]).some((t) => /cadence/.test(t))).toBe(false);
  });

  it('reports an automatic recovery only when the burst recovered on its own', () => {
    const burst = (recovery: 'self' | 'restart' | 'unknown', after: number | null) => finding('error-cluster', { start: '2026-02-07T19:12:22Z', recovery, recoveredAfterSeconds: after, nextSuccessAfterSeconds: after ?? 108_720 }, 'high');
    expect(titles([burst('self', 21)])).toContain('Recovered automatically within 21 s');
    expect(titles([burst('unknown', null)]).some((t) => /Recovered/.test(t))).toBe(false);
    expect(titles([burst('restart', 70)]).some((t) => /Recovered/.test(t))).toBe(false);
  });

  it('does not praise boots beside crashes, or flat memory beside an out-of-memory kill', () => {
    const churn = finding('container-churn', { service: 'api', startupSeconds: [2.5, 3.1], crashed: 1, crashLoop: false }, 'medium');
    expect(titles([churn]).some((t) => /boots/.test(t))).toBe(false);
    expect(titles([{ ...churn, data: { ...churn.data, crashed: 0 } }])).toContain('The application boots in 2.5-3.1 s');
    const flat = finding('memory-sawtooth', { service: 'api', shape: 'flat' });
    expect(titles([flat])).toContain('Memory is flat (api)');
    expect(titles([flat, finding('out-of-memory', { perService: { api: 1 } }, 'high')]).some((t) => /Memory is flat/.test(t))).toBe(false);
  });

  it('does not say PostgreSQL never stopped when it had to recover from a crash', () => {
    const t = buildTimeline([{ at: '2026-02-07T19:00:00Z', message: 'database system is ready to accept connections', pg: { severity: 'LOG', pid: 7064 } }]);
    expect(workingWell([], t, []).map((i) => i.title)).toContain('No FATAL or PANIC records from PostgreSQL');
    expect(workingWell([finding('postgres-crash-recovery', { recoveries: 1 }, 'critical')], t, []).map((i) => i.title)).not.toContain('No FATAL or PANIC records from PostgreSQL');
  });
});

describe('on samples/restart-loop (the backend loops while an older container serves; PostgreSQL is restarted uncleanly twice)', () => {
  it('says what the loop and the stops were, and claims no automatic recovery the database restart brought', async () => {
    const { readTimeline, runDetectors } = await import('../../src/pipeline.js');
    const { architectureGaps } = await import('../../src/conclusions/insights.js');
    const { join } = await import('node:path');
    const dir = join(import.meta.dirname, '../../samples/restart-loop');
    const { summary } = await readTimeline([join(dir, 'backend.jsonl'), join(dir, 'postgres.log')]);
    const { findings, runs } = runDetectors(summary);
    const burst = findings.find((f) => f.id === 'error-cluster:2025-11-20T06:41:12Z')!;
    expect(burst.data).toMatchObject({ recovery: 'restart', restartedService: 'postgres', recoveredAfterSeconds: 29 });
    expect(workingWell(findings, summary, runs).map((i) => i.title).some((x) => /Recovered/.test(x))).toBe(false);
    const gaps = architectureGaps(findings, summary);
    // Exit codes, kills and health-check failures are in the logs, and the platform did not back off.
    expect(gaps.map((g) => g.title)).toContain('Restarts without a backoff');
    expect(gaps.find((g) => g.title === 'Restarts without a backoff')!.text).toContain('the logs say why the starts ended (exit codes, kills, failed health checks');
    expect(gaps.find((g) => g.title === 'No graceful shutdown')!.text).toContain('backend stopped without its own shut-down 21 times of 23 (21 killed)');
    // Both bursts came with a restart: not "errors while the container stayed up".
    expect(gaps.map((g) => g.title)).not.toContain('Health check does not check the dependencies');
  });
});
