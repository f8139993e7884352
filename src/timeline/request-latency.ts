// How long a request took, in the words of whatever logged it: a table of the request loggers
// people run on Railway, each with where its line keeps the latency (a JSON member, or a place in
// a text line), its unit, and where the method, path and status are. The timeline's request
// statistics (request-stats.ts) read every line of a request template with the one entry chosen
// for the template on its first line, so a line is read by one expression at most. Each entry is
// tested on its library's real output (test/fixtures/requests/README.md says which, with versions).
import type { LogEvent } from '../model.js';

/** One request logger's way of writing a request and its latency. */
export interface RequestLatencyFormat {
  id: string;
  /** The library or program, with its language. */
  library: string;
  /** A line it wrote, from its capture in test/fixtures/requests/. */
  example: string;
  /** A text line: its method, path, status and latency by named group (`method`, `path`, `status`, `ms`). */
  line?: RegExp;
  /** A JSON line: the member holding the latency, and its unit. */
  latency?: { key: string; unit: 'ms' | 's' };
  /** A JSON line: members it must also have, when the latency's member alone does not tell its unit (`duration`). */
  requires?: readonly string[];
  /** A JSON line: the members holding the method, path and status (dotted: nested objects). */
  method?: readonly string[];
  path?: readonly string[];
  status?: readonly string[];
}

const MS = '(?<ms>\\d+(?:\\.\\d+)?)';

export const REQUEST_LATENCY_FORMATS: readonly RequestLatencyFormat[] = [
  {
    id: 'morgan-dev',
    library: "morgan's `dev` format (Node, Express)",
    example: 'GET /report?month=11 200 1201.484 ms - 11',
    line: new RegExp(`^(?<method>[A-Z]+) (?<path>/\\S*) (?<status>\\d{3}) ${MS} ms - \\S+$`),
  },
  {
    id: 'morgan-tiny',
    library: "morgan's `tiny` format (Node, Express)",
    example: 'GET /report?month=11 200 11 - 1201.121 ms',
    line: new RegExp(`^(?<method>[A-Z]+) (?<path>/\\S*) (?<status>\\d{3}) \\S+ - ${MS} ms$`),
  },
  {
    id: 'morgan-short',
    library: "morgan's `short` format (Node, Express)",
    example: '127.0.0.1 - GET /report?month=11 HTTP/1.1 200 11 - 1201.173 ms',
    line: new RegExp(`^\\S+ \\S+ (?<method>[A-Z]+) (?<path>/\\S*) HTTP/[\\d.]+ (?<status>\\d{3}) \\S+ - ${MS} ms$`),
  },
  {
    id: 'rails',
    library: "Rails' `Completed` line (ActionController::LogSubscriber, Ruby); the method and path are on its `Started` line",
    example: 'I, [2026-12-07T23:22:12.817685 #27467]  INFO -- : [0b546f80-958f-430e-8b43-5efd32f9210a] Completed 200 OK in 3003ms',
    line: new RegExp(`(?:^|\\] )Completed (?<status>\\d{3}) [A-Za-z' -]* in ${MS}ms\\b`),
  },
  {
    id: 'pino-http',
    library: "pino-http's and Fastify's `request completed` (Node, pino), bunyan request lines with the same members",
    // Abbreviated: the capture's line also has the headers, query, params, pid and hostname.
    example: '{"level":30,"time":1796695790822,"req":{"id":2,"method":"GET","url":"/report?month=11"},"res":{"statusCode":200},"responseTime":1206,"msg":"request completed"}',
    latency: { key: 'responseTime', unit: 'ms' },
    method: ['req.method'],
    path: ['req.url'],
    status: ['res.statusCode'],
  },
  {
    id: 'caddy',
    library: "Caddy's access log (`log` in a site block; zap's JSON)",
    example: '{"level":"error","ts":1796664630.4097996,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"127.0.0.1","remote_port":"58218","proto":"HTTP/1.1","method":"GET","host":"localhost:18087","uri":"/x","headers":{"User-Agent":["curl/7.88.1"],"Accept":["*/*"]}},"user_id":"","duration":0.000256077,"size":0,"status":502,"resp_headers":{"Server":["Caddy"]}}',
    latency: { key: 'duration', unit: 's' },
    requires: ['resp_headers'],
    method: ['request.method'],
    path: ['request.uri'],
    status: ['status'],
  },
  {
    id: 'zap-duration',
    library: "Go zap's `zap.Duration` beside the request's method, path and status, as a net/http middleware logs it (NewProduction's encoder writes seconds: zapcore.SecondsDurationEncoder)",
    // As Railway flattens it (the held-out Go stack's capture).
    example: '{"ts":1796684423.9090667,"timestamp":"2026-12-07T23:00:24.021785759Z","method":"GET","message":"request","status":200,"path":"/health","caller":"api/main.go:107","level":"info","duration":0.000781447}',
    latency: { key: 'duration', unit: 's' },
    requires: ['caller', 'ts'],
    method: ['method'],
    path: ['path'],
    status: ['status'],
  },
  {
    id: 'railway-http',
    library: 'Railway HTTP logs (`railway logs --http --json`)',
    example: '{"timestamp":"2026-02-07T19:12:22.104Z","method":"GET","path":"/dashboard","httpStatus":500,"totalDuration":1234}',
    latency: { key: 'totalDuration', unit: 'ms' },
    method: ['method'],
    path: ['path'],
    status: ['httpStatus'],
  },
];

