// Held-out stacks: programs hindsight was not developed on, run as the lab runs the others (their own
// PostgreSQL and Redis, output captured as `railway logs --json` prints it), healthy and under planted
// faults. Issue 13 measures hindsight on stacks like these: every planted incident found with its
// numbers, no finding of medium or worse on a healthy run.
// - Go: an HTTP API (net/http, zap's production logger, a pgx v4 pool) and a worker (logrus, the
//   standard library's log, pgx), built from Debian's Go 1.19 and its library sources.
// - Ruby: a Rack app on puma 5 in cluster mode with ActiveRecord 6.1 on PostgreSQL and a Rails-style
//   logger, and a Sidekiq 6 worker on Redis.
// - JVM: an HTTP API (com.sun.net.httpserver, HikariCP over pgjdbc, SLF4J on logback with Spring Boot's
//   console pattern, stdout) and a worker (log4j2's default pattern on stderr, HikariCP), compiled with
//   javac against Debian's jars.
// - PHP: nginx and php-fpm 8.2 in one container (the php:fpm image's settings) with a Monolog app on
//   PDO/PostgreSQL, and a PHP CLI worker logging Monolog's JSON.
// Recorded with test/e2e/stack-lab/record-held-out.ts; small captures of the records are unit fixtures
// under test/fixtures/stacks/go, ruby, jvm and php.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../postgres-server.js';
import { note, Service, type Container, type Exit } from './railway-capture.js';
import { get, Load, Stack, type Incident } from './scenarios.js';
import { sleep, waitForLine } from './servers.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const GO_DIR = join(here, 'go');
const RUBY_DIR = join(here, 'ruby');
const PHP_DIR = join(here, 'php');

/** A healthy run of a stack: steady traffic for `ms`, and how many requests failed. */
async function healthyRun(
  dir: string,
  ms: number,
  /** Starts the stack's programs; `after` runs once the traffic stopped (a scheduler's last jobs). */
  up: (stack: Stack) => Promise<{ services: Service[]; base: () => string; paths: string[]; after?: () => Promise<void> }>,
): Promise<{ requests: number; failed: number }> {
  const stack = new Stack(dir);
  let services: Service[] = [];
  try {
    await stack.up();
    const app = await up(stack);
    services = app.services;
    const statuses = await new Load(app.base, app.paths).warm(ms);
    await app.after?.();
    return { requests: statuses.length, failed: statuses.filter((s) => s !== 200).length };
  } finally {
    await stack.down(services);
  }
}

/** PostgreSQL stopped under the app for ten requests 400 ms apart, then started again. */
function databaseDownFor(stack: Stack, load: Load, request: () => Promise<number>): Promise<{ downMs: number; failedRequests: number }> {
  return stack.plant('database down', async () => {
    const downAt = Date.now();
    await stack.pg.stop();
    const during: number[] = [];
    for (let i = 0; i < 10; i++) {
      during.push(await request());
      await sleep(400);
    }
    await stack.pg.start();
    load.requests += during.length;
    return { downMs: Date.now() - downAt, failedRequests: during.filter((s) => s !== 200).length };
  });
}

// ------------------------------------------------------------------------------------------- Go

export const GO_SETTINGS = { poolMax: 3, queryTimeoutS: 1, reportSeconds: 3, addressSpaceKb: 800_000 } as const;

/** Builds the Go programs into `binDir` (GOPATH mode against Debian's /usr/share/gocode: no module proxy needed). */
function goBuild(binDir: string, cacheDir: string): void {
  for (const p of ['api', 'jobs']) {
    execFileSync('go', ['build', '-o', join(binDir, p), `./${p}`], {
      cwd: GO_DIR,
      env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOCACHE: cacheDir, GOFLAGS: '' },
      stdio: 'inherit',
    });
  }
}

interface GoStack {
  api: Service;
  jobs: Service;
  base: string;
  /** The running api container (the latest started). */
  app: Container | null;
  startApi: (env?: Record<string, string>) => Container;
}

