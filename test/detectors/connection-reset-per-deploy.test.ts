import { describe, expect, it } from 'vitest';
import { connectionResetPerDeploy as detector, binomialUpperTail } from '../../src/detectors/connection-reset-per-deploy.js';
import { buildTimeline, byTime, detectOn, ms, runDetector, type TestEvent } from '../helpers/timeline.js';
import { pairedResets, unpairedResets } from '../helpers/findings.js';

const RESET = 'could not receive data from client: Connection reset by peer';

function resets(at: number, n: number, opts: { service?: string; message?: string; spacingMs?: number } = {}): TestEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    at: at + i * (opts.spacingMs ?? 0),
    message: opts.message ?? RESET,
    service: opts.service ?? 'Postgres',
    source: 'postgres' as const,
    level: 'info' as const,
    levelText: 'LOG',
    pg: { severity: 'LOG', pid: 100 + i },
  }));
}

function railwayStop(at: number, service = 'web'): TestEvent[] {
  return [{ at, message: 'Stopping Container', service, source: 'platform' }];
}

function uvicornStop(at: number, service = 'api'): TestEvent[] {
  return [
    { at, message: 'INFO:     Shutting down', service },
    { at: at + 200, message: 'INFO:     Waiting for application shutdown.', service },
    { at: at + 400, message: 'INFO:     Finished server process [1]', service },
  ];
}

const H = 3600_000;
const T0 = ms('2026-02-07T18:00:00Z');
/** Filler so the logs span a realistic window (the chance level depends on it). */
const span = (hours: number, service = 'web'): TestEvent[] => [
  { at: T0, message: 'GET /health 200', service },
  { at: T0 + hours * H, message: 'GET /health 200', service },
];

describe('connection-reset-per-deploy: valid (no finding)', () => {
  it('resets far from any stop', () => {
    const events = byTime(span(12), railwayStop(T0 + 2 * H), railwayStop(T0 + 6 * H), resets(T0 + 4 * H, 3), resets(T0 + 9 * H, 2));
    expect(runDetector(detector, events)).toEqual([]);
  });

  it('stops without resets', () => {
    const events = byTime(span(12), railwayStop(T0 + 2 * H), railwayStop(T0 + 6 * H), railwayStop(T0 + 8 * H));
    expect(runDetector(detector, events)).toEqual([]);
  });

  it('a single stop with resets is not a pattern', () => {
    const events = byTime(span(12), railwayStop(T0 + 2 * H), resets(T0 + 2 * H + 1000, 4));
    expect(runDetector(detector, events)).toEqual([]);
  });

  it('resets before the window (more than 2 s before the stop) are not the stop\'s', () => {
    const events = byTime(span(24), ...[1, 5].map((h) => [...railwayStop(T0 + h * H), ...resets(T0 + h * H - 30_000, 2)]));
    expect(runDetector(detector, events)).toEqual([]);
    // With the note's threshold reached, only the note appears, never the per-deploy finding.
    const fs = runDetector(detector, events, [], { minUnattributedBursts: 2 });
    expect(fs.map((f) => f.severity)).toEqual(['low']);
    expect(unpairedResets(fs[0]!).resets).toBe(4);
  });
});

