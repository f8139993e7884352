// The stack lab's runs: each starts its own PostgreSQL and Redis, its services, drives traffic, plants
// faults, and returns what it caused (the facts the assertions check the findings against). Every
// entry in the records comes from the real programs; the only lines the lab writes itself are the
// platform's `Starting Container` / `Stopping Container`.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { FAULT_SETTINGS, freePort } from '../postgres-server.js';
import { injectFaults, type Injected } from '../faults.js';
import { note, railwayNow, Service, type Container, type Exit } from './railway-capture.js';
import { PostgresService, RedisService, sleep, waitForLine } from './servers.js';

const here = fileURLToPath(new URL('.', import.meta.url));
export const NODE_DIR = join(here, 'node');
export const PYTHON_DIR = join(here, 'python');
/** Debian's Python, which has celery, sqlalchemy, psycopg2 and flask (the `python3` on PATH may be another). */
export const PYTHON = '/usr/bin/python3';

/** GET with a timeout: the status, or 0 when the connection failed or was cut. */
export async function get(url: string, timeoutMs = 10_000): Promise<number> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

/** Background traffic: one request every `everyMs`, cycling through `paths`, until stopped. */
export class Traffic {
  private on = true;
  private readonly done: Promise<void>;
  readonly statuses: number[] = [];