async function goUp(stack: Stack, dir: string): Promise<GoStack> {
  goBuild(stack.home, join(stack.home, 'gocache'));
  const api = new Service('api', dir);
  const jobs = new Service('jobs', dir);
  const port = await freePort();
  const env = { HOME: stack.home, DATABASE_URL: stack.pg.url, PORT: String(port), POOL_MAX: String(GO_SETTINGS.poolMax), QUERY_TIMEOUT: `${GO_SETTINGS.queryTimeoutS}s`, REPORT_SECONDS: String(GO_SETTINGS.reportSeconds) };
  // The container's address space is limited (`ulimit -v`), so that an allocation that never stops
  // ends in the Go runtime's own out-of-memory crash.
  const go: GoStack = {
    api, jobs, base: `http://127.0.0.1:${port}`, app: null,
    startApi: (extra: Record<string, string> = {}) => (go.app = stack.track(api.start({
      command: '/bin/sh', args: ['-c', `ulimit -v ${GO_SETTINGS.addressSpaceKb}; exec ${join(stack.home, 'api')}`], cwd: stack.home, env: { ...env, ...extra },
    }))),
  };
  let from = api.entries.length;
  go.startApi();
  await waitForLine(api, from, 'listening', 30_000);
  from = jobs.entries.length;
  stack.track(jobs.start({ command: join(stack.home, 'jobs'), args: [], cwd: stack.home, env: { ...env, INTERVAL: '2s' } }));
  await waitForLine(jobs, from, 'connected, running every', 30_000);
  return go;
}

const GO_PATHS = ['/health', '/orders'];

export function goHealthy(dir: string, ms: number): Promise<{ requests: number; failed: number }> {
  return healthyRun(dir, ms, async (stack) => {
    const go = await goUp(stack, dir);
    return { services: [go.api, go.jobs], base: () => go.base, paths: GO_PATHS };
  });
}

export interface GoFaultFacts {
  poolExhaustion: { held: number; failed: number };
  handlerPanics: number;
  databaseDown: { downMs: number; failedRequests: number };
  oom: { exit: Exit };
  crashLoop: { starts: number; exits: Exit[] };
  requests: number;
  incidents: Incident[];
}

export async function goFaults(dir: string): Promise<GoFaultFacts> {
  const stack = new Stack(dir);
  let services: Service[] = [];
  try {
    await stack.up();
    const go = await goUp(stack, dir);
    services = [go.api, go.jobs];
    const load = new Load(() => go.base, GO_PATHS, 150);
    const warm = (ms: number) => load.warm(ms);
    await warm(4_000);

    const poolExhaustion = await stack.plant('pool exhaustion', async () => {
      const held = Array.from({ length: GO_SETTINGS.poolMax }, () => get(go.base + '/report'));
      await sleep(500);
      const burst = await Promise.all(Array.from({ length: 5 }, () => get(go.base + '/orders')));
      await Promise.all(held);
      load.requests += held.length + burst.length;
      return { held: held.length, failed: burst.filter((s) => s === 500).length };
    });
    await warm(2_000);

    const handlerPanics = await stack.plant('handler panics', async () => {
      const s = await Promise.all([get(go.base + '/panic'), get(go.base + '/panic')]);
      load.requests += s.length;
      return s.filter((x) => x === 0).length;
    });
    await warm(2_000);

    const databaseDown = await databaseDownFor(stack, load, () => get(go.base + '/health', 5_000));
    await warm(3_000);

    // The container is restarted by the platform after the crash (a new start, no stop).
    const api = go.app!;
    const oomExit = await stack.plant('out of memory', async () => {
      void get(go.base + '/alloc', 60_000);
      load.requests++;
      return api.exited;
    });
    await sleep(500);
    let from = go.api.entries.length;
    go.startApi();
    await waitForLine(go.api, from, 'listening', 30_000);
    await warm(3_000);

    const exits = await stack.plant('crash loop', async () => {
      await go.app!.stop(10_000); // a deploy with a missing setting replaces the container
      const exits: Exit[] = [];
      for (let i = 0; i < 4; i++) {
        exits.push(await go.startApi({ CRASH_AT_START: 'STRIPE_API_KEY' }).exited);
        await sleep(700 * (i + 1));
      }
      return exits;
    });
    note(dir, 'fixed deploy');
    from = go.api.entries.length;
    go.startApi();
    await waitForLine(go.api, from, 'listening', 30_000);
    await warm(3_000);
    return { poolExhaustion, handlerPanics, databaseDown, oom: { exit: oomExit }, crashLoop: { starts: exits.length, exits }, requests: load.requests, incidents: stack.incidents };
  } finally {
    await stack.down(services);
  }
}

