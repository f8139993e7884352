// Turning one exported series (points of time and value) into MetricSamples in canonical units.
// Shared by the metric formats so that units, counters and bad points are handled the same way.
import type { EventSink } from './format.js';
import type { MeasurementSpec } from './metric-units.js';
import { metricTime, metricValue } from './metric-units.js';
import { epochToMs, parseTimestamp } from './timestamp.js';
import { plural } from '../words.js';

/** Counts of what a series held: samples emitted and points left out (with why). */
export interface SeriesTally {
  samples: number;
  badPoints: number;
}

/**
 * Emits the points of one series. A point is `{ts, value}` (also `time`/`timestamp`, `v`) or
 * `[ts, value]`. Counters (cpu seconds) become rates between consecutive points.
 */
export function emitSeries(
  sink: EventSink,
  spec: MeasurementSpec,
  service: string,
  instance: string | undefined,
  points: readonly unknown[],
  tally: SeriesTally,
): void {
  let prevTs = NaN;
  let prevV = NaN;
  for (const p of points) {
    let rawTs: unknown;
    let rawV: unknown;
    if (Array.isArray(p)) {
      rawTs = p[0];
      rawV = p[1];
    } else if (typeof p === 'object' && p !== null) {
      const o = p as Record<string, unknown>;
      rawTs = o.ts ?? o.time ?? o.timestamp ?? o.date;
      rawV = o.value ?? o.v ?? o.y;
    }
    const ts = metricTime(rawTs, parseTimestamp, epochToMs);
    const v = metricValue(rawV);
    if (ts === null || v === null) {
      tally.badPoints++;
      continue;
    }
    let value: number;
    if (spec.counter) {
      // Rate between this point and the one before; a counter going down was reset (restart).
      const ok = prevTs === prevTs && ts > prevTs && v >= prevV;
      const rate = ok ? (v - prevV) / ((ts - prevTs) / 1000) : NaN;
      prevTs = ts;
      prevV = v;
      if (!ok) continue;
      value = rate * spec.factor;
    } else value = v * spec.factor;
    const sample = { service, measurement: spec.measurement, unit: spec.unit, ts, value: round(value) };
    sink.metric(instance !== undefined ? { ...sample, instance } : sample);
    tally.samples++;
  }
}

/** Reports points left out, once per document, through the sink's warnings. */
export function warnBadPoints(sink: EventSink, what: string, tally: SeriesTally, firstLine: number): void {
  if (tally.badPoints > 0) {
    sink.warn?.(`${plural(tally.badPoints, `${what} point`)} in the document at line ${firstLine} had no usable time or value and ${tally.badPoints === 1 ? 'was' : 'were'} left out`);
  }
}

// Unit conversion makes 0.1 GB into 100.00000000000001 MB; twelve significant digits is plenty.
function round(v: number): number {
  return v === 0 ? 0 : Number(v.toPrecision(12));
}
