// Request latencies of every line a request logger wrote (request-latency.ts reads them), in one
// pass and bounded memory: per service and endpoint the count, mean, max and a deterministic
// reservoir of SAMPLE_CAP latencies for the percentiles, and the service's slowest requests. The
// timeline keeps no info-level line of a busy request template whole (it thins them), so the
// slow-requests detector reads these instead and sees every request.
import type { LogEvent } from '../model.js';
import { percentileSorted, xorshift32 } from './postgres-stats.js';
import { readRequest, REQUEST_LATENCY_FORMATS } from './request-latency.js';

const SAMPLE_CAP = 1000;
/** Endpoints per service at most; the rest are counted together under `null`. */
const MAX_ENDPOINTS = 200;
/** A service's slowest requests kept with where they are. */
const SLOWEST = 50;

/** One request as its line said, with where the line is. */
export interface RequestOccurrence {
  ts: number | null;
  ms: number;
  service: string;
  /** `GET /items/:id`, or null when the line names none (Rails' `Completed`, Fastify's `request completed`). */
  endpoint: string | null;
  status: number | null;
  input: number;
  line: number;
}

export interface EndpointRequests {
  endpoint: string | null;
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Whether the percentiles come from a sample of SAMPLE_CAP latencies. */
  sampled: boolean;
}

export interface ServiceRequests {
  service: string;
  /** Requests with a latency. */
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  sampled: boolean;
  /** The request loggers read (REQUEST_LATENCY_FORMATS ids). */
  formats: string[];
  /** By count, most first. */
  endpoints: EndpointRequests[];
  /** The slowest requests, slowest first (at most SLOWEST). */
  slowest: RequestOccurrence[];
}

export interface RequestStatsSummary {
  services: ServiceRequests[];
}

export interface Acc {
  count: number;
  totalMs: number;
  maxMs: number;
  samples: number[];
}

interface ServiceAcc {
  all: Acc;
  endpoints: Map<string | null, Acc>;
  formats: Set<number>;
  /** Slowest first. */
  slowest: RequestOccurrence[];
}

/** A part's request statistics, per service in order of first request (see Timeline.partial). */
export type RequestStatsPartial = { service: string; all: Acc; endpoints: (Acc & { endpoint: string | null })[]; formats: number[]; slowest: RequestOccurrence[] }[];

const newAcc = (): Acc => ({ count: 0, totalMs: 0, maxMs: 0, samples: [] });

export class RequestStats {
  private readonly services = new Map<string, ServiceAcc>();
  /** Deterministic reservoir sampling (a fixed-seed xorshift, so runs repeat). */
  private rng = 0x9e3779b9;

  /** Adds the request `ev` logged, read with format `format` (latencyFormatOf). */
  add(ev: LogEvent, format: number): void {
    const r = readRequest(ev, format);
    if (r === null) return;
    let s = this.services.get(ev.service);
    if (s === undefined) {
      s = { all: newAcc(), endpoints: new Map(), formats: new Set(), slowest: [] };
      this.services.set(ev.service, s);
    }
    s.formats.add(format);
    const endpoint = r.method !== null && r.path !== null ? `${r.method} ${r.path}` : null;
    let e = s.endpoints.get(endpoint);
    if (e === undefined) {
      if (s.endpoints.size >= MAX_ENDPOINTS) e = s.endpoints.get(null);
      if (e === undefined) {
        e = newAcc();
        s.endpoints.set(s.endpoints.size >= MAX_ENDPOINTS ? null : endpoint, e);
      }
    }
    this.count(s.all, r.ms);
    this.count(e, r.ms);
    const sl = s.slowest;
    if (sl.length < SLOWEST || r.ms > sl[sl.length - 1]!.ms) {
      let at = sl.length;
      while (at > 0 && sl[at - 1]!.ms < r.ms) at--;
      sl.splice(at, 0, { ts: ev.ts, ms: r.ms, service: ev.service, endpoint, status: r.status, input: ev.input, line: ev.line });
      if (sl.length > SLOWEST) sl.pop();
    }
  }