describe('connection-reset-per-deploy: invalid (findings)', () => {
  it('4 stops × 2 resets (uvicorn shutdown lines) → attributed 8, median lag', () => {
    const lags = [1000, 2000, 4000, 6000];
    const stopsAt = [3, 7, 11, 20].map((h) => T0 + h * H);
    const events = byTime(span(24, 'api'), ...stopsAt.map((s, i) => [...uvicornStop(s), ...resets(s + lags[i]!, 2, { spacingMs: 300 })]));
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    const f = fs[0]!;
    expect(f.severity).toBe('medium');
    expect(f.title).toBe('Connection Drops on Every Deploy (4 stops, 8 resets)');
    expect(pairedResets(f).attributed).toBe(8);
    expect(pairedResets(f).unattributed).toBe(0);
    expect(pairedResets(f).medianLagSeconds).toBe(3);
    expect(pairedResets(f).stops).toEqual(stopsAt.map((s, i) => ({ timestamp: new Date(s).toISOString().replace('.000', ''), service: 'api', resets: 2, lagSeconds: lags[i]! / 1000, crash: false })));
    expect(pairedResets(f).recall).toBe(1);
    expect(pairedResets(f).pValue as number).toBeLessThan(1e-6);
    expect(f.rootCause).toContain('engine.dispose()');
    expect(f.recommendation).toContain('RAILWAY_DEPLOYMENT_DRAINING_SECONDS');
    expect(f.evidence.some((e) => e.text === RESET)).toBe(true);
    expect(f.evidence.some((e) => e.text.includes('Shutting down'))).toBe(true);
  });

  it('six Railway stops × 3 resets plus stray resets → attributed 18, unattributed 2', () => {
    const stopsAt = ['2026-02-07T19:21:04Z', '2026-02-07T19:39:40Z', '2026-02-07T21:39:12Z', '2026-02-08T01:53:30Z', '2026-02-08T02:57:30Z', '2026-02-08T03:00:35Z'].map(ms);
    const events = byTime(
      span(12),
      ...stopsAt.map((s, i) => [...railwayStop(s), ...resets(s + 500 + i * 100, 3, { spacingMs: 10 })]),
      resets(T0 + 30 * 60_000, 1),
      resets(T0 + 10 * H, 1),
    );
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    const d = pairedResets(fs[0]!);
    expect(d.attributed).toBe(18);
    expect(d.unattributed).toBe(2);
    expect((d.stops as { resets: number }[]).map((s) => s.resets)).toEqual([3, 3, 3, 3, 3, 3]);
    expect(d.medianLagSeconds).toBe(0.75);
    expect(d.precision).toBe(0.75);
    expect(fs[0]!.timing).toContain('19:21, 19:39, 21:39, 01:53, 02:57, 03:00');
  });

  it('counts every reset when the timeline thinned their template (times, not the kept sample)', () => {
    const stopsAt = [1, 3, 5, 7, 9].map((h) => T0 + h * H + 17_000);
    const events = byTime(span(12), ...stopsAt.map((s, i) => [...railwayStop(s), ...resets(s + 300 + i * 50, 4, { spacingMs: 20 })]));
    // A tiny budget: the reset template (over the floor of 6) keeps only every k-th line; the stops stay whole.
    const t = buildTimeline(events, [], detector.meta.interests ?? [], { maxEventBytes: 3000, eventsPerTemplateFloor: 6 });
    const resetTpl = t.templates.find((x) => x.text.startsWith('could not receive'))!;
    expect(resetTpl.keptEvery).toBeGreaterThan(1);
    expect(t.templates.find((x) => x.text === 'Stopping Container')!.eventsDropped).toBe(0);
    const fs = detectOn(detector, t);
    expect(fs).toHaveLength(1);
    expect(pairedResets(fs[0]!).attributed).toBe(20);
    expect((pairedResets(fs[0]!).stops as { resets: number }[]).map((s) => s.resets)).toEqual([4, 4, 4, 4, 4]);
    expect(fs[0]!.evidence.length).toBeGreaterThan(0);
  });

  it('gunicorn stops, EOF inside transactions → high severity, kinds counted', () => {
    const stopsAt = [2, 5, 8].map((h) => T0 + h * H + 17 * 60_000);
    const events = byTime(
      span(10, 'worker'),
      ...stopsAt.map((s) => [
        { at: s, message: '[2026-02-07 10:00:00 +0000] [1] [INFO] Handling signal: term', service: 'worker' },
        ...resets(s + 7000, 1, { service: 'db' }),
        ...resets(s + 7100, 1, { service: 'db', message: 'unexpected EOF on client connection with an open transaction' }),
      ]),
    );
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe('high');
    expect(pairedResets(fs[0]!).kinds).toEqual({ reset: 3, 'eof-in-transaction': 3 });
    expect(pairedResets(fs[0]!).medianLagSeconds).toBe(7);
    expect(fs[0]!.id).toBe('connection-reset-per-deploy:worker');
  });

  it('a draining period moves the window: resets 20 s after the stop count only with drainingSeconds', () => {
    const stopsAt = [1, 4, 7].map((h) => T0 + h * H);
    const events = byTime(span(9), ...stopsAt.map((s) => [{ at: s, message: 'Stopping all processes with SIGTERM', service: 'web' }, ...resets(s + 20_000, 5)]));
    expect(runDetector(detector, events).filter((f) => !f.id.includes('unattributed'))).toEqual([]);
    const fs = runDetector(detector, events, [], { drainingSeconds: 15 });
    expect(fs).toHaveLength(1);
    expect(pairedResets(fs[0]!).attributed).toBe(15);
    expect(pairedResets(fs[0]!).medianLagSeconds).toBe(20);
  });

  it('killed containers: the lag is measured from the kill, and the narrative names the crash', () => {
    const events = byTime(
      span(6, 'backend'),
      ...[1, 2, 3, 4].map((h) => {
        const kill = T0 + h * H;
        return [
          { at: kill, message: '/app/start.sh: line 9:    17 Killed                  uvicorn main:app', service: 'backend' },
          { at: kill + 10, message: 'uvicorn exited with code 137', service: 'backend' },
          ...resets(kill + 300, 3, { spacingMs: 100 }),
          ...railwayStop(kill + 900, 'backend'),
        ];
      }),
    );
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.title).toBe('Connection Drops at Every Crash (4 stops, 12 resets)');
    expect(fs[0]!.data).toMatchObject({ attributed: 12, crashes: 4, medianLagSeconds: 0.3 });
    expect(fs[0]!.recommendation).toMatch(/^First stop the crashes/);
    expect(fs[0]!.evidence.some((e) => e.text.includes('Killed'))).toBe(true);
  });

  it('2 of 3 deploys with resets → "2 of 3"', () => {
    const stopsAt = [1, 4, 7].map((h) => T0 + h * H);
    const events = byTime(span(9), railwayStop(stopsAt[0]!), railwayStop(stopsAt[1]!), railwayStop(stopsAt[2]!), resets(stopsAt[0]! + 1000, 2), resets(stopsAt[2]! + 1000, 2));
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.title).toBe('Connection Drops on 2 of 3 Deploys (4 resets)');
    expect(pairedResets(fs[0]!).recall).toBe(0.667);
  });

  it('scattered resets without stops → only the low unattributed note', () => {
    const events = byTime(span(12), ...[1, 3, 5, 8].map((h) => resets(T0 + h * H, 2)));
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe('low');
    expect(fs[0]!.data).toMatchObject({ resets: 8, bursts: 4 });
  });
});

