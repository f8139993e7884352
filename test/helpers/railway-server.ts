// A Railway-compatible GraphQL server on loopback for the tests of `hindsight pull railway`. A
// minimal hand-written responder: it parses only the operations hindsight sends (project,
// deployments, environmentLogs, httpLogs, domains, metrics), checks their argument names against
// Railway's schema (railwayapp/cli src/gql/schema.json, as docs in ../shared/guide/railway-api.md
// list them) and answers as Railway does: no cursor for logs (the newest `beforeLimit` entries at
// or before `beforeDate`, sometimes `limit + 1`; `filter` by service, deployment and level), Relay paging for deployments, `errors` with HTTP
// 200, 401 without a valid token, 429 with Retry-After past a rate limit, nothing older than the
// retention. Its clock (`now`) hides entries not yet written (also those written after their time), for nightly runs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Log {
  timestamp: string;
  message: string;
  severity: string;
  attributes: { key: string; value: string }[];
  tags: { projectId: string; environmentId: string; serviceId: string; deploymentId: string; deploymentInstanceId: string };
}

export interface Deployment {
  id: string;
  serviceId: string;
  environmentId: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  statusUpdatedAt: string;
  deploymentStopped: boolean;
}

export interface ServiceData {
  id: string;
  name: string;
  domain: boolean;
  /** Ascending by time. */
  logs: Log[];
}

export interface ProjectData {
  id: string;
  name: string;
  environments: { id: string; name: string }[];
  services: ServiceData[];
  /** Newest first. */
  deployments: Deployment[];
  /** Per deployment id, ascending. */
  http: Map<string, Record<string, unknown>[]>;
  /** Per service id. */
  metrics: Map<string, { measurement: string; tags: Record<string, string>; values: { ts: number; value: number }[] }[]>;
}

export interface ServerOptions {
  projectToken?: string;
  /** The environment the project token is scoped to (the guide: one environment of one project; default: the first). */
  projectTokenEnvironment?: string;
  accountToken?: string;
  /** Requests a second per token (429 past it). */
  perSecond?: number;
  /** Requests per "hour" per token, and how long that hour lasts (ms) so that a test can live through one. */
  perHour?: number;
  hourMs?: number;
  retentionDays?: number;
  /** Every n-th log page holds `limit + 1` entries (0: never). */
  plusOneEvery?: number;
  /** Most log entries a page holds whatever the request asks (a server may send fewer than asked; default 5,000). */
  pageCap?: number;
  /**
   * `beforeDate` read as strictly before the date. The guide (railway-api.md) does not say whether
   * Railway takes entries at the date itself; by default this server does, and the client must get
   * the same lines under both readings.
   */
  beforeExclusive?: boolean;
  /**
   * `beforeDate` read only to the millisecond (as a JavaScript Date holds it). The guide does not
   * say to what precision Railway reads it; the client must get the same lines either way.
   */
  dateMs?: boolean;
  /** When an entry (a log, an HTTP log, a metric sample) was written, when later than its own time: hidden until the clock reaches it. */
  writtenAt?: (entry: object) => number | undefined;
  /** Log pages ignore `beforeDate` and always end at the clock (a server that does not page back). */
  ignoreAnchor?: boolean;
  /** Delay of each answer (ms). */
  delayMs?: number;
  /** The answer to this log request (1: the first) waits for `release()`, for interruption tests. */
  holdLogsCall?: number;
}

export interface RailwayTestServer {
  url: string;
  data: ProjectData;
  /** The server's clock (epoch ms): entries after it are not written yet. */
  now: number;
  /** Answers queued for the next requests instead of the real one. */
  inject: ('429' | '500' | 'errors' | 'reset')[];
  /** Requests answered, by root field. */
  calls: Record<string, number>;
  /** The arguments of every request answered, in order. */
  asked: { field: string; args: Record<string, unknown> }[];
  /** Largest log page answered. */
  maxPage: number;
  /** Lets the held log request (ServerOptions.holdLogsCall) be answered. */
  release(): void;
  close(): Promise<void>;
}