  /** The statistics so far as plain data (see Timeline.partial). */
  partial(): RequestStatsPartial {
    return [...this.services].map(([service, s]) => ({
      service,
      all: { ...s.all, samples: s.all.samples.slice() },
      endpoints: [...s.endpoints].map(([endpoint, e]) => ({ endpoint, ...e, samples: e.samples.slice() })),
      formats: [...s.formats],
      slowest: s.slowest.map((o) => ({ ...o })),
    }));
  }

  /** Adds the statistics of a later part of the input (its partial(); its input indexes shifted by `inputOffset`). Exact while no endpoint holds more than SAMPLE_CAP latencies. */
  absorb(p: RequestStatsPartial, inputOffset: number): void {
    for (const b of p) {
      let s = this.services.get(b.service);
      if (s === undefined) {
        s = { all: newAcc(), endpoints: new Map(), formats: new Set(), slowest: [] };
        this.services.set(b.service, s);
      }
      for (const f of b.formats) s.formats.add(f);
      this.add2(s.all, b.all);
      for (const e of b.endpoints) {
        let a = s.endpoints.get(e.endpoint);
        if (a === undefined) {
          if (s.endpoints.size >= MAX_ENDPOINTS) a = s.endpoints.get(null);
          if (a === undefined) {
            a = newAcc();
            s.endpoints.set(s.endpoints.size >= MAX_ENDPOINTS ? null : e.endpoint, a);
          }
        }
        this.add2(a, e);
      }
      // Of two as slow, the earlier part's first (as one pass inserts after its equals).
      const merged = s.slowest.concat(b.slowest.map((o) => ({ ...o, input: o.input + inputOffset })));
      s.slowest = merged.sort((x, y) => y.ms - x.ms).slice(0, SLOWEST);
    }
  }

  /** Adds `b`'s counts and latencies to `a`'s (past SAMPLE_CAP, a's sample takes b's values as the reservoir would). */
  private add2(a: Acc, b: Acc): void {
    a.totalMs += b.totalMs;
    if (b.maxMs > a.maxMs) a.maxMs = b.maxMs;
    const before = a.count;
    a.count += b.count;
    for (let i = 0; i < b.samples.length; i++) {
      if (a.samples.length < SAMPLE_CAP) a.samples.push(b.samples[i]!);
      else {
        const j = this.random() % (before + i + 1);
        if (j < SAMPLE_CAP) a.samples[j] = b.samples[i]!;
      }
    }
  }

  summary(): RequestStatsSummary {
    const services: ServiceRequests[] = [];
    for (const [service, s] of this.services) {
      const all = sorted(s.all);
      services.push({
        service,
        count: s.all.count,
        p50Ms: round3(percentileSorted(all, 0.5)),
        p95Ms: round3(percentileSorted(all, 0.95)),
        p99Ms: round3(percentileSorted(all, 0.99)),
        maxMs: round3(s.all.maxMs),
        sampled: s.all.count > s.all.samples.length,
        formats: [...s.formats].sort((a, b) => a - b).map((i) => REQUEST_LATENCY_FORMATS[i]!.id),
        endpoints: [...s.endpoints]
          .map(([endpoint, e]) => {
            const d = sorted(e);
            return { endpoint, count: e.count, meanMs: round3(e.totalMs / e.count), p50Ms: round3(percentileSorted(d, 0.5)), p95Ms: round3(percentileSorted(d, 0.95)), maxMs: round3(e.maxMs), sampled: e.count > e.samples.length };
          })
          .sort((a, b) => b.count - a.count || (a.endpoint ?? '').localeCompare(b.endpoint ?? '')),
        slowest: s.slowest,
      });
    }
    return { services: services.sort((a, b) => a.service.localeCompare(b.service)) };
  }

  private count(acc: Acc, ms: number): void {
    acc.count++;
    acc.totalMs += ms;
    if (ms > acc.maxMs) acc.maxMs = ms;
    if (acc.samples.length < SAMPLE_CAP) acc.samples.push(ms);
    else {
      const j = this.random() % acc.count;
      if (j < SAMPLE_CAP) acc.samples[j] = ms;
    }
  }

  private random(): number {
    this.rng = xorshift32(this.rng);
    return this.rng;
  }
}

function sorted(acc: Acc): number[] {
  return acc.samples.slice().sort((a, b) => a - b);
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