// ----------------------------------------------------------------------------------------- Ruby

export const RUBY_SETTINGS = { workers: 2, threads: 5, dbPool: 2, checkoutTimeoutS: 1, workerTimeoutS: 6, reportSeconds: 3, sidekiqTimeoutS: 3 } as const;

interface RubyStack {
  web: Service;
  worker: Service;
  base: string;
  env: Record<string, string>;
  /** The running Sidekiq container (the latest started). */
  sidekiq: Container | null;
  startWorker: () => Container;
}

/** Pushes a Sidekiq job (the client's own push, as an app's would). */
function enqueue(env: Record<string, string>, ...args: string[]): Promise<void> {
  return new Promise((resolve) => {
    const c = spawn('ruby', ['enqueue.rb', ...args], { cwd: RUBY_DIR, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: 'ignore' });
    c.once('exit', () => resolve());
  });
}

/** Pushes SyncInvoices every `everyMs` until stopped (a scheduler's work). */
class Schedule {
  private on = true;
  private readonly done: Promise<void>;
  constructor(env: Record<string, string>, everyMs: number) {
    this.done = (async () => {
      for (let n = 1; this.on; n++) {
        await enqueue(env, 'SyncInvoices', String(n));
        await sleep(everyMs);
      }
    })();
  }
  async stop(): Promise<void> {
    this.on = false;
    await this.done;
  }
}

async function rubyUp(stack: Stack, dir: string, dbPool: number = RUBY_SETTINGS.threads): Promise<RubyStack> {
  const web = new Service('web', dir);
  const worker = new Service('worker', dir);
  const port = await freePort();
  const env = {
    HOME: stack.home, DATABASE_URL: stack.pg.url, REDIS_URL: stack.redis.url, PORT: String(port),
    WEB_CONCURRENCY: String(RUBY_SETTINGS.workers), RAILS_MAX_THREADS: String(RUBY_SETTINGS.threads),
    DB_POOL: String(dbPool), DB_CHECKOUT_TIMEOUT: String(RUBY_SETTINGS.checkoutTimeoutS),
    WORKER_TIMEOUT: String(RUBY_SETTINGS.workerTimeoutS), REPORT_SECONDS: String(RUBY_SETTINGS.reportSeconds),
  };
  let from = web.entries.length;
  stack.track(web.start({ command: 'puma', args: ['-C', 'puma.rb', 'config.ru'], cwd: RUBY_DIR, env }));
  await waitForLine(web, from, `Worker ${RUBY_SETTINGS.workers - 1} (PID`, 60_000);
  await waitForLine(web, from, 'Use Ctrl-C to stop', 60_000);
  const rb: RubyStack = {
    web, worker, base: `http://127.0.0.1:${port}`, env, sidekiq: null,
    startWorker: () => (rb.sidekiq = stack.track(worker.start({
      command: 'sidekiq', args: ['-r', './worker.rb', '-c', '3', '-t', String(RUBY_SETTINGS.sidekiqTimeoutS)], cwd: RUBY_DIR, env,
    }))),
  };
  from = worker.entries.length;
  rb.startWorker();
  await waitForLine(worker, from, 'Upgrade to Sidekiq Pro', 60_000);
  return rb;
}

const RUBY_PATHS = ['/health', '/orders'];

export function rubyHealthy(dir: string, ms: number): Promise<{ requests: number; failed: number }> {
  return healthyRun(dir, ms, async (stack) => {
    const rb = await rubyUp(stack, dir);
    const schedule = new Schedule(rb.env, 1_000);
    const after = async () => {
      await schedule.stop();
      await sleep(1_000);
    };
    return { services: [rb.web, rb.worker], base: () => rb.base, paths: RUBY_PATHS, after };
  });
}

