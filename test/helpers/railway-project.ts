// A Railway project for the test server (railway-server.ts): three services over a window of
// days, several deployments each (one of the api's crashed), two replicas of the api, its edge's
// HTTP logs, and metrics. The messages and attributes are the lines of the project's samples
// (samples/whendoist: a FastAPI app with uvicorn and its PostgreSQL 16; samples/restart-loop: a
// backend in a restart loop; see samples/README.md for where their lines come from), replayed in
// order over the window with Railway's tags, as Railway's API returns them: attribute values as
// strings, timestamps with nanoseconds. One entry in ten shares the time of the one before, so
// that page edges fall inside groups of one instant.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Deployment, Log, ProjectData, ServiceData } from './railway-server.js';
import { rng } from '../templates/eval/generate.js';

const ROOT = join(import.meta.dirname, '..', '..');

export interface ProjectShape {
  /** Window end (epoch ms); the window is `days` long before it. */
  end: number;
  days: number;
  /** Log lines per service name. */
  lines: { api: number; postgres: number; worker: number };
  httpEvery?: number;
}

function sampleLines(file: string): Record<string, unknown>[] {
  return readFileSync(join(ROOT, 'samples', file), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** RFC 3339 with nanoseconds of an epoch time given in ms and the ns within it. */
function stamp(ms: number, ns: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}${String(ns).padStart(6, '0')}Z`;
}

const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(4, '0')}-7c1e-4b8a-9f00-5d3c2a1b0e${String(n).padStart(2, '0').slice(-2)}`;

export function makeProject(shape: ProjectShape): ProjectData {
  const rnd = rng(14);
  const start = shape.end - shape.days * 86_400_000;
  const env = { id: id('e0e0', 1), name: 'production' };
  const services: ServiceData[] = [];
  const deployments: Deployment[] = [];
  const http = new Map<string, Record<string, unknown>[]>();
  const metrics: ProjectData['metrics'] = new Map();
  const specs = [
    { name: 'api', file: 'whendoist/whendoist.jsonl', n: shape.lines.api, domain: true, replicas: 2, deploys: [-0.2, 0.35, 0.6], crashed: 1 },
    { name: 'postgres', file: 'whendoist/postgres.jsonl', n: shape.lines.postgres, domain: false, replicas: 1, deploys: [-1], crashed: -1 },
    { name: 'worker', file: 'restart-loop/backend.jsonl', n: shape.lines.worker, domain: false, replicas: 1, deploys: [-0.5, 0.5], crashed: -1 },
  ];
  let dn = 0;
  for (const [si, spec] of specs.entries()) {
    const serviceId = id('5e5e', si + 1);
    const span = shape.end - start;
    // Deployments: created at the given fractions of the window (negative: before it), each live until the next.
    const deps = spec.deploys.map((f, k) => {
      const created = start + f * span;
      const next = spec.deploys[k + 1];
      const endAt = next === undefined ? null : start + next * span - (k === spec.crashed ? 3_600_000 : 0);
      const d: Deployment = {
        id: id('de00', ++dn),
        serviceId,
        environmentId: env.id,
        status: endAt === null ? 'SUCCESS' : k === spec.crashed ? 'CRASHED' : 'REMOVED',
        createdAt: new Date(created).toISOString(),
        updatedAt: new Date(endAt ?? created + 60_000).toISOString(),
        statusUpdatedAt: new Date(endAt ?? created + 60_000).toISOString(),
        deploymentStopped: endAt !== null,
      };
      return { d, created, endAt, instances: Array.from({ length: spec.replicas }, (_, r) => id(`1a${si}${k}`, r + 1)) };
    });
    deployments.push(...deps.map((x) => x.d));
    const sample = sampleLines(spec.file);
    const logs: Log[] = [];
    const step = span / spec.n;
    let prev = '';
    for (let i = 0; i < spec.n; i++) {
      const s = sample[i % sample.length]!;
      let ts: string;
      if (i > 0 && rnd() < 0.1) ts = prev;
      else {
        const t = start + i * step + rnd() * step * 0.5;
        ts = stamp(Math.floor(t), Math.floor(rnd() * 1_000_000));
        if (ts <= prev) ts = prev;
      }
      prev = ts;
      const ms = Date.parse(ts.slice(0, 23) + 'Z');
      // The deployment live then: the newest created before it (a crashed one is dead until the next).
      let live = deps[0]!;
      for (const x of deps) if (x.created <= ms) live = x;
      // Nothing runs between a crash and the next deployment.
      if (live.endAt !== null && ms > live.endAt) continue;
      const attributes: { key: string; value: string }[] = [];
      for (const [k, v] of Object.entries(s)) {
        if (k === 'message' || k === 'timestamp' || k === 'deploymentId' || k === 'deploymentInstanceId') continue;
        attributes.push({ key: k, value: typeof v === 'string' ? v : JSON.stringify(v) });
      }
      const level = typeof s.level === 'string' ? s.level : 'info';
      logs.push({
        timestamp: ts,
        message: String(s.message),
        severity: level,
        attributes,
        tags: { projectId: 'p', environmentId: env.id, serviceId, deploymentId: live.d.id, deploymentInstanceId: live.instances[i % live.instances.length]! },
      });
      if (spec.domain && typeof s.path === 'string' && i % (shape.httpEvery ?? 1) === 0) {
        const list = http.get(live.d.id) ?? [];
        list.push({
          timestamp: stamp(ms + 1, 0),
          requestId: `rq${i}`,
          method: s.method ?? 'GET',
          path: s.path,
          host: `${spec.name}.up.railway.app`,
          httpStatus: Number(s.status_code ?? 200),
          totalDuration: Number(s.duration_ms ?? 1),
          upstreamRqDuration: Number(s.duration_ms ?? 1),
          upstreamErrors: '',
          clientUa: s.user_agent ?? '',
          srcIp: s.client_ip ?? '',
          edgeRegion: 'us-west2',
          txBytes: 512,
          rxBytes: 128,
          deploymentId: live.d.id,
          deploymentInstanceId: live.instances[0],
        });
        http.set(live.d.id, list);
      }
    }
    services.push({ id: serviceId, name: spec.name, domain: spec.domain, logs });
    const values = (base: number) => {
      const v: { ts: number; value: number }[] = [];
      for (let t = Math.ceil(start / 60_000) * 60; t * 1000 <= shape.end; t += 60) v.push({ ts: t, value: base * (1 + 0.2 * Math.sin(t / 3600)) });
      return v;
    };
    metrics.set(serviceId, [
      { measurement: 'CPU_USAGE', tags: { deploymentInstanceId: deps[deps.length - 1]!.instances[0]! }, values: values(0.05) },
      { measurement: 'MEMORY_USAGE_GB', tags: { deploymentInstanceId: deps[deps.length - 1]!.instances[0]! }, values: values(0.3) },
    ]);
  }
  deployments.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  return { id: id('9a9a', 1), name: 'whendoist', environments: [env, { id: id('e0e0', 2), name: 'staging' }], services, deployments, http, metrics };
}
