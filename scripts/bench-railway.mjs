// `npm run bench`'s row for `hindsight pull railway`: lines a second of a whole pull against a
// Railway-compatible GraphQL server on loopback (the tests' server, test/helpers/railway-server.ts,
// transpiled with the project's TypeScript into bench-data/), and the pull's peak RSS. The server
// runs in a process of its own, serving the dataset's lines (bench.mjs's Railway JSON, dealt round
// the services api, worker and postgres) with its rate limits raised, so that the row measures
// hindsight (paging, edge deduplication, lines written) and not the waits a real token meets.
// Its floor, measured in the same run: the same server, the same query, each page fetched and
// JSON.parsed by the same client and nothing else (no deduplication, no lines written); the table
// compares lines per CPU-second with it, and the section after it the peak RSS too.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { railwayJsonLines } from './bench.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERVICES = ['api', 'worker', 'postgres'];

export const datasets = [
  { name: 'railway-pull-200k', file: 'railway-pull-200k.jsonl', bytes: 52e6, lines: () => railwayJsonLines(5) },
  // Three times the window (with --large): the pull's RSS stays where it was.
  { name: 'railway-pull-600k', file: 'railway-pull-600k.jsonl', bytes: 156e6, lines: () => railwayJsonLines(6), large: true },
];

/** The server in a process of its own, serving `file`; its URL, window and lines. */
async function startServer(file) {
  const server = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise((resolve, reject) => {
    createInterface({ input: server.stdout }).once('line', resolve);
    server.once('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
  const { RailwayClient } = await import(pathToFileURL(join(ROOT, 'dist/sources/railway/client.js')).href);
  const { url, ...rest } = JSON.parse(first);
  return { server, client: new RailwayClient({ url, token: { variable: 'RAILWAY_TOKEN', value: 'project-token-0f3a9c' } }), ...rest };
}

const DIST = (path) => import(pathToFileURL(join(ROOT, 'dist', path)).href);

export const benchmarks = [
  {
    name: 'pull railway floor (fetch + parse)',
    floor: true,
    rssFloor: true,
    about: "the pull's floor: the same pages of the same server, fetched and JSON.parsed by the same client (fetchLogsBefore), each service read backwards from before its oldest entry, nothing else",
    datasets: ['railway-pull-200k', 'railway-pull-600k'],
    async run(file) {
      const { server, client, since, until, services } = await startServer(file);
      const { fetchLogsBefore, LOG_PAGE_LIMIT } = await DIST('sources/railway/queries.js');
      const { keyBefore, keyBeforeMs, keyOfMs, timeKey } = await DIST('sources/railway/paging.js');
      const start = keyOfMs(since);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let lines = 0;
      for (const id of services) {
        // Strictly before the oldest entry of each page: entries of one instant at a page edge are skipped, a few lines of the whole.
        for (let before = keyBeforeMs(until); ; ) {
          const page = await fetchLogsBefore(client, 'env-0', id, before, LOG_PAGE_LIMIT);
          lines += page.length;
          if (page.length === 0) break;
          const oldest = timeKey(page[0].timestamp);
          if (oldest <= start) break;
          before = keyBefore(oldest);
        }
      }
      const timedMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      server.kill();
      return { lines, requests: client.rate.requests, timedMs, timedCpuMs: (cpu.user + cpu.system) / 1000 };
    },
  },
  {
    name: 'pull railway (loopback)',
    rssFloor: true,
    about: 'hindsight pull railway of the whole window of three services from a local Railway-compatible server (pages of 5,000, lines written to files)',
    datasets: ['railway-pull-200k', 'railway-pull-600k'],
    async run(file) {
      const { server, client, since, until, lines } = await startServer(file);
      const { pullRailway } = await DIST('sources/railway/pull.js');
      const dir = mkdtempSync(join(tmpdir(), 'hindsight-bench-pull-'));
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const record = await pullRailway(client, { project: 'bench', environment: 'production', services: [], since, until }, dir);
      const timedMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      server.kill();
      rmSync(dir, { recursive: true, force: true });
      const pulled = record.services.reduce((a, s) => a + s.lines, 0);
      if (pulled !== lines) throw new Error(`pulled ${pulled} lines of ${lines}`);
      return { lines: pulled, requests: record.requests, timedMs, timedCpuMs: (cpu.user + cpu.system) / 1000 };
    },
  },
];

/** The tests' server and its types, transpiled once into bench-data/ (Node runs JavaScript only). */
async function loadServer() {
  const ts = (await import('typescript')).default;
  const out = join(ROOT, 'bench-data', 'railway-server.mjs');
  mkdirSync(dirname(out), { recursive: true });
  const src = readFileSync(join(ROOT, 'test/helpers/railway-server.ts'), 'utf8');
  writeFileSync(out, ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
  return import(pathToFileURL(out).href);
}

/** Server mode: the dataset's lines as a project of three services; prints its URL and window, then serves until killed. */
async function serve(file) {
  const { startRailwayServer } = await loadServer();
  const services = SERVICES.map((name, i) => ({ id: `svc-${i}`, name, domain: false, logs: [] }));
  let k = 0;
  let min = '';
  let max = '';
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.length === 0) continue;
    const o = JSON.parse(line);
    const { message, timestamp, deploymentId, deploymentInstanceId, ...rest } = o;
    const svc = services[k++ % services.length];
    svc.logs.push({
      timestamp,
      message,
      severity: o.level,
      attributes: Object.entries(rest).map(([key, v]) => ({ key, value: typeof v === 'string' ? v : JSON.stringify(v) })),
      tags: { projectId: 'bench', environmentId: 'env-0', serviceId: svc.id, deploymentId, deploymentInstanceId },
    });
    if (min === '' || timestamp < min) min = timestamp;
    if (timestamp > max) max = timestamp;
  }
  for (const s of services) s.logs.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  const deployments = services.map((s, i) => ({ id: `dep-${i}`, serviceId: s.id, environmentId: 'env-0', status: 'SUCCESS', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', statusUpdatedAt: '2026-01-01T00:00:00.000Z', deploymentStopped: false }));
  const data = { id: 'bench', name: 'bench', environments: [{ id: 'env-0', name: 'production' }], services, deployments, http: new Map(), metrics: new Map() };
  const server = await startRailwayServer(data, { perSecond: 100_000, perHour: 1_000_000, retentionDays: 100_000 });
  const ms = (ts) => Date.parse(ts.slice(0, 23) + 'Z');
  process.stdout.write(JSON.stringify({ url: server.url, since: ms(min), until: ms(max) + 1, lines: k, services: services.map((s) => s.id) }) + '\n');
}

if (process.argv[2] === '--serve') serve(process.argv[3]);
