// The shape of each service's memory: sawtooth, leak, step, flat (or irregular), from the metric
// series alone (memory-shape.ts holds the algorithm), with drops checked against the container
// starts and stops in the logs (lifecycle.ts): a "sawtooth" whose every drop is a restart is a
// leak cut short by restarts. For a sawtooth, drops that line up with a recurring log template
// (an hourly job finishing) name the likely source. One finding per service with memory data.
import type { Evidence, Finding, FindingSeverity, MetricSeries } from '../model.js';
import type { TimelineSummary, TemplateSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { clockOf, humanDuration, isoSeconds } from '../words.js';
import { LIFECYCLE_INTERESTS, classifyLifecycle, lifecycleOf } from './shared/lifecycle.js';
import { memoryShape, DEFAULT_SHAPE_OPTIONS, type MemoryShape, type ShapeResult, type Drop } from './shared/memory-shape.js';
import { sumSameTimestamps } from './shared/series.js';
import { num } from '../words.js';

const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

/** Restart instants (starts and stops) of the service a series belongs to (names compared case-insensitively). */
function restartsOf(t: TimelineSummary, service: string): number[] {
  const want = service.toLowerCase();
  return lifecycleOf(t)
    .transitions.filter((x) => x.service.toLowerCase() === want)
    .map((x) => x.ts);
}

function countNear(times: Float64Array, at: number, w: number): boolean {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < at - w) lo = mid + 1;
    else hi = mid;
  }
  return lo < times.length && times[lo]! <= at + w;
}

/**
 * The log template whose events fall at the drops far more often than chance: at least 60% of the
 * drops (and 3) within one sample interval, and at least three times the hits its rate would give.
 */
function templateAtDrops(t: TimelineSummary, drops: readonly Drop[], windowMs: number): { template: TemplateSummary; hits: number } | null {
  if (drops.length < 3 || t.window.start === null || t.window.end === null) return null;
  const span = Math.max(1, t.window.end - t.window.start);
  let best: { template: TemplateSummary; hits: number } | null = null;
  for (const tpl of t.templates) {
    if (tpl.times.length < drops.length / 2 || tpl.times.length > drops.length * 4) continue;
    // Restarts are reported as such, not as a job.
    if (tpl.source === 'platform' || (tpl.examples[0] !== undefined && classifyLifecycle(tpl.examples[0].text) !== null)) continue;
    let hits = 0;
    for (const d of drops) if (countNear(tpl.times, (d.fromTs + d.toTs) / 2, windowMs + (d.toTs - d.fromTs) / 2)) hits++;
    const expected = drops.length * Math.min(1, (tpl.times.length * 2 * windowMs) / span);
    if (hits >= 3 && hits >= 0.6 * drops.length && hits >= 3 * expected && (best === null || hits > best.hits)) best = { template: tpl, hits };
  }
  return best;
}

function periodText(s: number): string {
  return s % 3600 === 0 ? `${s / 3600} h` : humanDuration(s * 1000);
}

function titleOf(r: ShapeResult): string {
  const range = `${round(r.minMb)}–${round(r.maxMb)} MB`;
  switch (r.shape) {
    case 'sawtooth':
      return `Memory Sawtooth (${range}, every ${periodText(r.periodSeconds!)})` + (r.leaking ? ', Troughs Rising' : '');
    case 'leak':
      return `Memory Leak (+${round(r.slopeMbPerHour!, 1)} MB/h, ${range})`;
    case 'step':
      return `Memory Step (${r.steps.map((s) => `${round(s.fromMb)} → ${round(s.toMb)} MB`).join(', ')})`;
    case 'irregular':
      return `Memory Irregular (${range})`;
    default:
      return `Memory Flat (~${round(r.meanMb)} MB)`;
  }
}

function severityOf(r: ShapeResult): FindingSeverity {
  if (r.shape === 'leak') return 'high';
  if (r.shape === 'sawtooth') return r.leaking ? 'medium' : 'low';
  if (r.shape === 'step') return r.steps.some((s) => s.toMb > s.fromMb) ? 'low' : 'info';
  return 'info';
}

function metricEvidence(service: string, ts: number, text: string): Evidence {
  return { timestamp: new Date(ts).toISOString(), service, location: `metrics:${service}/memory`, text };
}