export interface RubyFaultFacts {
  poolExhaustion: { held: number; sent: number; failed: number };
  raised: number;
  workerTimeouts: number;
  redisOutage: { downMs: number };
  jobFailures: { job: string; pushed: number };
  stopWithBusyJob: { job: string; timeoutS: number };
  requests: number;
  incidents: Incident[];
}

export async function rubyFaults(dir: string): Promise<RubyFaultFacts> {
  const stack = new Stack(dir);
  let services: Service[] = [];
  try {
    await stack.up();
    const rb = await rubyUp(stack, dir, RUBY_SETTINGS.dbPool);
    services = [rb.web, rb.worker];
    const schedule = new Schedule(rb.env, 1_000);
    const load = new Load(() => rb.base, RUBY_PATHS, 200);
    const warm = (ms: number) => load.warm(ms);
    await warm(4_000);

    // More slow reports than both workers' pools hold, then a burst that waits for a connection.
    const poolExhaustion = await stack.plant('pool exhaustion', async () => {
      const held = Array.from({ length: RUBY_SETTINGS.workers * RUBY_SETTINGS.dbPool }, () => get(rb.base + '/report'));
      await sleep(500);
      const burst = await Promise.all(Array.from({ length: 6 }, () => get(rb.base + '/orders')));
      const heldStatus = await Promise.all(held);
      load.requests += held.length + burst.length;
      return { held: held.length, sent: burst.length, failed: [...burst, ...heldStatus].filter((s) => s === 500).length };
    });
    await warm(2_000);

    const raised = await stack.plant('unhandled exceptions', async () => {
      const s = await Promise.all([get(rb.base + '/boom'), get(rb.base + '/boom')]);
      load.requests += s.length;
      return s.filter((x) => x === 500).length;
    });
    await warm(2_000);

    const workerTimeouts = await stack.plant('worker timeout', async () => {
      const from = rb.web.entries.length;
      void get(rb.base + '/hang', 30_000);
      load.requests++;
      await waitForLine(rb.web, from, 'Terminating timed out worker', 30_000);
      await waitForLine(rb.web, from, 'booted in', 30_000);
      return 1;
    });
    await warm(2_000);

    const jobFailures = await stack.plant('failing job', async () => {
      await enqueue(rb.env, 'ChargeCard', '4242');
      await sleep(3_000);
      return { job: 'ChargeCard', pushed: 1 };
    });

    const redisOutage = await stack.plant('redis outage', async () => {
      const downAt = Date.now();
      await stack.redis.stop();
      await sleep(5_000);
      await stack.redis.start();
      return { downMs: Date.now() - downAt };
    });
    await warm(4_000);

    // A redeploy of the worker while a long job runs: Sidekiq's shutdown timeout cuts it.
    const stopWithBusyJob = await stack.plant('stop with a busy job', async () => {
      await enqueue(rb.env, 'ExportLedger', '30');
      await sleep(1_500);
      const old = rb.sidekiq!;
      const from = rb.worker.entries.length;
      rb.startWorker();
      await waitForLine(rb.worker, from, 'Upgrade to Sidekiq Pro', 60_000);
      await old.stop(RUBY_SETTINGS.sidekiqTimeoutS * 1000 + 10_000);
      return { job: 'ExportLedger', timeoutS: RUBY_SETTINGS.sidekiqTimeoutS };
    });
    await warm(4_000);
    await schedule.stop();
    await sleep(1_000);
    return { poolExhaustion, raised, workerTimeouts, redisOutage, jobFailures, stopWithBusyJob, requests: load.requests, incidents: stack.incidents };
  } finally {
    await stack.down(services);
  }
}

// ------------------------------------------------------------------------------------------ JVM

export const JVM_SETTINGS = { poolMax: 3, connectionTimeoutMs: 1_000, reportSeconds: 3, apiHeap: '64m', jobsHeap: '48m' } as const;
const JVM_DIR = join(here, 'jvm');
const JARS = (names: string[]) => names.map((n) => `/usr/share/java/${n}.jar`);
const JDBC = JARS(['HikariCP', 'postgresql', 'slf4j-api']);
/** The api logs through SLF4J on logback; the worker through log4j2 (SLF4J, for HikariCP, has no binding there). */
const API_CLASSPATH = JDBC.concat(JARS(['logback-classic', 'logback-core']));
const JOBS_CLASSPATH = JDBC.concat(JARS(['log4j-api', 'log4j-core']));

