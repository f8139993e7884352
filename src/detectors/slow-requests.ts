// Slow requests, from the latency whatever logged the requests wrote (morgan, pino-http, Fastify,
// Rails, Caddy, zap, Railway's HTTP logs: src/timeline/request-latency.ts is the table): per service, the
// requests at or over a threshold, the endpoints they were on with each endpoint's usual latency,
// and the service's percentiles. It reads the timeline's request statistics, which see every
// request line in one pass (the timeline keeps no busy info-level template whole).
import type { Evidence, Finding, FindingSeverity } from '../model.js';
import type { TimelineSummary } from '../timeline/timeline.js';
import type { EndpointRequests, ServiceRequests } from '../timeline/request-stats.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { locationOf } from './shared/evidence.js';
import { isoOf } from '../ingest/timestamp.js';
import { plural } from '../words.js';

/** The `data` of a slow-requests finding. */
export type SlowRequestsData = Pick<ServiceRequests, 'service' | 'p50Ms' | 'p95Ms' | 'p99Ms' | 'maxMs' | 'sampled' | 'formats'> & {
  thresholdMs: number;
  /** Requests at or over the threshold (at least this many when `atLeast`: only the slowest are kept one by one). */
  slowCount: number;
  atLeast: boolean;
  /** Requests with a latency in the service's logs. */
  requests: number;
  /** Whether the slow requests stand out from their endpoints' usual latency (an incident) rather than being how those endpoints always are. */
  unusual: boolean;
  endpoints: (EndpointRequests & { slowCount: number })[];
  firstAt: string | null;
  lastAt: string | null;
};

export const slowRequests = defineDetector({
  meta: {
    id: 'slow-requests',
    title: 'Slow requests (latency from the request logs)',
    report: {
      summaryLabel: () => 'slow requests',
      count: (f: Finding<SlowRequestsData>) => f.data.slowCount,
    },
    explanation:
      'Requests that took at least a threshold, read from the latency the request logger wrote (morgan `dev`/`tiny`/`short`, pino-http and ' +
      "Fastify's `responseTime`, Rails' `Completed ... in N ms`, Caddy's access log and zap's `duration`, Railway's HTTP logs' `totalDuration`: `hindsight conventions` lists them), " +
      "per service with each endpoint's count, median, p95 and max. Medium when several slow requests are on endpoints that are usually " +
      'fast and at least a share of their requests (an incident), low when the endpoints are always this slow or the slow ones are rare.',
    defaults: { thresholdMs: 1000, minUnusual: 3, minShare: 0.01, usualFactor: 4, criticalMs: 30_000 },
    optionDocs: {
      thresholdMs: 'a request is slow when it took at least this long (ms)',
      minUnusual: 'slow requests on usually fast endpoints that make the finding medium',
      minShare: "...and the share of those endpoints' requests they must be (a few slow ones among a busy service's days of requests are noise)",
      usualFactor: "an endpoint is usually fast when its median is under the threshold divided by this",
      criticalMs: 'a request this long (ms) makes the finding high',
    },
  },
  detect(t: TimelineSummary, o): DetectedFinding<SlowRequestsData>[] {
    const out: DetectedFinding<SlowRequestsData>[] = [];
    for (const s of t.requests.services) {
      const f = findingOf(t, s, o);
      if (f !== null) out.push(f);
    }
    return out;
  },
});

