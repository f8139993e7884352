import { describe, expect, it } from 'vitest';
import { memorySawtooth as detector } from '../../src/detectors/memory-sawtooth.js';
import { memoryShape, despike, binarySegmentation } from '../../src/detectors/shared/memory-shape.js';
import type { MetricSample } from '../../src/model.js';
import { ms, periodic, runDetector, type TestEvent } from '../helpers/timeline.js';

/** Deterministic noise (LCG + Box–Muller) so the cases are the same on every run. */
function noiseOf(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 1) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const T0 = ms('2026-02-01T00:00:00Z');

function series(f: (sec: number) => number, o: { stepS: number; hours: number; noise?: number; service?: string; seed?: number; start?: number }): MetricSample[] {
  const g = noiseOf(o.seed ?? 7);
  const out: MetricSample[] = [];
  for (let sec = 0; sec <= o.hours * 3600; sec += o.stepS) {
    out.push({ service: o.service ?? 'app', measurement: 'memory', unit: 'MB', ts: (o.start ?? T0) + sec * 1000, value: f(sec) + (o.noise ?? 0) * g() });
  }
  return out;
}

const saw = (lo: number, hi: number, periodS: number, phaseS = 0) => (sec: number) => lo + (hi - lo) * (((sec + phaseS) % periodS) / periodS);

describe('memory-sawtooth: valid (no problem: flat, info)', () => {
  it.each([
    [30, 6, 2],
    [60, 24, 4],
    [240, 72, 3],
    [3600, 168, 3],
  ])('flat memory sampled every %i s', (stepS, hours, noise) => {
    const fs = runDetector(detector, [], series(() => 150, { stepS, hours, noise, service: 'worker' }));
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data.shape).toBe('flat');
    expect(fs[0]!.severity).toBe('info');
    expect(fs[0]!.title).toBe('Memory Flat (~150 MB)');
  });

  it('two replicas are read as their sum, not as a sawtooth of alternating samples', () => {
    const a = series(() => 100, { stepS: 60, hours: 12, noise: 1, seed: 1, service: 'api' });
    const b = series(() => 160, { stepS: 60, hours: 12, noise: 1, seed: 2, service: 'api' });
    const fs = runDetector(detector, [], [...a, ...b]);
    expect(fs[0]!.data).toMatchObject({ shape: 'flat', samples: a.length });
    expect(fs[0]!.data.meanMb as number).toBeCloseTo(260, 0);
  });

  it('too few samples give no finding', () => {
    expect(runDetector(detector, [], series(() => 150, { stepS: 60, hours: 0.1 }))).toEqual([]);
  });

  it('other measurements are not memory', () => {
    const cpu = series(saw(0, 1, 3600), { stepS: 60, hours: 12 }).map((s) => ({ ...s, measurement: 'cpu', unit: 'vCPU' }));
    expect(runDetector(detector, [], cpu)).toEqual([]);
  });
});