/** Arguments each root field takes, as in Railway's schema. */
const ARGS: Record<string, readonly string[]> = {
  project: ['id'],
  deployments: ['input', 'first', 'after', 'last', 'before'],
  environmentLogs: ['environmentId', 'filter', 'anchorDate', 'beforeDate', 'beforeLimit', 'afterDate', 'afterLimit'],
  httpLogs: ['deploymentId', 'filter', 'limit', 'startDate', 'endDate', 'anchorDate', 'beforeDate', 'beforeLimit', 'afterDate', 'afterLimit'],
  domains: ['projectId', 'environmentId', 'serviceId'],
  metrics: ['projectId', 'environmentId', 'serviceId', 'deploymentId', 'startDate', 'endDate', 'measurements', 'sampleRateSeconds', 'averagingWindowSeconds', 'groupBy', 'includeDeleted'],
};

const MAX_LIMIT = 5000;

/** The `metrics` query's enums, as the guide lists them (the values a request may name). */
const MEASUREMENTS = new Set(['CPU_USAGE', 'CPU_LIMIT', 'MEMORY_USAGE_GB', 'MEMORY_LIMIT_GB', 'NETWORK_RX_GB', 'NETWORK_TX_GB', 'DISK_USAGE_GB', 'EPHEMERAL_DISK_USAGE_GB', 'BACKUP_USAGE_GB']);
const GROUP_BY: Record<string, string> = { SERVICE_ID: 'serviceId', DEPLOYMENT_ID: 'deploymentId', DEPLOYMENT_INSTANCE_ID: 'deploymentInstanceId', REGION: 'region' };