interface JvmStack {
  api: Service;
  jobs: Service;
  base: string;
  app: Container | null;
  worker: Container | null;
  startApi: (env?: Record<string, string>) => Container;
  startJobs: (env?: Record<string, string>) => Container;
}

async function jvmUp(stack: Stack, dir: string): Promise<JvmStack> {
  const bin = join(stack.home, 'classes');
  execFileSync('javac', ['-d', bin, '-cp', [...API_CLASSPATH, ...JOBS_CLASSPATH].join(':'), 'Api.java', 'Jobs.java'], { cwd: JVM_DIR, stdio: 'inherit' });
  const api = new Service('api', dir);
  const jobs = new Service('jobs', dir);
  const port = await freePort();
  const env = { HOME: stack.home, DATABASE_URL: stack.pg.url, PORT: String(port), POOL_MAX: String(JVM_SETTINGS.poolMax), CONNECTION_TIMEOUT_MS: String(JVM_SETTINGS.connectionTimeoutMs), REPORT_SECONDS: String(JVM_SETTINGS.reportSeconds) };
  const jvm: JvmStack = {
    api, jobs, base: `http://127.0.0.1:${port}`, app: null, worker: null,
    // A container's JVM as a Dockerfile runs it: a small heap, ended at the first OutOfMemoryError.
    startApi: (extra: Record<string, string> = {}) => (jvm.app = stack.track(api.start({
      command: 'java',
      args: [`-Xmx${JVM_SETTINGS.apiHeap}`, '-XX:+ExitOnOutOfMemoryError', `-Dlogback.configurationFile=${join(JVM_DIR, 'logback-api.xml')}`, '-cp', [bin, ...API_CLASSPATH].join(':'), 'Api'],
      cwd: stack.home, env: { ...env, ...extra },
    }))),
    startJobs: (extra: Record<string, string> = {}) => (jvm.worker = stack.track(jobs.start({
      command: 'java',
      args: [`-Xmx${JVM_SETTINGS.jobsHeap}`, `-Dlog4j2.configurationFile=${join(JVM_DIR, 'log4j2-jobs.xml')}`, '-cp', [bin, ...JOBS_CLASSPATH].join(':'), 'Jobs'],
      cwd: stack.home, env: { ...env, INTERVAL_MS: '2000', ...extra },
    }))),
  };
  let from = api.entries.length;
  jvm.startApi();
  await waitForLine(api, from, 'Started Api', 60_000);
  from = jobs.entries.length;
  jvm.startJobs();
  await waitForLine(jobs, from, 'Worker started', 60_000);
  return jvm;
}

const JVM_PATHS = ['/health', '/orders'];

export function jvmHealthy(dir: string, ms: number): Promise<{ requests: number; failed: number }> {
  return healthyRun(dir, ms, async (stack) => {
    const jvm = await jvmUp(stack, dir);
    return { services: [jvm.api, jvm.jobs], base: () => jvm.base, paths: JVM_PATHS };
  });
}

export interface JvmFaultFacts {
  poolExhaustion: { held: number; failed: number };
  exportFailures: number;
  databaseDown: { downMs: number; failedRequests: number };
  workerRedeploy: { oldExit: Exit };
  workerOom: { thread: string };
  apiOom: { exit: Exit };
  killed: { exit: Exit };
  crashLoop: { stopExit: Exit; starts: number; exits: Exit[] };
  requests: number;
  incidents: Incident[];
}