describe('memory-sawtooth: shapes', () => {
  it.each([
    [30, 24, 2, 8],
    [60, 48, 3, 16],
    [240, 72, 3, 24],
    [3600, 168, 2, 56],
  ])('sawtooth 80→200 MB, period 3 h, sampled every %i s', (stepS, hours, noise, drops) => {
    const fs = runDetector(detector, [], series(saw(80, 200, 10800), { stepS, hours, noise, service: 'whendoist' }));
    const d = fs[0]!.data;
    expect(d.shape).toBe('sawtooth');
    expect(d.periodSeconds as number).toBeGreaterThan(10800 * 0.98);
    expect(d.periodSeconds as number).toBeLessThan(10800 * 1.02);
    expect(d.drops).toBe(drops);
    expect(d.cycles).toBe(drops - 1);
    expect(d.leaking).toBe(false);
    expect(Math.abs(d.troughTrendMbPerHour as number)).toBeLessThan(0.5);
    expect(d.minMb as number).toBeGreaterThan(70);
    expect(d.maxMb as number).toBeLessThan(210);
    expect(fs[0]!.severity).toBe('low');
    expect(fs[0]!.title).toMatch(/^Memory Sawtooth \(\d+–\d+ MB, every 3 h\)$/);
  });

  it('a 45-minute sawtooth 300→420 MB with phase offset', () => {
    const fs = runDetector(detector, [], series(saw(300, 420, 2700, 1000), { stepS: 60, hours: 12, noise: 2, service: 'api' }));
    expect(fs[0]!.data).toMatchObject({ shape: 'sawtooth', drops: 16, cycles: 15 });
    expect(fs[0]!.data.periodSeconds as number).toBeCloseTo(2700, -2);
    expect(fs[0]!.data.amplitudeMb as number).toBeGreaterThan(110);
  });

  it('a steady leak is a leak, not a sawtooth', () => {
    for (const [stepS, hours] of [[60, 24], [3600, 168]] as const) {
      const fs = runDetector(detector, [], series((s) => 100 + (s / 3600) * 4, { stepS, hours, noise: 3 }));
      expect(fs[0]!.data.shape).toBe('leak');
      expect(fs[0]!.data.slopeMbPerHour as number).toBeCloseTo(4, 0);
      expect(fs[0]!.severity).toBe('high');
    }
  });

  it('a leak with a memory limit series: hours to the limit', () => {
    const mem = series((s) => 100 + (s / 3600) * 5, { stepS: 240, hours: 24, noise: 2, service: 'etl' });
    const limit = series(() => 512, { stepS: 240, hours: 24, service: 'etl' }).map((x) => ({ ...x, measurement: 'memory_limit' }));
    const fs = runDetector(detector, [], [...mem, ...limit]);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data.limitMb).toBe(512);
    // (512 − ~220 MB) / 5 MB/h ≈ 58 h.
    expect(fs[0]!.data.hoursToLimit as number).toBeGreaterThan(55);
    expect(fs[0]!.data.hoursToLimit as number).toBeLessThan(61);
    expect(fs[0]!.impact).toContain('512 MB limit');
  });

  it('a leak reset only by restarts is a leak (drops at the container starts)', () => {
    const period = 8 * 3600;
    const restartsAt = [1, 2, 3].map((k) => T0 + k * period * 1000);
    const events: TestEvent[] = restartsAt.flatMap((at) => [
      { at: at - 20_000, message: 'Stopping Container', service: 'app', source: 'platform' as const },
      { at: at - 5_000, message: 'Starting Container', service: 'app', source: 'platform' as const },
    ]);
    const mem = series(saw(120, 480, period, 0), { stepS: 60, hours: 31, noise: 2 });
    const fs = runDetector(detector, events, mem);
    expect(fs[0]!.data.shape).toBe('leak');
    expect(fs[0]!.data.dropsAtRestarts).toBe(3);
    // The same series without restart lines reads as a sawtooth.
    expect(runDetector(detector, [], mem)[0]!.data.shape).toBe('sawtooth');
  });

  it('a leaky sawtooth: troughs rise', () => {
    const fs = runDetector(detector, [], series((s) => saw(80, 200, 7200)(s) + (s / 3600) * 3, { stepS: 60, hours: 24, noise: 2 }));
    expect(fs[0]!.data).toMatchObject({ shape: 'sawtooth', leaking: true });
    expect(fs[0]!.data.troughTrendMbPerHour as number).toBeCloseTo(3, 0);
    expect(fs[0]!.severity).toBe('medium');
  });

  it('a sawtooth whose floor steps up once is not leaking: the step is reported', () => {
    const fs = runDetector(detector, [], series((s) => saw(80, 200, 10800)(s) + (s > 24 * 3600 ? 60 : 0), { stepS: 120, hours: 48, noise: 2 }));
    expect(fs[0]!.data).toMatchObject({ shape: 'sawtooth', leaking: false });
    const steps = fs[0]!.data.steps as { fromMb: number; toMb: number }[];
    expect(steps).toHaveLength(1);
    expect(steps[0]!.toMb - steps[0]!.fromMb).toBeGreaterThan(50);
    expect(steps[0]!.toMb - steps[0]!.fromMb).toBeLessThan(70);
  });

  it('one step is a step', () => {
    const fs = runDetector(detector, [], series((s) => (s < 10 * 3600 ? 120 : 250), { stepS: 60, hours: 24, noise: 3, service: 'web' }));
    expect(fs[0]!.data.shape).toBe('step');
    const steps = fs[0]!.data.steps as { timestamp: string; fromMb: number; toMb: number }[];
    expect(steps).toHaveLength(1);
    expect(steps[0]!.timestamp).toBe('2026-02-01T10:00:00Z');
    expect(steps[0]!.fromMb).toBeCloseTo(120, 0);
    expect(steps[0]!.toMb).toBeCloseTo(250, 0);
    expect(fs[0]!.severity).toBe('low');
  });

  it('a step with a slow drift on both sides is still one step; two steps up are two', () => {
    const drift = runDetector(detector, [], series((s) => (s < 12 * 3600 ? 150 : 230) + (s / 3600) * 0.3, { stepS: 120, hours: 24, noise: 3 }));
    expect(drift[0]!.data.shape).toBe('step');
    expect((drift[0]!.data.steps as unknown[]).length).toBe(1);
    const two = runDetector(detector, [], series((s) => (s < 8 * 3600 ? 150 : s < 16 * 3600 ? 230 : 300), { stepS: 60, hours: 24, noise: 3 }));
    expect(two[0]!.data.shape).toBe('step');
    expect(two[0]!.title).toMatch(/^Memory Step \(150 → 230 MB, 230 → 300 MB\)$/);
  });

  it('a level that goes up and comes back is not a step', () => {
    const fs = runDetector(detector, [], series((s) => (s > 8 * 3600 && s < 16 * 3600 ? 250 : 150), { stepS: 60, hours: 24, noise: 3 }));
    expect(fs[0]!.data.shape).not.toBe('step');
  });

  it('a step down sampled every 240 s is a step', () => {
    const fs = runDetector(detector, [], series((s) => (s < 20000 ? 300 : 180), { stepS: 240, hours: 24, noise: 2 }));
    expect(fs[0]!.data.shape).toBe('step');
    expect(fs[0]!.severity).toBe('info');
  });

  it('a slow wave without drops is not flat', () => {
    const fs = runDetector(detector, [], series((s) => 150 + 50 * Math.sin((2 * Math.PI * s) / 10800), { stepS: 60, hours: 24, noise: 2 }));
    expect(fs[0]!.data.shape).toBe('irregular');
  });

  it('drops that line up with an hourly job name it', () => {
    const events = periodic('2026-02-01T01:00:30Z', 3600_000, 23, () => ({ message: 'Materialization complete: 42 instances', service: 'app' }));
    const fs = runDetector(detector, events, series(saw(90, 210, 3600), { stepS: 60, hours: 24, noise: 2 }));
    expect(fs[0]!.data.shape).toBe('sawtooth');
    expect(fs[0]!.data.dropsAlignWith).toMatchObject({ template: 'Materialization complete: <*> instances' });
    expect(fs[0]!.rootCause).toContain('Materialization complete');
  });
});