describe('binomialUpperTail', () => {
  it('matches direct sums', () => {
    expect(binomialUpperTail(4, 4, 0.5)).toBeCloseTo(1 / 16, 12);
    expect(binomialUpperTail(10, 0, 0.3)).toBe(1);
    expect(binomialUpperTail(3, 2, 0.1)).toBeCloseTo(3 * 0.01 * 0.9 + 0.001, 12);
    expect(binomialUpperTail(4, 4, 5.6e-4)).toBeCloseTo(Math.pow(5.6e-4, 4), 20);
  });
});

describe('connection-reset-per-deploy: lives that end without a word', () => {
  // uvicorn's own lines (uvicorn/server.py, uvicorn/lifespan/on.py, the access log of uvicorn/protocols),
  // with no platform line: the server killed each time (nothing logged) and started again in place.
  const uvicornLife = (from: number, to: number, service = 'api'): TestEvent[] => [
    { at: from, message: 'INFO:     Started server process [1]', service },
    { at: from + 300, message: 'INFO:     Application startup complete.', service },
    { at: from + 400, message: 'INFO:     Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)', service },
    { at: to, message: 'INFO:     10.0.0.7:51234 - "GET /items HTTP/1.1" 200 OK', service },
  ];

  it('pairs the resets with the last line of each killed life, as crashes', () => {
    const lastLines = [1, 2, 3].map((h) => T0 + h * H);
    const events = byTime(
      span(5, 'api'),
      uvicornLife(T0 + 60_000, lastLines[0]!),
      uvicornLife(lastLines[0]! + 30_000, lastLines[1]!),
      uvicornLife(lastLines[1]! + 30_000, lastLines[2]!),
      uvicornLife(lastLines[2]! + 30_000, T0 + 4 * H),
      ...lastLines.map((t) => resets(t + 1_500, 2, { spacingMs: 100 })),
    );
    const fs = runDetector(detector, events);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.title).toBe('Connection Drops at Every Crash (3 stops, 6 resets)');
    const stops = pairedResets(fs[0]!).stops as { timestamp: string; resets: number; lagSeconds: number; crash: boolean }[];
    expect(stops.map((s) => [s.timestamp, s.resets, s.lagSeconds, s.crash])).toEqual(lastLines.map((t) => [new Date(t).toISOString().slice(0, 19) + 'Z', 2, 1.5, true]));
    expect(fs[0]!.pattern).toContain('last line of a life that logged no stop');
  });
});