export async function jvmFaults(dir: string): Promise<JvmFaultFacts> {
  const stack = new Stack(dir);
  let services: Service[] = [];
  try {
    await stack.up();
    const jvm = await jvmUp(stack, dir);
    services = [jvm.api, jvm.jobs];
    const load = new Load(() => jvm.base, JVM_PATHS, 150);
    const warm = (ms: number) => load.warm(ms);
    const apiReady = async (extra?: Record<string, string>) => {
      const from = jvm.api.entries.length;
      jvm.startApi(extra);
      await waitForLine(jvm.api, from, 'Started Api', 60_000);
    };
    await warm(4_000);

    const poolExhaustion = await stack.plant('pool exhaustion', async () => {
      const held = Array.from({ length: JVM_SETTINGS.poolMax }, () => get(jvm.base + '/report'));
      await sleep(500);
      const burst = await Promise.all(Array.from({ length: 5 }, () => get(jvm.base + '/orders')));
      await Promise.all(held);
      load.requests += held.length + burst.length;
      return { held: held.length, failed: burst.filter((s) => s === 500).length };
    });
    await warm(2_000);

    const exportFailures = await stack.plant('export failures (an exception with its cause)', async () => {
      const s = await Promise.all([get(jvm.base + '/export'), get(jvm.base + '/export')]);
      load.requests += s.length;
      return s.filter((x) => x === 500).length;
    });
    await warm(2_000);

    const databaseDown = await databaseDownFor(stack, load, () => get(jvm.base + '/health', 5_000));
    await warm(3_000);

    // A redeploy of the worker (the new container up, then the old one stopped: SIGTERM, its hook
    // logs the stop); the new one runs an export at its 3rd job that fills its heap on its own thread.
    const workerRedeploy = await stack.plant('worker redeploy', async () => {
      const old = jvm.worker!;
      const from = jvm.jobs.entries.length;
      jvm.startJobs({ EXPORT_AT_JOB: '3' });
      await waitForLine(jvm.jobs, from, 'Worker started', 60_000);
      return { oldExit: await old.stop(10_000) };
    });
    const workerOom = await stack.plant('worker export out of memory', async () => {
      const from = jvm.jobs.entries.length;
      await waitForLine(jvm.jobs, from, 'java.lang.OutOfMemoryError', 30_000);
      return { thread: 'export-3' };
    });
    await warm(3_000);

    // The api's heap: -XX:+ExitOnOutOfMemoryError ends the JVM; the platform starts it again.
    const apiOom = await stack.plant('api out of memory', async () => {
      const app = jvm.app!;
      void get(jvm.base + '/alloc', 60_000);
      load.requests++;
      return { exit: await app.exited };
    });
    await sleep(500);
    await apiReady();
    await warm(3_000);

    // The container killed with every process in it (the kernel's OOM killer, a host failure): no line.
    const killed = await stack.plant('api killed (SIGKILL)', async () => ({ exit: await jvm.app!.kill() }));
    await sleep(500);
    await apiReady();
    await warm(3_000);

    const crashLoop = await stack.plant('crash loop', async () => {
      const stopExit = await jvm.app!.stop(10_000); // a deploy with a missing setting replaces the container
      const exits: Exit[] = [];
      for (let i = 0; i < 4; i++) {
        exits.push(await jvm.startApi({ REQUIRE_STRIPE_KEY: '1' }).exited);
        await sleep(700 * (i + 1));
      }
      return { stopExit, starts: exits.length, exits };
    });
    note(dir, 'fixed deploy');
    await apiReady();
    await warm(3_000);
    return { poolExhaustion, exportFailures, databaseDown, workerRedeploy, workerOom, apiOom, killed, crashLoop, requests: load.requests, incidents: stack.incidents };
  } finally {
    await stack.down(services);
  }
}

// ------------------------------------------------------------------------------------------ PHP

export const PHP_SETTINGS = { maxChildren: 3, terminateTimeoutS: 5, slowlogTimeoutS: 2, memoryLimit: '32M', reportTimeoutS: 2, maxConnections: 20 } as const;

interface PhpStack {
  web: Service;
  worker: Service;
  /** The running web container and where it listens (each container its own port and run directory, as a new deploy's would be). */
  app: Container | null;
  base: string;
  /** Starts a web container (php-fpm and nginx, test/e2e/stack-lab/php/start.sh) and waits until both serve. */
  startWeb: (stopSignal?: NodeJS.Signals) => Promise<Container>;
}