describe('memory-shape building blocks', () => {
  it('despike removes one-sample spikes only', () => {
    const flat = Array.from({ length: 30 }, (_, i) => 100 + (i % 3));
    const spiked = flat.map((v, i) => (i === 12 ? 400 : v));
    expect(despike(spiked)).toEqual(flat.map((v, i) => (i === 12 ? 102 : v)));
    expect(despike([80, 120, 160, 200, 80, 120])).toEqual([80, 120, 160, 200, 80, 120]);
  });

  it('binary segmentation finds one change in a clean step', () => {
    const y = [...Array(20).fill(10), ...Array(30).fill(50)];
    expect(binarySegmentation(y, 1, 5, 3)).toEqual([20]);
  });

  it('a spike at the start is a spike; a fall at the end is kept (it may be a real drop)', () => {
    const flat = Array.from({ length: 30 }, (_, i) => 150 + (i % 2));
    expect(despike([350, ...flat.slice(1, -1), 20])).toEqual([flat[1], ...flat.slice(1, -1), 20]);
  });

  it('a spike in a flat series is not a drop', () => {
    const ts = Array.from({ length: 100 }, (_, i) => T0 + i * 60_000);
    const y = ts.map((_, i) => (i === 50 ? 400 : 150));
    expect(memoryShape(ts, y).shape).toBe('flat');
  });
});
