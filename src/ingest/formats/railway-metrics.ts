// `railway metrics --raw --json`: `{service, environment, window, measurements: {MEMORY_USAGE_GB:
// [{ts, value}], CPU_USAGE: [...], ...}}`, pretty-printed or not, possibly one document per service;
// and the GraphQL `metrics` shape `[{measurement, tags, values: [{ts, value}]}]` (also wrapped in
// `{data: {metrics: [...]}}`). Times are Unix seconds or ISO 8601; values are converted to MB / vCPU.
import type { InputFormat, LineParser, ParseContext } from '../format.js';
import { firstLineValue, headText, JsonDocumentReader } from '../json-documents.js';
import { measurementOfName } from '../metric-units.js';
import { emitSeries, warnBadPoints, type SeriesTally } from '../metric-series.js';

const RAILWAY_NAME = /"(MEMORY_USAGE_GB|CPU_USAGE|NETWORK_TX_GB|NETWORK_RX_GB|DISK_USAGE_GB|EPHEMERAL_DISK_USAGE_GB|MEMORY_LIMIT_GB|CPU_LIMIT|BACKUP_USAGE_GB|CPU_USAGE_2)"/;

function serviceOf(v: unknown): string | null {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    if (typeof o.name === 'string' && o.name.length > 0) return o.name;
  }
  return null;
}

function stringTag(tags: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = tags[n];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return undefined;
}

export const railwayMetrics: InputFormat = {
  id: 'railway-metrics',
  title: 'Railway metrics (railway metrics --raw --json, or the GraphQL metrics query)',
  recognisedBy: 'a JSON document with "measurements" keyed by Railway measurement names (MEMORY_USAGE_GB, CPU_USAGE, ...), or a list of {"measurement", "values"}',
  example: '{"service":"api","environment":"production","window":"7d","measurements":{"MEMORY_USAGE_GB":[{"ts":1770490800,"value":0.12}],"CPU_USAGE":[{"ts":1770490800,"value":0.02}]}}',
  sniff(lines) {
    const text = headText(lines);
    const first = text.trimStart().charCodeAt(0);
    if (first !== 123 && first !== 91) return { score: 0, reason: 'not JSON' };
    if (!RAILWAY_NAME.test(text)) return { score: 0, reason: 'no Railway measurement names' };
    // A compact first line must itself be a metrics document (not a log line that mentions one).
    const v = firstLineValue(lines);
    if (v !== undefined && !isMetricsValue(v)) return { score: 0, reason: 'the first line is JSON but not a metrics document' };
    if (text.indexOf('"measurements"') !== -1) return { score: 0.95, reason: 'a JSON document with "measurements" keyed by Railway measurement names' };
    if (text.indexOf('"measurement"') !== -1) return { score: 0.95, reason: 'a JSON list of {"measurement", "values"} with Railway measurement names (GraphQL metrics)' };
    return { score: 0, reason: 'Railway measurement names but neither "measurements" nor "measurement"' };
  },
  create(ctx: ParseContext): LineParser {
    const { sink } = ctx;
    const reader = new JsonDocumentReader(sink, 'Railway metrics', (doc) => {
      const tally: SeriesTally = { samples: 0, badPoints: 0 };
      const seen = readDocument(doc.value, ctx, tally);
      warnBadPoints(sink, 'metric', tally, doc.firstLine);
      if (!seen) return 'JSON document without Railway measurements ("measurements" or a list of {"measurement", "values"})';
      return null;
    });
    return { line: (text, n) => reader.line(text, n), end: () => reader.end() };
  },
};

/** Whether a parsed value has one of the accepted shapes (for sniffing). */
function isMetricsValue(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0 && isMetricsValue(v[0]);
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  if (typeof o.data === 'object' && o.data !== null && 'metrics' in o.data) return true;
  return (typeof o.measurements === 'object' && o.measurements !== null) || (typeof o.measurement === 'string' && Array.isArray(o.values));
}

/** Reads any of the accepted shapes; returns false when the value holds none of them. */
function readDocument(v: unknown, ctx: ParseContext, tally: SeriesTally): boolean {
  if (Array.isArray(v)) {
    let any = false;
    for (const item of v) any = readDocument(item, ctx, tally) || any;
    return any;
  }
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  // GraphQL response wrapper.
  if (typeof o.data === 'object' && o.data !== null && 'metrics' in o.data) return readDocument((o.data as Record<string, unknown>).metrics, ctx, tally);
  const service = serviceOf(o.service) ?? serviceOf(o.serviceName) ?? ctx.service;
  if (typeof o.measurements === 'object' && o.measurements !== null) {
    const ms = o.measurements as Record<string, unknown>;
    let any = false;
    if (Array.isArray(ms)) {
      // `measurements: [{measurement, values}]`
      for (const item of ms) any = readSeriesObject(item, service, ctx, tally) || any;
      return any;
    }
    for (const name of Object.keys(ms)) {
      const spec = measurementOfName(name);
      const points = ms[name];
      if (spec === null || !Array.isArray(points)) continue;
      emitSeries(ctx.sink, spec, service, undefined, points, tally);
      any = true;
    }
    return any;
  }
  return readSeriesObject(o, service, ctx, tally);
}

function readSeriesObject(v: unknown, service: string, ctx: ParseContext, tally: SeriesTally): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  if (typeof o.measurement !== 'string' || !Array.isArray(o.values)) return false;
  const spec = measurementOfName(o.measurement);
  if (spec === null) return false;
  const tags = typeof o.tags === 'object' && o.tags !== null ? (o.tags as Record<string, unknown>) : {};
  const svc = stringTag(tags, 'serviceName', 'service') ?? service;
  const instance = stringTag(tags, 'deploymentInstanceId', 'DEPLOYMENT_INSTANCE_ID');
  emitSeries(ctx.sink, spec, svc, instance, o.values, tally);
  return true;
}
