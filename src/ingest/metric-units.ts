// Metric names as exports write them (`MEMORY_USAGE_GB`, `memory_mb`, `cpu_vcpu`,
// `container_memory_working_set_bytes`) mapped to hindsight's canonical measurements and units:
// memory, disk and network in MB (decimal, 1 GB = 1000 MB), cpu in vCPU.
import type { Measurement } from '../model.js';

/** What a metric name means: the canonical measurement, its unit, and the factor to get there. */
export interface MeasurementSpec {
  measurement: Measurement;
  unit: string;
  /** Multiply a raw value by this to get `unit`. */
  factor: number;
  /** The raw value is a cumulative counter (cpu seconds): the rate between samples is the value. */
  counter?: boolean;
}

// Size units to MB (decimal, as Railway bills: 1 GB = 1000 MB).
const SIZE_FACTORS: Record<string, number> = {
  b: 1e-6, byte: 1e-6, bytes: 1e-6,
  kb: 1e-3, kib: 1.024e-3,
  mb: 1, mib: 1.048576, megabytes: 1,
  gb: 1000, gib: 1073.741824, gigabytes: 1000,
  tb: 1e6, tib: 1099511.627776,
};

// CPU units to vCPU.
const CPU_FACTORS: Record<string, number> = {
  vcpu: 1, vcpus: 1, cores: 1, core: 1, cpus: 1,
  millicores: 1e-3, mcpu: 1e-3, millicpu: 1e-3, m: 1e-3,
  percent: 0.01, pct: 0.01, '%': 0.01,
};

const SIZE_KINDS: Record<string, Measurement> = {
  memory: 'memory', mem: 'memory', memory_usage: 'memory', mem_usage: 'memory', memory_used: 'memory',
  memory_rss: 'memory', rss: 'memory', memory_working_set: 'memory', memory_total: 'memory', resident_memory: 'memory',
  network_tx: 'network_tx', net_tx: 'network_tx', tx: 'network_tx', egress: 'network_tx', network_out: 'network_tx',
  network_egress: 'network_tx', network_transmit: 'network_tx', bytes_sent: 'network_tx', sent: 'network_tx',
  network_rx: 'network_rx', net_rx: 'network_rx', rx: 'network_rx', ingress: 'network_rx', network_in: 'network_rx',
  network_ingress: 'network_rx', network_receive: 'network_rx', bytes_received: 'network_rx', received: 'network_rx',
  disk: 'disk', disk_usage: 'disk', disk_used: 'disk', volume: 'disk', volume_usage: 'disk', storage: 'disk',
};

const CPU_KINDS = new Set(['cpu', 'cpu_usage', 'cpu_used', 'cpu_utilization', 'cpu_util']);

/**
 * Canonical measurement of a metric name whose unit is part of the name (`memory_mb`,
 * `MEMORY_USAGE_GB`, `cpu_vcpu`, `network_tx_mb`, `Memory (MiB)`). Names that are not one of the
 * canonical measurements pass through lower-cased, with size units still converted to MB.
 * Returns null for an empty name.
 */
export function measurementOfName(name: string): MeasurementSpec | null {
  const tokens = name
    .toLowerCase()
    .replace(/%/g, '_%_')
    .split(/[^a-z0-9%]+/)
    .filter((t) => t.length > 0);
  if (tokens.length === 0) return null;
  let unitToken: string | null = null;
  const last = tokens[tokens.length - 1]!;
  if (tokens.length > 1 && (SIZE_FACTORS[last] !== undefined || CPU_FACTORS[last] !== undefined)) {
    unitToken = last;
    tokens.pop();
  }
  // `cpu_usage_seconds_total`, `process_cpu_seconds_total`: a counter of cpu seconds.
  const joinedAll = tokens.join('_');
  if (/(^|_)cpu(_usage)?_seconds(_total)?$/.test(joinedAll)) return { measurement: 'cpu', unit: 'vCPU', factor: 1, counter: true };
  // Prometheus-style names carry a subsystem before the measurement (`container_memory_working_set`).
  const kindTokens = tokens[0] === 'container' || tokens[0] === 'process' || tokens[0] === 'node' ? tokens.slice(1) : tokens;
  const kind = kindTokens.join('_');
  if (CPU_KINDS.has(kind) || (kindTokens[0] === 'cpu' && kindTokens.length === 1)) {
    const f = unitToken !== null ? CPU_FACTORS[unitToken] : 1;
    if (f !== undefined) return { measurement: 'cpu', unit: 'vCPU', factor: f };
  }
  const sizeKind = SIZE_KINDS[kind];
  if (sizeKind !== undefined) {
    const f = unitToken !== null ? SIZE_FACTORS[unitToken] : 1;
    if (f !== undefined) return { measurement: sizeKind, unit: 'MB', factor: f };
  }
  // Not canonical: keep the name, convert sizes so that MB stays the one size unit.
  if (unitToken !== null && SIZE_FACTORS[unitToken] !== undefined) return { measurement: kind, unit: 'MB', factor: SIZE_FACTORS[unitToken]! };
  // A cpu unit on something that is not cpu is part of the name (`uptime_m`).
  return { measurement: unitToken !== null ? kind + '_' + unitToken : kind, unit: '', factor: 1 };
}

/** Whether a spec is one of the canonical measurements (memory, cpu, network_tx, network_rx, disk). */
export function isCanonical(spec: MeasurementSpec): boolean {
  return spec.measurement === 'memory' || spec.measurement === 'cpu' || spec.measurement === 'network_tx' || spec.measurement === 'network_rx' || spec.measurement === 'disk';
}

/** Epoch ms of a metric timestamp: Unix seconds (or ms/ns, by size), a numeric string, or ISO 8601. */
export function metricTime(v: unknown, parseIso: (s: string) => number | null, epochToMs: (n: number) => number): number | null {
  if (typeof v === 'number') return epochOrNull(epochToMs(v));
  if (typeof v === 'string') {
    const s = v.trim();
    if (s.length === 0) return null;
    const c = s.charCodeAt(0);
    if (c >= 48 && c <= 57 && s.length >= 5 && s.charCodeAt(4) !== 45) {
      return epochOrNull(epochToMs(Number(s)));
    }
    return parseIso(s);
  }
  return null;
}

/** epochToMs answers NaN for a number that is no time (out of range, or not finite). */
function epochOrNull(ms: number): number | null {
  return ms === ms ? ms : null;
}

/** A finite number from a JSON value or numeric string, or null. */
export function metricValue(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim().length > 0) {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/**
 * Largest plausible value of a sample, by unit: a petabyte in MB, a hundred thousand vCPU. Beyond
 * it (or below zero, for the sizes and CPU that cannot be negative) a sample is a broken export,
 * and the report printed it as "-500--201 MB" or "3.0,000,...e+303 MB".
 */
const MAX_PLAUSIBLE: Readonly<Record<string, number>> = { MB: 1e9, vCPU: 1e5 };
const MAX_OTHER = 1e15;

/** Whether a sample's value can be what its unit says (see MAX_PLAUSIBLE). */
export function plausibleValue(unit: string, value: number): boolean {
  const max = MAX_PLAUSIBLE[unit];
  return max !== undefined ? value >= 0 && value <= max : Math.abs(value) <= MAX_OTHER;
}