  constructor(base: () => string, paths: string[], everyMs: number) {
    this.done = (async () => {
      for (let i = 0; this.on; i++) {
        this.statuses.push(await get(base() + paths[i % paths.length]!, 5_000));
        await sleep(everyMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.on = false;
    await this.done;
  }
}

/** Steady traffic in stretches between planted faults, counting every request a run sends. */
export class Load {
  requests = 0;

  constructor(
    private readonly base: () => string,
    private readonly paths: string[],
    private readonly everyMs = 150,
  ) {}

  /** Traffic for `ms`; its statuses. */
  async warm(ms: number): Promise<number[]> {
    const t = new Traffic(this.base, this.paths, this.everyMs);
    await sleep(ms);
    await t.stop();
    this.requests += t.statuses.length;
    return t.statuses;
  }
}

/** A planted fault: from its first act to the moment its consequences were complete. */
export interface Incident {
  name: string;
  from: string;
  to: string;
}

/** A scenario's surroundings: its record directory, a scratch home, its servers, the faults it planted. */
export class Stack {
  readonly home = mkdtempSync(join(tmpdir(), 'hindsight-lab-home-'));
  readonly incidents: Incident[] = [];
  pg!: PostgresService;
  redis!: RedisService;
  private readonly containers = new Set<Container>();

  constructor(readonly dir: string) {}

  /** Starts PostgreSQL (with `pgSettings` beside Railway's logging) and Redis. */
  async up(pgSettings: Record<string, string> = {}): Promise<void> {
    this.pg = await PostgresService.create(this.dir, pgSettings);
    this.redis = await RedisService.create(this.dir);
  }

  /** Runs a fault and records its window. */
  async plant<T>(name: string, fault: () => Promise<T>): Promise<T> {
    const from = railwayNow();
    note(this.dir, name);
    const result = await fault();
    this.incidents.push({ name, from, to: railwayNow() });
    return result;
  }

  track(c: Container): Container {
    this.containers.add(c);
    void c.exited.then(() => this.containers.delete(c));
    return c;
  }

  /** The capture ends with whatever still runs (as a `railway logs` call would), then everything is ended. */
  async down(services: Service[]): Promise<void> {
    for (const s of [...services, this.pg?.service, this.redis?.service]) s?.endCapture();
    await Promise.all([...this.containers].map((c) => c.kill()));
    await this.redis?.destroy();
    await this.pg?.destroy();
    rmSync(this.home, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------- Node

export const NODE_SETTINGS = { poolMax: 3, connectTimeoutMs: 1_000, heapMb: 64 } as const;

export interface NodeFaultFacts {
  poolExhaustion: { held: number; failed: number };
  redisOutage: { downMs: number; failed: number };
  oom: { exit: Exit };
  crashLoop: { starts: number; exits: Exit[] };
  requests: number;
  incidents: Incident[];
}

export interface NodeRedeployFacts {
  redeploys: number;
  graceMs: number;
  openTransactionsCut: number;
  requests: number;
  incidents: Incident[];
}

function nodeApp(stack: Stack, api: Service, port: number, args: string[] = ['--max-old-space-size=' + NODE_SETTINGS.heapMb, 'app.mjs'], command = 'node'): Container {
  return stack.track(api.start({
    command,
    args,
    cwd: NODE_DIR,
    env: {
      HOME: stack.home,
      PORT: String(port),
      DATABASE_URL: stack.pg.url,
      REDIS_URL: stack.redis.url,
      PG_POOL_MAX: String(NODE_SETTINGS.poolMax),
      PG_CONNECT_TIMEOUT_MS: String(NODE_SETTINGS.connectTimeoutMs),
      npm_config_update_notifier: 'false',
    },
  }));
}

async function nodeReady(api: Service, start: () => Container): Promise<Container> {
  const from = api.entries.length;
  const c = start();
  await waitForLine(api, from, 'Server listening at', 30_000);
  return c;
}

/** The Node stack with its planted faults, one after the other. */
export async function nodeFaults(dir: string): Promise<NodeFaultFacts> {
  const stack = new Stack(dir);
  const api = new Service('api', dir);
  try {
    await stack.up();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let app = await nodeReady(api, () => nodeApp(stack, api, port));
    const load = new Load(() => base, ['/health', '/items', '/cached'], 150);
    const warm = (ms: number) => load.warm(ms);
    await warm(3_000);

    // Every pooled connection held by a slow report, then a burst that waits for one.
    const poolExhaustion = await stack.plant('pool exhaustion', async () => {
      const held = Array.from({ length: NODE_SETTINGS.poolMax }, () => get(base + '/report?seconds=3'));
      await sleep(500);
      const burst = await Promise.all(Array.from({ length: 5 }, () => get(base + '/items')));
      await Promise.all(held);
      load.requests += held.length + burst.length;
      return { held: held.length, failed: burst.filter((s) => s === 500).length };
    });
    await warm(1_500);

    // The Redis server stops, requests that need it fail, it comes back.
    const redisOutage = await stack.plant('redis outage', async () => {
      const downAt = Date.now();
      await stack.redis.stop();
      const during: number[] = [];
      for (let i = 0; i < 6; i++) {
        during.push(await get(base + '/cached', 5_000));
        await sleep(300);
      }
      await stack.redis.start();
      load.requests += during.length;
      return { downMs: Date.now() - downAt, failed: during.filter((s) => s !== 200).length };
    });
    await warm(2_000);

    // V8 aborts at the heap limit; the restart policy starts the container again.
    const oomExit = await stack.plant('heap out of memory', async () => {
      void get(base + '/leak', 60_000);
      load.requests++;
      return app.exited;
    });
    await sleep(500);
    app = await nodeReady(api, () => nodeApp(stack, api, port));
    await warm(2_000);

    // A deploy whose start command fails replaces the container; the policy restarts it until it
    // gives up; then a fixed deploy.
    const exits = await stack.plant('crash loop', async () => {
      await app.stop(10_000);
      const exits: Exit[] = [];
      for (let i = 0; i < 4; i++) {
        exits.push(await nodeApp(stack, api, port, ['run', 'start:prod'], 'npm').exited);
        await sleep(700 * (i + 1));
      }
      return exits;
    });
    note(dir, 'fixed deploy');
    app = await nodeReady(api, () => nodeApp(stack, api, port));
    await warm(2_000);

    return { poolExhaustion, redisOutage, oom: { exit: oomExit }, crashLoop: { starts: exits.length, exits }, requests: load.requests, incidents: stack.incidents };
  } finally {
    await stack.down([api]);
  }
}

/**
 * Redeploys of an app that does not close its pool on SIGTERM: each new container comes up, the old
 * one gets SIGTERM while a report's transaction is open and is killed after `graceMs`, before the
 * report's statement ends. Light traffic all along; the redeploys `everyMs` apart (every container
 * lives that long: a short life is another finding), so that their alignment with PostgreSQL's
 * lines is more than chance.
 */
export async function nodeRedeploys(dir: string, count: number, everyMs: number): Promise<NodeRedeployFacts> {
  const stack = new Stack(dir);
  const api = new Service('api', dir);
  const graceMs = 1_000;
  try {
    await stack.up();
    let port = await freePort();
    let app = await nodeReady(api, () => nodeApp(stack, api, port));
    const traffic = new Traffic(() => `http://127.0.0.1:${port}`, ['/health', '/items', '/cached'], 500);
    for (let i = 0; i < count; i++) {
      await sleep(everyMs);
      await stack.plant(`redeploy ${i + 1}`, async () => {
        const oldApp = app;
        const oldBase = `http://127.0.0.1:${port}`;
        const newPort = await freePort();
        app = await nodeReady(api, () => nodeApp(stack, api, newPort));
        port = newPort;
        const inflight = get(oldBase + '/report?seconds=3');
        await sleep(300);
        await oldApp.stop(graceMs);
        await inflight;
      });
    }
    await sleep(everyMs / 3);
    await traffic.stop();
    return { redeploys: count, graceMs, openTransactionsCut: count, requests: traffic.statuses.length + count, incidents: stack.incidents };
  } finally {
    await stack.down([api]);
  }
}

/** The Node stack doing its ordinary work for `ms`. */
export async function nodeHealthy(dir: string, ms: number): Promise<{ requests: number; failed: number }> {
  const stack = new Stack(dir);
  const api = new Service('api', dir);
  try {
    await stack.up();
    const port = await freePort();
    await nodeReady(api, () => nodeApp(stack, api, port));
    const t = new Traffic(() => `http://127.0.0.1:${port}`, ['/health', '/items', '/cached', '/report?seconds=0.05'], 150);
    await sleep(ms);
    await t.stop();
    return { requests: t.statuses.length, failed: t.statuses.filter((s) => s !== 200).length };
  } finally {
    await stack.down([api]);
  }
}

// -------------------------------------------------------------------------------------- Python

/** Requests to /slow, each past gunicorn's worker timeout. */
const SLOW_REQUESTS = 2;

export const PYTHON_SETTINGS = { workers: 2, workerTimeoutS: 3, poolSize: 2, maxOverflow: 0, poolTimeoutS: 1, taskTimeLimitS: 2, beatSeconds: 3 } as const;

export interface PythonFaultFacts {
  /**
   * `planted`: the slow requests the script sent; `count`: the WORKER TIMEOUT lines gunicorn itself
   * wrote, counted with a plain substring search of its raw output. On a loaded machine gunicorn
   * may also time out a worker whose heartbeat came late (seen once in CI), so the planted number
   * is a floor and gunicorn's own lines are the truth hindsight must match.
   */
  workerTimeouts: { count: number; planted: number; timeoutS: number };
  poolExhaustion: { failed: number; leaked: number };
  celery: { timeLimitTask: string; hungTask: string; hungOpenSeconds: number };
  requests: number;
  incidents: Incident[];
}

interface PythonStack {
  web: Service;
  worker: Service;
  beat: Service;
  base: string;
}

async function pythonUp(stack: Stack, dir: string, stallPort: number, beatSeconds: number): Promise<PythonStack> {
  const web = new Service('web', dir);
  const worker = new Service('worker', dir);
  const beat = new Service('beat', dir);
  const port = await freePort();
  const env = {
    HOME: stack.home,
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    DATABASE_URL: stack.pg.url.replace('postgresql://', 'postgresql+psycopg2://'),
    REDIS_URL: stack.redis.url,
    DB_POOL_SIZE: String(PYTHON_SETTINGS.poolSize),
    DB_MAX_OVERFLOW: String(PYTHON_SETTINGS.maxOverflow),
    DB_POOL_TIMEOUT: String(PYTHON_SETTINGS.poolTimeoutS),
    SLOW_SECONDS: '10',
    TASK_TIME_LIMIT: String(PYTHON_SETTINGS.taskTimeLimitS),
    BEAT_SECONDS: String(beatSeconds),
    STALL_PORT: String(stallPort),
  };
  let from = web.entries.length;
  stack.track(web.start({
    command: '/usr/bin/gunicorn',
    args: ['--bind', `127.0.0.1:${port}`, '--workers', String(PYTHON_SETTINGS.workers), '--timeout', String(PYTHON_SETTINGS.workerTimeoutS), '--access-logfile', '-', 'web:app'],
    cwd: PYTHON_DIR,
    env,
  }));
  await waitForLine(web, from, 'Booting worker', 30_000);
  from = worker.entries.length;
  stack.track(worker.start({ command: PYTHON, args: ['-m', 'celery', '-A', 'tasks', 'worker', '--loglevel=INFO', '--concurrency=2'], cwd: PYTHON_DIR, env }));
  await waitForLine(worker, from, ' ready.', 60_000);
  stack.track(beat.start({ command: PYTHON, args: ['-m', 'celery', '-A', 'tasks', 'beat', '--loglevel=INFO', '-s', join(stack.home, 'celerybeat-schedule')], cwd: PYTHON_DIR, env }));
  return { web, worker, beat, base: `http://127.0.0.1:${port}` };
}

/** A TCP server that accepts and never answers (what a hung task waits on). */
async function stallServer(): Promise<{ port: number; server: Server; close: () => void }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { port, server, close: () => { for (const s of sockets) s.destroy(); server.close(); } };
}

/** Sends a task by name through Celery's own client; returns its id. */
function sendTask(stack: Stack, name: string): string {
  const r = spawnSync(PYTHON, ['-c', `import tasks; print(tasks.app.send_task(${JSON.stringify(name)}).id)`], {
    cwd: PYTHON_DIR,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: stack.home, REDIS_URL: stack.redis.url, PYTHONDONTWRITEBYTECODE: '1' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`sending ${name} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * The Python stack with every planted fault. The hung task is sent first and the capture ends when
 * it has been open `hungOpenMs` (a task open a few seconds may just be slow), with light traffic and
 * beat's schedule going on meanwhile.
 */
export async function pythonFaults(dir: string, hungOpenMs: number): Promise<PythonFaultFacts> {
  const stack = new Stack(dir);
  const stall = await stallServer();
  let services: Service[] = [];
  try {
    await stack.up();
    const py = await pythonUp(stack, dir, stall.port, PYTHON_SETTINGS.beatSeconds);
    services = [py.web, py.worker, py.beat];
    const load = new Load(() => py.base, ['/health', '/orders'], 200);
    const warm = (ms: number) => load.warm(ms);
    await warm(3_000);

    // Celery: a task that never ends (it waits on a socket that never answers).
    const hungAt = Date.now();
    const hungTask = await stack.plant('celery hung task', async () => {
      const from = py.worker.entries.length;
      const id = sendTask(stack, 'tasks.sync_inventory');
      await waitForLine(py.worker, from, id, 15_000);
      return id;
    });
    await warm(1_000);

    // gunicorn's sync worker timeout: a request that outlives --timeout, twice.
    await stack.plant('gunicorn worker timeouts', async () => {
      for (let i = 0; i < SLOW_REQUESTS; i++) {
        const from = py.web.entries.length;
        await get(py.base + '/slow', 30_000);
        load.requests++;
        await waitForLine(py.web, from, 'Booting worker', 15_000);
      }
    });
    await warm(1_000);

    // Celery: a task past its hard time limit.
    const timeLimitTask = await stack.plant('celery hard time limit', async () => {
      const from = py.worker.entries.length;
      const id = sendTask(stack, 'tasks.rebuild_index');
      await waitForLine(py.worker, from, 'Hard time limit', 30_000);
      return id;
    });
    await warm(1_000);

    // SQLAlchemy's QueuePool exhausted by a connection leak: each worker process's pool fills with
    // leaked connections, then requests wait pool_timeout and fail.
    const leaks = PYTHON_SETTINGS.workers * (PYTHON_SETTINGS.poolSize + PYTHON_SETTINGS.maxOverflow) + 1;
    const statuses = await stack.plant('pool exhaustion', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < leaks; i++) statuses.push(await get(py.base + '/export'));
      for (let i = 0; i < 4; i++) statuses.push(await get(py.base + '/orders'));
      load.requests += statuses.length;
      return statuses;
    });
    // Light traffic on the health check only (the pools are exhausted), until the hung task is old.
    const quiet = new Traffic(() => py.base, ['/health'], 2_000);
    await sleep(Math.max(2 * PYTHON_SETTINGS.beatSeconds * 1000, hungOpenMs - (Date.now() - hungAt)));
    await quiet.stop();
    load.requests += quiet.statuses.length;
    return {
      workerTimeouts: {
        count: py.web.entries.filter((e) => String(e.message).includes('WORKER TIMEOUT')).length,
        planted: SLOW_REQUESTS,
        timeoutS: PYTHON_SETTINGS.workerTimeoutS,
      },
      poolExhaustion: { failed: statuses.filter((s) => s === 500).length, leaked: statuses.slice(0, leaks).filter((s) => s === 200).length },
      celery: { timeLimitTask, hungTask, hungOpenSeconds: Math.round((Date.now() - hungAt) / 1000) },
      requests: load.requests,
      incidents: stack.incidents,
    };
  } finally {
    await stack.down(services);
    stall.close();
  }
}

/** The Python stack doing its ordinary work for `ms`: web requests, beat's schedule, the worker's tasks. */
export async function pythonHealthy(dir: string, ms: number): Promise<{ requests: number; failed: number }> {
  const stack = new Stack(dir);
  const stall = await stallServer();
  let services: Service[] = [];
  try {
    await stack.up();
    const py = await pythonUp(stack, dir, stall.port, 2);
    services = [py.web, py.worker, py.beat];
    const t = new Traffic(() => py.base, ['/health', '/orders'], 200);
    await sleep(ms);
    await t.stop();
    return { requests: t.statuses.length, failed: t.statuses.filter((s) => s !== 200).length };
  } finally {
    await stack.down(services);
    stall.close();
  }
}

// ---------------------------------------------------------------------------------- PostgreSQL

/**
 * PostgreSQL alone under the e2e fault script (slow statements, timeouts, lock waits, a deadlock,
 * too many clients, client resets, and a container killed with every process in it, then restarted),
 * logging as Railway's template does: its stderr, every line an `error` entry.
 */
export async function postgresFaults(dir: string): Promise<Injected> {
  const pg = await PostgresService.create(dir, FAULT_SETTINGS);
  try {
    const injected = await injectFaults(pg);
    await sleep(500);
    return injected;
  } finally {
    await pg.destroy();
  }
}