function findingOf(t: TimelineSummary, s: ServiceRequests, o: { thresholdMs: number; minUnusual: number; minShare: number; usualFactor: number; criticalMs: number }): DetectedFinding<SlowRequestsData> | null {
  const slow = s.slowest.filter((r) => r.ms >= o.thresholdMs);
  if (slow.length === 0) return null;
  // Every kept request was slow: there may be more than were kept.
  const atLeast = slow.length === s.slowest.length && s.count > s.slowest.length;
  const byEndpoint = new Map<string | null, number>();
  for (const r of slow) byEndpoint.set(r.endpoint, (byEndpoint.get(r.endpoint) ?? 0) + 1);
  const endpoints = s.endpoints.filter((e) => byEndpoint.has(e.endpoint)).map((e) => ({ ...e, slowCount: byEndpoint.get(e.endpoint)! }));
  endpoints.sort((a, b) => b.slowCount - a.slowCount || b.maxMs - a.maxMs);
  // Slow requests on endpoints whose median is well under the threshold: something happened.
  const usualMs = o.thresholdMs / o.usualFactor;
  const usuallyFast = endpoints.filter((e) => e.p50Ms < usualMs);
  const unusualCount = usuallyFast.reduce((n, e) => n + e.slowCount, 0);
  const unusual = unusualCount >= o.minUnusual && unusualCount >= o.minShare * usuallyFast.reduce((n, e) => n + e.count, 0);
  const maxMs = slow[0]!.ms;
  const severity: FindingSeverity = maxMs >= o.criticalMs ? 'high' : unusual ? 'medium' : 'low';
  const times = slow.map((r) => r.ts).filter((x): x is number => x !== null);
  const firstAt = times.length > 0 ? isoOf(Math.min(...times)) : null;
  const lastAt = times.length > 0 ? isoOf(Math.max(...times)) : null;
  const count = `${atLeast ? 'at least ' : ''}${plural(slow.length, 'request')}`;
  const name = (e: { endpoint: string | null }) => e.endpoint ?? 'requests whose line names no endpoint';
  const evidence: Evidence[] = slow.slice(0, 5).map((r) => ({
    timestamp: isoOf(r.ts),
    service: r.service,
    location: locationOf(t, r.input, r.line),
    text: `${r.endpoint ?? 'request'}${r.status !== null ? ` ${r.status}` : ''} took ${fmtMs(r.ms)}`,
  }));
  return {
    about: s.service,
    severity,
    title: `Slow Requests on ${s.service} (${count} at or over ${fmtMs(o.thresholdMs)}, slowest ${fmtMs(maxMs)})`,
    summary:
      `${count} on \`${s.service}\` took ${fmtMs(o.thresholdMs)} or more (slowest ${fmtMs(maxMs)}); of its ${s.count} logged requests ` +
      `the median took ${fmtMs(s.p50Ms)}, p95 ${fmtMs(s.p95Ms)}, p99 ${fmtMs(s.p99Ms)}${s.sampled ? ' (from a sample)' : ''}.`,
    pattern:
      endpoints
        .slice(0, 5)
        .map((e) => `${name(e)}: ${e.slowCount} slow of ${e.count}, median ${fmtMs(e.p50Ms)}, p95 ${fmtMs(e.p95Ms)}, max ${fmtMs(e.maxMs)}`)
        .join('; ') +
      (firstAt !== null ? `. The slow ones came from ${firstAt} to ${lastAt}.` : '.'),
    rootCause: unusual
      ? 'Endpoints that are usually fast answered slowly for a while: they waited on something (a database connection or lock, a slow query, an external call, a busy event loop or worker pool). The other findings of the same minutes say which.'
      : 'These endpoints are this slow every time: the work they do per request (queries, rendering, external calls) takes this long.',
    impact: 'Users waited this long for these answers; a request held past the client\'s or proxy\'s timeout fails for the user even though the server finished it.',
    recommendation:
      'Find what the slow requests waited on in the same minutes (slow queries, pool timeouts, lock waits, CPU); bound every call a request makes with a timeout shorter than the client\'s; move work that is slow every time out of the request into a task.',
    evidence,
    data: {
      service: s.service,
      thresholdMs: o.thresholdMs,
      slowCount: slow.length,
      atLeast,
      requests: s.count,
      p50Ms: s.p50Ms,
      p95Ms: s.p95Ms,
      p99Ms: s.p99Ms,
      maxMs: s.maxMs,
      sampled: s.sampled,
      formats: s.formats,
      unusual,
      endpoints,
      firstAt,
      lastAt,
    },
  };
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${ms >= 10 ? Math.round(ms) : ms.toFixed(1)} ms`;
}