/** The `data` of a memory-sawtooth finding (its numbers, for the reports and the JSON). */
export type MemorySawtoothData = {
  service: string;
  shape: MemoryShape;
  minMb: number;
  maxMb: number;
  meanMb: number;
  periodSeconds: number | null;
  cycles: number;
  troughTrendMbPerHour: number | null;
  drops: number;
  dropsAtRestarts: number;
  amplitudeMb: number | null;
  riseMbPerHour: number | null;
  leaking: boolean;
  slopeMbPerHour: number | null;
  steps: {
    timestamp: string;
    fromMb: number;
    toMb: number;
  }[];
  dropsAlignWith: {
    template: string;
    hits: number;
  } | null;
  samples: number;
  sampleSeconds: number;
  limitMb: number | null;
  hoursToLimit: number | null;
};

export const memorySawtooth = defineDetector({
  meta: {
    id: 'memory-sawtooth',
    title: 'Memory shape',
    report: {
      dashboard: { memory: (f: Finding<MemorySawtoothData>) => f.data },
      summaryLabel: (fs: Finding<MemorySawtoothData>[]) => `memory ${fs[0]!.data.shape}`,
      summaryDetail: (fs: Finding<MemorySawtoothData>[]) => {
        const { minMb, maxMb, service } = fs[0]!.data;
        return `${num(minMb, 0)}-${num(maxMb, 0)} MB${service ? ` in ${service}` : ''}`;
      },
    },
    explanation:
      'Classifies each service\'s memory series as sawtooth (repeated climbs and drops), leak (a steady climb, reset only by restarts), ' +
      'step (a level change), flat or irregular, with the cycle period, amplitude and trough trend. Drops are checked against container ' +
      'restarts in the logs, and a sawtooth\'s drops against recurring log lines. Memory is usually the largest line of a Railway bill.',
    defaults: {
      minSamples: 12,
      minDrops: DEFAULT_SHAPE_OPTIONS.minDrops,
      maxAmplitudeCv: DEFAULT_SHAPE_OPTIONS.maxAmplitudeCv,
      minCycleR2: DEFAULT_SHAPE_OPTIONS.minCycleR2,
      leakyTroughShare: DEFAULT_SHAPE_OPTIONS.leakyTroughShare,
      minLeakR2: DEFAULT_SHAPE_OPTIONS.minLeakR2,
      minLeakRiseShare: DEFAULT_SHAPE_OPTIONS.minLeakRiseShare,
      restartDropShare: DEFAULT_SHAPE_OPTIONS.restartDropShare,
    },
    optionDocs: {
      minSamples: 'memory samples a service needs before its shape is judged',
      minDrops: 'drops (falls beyond max(5σ, 25% of the range)) needed for a sawtooth',
      maxAmplitudeCv: 'largest coefficient of variation of the cycle amplitudes for a sawtooth',
      minCycleR2: 'smallest median R² of the climb within a cycle for a sawtooth',
      leakyTroughShare: 'trough rise over the series, as a share of the amplitude, that makes a sawtooth leaky (with |t| ≥ 3)',
      minLeakR2: 'smallest R² of the climb for a leak',
      minLeakRiseShare: 'smallest total climb of a leak, as a share of the mean level',
      restartDropShare: 'share of drops at container restarts above which a sawtooth is read as a leak reset by restarts',
    },
    interests: [...LIFECYCLE_INTERESTS],
  },
  detect(t, o): DetectedFinding<MemorySawtoothData>[] {
    const findings: DetectedFinding<MemorySawtoothData>[] = [];
    const series = t.metrics.filter((m: MetricSeries) => m.measurement === 'memory' && m.ts.length >= o.minSamples);
    for (const raw of series) {
      const s = { ...raw, ...sumSameTimestamps(raw.ts, raw.values) };
      if (s.ts.length < o.minSamples) continue;
      const restarts = restartsOf(t, s.service);
      const r = memoryShape(s.ts, s.values, restarts, o);
      const limit = t.metrics.find((m) => m.measurement === 'memory_limit' && m.service === s.service && m.values.length > 0);
      findings.push(findingOf(t, s, r, restarts.length, limit ? limit.values[limit.values.length - 1]! : null));
    }
    return findings;
  },
});