/** Nine-digit RFC 3339 key of a timestamp, to compare as text. */
function key(ts: string): string {
  const m = /^(.{19})(?:\.(\d+))?Z$/.exec(ts)!;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

/** Index of the first entry whose key is above `k` (entries ascending); with `strict`, at or above it. */
function upperBound<T>(xs: readonly T[], k: string, keyOf: (x: T) => string, strict = false): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const x = keyOf(xs[mid]!);
    if (x < k || (!strict && x === k)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export async function startRailwayServer(data: ProjectData, options: ServerOptions = {}): Promise<RailwayTestServer> {
  const projectToken = options.projectToken ?? 'project-token-0f3a9c';
  const accountToken = options.accountToken ?? 'account-token-77b1e2';
  const perSecond = options.perSecond ?? 50;
  const perHour = options.perHour ?? 1000;
  const hourMs = options.hourMs ?? 3_600_000;
  const retentionMs = (options.retentionDays ?? 30) * 86_400_000;
  let logPages = 0;
  const second = { start: 0, n: 0 };
  const hour = { start: Date.now(), n: 0 };
  const logKeys = new Map<Log, string>();
  const keyOfLog = (l: Log) => {
    let k = logKeys.get(l);
    if (k === undefined) logKeys.set(l, (k = key(l.timestamp)));
    return k;
  };
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  const state: RailwayTestServer = {
    url: '',
    data,
    now: Date.now(),
    inject: [],
    calls: {},
    asked: [],
    maxPage: 0,
    release: () => release(),
    close: () => new Promise((r) => server.close(() => r())),
  };

  /** The newest `limit` entries at or before `before` (strictly before, with beforeExclusive), within retention and the clock, ascending. */
  const written = (x: object) => (options.writtenAt?.(x) ?? 0) <= state.now;
  function before<T extends object>(xs: readonly T[], keyOf: (x: T) => string, beforeDate: string | undefined, limit: number): T[] {
    if (options.writtenAt !== undefined) xs = xs.filter(written);
    const nowKey = key(new Date(state.now).toISOString());
    const oldestKept = key(new Date(state.now - retentionMs).toISOString());
    const date = beforeDate === undefined ? undefined : options.dateMs ? key(new Date(Date.parse(beforeDate.slice(0, 23) + 'Z')).toISOString()) : key(beforeDate);
    const anchored = date !== undefined && !options.ignoreAnchor && date <= nowKey;
    const end = upperBound(xs, anchored ? date : nowKey, keyOf, anchored && options.beforeExclusive === true);
    limit = Math.min(limit, options.pageCap ?? MAX_LIMIT);
    const extra = options.plusOneEvery && ++logPages % options.plusOneEvery === 0 ? 1 : 0;
    let start = Math.max(0, end - limit - extra);
    while (start < end && keyOf(xs[start]!) < oldestKept) start++;
    const page = xs.slice(start, end);
    state.maxPage = Math.max(state.maxPage, page.length);
    return page;
  }

  function answer(field: string, args: Record<string, unknown>): unknown {
    switch (field) {
      case 'project': {
        if (args.id !== data.id) return { project: null, errors: [{ message: 'Project not found' }] };
        return {
          project: {
            id: data.id,
            name: data.name,
            environments: { edges: data.environments.map((node) => ({ node })) },
            services: { edges: data.services.map((s) => ({ node: { id: s.id, name: s.name } })) },
          },
        };
      }
      case 'deployments': {
        const input = args.input as { serviceId?: string; environmentId?: string };
        // As of the clock: a deployment that ends later is still live then.
        const all = data.deployments
          .filter((d) => (!input.serviceId || d.serviceId === input.serviceId) && (!input.environmentId || d.environmentId === input.environmentId) && Date.parse(d.createdAt) <= state.now)
          .map((d) => (Date.parse(d.statusUpdatedAt) <= state.now ? d : { ...d, status: 'SUCCESS', statusUpdatedAt: d.createdAt, updatedAt: d.createdAt, deploymentStopped: false }));
        const from = args.after ? Number(args.after) : 0;
        const first = Number(args.first ?? 20);
        const slice = all.slice(from, from + first);
        return { deployments: { edges: slice.map((node) => ({ node })), pageInfo: { hasNextPage: from + first < all.length, endCursor: String(from + slice.length) } } };
      }
      case 'environmentLogs': {
        const limit = Number(args.beforeLimit ?? 100);
        if (limit > MAX_LIMIT) return { errors: [{ message: `beforeLimit must be at most ${MAX_LIMIT}` }] };
        // Railway's log query syntax as the guide gives it: `@service:<id>`, `@deployment:<id>`,
        // `@level:<level>`, `-` for not, joined here with AND only (what hindsight sends).
        const terms = String(args.filter ?? '').split(' AND ').map((t) => /^(-?)@(service|deployment|level):(\S+)$/.exec(t));
        if (terms.some((t) => t === null)) return { errors: [{ message: `Invalid filter ${JSON.stringify(args.filter)}` }] };
        const svc = data.services.find((s) => terms.some((t) => t![1] === '' && t![2] === 'service' && t![3] === s.id));
        if (svc === undefined) return { errors: [{ message: 'Service not found' }] };
        const field = (l: Log, f: string) => (f === 'service' ? l.tags.serviceId : f === 'deployment' ? l.tags.deploymentId : l.severity);
        const logs = terms.length === 1 ? svc.logs : svc.logs.filter((l) => terms.every((t) => (field(l, t![2]!) === t![3]) !== (t![1] === '-')));
        return { environmentLogs: before(logs, keyOfLog, args.beforeDate as string | undefined, limit) };
      }
      case 'httpLogs': {
        const limit = Number(args.beforeLimit ?? args.limit ?? 100);
        if (limit > MAX_LIMIT) return { errors: [{ message: `beforeLimit must be at most ${MAX_LIMIT}` }] };
        const xs = data.http.get(String(args.deploymentId)) ?? [];
        return { httpLogs: before(xs, (x) => key(String(x.timestamp)), args.beforeDate as string | undefined, limit) };
      }
      case 'domains': {
        const svc = data.services.find((s) => s.id === args.serviceId);
        return { domains: { serviceDomains: svc?.domain ? [{ domain: `${svc.name}.up.railway.app` }] : [], customDomains: [] } };
      }
      case 'metrics': {
        const start = Date.parse(String(args.startDate)) / 1000;
        const end = Date.parse(String(args.endDate)) / 1000;
        const measurements = (args.measurements ?? []) as string[];
        const groupBy = (args.groupBy ?? []) as string[];
        const bad = [...measurements.filter((m) => !MEASUREMENTS.has(m)), ...groupBy.filter((g) => !(g in GROUP_BY))];
        if (bad.length > 0) return { errors: [{ message: `Value "${bad[0]}" does not exist in the enum` }] };
        // One series per measurement and group, its tags the grouped ones (the others null), as the guide shows the shape.
        const grouped = new Set(groupBy.map((g) => GROUP_BY[g]!));
        const series = (data.metrics.get(String(args.serviceId)) ?? []).filter((s) => measurements.includes(s.measurement));
        return {
          metrics: series.map((s) => ({
            measurement: s.measurement,
            tags: Object.fromEntries(['serviceId', 'deploymentId', 'deploymentInstanceId'].map((t) => [t, grouped.has(t) ? (s.tags[t] ?? null) : null])),
            values: s.values.filter((v) => v.ts >= start && v.ts <= end && v.ts * 1000 <= state.now && written(v)),
          })),
        };
      }
    }
    return { errors: [{ message: `Cannot query field "${field}" on type "Query".` }] };
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let hold = false;
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(status, { 'content-type': 'application/json', 'x-ratelimit-remaining': String(Math.max(0, perHour - hour.n)), ...headers });
          res.end(JSON.stringify(body));
        };
        if (hold) void held.then(send);
        else if (options.delayMs) setTimeout(send, options.delayMs);
        else send();
      };
      const token = req.headers['project-access-token'] ?? /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
      if (token !== projectToken && token !== accountToken) return reply(401, { errors: [{ message: 'Not Authorized' }] });
      const injected = state.inject.shift();
      if (injected === 'reset') return req.socket.destroy();
      if (injected === '500') return reply(500, { errors: [{ message: 'Internal Server Error' }] });
      if (injected === '429') return reply(429, { errors: [{ message: 'Rate limit exceeded' }] }, { 'retry-after': '1' });
      const t = Date.now();
      if (t - hour.start >= hourMs) {
        hour.start = t;
        hour.n = 0;
      }
      if (t - second.start >= 1000) {
        second.start = t;
        second.n = 0;
      }
      if (hour.n >= perHour) return reply(429, { errors: [{ message: 'Rate limit exceeded' }] }, { 'retry-after': String(Math.ceil((hour.start + hourMs - t) / 1000)) });
      if (second.n >= perSecond) return reply(429, { errors: [{ message: 'Rate limit exceeded' }] }, { 'retry-after': '1' });
      hour.n++;
      second.n++;
      let body: { query?: string; variables?: Record<string, unknown> };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, { errors: [{ message: 'Invalid JSON' }] });
      }
      const q = body.query ?? '';
      // The root field and its arguments: `field(name: $var, ...)` after the operation's header.
      const open = q.indexOf('{');
      const root = /^\s*(\w+)\s*\(([^)]*)\)/.exec(q.slice(open + 1));
      if (open === -1 || root === null) return reply(400, { errors: [{ message: 'Syntax Error' }] });
      const field = root[1]!;
      const allowed = ARGS[field];
      if (allowed === undefined) return reply(200, { errors: [{ message: `Cannot query field "${field}" on type "Query".` }] });
      const args: Record<string, unknown> = {};
      for (const m of root[2]!.matchAll(/(\w+)\s*:\s*\$(\w+)/g)) {
        if (!allowed.includes(m[1]!)) return reply(200, { errors: [{ message: `Unknown argument "${m[1]}" on field "Query.${field}".` }] });
        args[m[1]!] = body.variables?.[m[2]!];
      }
      // A project token sees its one environment: a request naming another is refused.
      const named = args.environmentId ?? (args.input as { environmentId?: unknown } | undefined)?.environmentId;
      if (token === projectToken && named !== undefined && named !== (options.projectTokenEnvironment ?? data.environments[0]!.id)) return reply(200, { data: null, errors: [{ message: 'Not Authorized' }] });
      state.calls[field] = (state.calls[field] ?? 0) + 1;
      state.asked.push({ field, args });
      hold = field === 'environmentLogs' && state.calls[field] === options.holdLogsCall;
      if (injected === 'errors') return reply(200, { data: null, errors: [{ message: 'Problem processing request' }] });
      const out = answer(field, args) as Record<string, unknown>;
      if ('errors' in out) return reply(200, { data: null, errors: out.errors });
      reply(200, { data: out });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql/v2`;
  return state;
}
