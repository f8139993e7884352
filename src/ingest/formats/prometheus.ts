// Prometheus `query_range` (and instant `query`) API responses: `{status, data: {resultType:
// "matrix", result: [{metric: {...}, values: [[ts, "v"], ...]}]}}`. The measurement comes from
// `__name__` (container_memory_working_set_bytes, process_resident_memory_bytes, cpu seconds
// counters...); a query like rate(...) drops `__name__`, so then the file name is the hint
// (`cpu.json`, `memory-api.json`). The service comes from the `service`, `container` or `app` label.
import type { InputFormat, LineParser, ParseContext } from '../format.js';
import { firstLineValue, headText, JsonDocumentReader } from '../json-documents.js';
import { measurementOfName, type MeasurementSpec } from '../metric-units.js';
import { emitSeries, warnBadPoints, type SeriesTally } from '../metric-series.js';
import { basename } from 'node:path';

const SERVICE_LABELS = ['service', 'container', 'app', 'app_kubernetes_io_name', 'container_name'];
const INSTANCE_LABELS = ['pod', 'instance', 'replica'];

/** Measurement implied by a file name such as `cpu-rate.json` or `api_memory_bytes.json`. */
function specFromPath(path: string | undefined): MeasurementSpec | null {
  if (path === undefined || path === '-') return null;
  const b = basename(path).toLowerCase();
  if (/cpu/.test(b)) return { measurement: 'cpu', unit: 'vCPU', factor: 1 };
  const bytes = /bytes/.test(b);
  const factor = bytes ? 1e-6 : /gb/.test(b) ? 1000 : 1;
  if (/mem|rss|working.?set/.test(b)) return { measurement: 'memory', unit: 'MB', factor };
  if (/(tx|transmit|egress|sent)/.test(b)) return { measurement: 'network_tx', unit: 'MB', factor };
  if (/(rx|receive|ingress)/.test(b)) return { measurement: 'network_rx', unit: 'MB', factor };
  if (/(disk|volume|fs_usage)/.test(b)) return { measurement: 'disk', unit: 'MB', factor };
  return null;
}

export const prometheus: InputFormat = {
  id: 'prometheus',
  title: 'Prometheus query_range JSON (the HTTP API response)',
  recognisedBy: 'a JSON document with "data": {"resultType": "matrix" or "vector", "result": [...]}',
  example: '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"container_memory_working_set_bytes","container":"api"},"values":[[1770490800,"125829120"]]}]}}',
  sniff(lines) {
    const text = headText(lines);
    const first = text.trimStart().charCodeAt(0);
    if (first !== 123) return { score: 0, reason: 'not a JSON object' };
    const v = firstLineValue(lines) as { data?: { result?: unknown } } | undefined;
    if (v !== undefined && !(typeof v === 'object' && v !== null && typeof v.data === 'object' && v.data !== null && Array.isArray(v.data.result))) {
      return { score: 0, reason: 'the first line is JSON but not a Prometheus response' };
    }
    if (/"resultType"\s*:\s*"(matrix|vector)"/.test(text)) return { score: 0.95, reason: 'a JSON document with data.resultType matrix/vector (Prometheus API)' };
    if (/"status"\s*:\s*"success"/.test(text) && /"result"\s*:\s*\[/.test(text) && /"metric"\s*:/.test(text)) {
      return { score: 0.9, reason: 'a JSON document with status, data.result and metric labels (Prometheus API)' };
    }
    return { score: 0, reason: 'no Prometheus resultType' };
  },
  create(ctx: ParseContext): LineParser {
    const { sink } = ctx;
    const pathSpec = specFromPath(ctx.path);
    const reader = new JsonDocumentReader(sink, 'Prometheus', (doc) => {
      const o = doc.value as Record<string, unknown> | null;
      if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'Prometheus response is not a JSON object';
      if (o.status === 'error') return `Prometheus response is an error: ${String(o.error ?? o.errorType ?? 'no message')}`;
      const data = o.data as Record<string, unknown> | undefined;
      const result = data && typeof data === 'object' ? data.result : undefined;
      if (!Array.isArray(result)) return 'Prometheus response without data.result';
      const tally: SeriesTally = { samples: 0, badPoints: 0 };
      let unnamed = 0;
      for (const r of result) {
        if (typeof r !== 'object' || r === null) continue;
        const rr = r as Record<string, unknown>;
        const labels = (typeof rr.metric === 'object' && rr.metric !== null ? rr.metric : {}) as Record<string, unknown>;
        const name = typeof labels.__name__ === 'string' ? labels.__name__ : null;
        const spec = name !== null ? measurementOfName(name) : pathSpec;
        if (spec === null) {
          unnamed++;
          continue;
        }
        let service = ctx.service;
        for (const l of SERVICE_LABELS) {
          const v = labels[l];
          if (typeof v === 'string' && v.length > 0 && v !== 'POD') {
            service = v;
            break;
          }
        }
        let instance: string | undefined;
        for (const l of INSTANCE_LABELS) {
          const v = labels[l];
          if (typeof v === 'string' && v.length > 0) {
            instance = v;
            break;
          }
        }
        const points = Array.isArray(rr.values) ? rr.values : Array.isArray(rr.value) ? [rr.value] : [];
        emitSeries(sink, spec, service, instance, points, tally);
      }
      warnBadPoints(sink, 'Prometheus', tally, doc.firstLine);
      if (unnamed > 0) {
        sink.warn?.(
          `${unnamed} Prometheus series had no __name__ (a rate() or sum() query) and the file name does not say the measurement; ` +
            'name the file after it (cpu.json, memory.json) to read them',
        );
      }
      if (tally.samples === 0 && unnamed === 0 && result.length > 0 && tally.badPoints === 0) return 'Prometheus response with no usable series';
      return null;
    });
    return { line: (text, n) => reader.line(text, n), end: () => reader.end() };
  },
};
