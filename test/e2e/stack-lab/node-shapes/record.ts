// Records the Node shapes lab (README.md beside this file): each app healthy, and each under planted
// faults, against its own PostgreSQL 15, captured as `railway logs --json` prints it (one file per
// service, as the stack lab does: ../railway-capture.ts). Run by hand, not by CI:
//   npx vite-node test/e2e/stack-lab/node-shapes/record.ts <dir> [app ...] [--healthy-seconds N]
// with this folder's dependencies installed (npm install --prefix test/e2e/stack-lab/node-shapes)
// and, for Next.js, the app built (`next build` in next/; NEXT_APP_DIR names another built copy).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../postgres-server.js';
import { note, railwayNow, Service, type Container, type Exit } from '../railway-capture.js';
import { PostgresService, sleep, waitForLine } from '../servers.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const HEAP_MB = 96;

/** How an app is started, and what it says when it serves. */
interface AppSpec {
  /** The run's name (a folder of the record). */
  name: string;
  /** The routes' prefix (Next.js serves its API under /api). */
  prefix: string;
  ready: string;
  /** Whether an unhandled rejection ends the process (Next.js logs it and serves on). */
  rejectionCrashes: boolean;
  start(o: { port: number; heapMb: number; broken: boolean }): { command: string; args: string[]; cwd: string; env: Record<string, string> };
}

const nextDir = process.env.NEXT_APP_DIR ?? join(here, 'next');
const emptyDir = mkdtempSync(join(tmpdir(), 'hindsight-shapes-empty-'));

function nodeApp(name: string, file: string, env: Record<string, string>, ready: string): AppSpec {
  return {
    name,
    prefix: '',
    ready,
    rejectionCrashes: true,
    start: ({ port, heapMb, broken }) => ({
      command: 'node',
      args: [`--max-old-space-size=${heapMb}`, file],
      cwd: here,
      // The crash loop: a start whose required setting is missing.
      env: { ...env, PORT: String(port), ...(broken ? { REQUIRE_SETTING: 'STRIPE_SECRET_KEY' } : {}) },
    }),
  };
}

const NO_COLOR_UNSET = { NO_COLOR: '' };
export const APPS: Record<string, AppSpec> = {
  // Railway's containers set no NO_COLOR: NestJS colours its lines there.
  'nest-color': nodeApp('nest-color', 'nest.cjs', NO_COLOR_UNSET, 'Application is running on'),
  'nest-nocolor': nodeApp('nest-nocolor', 'nest.cjs', { NO_COLOR: '1' }, 'Application is running on'),
  'nest-json': nodeApp('nest-json', 'nest.cjs', { NEST_JSON: '1' }, 'Application is running on'),
  'winston-json': nodeApp('winston-json', 'express-winston.cjs', {}, 'Server listening on port'),
  'winston-timestamp-json': nodeApp('winston-timestamp-json', 'express-winston.cjs', { WINSTON_FORMAT: 'timestamp-json' }, 'Server listening on port'),
  'winston-simple-morgan-dev': nodeApp('winston-simple-morgan-dev', 'express-winston.cjs', { WINSTON_FORMAT: 'simple', MORGAN_FORMAT: 'dev' }, 'Server listening on port'),
  bunyan: nodeApp('bunyan', 'bunyan.cjs', {}, 'server listening'),
  next: {
    name: 'next',
    prefix: '/api',
    ready: 'Ready in',
    rejectionCrashes: false,
    start: ({ port, heapMb, broken }) => ({
      command: 'node',
      // A start without a build (the crash loop) is `next start` where no `.next` is.
      args: [`--max-old-space-size=${heapMb * 2}`, join(here, 'node_modules/next/dist/bin/next'), 'start', broken ? emptyDir : nextDir, '-p', String(port), '-H', '127.0.0.1'],
      cwd: nextDir,
      env: { ...NO_COLOR_UNSET, NEXT_TELEMETRY_DISABLED: '1' },
    }),
  },
};

/** GET with a timeout: the status, or 0 when the connection failed or was cut. */
async function get(url: string, timeoutMs = 10_000): Promise<number> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

/** One app's service and its database, with the restart policy (a crashed container is started again). */
class Run {
  readonly api: Service;
  pg!: PostgresService;
  port = 0;
  app: Container | null = null;
  readonly statuses: number[] = [];
  readonly exits: Exit[] = [];
  readonly incidents: { name: string; from: string; to: string }[] = [];
  private traffic = false;
  private trafficDone: Promise<void> = Promise.resolve();

  constructor(readonly spec: AppSpec, readonly dir: string) {
    this.api = new Service('api', dir);
  }