/** A request's latency and what it was, as one line said. `path` is normalised (normalisePath). */
export interface RequestReading {
  ms: number;
  method: string | null;
  path: string | null;
  status: number | null;
}

/**
 * The entry of REQUEST_LATENCY_FORMATS that reads `ev` (the first line of a template), or -1: a
 * JSON line by the members it has, a text line by the expressions (tried once per template).
 */
export function latencyFormatOf(ev: LogEvent): number {
  const a = ev.attrs;
  for (let i = 0; i < REQUEST_LATENCY_FORMATS.length; i++) {
    const f = REQUEST_LATENCY_FORMATS[i]!;
    if (f.latency !== undefined ? a !== undefined && typeof a[f.latency.key] === 'number' && (f.requires ?? []).every((k) => k in a) : f.line!.test(ev.message)) return i;
  }
  return -1;
}

/** The request `ev` logged, read with format `i` (latencyFormatOf), or null when this line does not say. */
export function readRequest(ev: LogEvent, i: number): RequestReading | null {
  const f = REQUEST_LATENCY_FORMATS[i]!;
  if (f.latency !== undefined) {
    const a = ev.attrs;
    const v = a?.[f.latency.key];
    if (a === undefined || typeof v !== 'number' || !(v >= 0) || v === Infinity) return null;
    const method = memberOf(a, f.method);
    const path = memberOf(a, f.path);
    const status = memberOf(a, f.status);
    return {
      ms: f.latency.unit === 's' ? v * 1000 : v,
      method: typeof method === 'string' ? method.toUpperCase() : null,
      path: typeof path === 'string' ? normalisePath(pathOfUrl(path)) : null,
      status: typeof status === 'number' ? status : typeof status === 'string' && /^\d{3}$/.test(status) ? Number(status) : null,
    };
  }
  const g = f.line!.exec(ev.message)?.groups;
  if (g === undefined) return null;
  return { ms: Number(g.ms), method: g.method ?? null, path: g.path !== undefined ? normalisePath(g.path) : null, status: g.status !== undefined ? Number(g.status) : null };
}

/** The value at a dotted member path (`req.url`), flat (`"req.url"`) or nested. */
function memberOf(a: Record<string, unknown>, keys: readonly string[] | undefined): unknown {
  if (keys === undefined) return undefined;
  for (const k of keys) {
    if (k in a) return a[k];
    let v: unknown = a;
    for (const part of k.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
    if (v !== undefined) return v;
  }
  return undefined;
}

/** A full URL's path (`https://host/x?y` → `/x?y`); a path as it is. */
function pathOfUrl(url: string): string {
  if (url.charCodeAt(0) === 47) return url;
  const m = /^[a-z]+:\/\/[^/]+(\/\S*)?/i.exec(url);
  return m ? (m[1] ?? '/') : url;
}

/** Path without query or fragment, with numeric, UUID and long hex segments masked as `:id`. */
export function normalisePath(path: string): string {
  const q = path.search(/[?#]/);
  const p = q === -1 ? path : path.slice(0, q);
  return p
    .split('/')
    .map((s) => (/^\d+$/.test(s) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s) || /^[0-9a-f]{16,}$/i.test(s) ? ':id' : s))
    .join('/');
}