async function phpUp(stack: Stack, dir: string): Promise<PhpStack> {
  const web = new Service('web', dir);
  const worker = new Service('worker', dir);
  const nginxConf = readFileSync(join(PHP_DIR, 'nginx.conf'), 'utf8');
  chmodSync(stack.home, 0o755); // nginx's and php-fpm's workers (nobody, www-data) reach the socket through it
  let deploys = 0;
  const php: PhpStack = {
    web, worker, app: null, base: '',
    startWeb: async (stopSignal?: NodeJS.Signals) => {
      const port = await freePort();
      const run = join(stack.home, `web-${++deploys}`);
      mkdirSync(run);
      chmodSync(run, 0o755);
      writeFileSync(join(run, 'nginx.conf'), nginxConf
        .replaceAll('@PORT@', String(port)).replaceAll('@RUN_DIR@', run).replaceAll('@ROOT@', PHP_DIR)
        .replaceAll('@REPORT_TIMEOUT@', `${PHP_SETTINGS.reportTimeoutS}s`));
      const from = web.entries.length;
      const c = stack.track(web.start({
        command: join(PHP_DIR, 'start.sh'), args: [], cwd: run, stopSignal,
        env: {
          APP_DIR: PHP_DIR, RUN_DIR: run, DATABASE_URL: stack.pg.url, POOL_USER: 'www-data',
          POOL_MAX_CHILDREN: String(PHP_SETTINGS.maxChildren), POOL_TERMINATE_TIMEOUT: `${PHP_SETTINGS.terminateTimeoutS}s`,
          POOL_SLOWLOG_TIMEOUT: `${PHP_SETTINGS.slowlogTimeoutS}s`, PHP_MEMORY_LIMIT: PHP_SETTINGS.memoryLimit,
        },
      }));
      await waitForLine(web, from, 'ready to handle connections', 30_000);
      await waitForLine(web, from, 'start worker process', 30_000);
      php.app = c;
      php.base = `http://127.0.0.1:${port}`;
      return c;
    },
  };
  await php.startWeb();
  const from = worker.entries.length;
  stack.track(worker.start({ command: 'php', args: [join(PHP_DIR, 'worker.php')], cwd: stack.home, env: { DATABASE_URL: stack.pg.url, INTERVAL: '2' } }));
  await waitForLine(worker, from, 'worker started', 30_000);
  return php;
}

const PHP_PATHS = ['/health', '/orders', '/legacy'];

export function phpHealthy(dir: string, ms: number): Promise<{ requests: number; failed: number }> {
  return healthyRun(dir, ms, async (stack) => {
    const php = await phpUp(stack, dir);
    return { services: [php.web, php.worker], base: () => php.base, paths: PHP_PATHS };
  });
}

export interface PhpFaultFacts {
  maxChildren: { children: number; sent: number; statuses: number[] };
  gatewayTimeouts: { sent: number; statuses: number[] };
  terminated: { statuses: number[] };
  memoryExhausted: { statuses: number[] };
  uncaught: { statuses: number[] };
  databaseDown: { downMs: number; failedRequests: number };
  tooManyConnections: { held: number; failedRequests: number };
  childKilled: { child: number; statuses: number[] };
  containerKilled: { exit: Exit };
  cleanStops: { signal: string; exit: Exit }[];
  requests: number;
  incidents: Incident[];
}