  async up(): Promise<void> {
    this.pg = await PostgresService.create(this.dir);
    this.port = await freePort();
    await this.startApp();
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${this.spec.prefix}${path}`;
  }

  /** Starts the app and waits until it serves; a broken start is awaited to its exit instead. */
  async startApp(broken = false): Promise<void> {
    const from = this.api.entries.length;
    const s = this.spec.start({ port: this.port, heapMb: HEAP_MB, broken });
    const c = this.api.start({ ...s, env: { HOME: here, DATABASE_URL: this.pg.url, ...s.env } });
    if (broken) {
      this.exits.push(await c.exited);
      return;
    }
    this.app = c;
    await waitForLine(this.api, from, this.spec.ready, 60_000);
  }

  /** Waits for the app's crash, then the restart policy starts it again. */
  async crashed(): Promise<void> {
    const exit = await Promise.race([this.app!.exited, sleep(30_000).then(() => null)]);
    if (exit === null) throw new Error(`${this.spec.name}: the app did not crash`);
    this.exits.push(exit);
    await sleep(1_000);
    await this.startApp();
  }

  startTraffic(paths: string[], everyMs: number): void {
    this.traffic = true;
    this.trafficDone = (async () => {
      for (let i = 0; this.traffic; i++) {
        this.statuses.push(await get(this.url(paths[i % paths.length]!), 5_000));
        await sleep(everyMs);
      }
    })();
  }

  async stopTraffic(): Promise<void> {
    this.traffic = false;
    await this.trafficDone;
  }

  async plant<T>(name: string, fault: () => Promise<T>): Promise<T> {
    const from = railwayNow();
    note(this.dir, name);
    const result = await fault();
    this.incidents.push({ name, from, to: railwayNow() });
    return result;
  }

  async down(): Promise<void> {
    this.api.endCapture();
    this.pg?.service.endCapture();
    await this.app?.kill();
    await this.pg?.destroy();
  }
}

const HEALTHY_PATHS = ['/health', '/items', '/slow?ms=30', '/items'];

async function healthy(spec: AppSpec, dir: string, ms: number): Promise<object> {
  const run = new Run(spec, dir);
  try {
    await run.up();
    run.startTraffic(HEALTHY_PATHS, 150);
    await sleep(ms);
    await run.stopTraffic();
    return { requests: run.statuses.length, failed: run.statuses.filter((s) => s !== 200).length };
  } finally {
    await run.down();
  }
}

async function faults(spec: AppSpec, dir: string): Promise<object> {
  const run = new Run(spec, dir);
  const facts: Record<string, unknown> = {};
  try {
    await run.up();
    run.startTraffic(['/health', '/items'], 400);
    await sleep(3_000);
    facts.poolExhaustion = await run.plant('pool exhaustion: 3 reports hold the 3 connections for 3 s, 5 requests wait 1 s for one', async () => {
      const held = [1, 2, 3].map(() => get(run.url('/report?seconds=3')));
      await sleep(300);
      const waiting = await Promise.all([1, 2, 3, 4, 5].map(() => get(run.url('/items'))));
      await Promise.all(held);
      return { held: 3, waiting: waiting.length, failed: waiting.filter((s) => s !== 200).length };
    });
    await sleep(2_000);
    facts.slow = await run.plant('slow requests: 3 requests of 4 s', async () => {
      const s = await Promise.all([1, 2, 3].map(() => get(run.url('/slow?ms=4000'))));
      return { requests: s.length, ms: 4000 };
    });
    await sleep(2_000);
    facts.databaseDown = await run.plant('database down: PostgreSQL stopped for 6 s', async () => {
      const from = run.statuses.length;
      await run.pg.stop('fast');
      await sleep(6_000);
      await run.pg.start();
      await sleep(2_000);
      return { downMs: 6_000, failed: run.statuses.slice(from).filter((s) => s !== 200).length };
    });
    await sleep(2_000);
    facts.unhandledRejection = await run.plant('unhandled rejection: the process ends (the restart policy starts it again), or the framework logs it', async () => {
      await get(run.url('/reject'));
      if (!spec.rejectionCrashes) {
        await sleep(1_000);
        return { exit: null };
      }
      await run.crashed();
      return { exit: run.exits.at(-1) };
    });
    await sleep(2_000);
    facts.oom = await run.plant(`heap out of memory (--max-old-space-size)`, async () => {
      void get(run.url('/leak'), 30_000);
      await run.crashed();
      return { exit: run.exits.at(-1) };
    });
    await sleep(2_000);
    facts.crashLoop = await run.plant('crash loop: 3 starts fail at boot, the fourth serves', async () => {
      await run.app!.stop();
      const from = run.exits.length;
      for (let i = 0; i < 3; i++) {
        await run.startApp(true);
        await sleep(1_000);
      }
      await run.startApp();
      return { starts: 4, exits: run.exits.slice(from) };
    });
    await sleep(3_000);
    await run.stopTraffic();
    facts.requests = run.statuses.length;
    facts.incidents = run.incidents;
    return facts;
  } finally {
    await run.down();
  }
}

const argv = process.argv.slice(2);
const hi = argv.indexOf('--healthy-seconds');
const healthyMs = hi >= 0 ? Number(argv.splice(hi, 2)[1]) * 1000 : 30_000;
const [root, ...names] = argv;
if (root === undefined) {
  console.error('usage: vite-node test/e2e/stack-lab/node-shapes/record.ts <dir> [app ...] [--healthy-seconds N]; apps: ' + Object.keys(APPS).join(', '));
  process.exit(2);
}
for (const name of names.length > 0 ? names : Object.keys(APPS)) {
  const spec = APPS[name];
  if (spec === undefined) throw new Error(`no app ${name}`);
  for (const [kind, scenario] of [['healthy', (d: string) => healthy(spec, d, healthyMs)], ['faults', (d: string) => faults(spec, d)]] as const) {
    const dir = join(root, name, kind);
    mkdirSync(dir, { recursive: true });
    const started = Date.now();
    const facts = await scenario(dir);
    writeFileSync(join(dir, 'facts.json'), JSON.stringify({ ...facts, seconds: Math.round((Date.now() - started) / 1000) }, null, 2) + '\n');
    console.log(`${name}/${kind}: ${JSON.stringify(facts).slice(0, 300)}`);
  }
}
rmSync(emptyDir, { recursive: true, force: true });
process.exit(0);