function findingOf(t: TimelineSummary, s: MetricSeries, r: ShapeResult, restartCount: number, limitMb: number | null): DetectedFinding<MemorySawtoothData> {
  const service = s.service;
  const first = s.ts[0]!;
  const last = s.ts[s.ts.length - 1]!;
  // Time until the memory limit at the current growth: the leak's slope, or a leaky sawtooth's peaks rising with its troughs.
  const growth = r.shape === 'leak' ? r.slopeMbPerHour : r.shape === 'sawtooth' && r.leaking ? r.troughTrendMbPerHour : null;
  const now = r.shape === 'sawtooth' ? r.maxMb : s.values[s.values.length - 1]!;
  const hoursToLimit = limitMb !== null && growth !== null && growth > 0 && limitMb > now ? (limitMb - now) / growth : null;
  const limitText = hoursToLimit !== null ? ` At this rate it reaches the ${round(limitMb!)} MB limit in about ${humanDuration(hoursToLimit * 3600_000)}.` : '';
  const span = humanDuration(last - first);
  const sampling = `${r.samples} samples every ${humanDuration(r.sampleSeconds * 1000)} over ${span}`;
  const evidence: Evidence[] = [];
  let pattern: string;
  let rootCause: string;
  let impact: string;
  let recommendation: string;
  let timing: string | undefined;
  let linked: { template: TemplateSummary; hits: number } | null = null;
  const restartNote =
    restartCount === 0
      ? 'No container start or stop of this service is in the logs, so drops could not be checked against restarts.'
      : `${r.dropsAtRestarts} of ${r.drops.length} drops fall at a container start or stop (${restartCount} in the logs).`;
  switch (r.shape) {
    case 'sawtooth': {
      linked = templateAtDrops(t, r.drops, r.sampleSeconds * 1000);
      for (const d of r.drops.slice(0, 3)) evidence.push(metricEvidence(service, d.toTs, `memory ${round(d.fromMb, 1)} MB → ${round(d.toMb, 1)} MB`));
      pattern =
        `Memory climbs about ${round(r.riseMbPerHour!, 1)} MB/h from ~${round(r.minMb)} MB to ~${round(r.maxMb)} MB, then drops by ~${round(r.amplitudeMb!)} MB: ` +
        `${r.drops.length} drops, ${r.cycles} complete cycles, period ${periodText(r.periodSeconds!)}` +
        `${r.periodCv !== null && r.periodCv <= 0.3 ? ' (regular)' : ` (irregular, CV ${r.periodCv})`}; troughs move ${r.troughTrendMbPerHour} MB/h. ${restartNote}`;
      rootCause =
        (r.leaking
          ? 'Hypothesis: objects accumulate between collections and some survive each one (a leak under the sawtooth): the troughs climb. '
          : 'Hypothesis: objects accumulate between garbage-collection or cache-expiry cycles and are released together: a batch job loading many rows into one ORM session, ' +
            'session identity maps kept alive (`expire_on_commit=False`), in-memory caches with a TTL. ') +
        (linked !== null
          ? `Evidence: ${linked.hits} of ${r.drops.length} drops coincide with "${linked.template.text}" (${linked.template.count} occurrences), which points at that job. `
          : '') +
        `Evidence: ${r.reason}.`;
      impact =
        `The service is billed for its peaks: it holds ~${round(r.amplitudeMb!)} MB more than its floor for much of each cycle` +
        (r.leaking ? `, and the floor itself rises ${r.troughTrendMbPerHour} MB/h, which ends in an out-of-memory kill if nothing restarts it.` : '.') +
        limitText;
      recommendation =
        'Bound what one cycle can hold: process batch jobs in pages with a fresh session per page, expire or clear sessions after commit, cap caches by size; ' +
        'for CPython, `gc.collect()` after a batch and `MALLOC_ARENA_MAX=2` reduce the peak; verify with a memory profiler (memray, tracemalloc) around the job.';
      timing = `Drops at ${r.drops.slice(0, 8).map((d) => clockOf(d.toTs).slice(0, 5)).join(', ')}${r.drops.length > 8 ? ', …' : ''} (UTC), every ~${periodText(r.periodSeconds!)}.`;
      break;
    }
    case 'leak': {
      evidence.push(metricEvidence(service, first, `memory ${round(s.values[0]!, 1)} MB`), metricEvidence(service, last, `memory ${round(s.values[s.values.length - 1]!, 1)} MB`));
      for (const d of r.drops.slice(0, 3)) evidence.push(metricEvidence(service, d.toTs, `memory ${round(d.fromMb, 1)} MB → ${round(d.toMb, 1)} MB at a restart`));
      pattern = `Memory climbs steadily at ${r.slopeMbPerHour} MB/h (R² ${r.slopeR2}) from ~${round(r.minMb)} MB to ~${round(r.maxMb)} MB. ${restartNote}`;
      rootCause = `Hypothesis: a memory leak: something grows with every request or job run and is never released (an unbounded cache or list, sessions not closed, listeners re-registered). Evidence: ${r.reason}.`;
      impact = `Each day of uptime adds ~${round(r.slopeMbPerHour! * 24)} MB to what is held and billed; the service ends in an out-of-memory kill unless a deploy restarts it first.${limitText}`;
      recommendation = 'Take two heap snapshots hours apart (memray/tracemalloc for Python, --inspect heap snapshots for Node) and diff them; bound caches (LRU with a size); close sessions and clients per request.';
      timing = `From ${isoSeconds(first)} to ${isoSeconds(last)}.`;
      break;
    }
    case 'step': {
      for (const st of r.steps) evidence.push(metricEvidence(service, st.ts, `memory level ${round(st.fromMb, 1)} MB → ${round(st.toMb, 1)} MB`));
      pattern = `${r.reason[0]!.toUpperCase()}${r.reason.slice(1)} (${sampling}).`;
      rootCause =
        'Hypothesis: a change of configuration or workload at that moment (a deploy with more workers or a larger cache, a new feature, a traffic change), not a leak: the level is flat on each side. ' +
        restartNote;
      impact = r.steps.some((x) => x.toMb > x.fromMb) ? 'The higher level is billed from then on.' : 'Memory use fell: the lower level is what is billed now.';
      recommendation = 'Match the step time against deploys and configuration changes; if the new level was not intended, compare the two versions\' worker counts and cache settings.';
      timing = `At ${r.steps.map((x) => isoSeconds(x.ts)).join(', ')}.`;
      break;
    }
    default: {
      evidence.push(metricEvidence(service, first, `memory ${round(r.minMb, 1)}–${round(r.maxMb, 1)} MB, mean ${round(r.meanMb, 1)} MB over ${span}`));
      pattern = `${r.reason[0]!.toUpperCase()}${r.reason.slice(1)}; ${round(r.minMb)}–${round(r.maxMb)} MB, mean ${round(r.meanMb)} MB (${sampling}).`;
      rootCause = r.shape === 'flat' ? 'Stable memory use: nothing accumulates.' : `No single shape fits: ${r.reason}. ${restartNote}`;
      impact = r.shape === 'flat' ? 'None beyond the steady level that is billed.' : 'Unclear; the swings cost their peak memory.';
      recommendation = r.shape === 'flat' ? 'Nothing to do.' : 'Look at the series with a finer sample rate (shorter window) before drawing conclusions.';
    }
  }
  return {
    about: service,
    severity: severityOf(r),
    title: titleOf(r),
    summary: `${service}: memory is ${r.shape === 'sawtooth' && r.leaking ? 'a leaky sawtooth' : r.shape} between ${round(r.minMb)} and ${round(r.maxMb)} MB (mean ${round(r.meanMb)} MB) over ${span}.`,
    pattern,
    rootCause,
    impact,
    ...(timing !== undefined ? { timing } : {}),
    recommendation,
    evidence,
    data: {
      service,
      shape: r.shape,
      minMb: round(r.minMb, 1),
      maxMb: round(r.maxMb, 1),
      meanMb: round(r.meanMb, 1),
      periodSeconds: r.shape === 'sawtooth' || r.shape === 'irregular' ? r.periodSeconds : null,
      cycles: r.cycles,
      troughTrendMbPerHour: r.troughTrendMbPerHour,
      drops: r.drops.length,
      dropsAtRestarts: r.dropsAtRestarts,
      amplitudeMb: r.amplitudeMb,
      riseMbPerHour: r.riseMbPerHour,
      leaking: r.leaking,
      slopeMbPerHour: r.slopeMbPerHour,
      steps: r.steps.map((x) => ({ timestamp: isoSeconds(x.ts), fromMb: x.fromMb, toMb: x.toMb })),
      dropsAlignWith: linked !== null ? { template: linked.template.text, hits: linked.hits } : null,
      samples: r.samples,
      sampleSeconds: r.sampleSeconds,
      limitMb: limitMb === null ? null : round(limitMb, 1),
      hoursToLimit: hoursToLimit === null ? null : round(hoursToLimit, 1),
    },
  };
}