export async function phpFaults(dir: string): Promise<PhpFaultFacts> {
  const stack = new Stack(dir);
  let services: Service[] = [];
  try {
    await stack.up({ max_connections: String(PHP_SETTINGS.maxConnections) });
    const php = await phpUp(stack, dir);
    services = [php.web, php.worker];
    const load = new Load(() => php.base, PHP_PATHS, 150);
    const warm = (ms: number) => load.warm(ms);
    const burst = async (path: string, n: number, timeoutMs = 30_000) => {
      const s = await Promise.all(Array.from({ length: n }, () => get(php.base + path, timeoutMs)));
      load.requests += s.length;
      return s;
    };
    await warm(4_000);

    // Twice as many 2 s exports as the pool has children: the rest wait in the socket's backlog.
    const maxChildren = await stack.plant('pm.max_children reached', async () => {
      const statuses = await burst('/export?s=2', PHP_SETTINGS.maxChildren * 2);
      return { children: PHP_SETTINGS.maxChildren, sent: PHP_SETTINGS.maxChildren * 2, statuses };
    });
    await warm(2_000);

    const gatewayTimeouts = await stack.plant('gateway timeouts', async () => {
      const statuses = await burst(`/report?s=${PHP_SETTINGS.reportTimeoutS + 2}`, 2);
      await sleep(2_500); // the reports finish in php-fpm after nginx gave up on them
      return { sent: 2, statuses };
    });
    await warm(2_000);

    const terminated = await stack.plant('request past request_terminate_timeout', async () => ({
      statuses: await burst(`/export?s=${PHP_SETTINGS.terminateTimeoutS * 4}`, 1),
    }));
    await warm(2_000);

    const memoryExhausted = await stack.plant('memory exhausted', async () => ({ statuses: await burst('/alloc', 1) }));
    await warm(1_000);

    const uncaught = await stack.plant('uncaught exceptions', async () => ({ statuses: await burst('/checkout', 2) }));
    await warm(2_000);

    const databaseDown = await stack.plant('database down', async () => {
      const downAt = Date.now();
      await stack.pg.stop();
      const during: number[] = [];
      for (let i = 0; i < 8; i++) {
        during.push(...(await burst('/orders', 1, 5_000)));
        await sleep(400);
      }
      await stack.pg.start();
      return { downMs: Date.now() - downAt, failedRequests: during.filter((s) => s !== 200).length };
    });
    await warm(3_000);

    // Every connection slot taken (by clients that sit idle), then requests that need one.
    const tooManyConnections = await stack.plant('too many connections', async () => {
      const held: pg.Client[] = [];
      for (;;) {
        const c = new pg.Client(stack.pg.connection());
        try {
          await c.connect();
          held.push(c);
        } catch {
          break;
        }
      }
      const during: number[] = [];
      for (let i = 0; i < 5; i++) {
        during.push(...(await burst('/orders', 1, 5_000)));
        await sleep(400);
      }
      await Promise.all(held.map((c) => c.end()));
      return { held: held.length, failedRequests: during.filter((s) => s !== 200).length };
    });
    await warm(3_000);

    // A php-fpm child killed with SIGKILL in the middle of a request (the kernel's OOM killer picks
    // the biggest process): the master starts another, nginx answers 502.
    const childKilled = await stack.plant('php-fpm child killed', async () => {
      const from = php.web.entries.length;
      const pending = burst('/export?s=10', 1);
      await waitForLine(php.web, from, 'export started {"seconds":10.0}', 10_000);
      const line = php.web.entries.slice(from).map((e) => String(e.message)).find((m) => m.includes('export started {"seconds":10.0}'))!;
      const child = Number(/child (\d+) said into stderr/.exec(line)![1]);
      process.kill(child, 'SIGKILL');
      return { child, statuses: await pending };
    });
    await warm(2_000);

    // A deploy: the new container starts, the old one is stopped (SIGTERM, passed on to both).
    const cleanStops: { signal: string; exit: Exit }[] = [];
    // `signal`: the old container's stop signal (as it was started); `next`: the new one's.
    const redeploy = async (signal: NodeJS.Signals, next?: NodeJS.Signals) => {
      const old = php.app!;
      await php.startWeb(next);
      cleanStops.push({ signal, exit: await old.stop(10_000) });
    };
    await stack.plant('redeploy (SIGTERM)', () => redeploy('SIGTERM', 'SIGQUIT'));
    await warm(3_000);

    // The whole container killed (a host failure): no platform stop, no line from either program; restarted.
    const containerKilled = await stack.plant('container killed', async () => {
      const exit = await php.app!.kill();
      await sleep(1_000);
      await php.startWeb('SIGQUIT');
      return { exit };
    });
    await warm(3_000);

    await stack.plant('redeploy (SIGQUIT)', () => redeploy('SIGQUIT'));
    await warm(3_000);
    return { maxChildren, gatewayTimeouts, terminated, memoryExhausted, uncaught, databaseDown, tooManyConnections, childKilled, containerKilled, cleanStops, requests: load.requests, incidents: stack.incidents };
  } finally {
    await stack.down(services);
  }
}
