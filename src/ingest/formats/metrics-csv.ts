// Metrics as CSV: a header with a timestamp column and one column per measurement, the unit in
// the column name (`timestamp,memory_mb,cpu_vcpu,network_tx_mb`), optionally a service column.
// Comma, semicolon or tab separated; times ISO 8601 or Unix seconds/milliseconds.
import type { InputFormat, LineParser, ParseContext } from '../format.js';
import type { MeasurementSpec } from '../metric-units.js';
import { isCanonical, measurementOfName, metricTime, metricValue } from '../metric-units.js';
import { redactSecrets } from '../../redact.js';
import { epochToMs, parseTimestamp } from '../timestamp.js';
import { plural } from '../../words.js';

const TIME_COLUMNS = new Set(['timestamp', 'time', 'ts', 'date', 'datetime', '@timestamp', 'time_utc', 'timestamp_utc', 'date_time', 'period', 'bucket']);
const SERVICE_COLUMNS = new Set(['service', 'service_name', 'servicename', 'app', 'application', 'container']);
const INSTANCE_COLUMNS = new Set(['instance', 'replica', 'deployment_instance_id', 'deploymentinstanceid', 'pod', 'dyno']);

interface Header {
  sep: string;
  time: number;
  service: number;
  instance: number;
  /** Column index → spec, for measurement columns. */
  columns: (MeasurementSpec | null)[];
  canonical: number;
}

/** Splits a CSV line; double-quoted fields may hold the separator and doubled quotes. */
export function splitCsv(line: string, sep: string): string[] {
  if (line.indexOf('"') === -1) return line.split(sep);
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i <= n) {
    if (line.charCodeAt(i) === 34) {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q === -1) {
          v += line.slice(i);
          i = n;
          break;
        }
        v += line.slice(i, q);
        if (line.charCodeAt(q + 1) === 34) {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(v);
      const s = line.indexOf(sep, i);
      i = s === -1 ? n + 1 : s + sep.length;
    } else {
      const s = line.indexOf(sep, i);
      if (s === -1) {
        out.push(line.slice(i));
        break;
      }
      out.push(line.slice(i, s));
      i = s + sep.length;
    }
  }
  return out;
}

/** Longest line read as a header: sniffing a metrics JSON export (one line of megabytes) as CSV split it into tens of thousands of columns. */
const MAX_HEADER_CHARS = 16 * 1024;

/** Reads a header line; null when it has no time column or no measurement column. */
export function parseHeader(line: string): Header | null {
  if (line.length > MAX_HEADER_CHARS) return null;
  const clean = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  let best: Header | null = null;
  let bestCells: string[] = [];
  for (const sep of [',', ';', '\t']) {
    if (clean.indexOf(sep) === -1) continue;
    const cells = splitCsv(clean, sep).map((c) => c.trim());
    const h: Header = { sep, time: -1, service: -1, instance: -1, columns: [], canonical: 0 };
    cells.forEach((cell, i) => {
      const name = cell.toLowerCase();
      h.columns.push(null);
      if (h.time === -1 && TIME_COLUMNS.has(name)) h.time = i;
      else if (h.service === -1 && SERVICE_COLUMNS.has(name)) h.service = i;
      else if (h.instance === -1 && INSTANCE_COLUMNS.has(name)) h.instance = i;
      else {
        const spec = measurementOfName(name);
        if (spec !== null) {
          h.columns[i] = spec;
          if (isCanonical(spec)) h.canonical++;
        }
      }
    });
    if (h.time !== -1 && h.canonical > 0 && (best === null || h.canonical > best.canonical)) {
      best = h;
      bestCells = cells;
    }
  }
  // Other columns' names become measurements' names, lower case: from the name redacted first,
  // while a token in it still has its shape.
  if (best !== null) {
    for (let i = 0; i < best.columns.length; i++) {
      const spec = best.columns[i];
      if (spec !== null && spec !== undefined && !isCanonical(spec)) best.columns[i] = measurementOfName(redactSecrets(bestCells[i]!));
    }
  }
  return best;
}

export const metricsCsv: InputFormat = {
  id: 'metrics-csv',
  title: 'Metrics as CSV (a time column and one column per measurement)',
  recognisedBy: 'a CSV header with a timestamp/time column and measurement columns with units (memory_mb, cpu_vcpu, network_tx_mb, disk_gb, ...)',
  example: 'timestamp,service,memory_mb,cpu_vcpu,network_tx_mb\n2026-02-07T19:00:00Z,api,131.2,0.04,0.8',
  sniff(lines) {
    const first = lines.find((l) => l.trim().length > 0);
    if (first === undefined) return { score: 0, reason: 'empty' };
    const h = parseHeader(first);
    if (h === null) return { score: 0, reason: 'no CSV header with a time column and a measurement column' };
    return { score: 0.9, reason: `a CSV header with a time column and ${plural(h.canonical, 'measurement column')}` };
  },
  create(ctx: ParseContext): LineParser {
    const { sink } = ctx;
    let header: Header | null = null;
    return {
      line(text, lineNo) {
        if (text.trim().length === 0) {
          sink.consume(1);
          return;
        }
        if (header === null) {
          header = parseHeader(text);
          if (header === null) sink.skip(lineNo, 'expected a CSV header with a time column and measurement columns', text);
          else sink.consume(1);
          return;
        }
        const cells = splitCsv(text, header.sep);
        const ts = metricTime(cells[header.time], parseTimestamp, epochToMs);
        if (ts === null) {
          // A repeated header (files concatenated) is consumed, not an error.
          const again = parseHeader(text);
          if (again !== null) {
            header = again;
            sink.consume(1);
          } else sink.skip(lineNo, `no usable time in column ${header.time + 1}`, text);
          return;
        }
        const service = header.service !== -1 && cells[header.service] ? cells[header.service]!.trim() || ctx.service : ctx.service;
        const instance = header.instance !== -1 && cells[header.instance] ? cells[header.instance]!.trim() || undefined : undefined;
        let bad = 0;
        let used = 0;
        for (let i = 0; i < header.columns.length; i++) {
          const spec = header.columns[i];
          if (!spec) continue;
          const cell = cells[i];
          if (cell === undefined || cell.trim().length === 0) continue;
          const v = metricValue(cell);
          if (v === null) {
            bad++;
            continue;
          }
          const value = Number((v * spec.factor).toPrecision(12));
          const sample = { service, measurement: spec.measurement, unit: spec.unit, ts, value };
          sink.metric(instance !== undefined ? { ...sample, instance } : sample);
          used++;
        }
        if (used === 0 && bad > 0) sink.skip(lineNo, 'no numeric value in the measurement columns', text);
        else sink.consume(1);
      },
      end() {},
    };
  },
};
