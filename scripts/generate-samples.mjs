#!/usr/bin/env node
// Writes the sample inputs under samples/ (or the directory given as the first argument).
// Everything comes from one seeded PRNG per set and integer-millisecond clocks, so two runs write
// byte-identical files: `npm run samples` regenerates them, and test/samples/ checks that the
// committed files are exactly what this script writes.
//
// The sets reproduce incidents of the reviews in ../shared/seeds/ (see each set's README.md):
//   whendoist/     review 000: empty errors, cadence drift, the 19:12 cluster, resets at stops, churn, sawtooth, costs
//   restart-loop/  review 001: health checks failing, exit 137, unclean PostgreSQL shutdown, WAL recovery
//   pg-guardrails/ review 003: slow queries, lock waits, deadlock, lock/statement/idle-in-transaction timeouts
//   bot-workers/   review 004: pool exhaustion, webhook handler timeouts, iterations that never end, watchdog
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// ---------------------------------------------------------------------------------------------
// Deterministic building blocks

/** sfc32, seeded from a string through a small hash: same seed, same sequence, on every platform. */
function makeRng(seed) {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  const next32 = () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return (h ^= h >>> 16) >>> 0;
  };
  let a = next32(), b = next32(), c = next32(), d = next32();
  const rnd = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  const api = {
    next: rnd,
    /** Uniform float in [lo, hi). */
    float: (lo, hi) => lo + (hi - lo) * rnd(),
    /** Uniform integer in [lo, hi]. */
    int: (lo, hi) => lo + Math.floor((hi - lo + 1) * rnd()),
    pick: (arr) => arr[Math.floor(arr.length * rnd())],
    chance: (p) => rnd() < p,
    /** Standard normal (Box-Muller). */
    normal: () => {
      const u = 1 - rnd();
      const v = rnd();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    hex: (n) => {
      let s = '';
      for (let i = 0; i < n; i++) s += Math.floor(rnd() * 16).toString(16);
      return s;
    },
    uuid: () => {
      const h = api.hex(32);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[Math.floor(rnd() * 4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    /** Poisson-distributed count (Knuth; fine for the small means used here). */
    poisson: (mean) => {
      const l = Math.exp(-mean);
      let k = 0, p = 1;
      do { k++; p *= rnd(); } while (p > l);
      return k - 1;
    },
    shuffle: (arr) => {
      for (let i = arr.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [arr[i], arr[j]] = [arr[j], arr[i]];
      }
      return arr;
    },
  };
  return api;
}

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Epoch ms of an ISO UTC time written without zone, e.g. `2026-02-07T19:12:02.412`. */
function at(iso) {
  return Date.parse(iso.endsWith('Z') ? iso : `${iso}Z`);
}

const pad = (n, w) => String(n).padStart(w, '0');

/** Railway's RFC 3339 timestamp with nanoseconds. */
function rfc3339Nanos(ms, nanos) {
  return `${new Date(ms).toISOString().slice(0, 23)}${pad(nanos, 6)}Z`;
}

/** PostgreSQL `%m`: `2026-02-07 19:21:14.523 UTC`. */
function pgTimeMs(ms) {
  const s = new Date(ms).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 23)} UTC`;
}

/** PostgreSQL `%t`: `2026-02-07 19:21:14 UTC`. */
function pgTimeSec(ms) {
  const s = new Date(ms).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)} UTC`;
}

/** An LSN as PostgreSQL 17 prints it (`%X/%X`). */
function lsnText(lsn) {
  const hi = Math.floor(lsn / 4294967296);
  const lo = lsn % 4294967296;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

/**
 * A log being written: records with a time (ms), nanoseconds and a sequence number so records in
 * the same millisecond keep the order they were written in.
 */
class LogBook {
  constructor() {
    this.records = [];
    this.seq = 0;
  }
  add(ms, value) {
    this.records.push({ ms, seq: this.seq++, value });
  }
  sorted() {
    return [...this.records].sort((a, b) => a.ms - b.ms || a.seq - b.seq);
  }
}

/**
 * One `railway logs --json` line: `message`, `timestamp`, `level` and the other attributes at the
 * top level. The CLI builds the object in a HashMap, so key order differs from line to line.
 */
function railwayLine(rng, ms, message, level, attrs, clock) {
  let nanos = rng.int(0, 999999);
  // Railway's export is in time order: keep nanoseconds increasing within a millisecond.
  if (clock) {
    if (ms < clock.ms) ms = clock.ms;
    if (ms === clock.ms && nanos <= clock.nanos) nanos = Math.min(999999, clock.nanos + 1 + rng.int(0, 999));
    clock.ms = ms;
    clock.nanos = nanos;
  }
  const entries = [['message', message], ['timestamp', rfc3339Nanos(ms, nanos)], ['level', level]];
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) entries.push([k, v]);
  rng.shuffle(entries);
  return JSON.stringify(Object.fromEntries(entries));
}

function writeSet(root, dir, files) {
  const d = join(root, dir);
  mkdirSync(d, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
}

// Railway prices (docs.railway.com/pricing/plans; month = 43,200 minutes as in the CLI).
const PRICE = { memGbMonth: 10, vcpuMonth: 20, egressGb: 0.05, diskGbMonth: 0.15 };

/** Cost per resource of metric documents: GB-minutes, vCPU-minutes, egress GB, volume GB-minutes. */
function costOf(docs) {
  const totals = { memory: 0, cpu: 0, network: 0, volume: 0 };
  for (const doc of docs) {
    const integrate = (series) => {
      let s = 0;
      for (let i = 0; i < series.length; i++) {
        const dtMin = i + 1 < series.length ? (series[i + 1].ts - series[i].ts) / 60 : (series[i].ts - series[i - 1].ts) / 60;
        s += series[i].value * dtMin;
      }
      return s;
    };
    const m = doc.measurements;
    if (m.MEMORY_USAGE_GB) totals.memory += (integrate(m.MEMORY_USAGE_GB) * PRICE.memGbMonth) / 43200;
    if (m.CPU_USAGE) totals.cpu += (integrate(m.CPU_USAGE) * PRICE.vcpuMonth) / 43200;
    if (m.NETWORK_TX_GB) totals.network += m.NETWORK_TX_GB.reduce((a, p) => a + p.value, 0) * PRICE.egressGb;
    if (m.DISK_USAGE_GB) totals.volume += (integrate(m.DISK_USAGE_GB) * PRICE.diskGbMonth) / 43200;
  }
  const total = totals.memory + totals.cpu + totals.network + totals.volume;
  return { ...totals, total };
}

const fmtUtc = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
const hms = (ms) => new Date(ms).toISOString().slice(11, 19);

// ---------------------------------------------------------------------------------------------
// samples/whendoist: review 000

function whendoist() {
  const rng = makeRng('whendoist-v0.39.8');
  const START = at('2026-02-01T08:00:00');
  const END = at('2026-02-08T08:00:00');
  const app = new LogBook();
  const pg = new LogBook();
  const VERSION = '0.39.8';

  // Deployments. D0 was deployed before the window; the six deploys of 2026-02-07/08 each start a
  // new container and, a few seconds later, stop the previous one (zero-downtime replace).
  const dep = (started) => ({ id: rng.uuid(), instance: rng.uuid(), started });
  const d0 = dep(at('2026-01-30T14:47:09.318'));
  d0.version = '0.39.7';
  const cycles = [
    // start container, "Starting Whendoist", startup seconds, stop of the previous container
    ['2026-02-07T19:21:03.207', '2026-02-07T19:21:08.114', 2.9, '2026-02-07T19:21:14.602'],
    ['2026-02-07T19:39:47.561', '2026-02-07T19:39:52.018', 2.7, '2026-02-07T19:39:58.347'],
    ['2026-02-07T21:39:12.090', '2026-02-07T21:39:17.236', 3.0, '2026-02-07T21:39:24.015'],
    ['2026-02-08T01:53:40.733', '2026-02-08T01:53:44.905', 2.5, '2026-02-08T01:53:51.128'],
    ['2026-02-08T02:57:21.412', '2026-02-08T02:57:26.309', 2.6, '2026-02-08T02:57:30.254'],
    ['2026-02-08T03:00:22.126', '2026-02-08T03:00:27.021', 3.2, '2026-02-08T03:00:35.391'],
  ].map(([s, w, dur, stop]) => {
    const d = dep(at(s));
    d.version = VERSION;
    d.appStart = at(w);
    d.startupSec = dur;
    d.ready = d.appStart + Math.round(dur * 1000);
    d.stopPrevious = at(stop);
    return d;
  });
  const deployments = [d0, ...cycles];
  for (let i = 0; i < deployments.length; i++) {
    deployments[i].stopped = i + 1 < deployments.length ? deployments[i + 1].stopPrevious : null;
  }
  /** The deployment serving at a time: the previous one keeps serving until it is stopped. */
  const servingAt = (ms) => {
    let cur = d0;
    for (const d of cycles) if (d.stopPrevious <= ms) cur = d;
    return cur;
  };
  const tags = (d) => ({ deploymentId: d.id, deploymentInstanceId: d.instance });

  const appJson = (ms, level, logger, message, extra = {}, d = servingAt(ms)) => {
    app.add(ms, [level, message, { logger, ...extra, ...tags(d) }]);
  };
  // Lines the process writes to stderr without JSON (uvicorn's own logger): Railway labels them error.
  const stderr = (ms, message, d) => app.add(ms, ['error', message, tags(d)]);
  const platform = (ms, message, d) => app.add(ms, ['info', message, tags(d)]);

  // PostgreSQL service: one deployment all week, every line written to stderr.
  const pgDep = { deploymentId: rng.uuid(), deploymentInstanceId: rng.uuid() };
  const pgLine = (ms, pid, sev, text) => pg.add(ms, [`${pgTimeMs(ms)} [${pid}] ${sev}:  ${text}`]);
  let pgBackendPid = 31200;
  const nextPid = (gap = 40) => (pgBackendPid += rng.int(3, gap));

  // Activity that writes to the database or the network, for checkpoints and metrics.
  const activity = []; // {ms, kind, cpu, tx, rx}
  const act = (ms, kind, cpu, tx, rx, write = true) => activity.push({ ms, kind, cpu, tx, rx, write });

  // --- request logging -------------------------------------------------------------------
  const browsers = [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36',
  ];
  const requestId = () => rng.hex(12);
  const logRequest = (ms, method, path, status, durMs, extra = {}) => {
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    appJson(ms, level, 'app.middleware', `Request completed: ${method} ${path} ${status} (${durMs} ms)`, {
      request_id: extra.request_id ?? requestId(),
      method,
      path,
      status_code: status,
      duration_ms: durMs,
      user_id: extra.user_id,
      client_ip: extra.client_ip,
      user_agent: extra.user_agent,
    }, extra.deployment);
  };

  // --- container cycles --------------------------------------------------------------------
  const resetTimes = [];
  for (let i = 0; i < cycles.length; i++) {
    const d = cycles[i];
    const prev = deployments[i];
    platform(d.started, 'Starting Container', d);
    const proc = d.appStart - rng.int(180, 420);
    stderr(proc, 'INFO:     Started server process [1]', d);
    stderr(proc + rng.int(2, 9), 'INFO:     Waiting for application startup.', d);
    appJson(d.appStart, 'info', 'app.main', `Starting Whendoist v${VERSION}`, { environment: 'production' }, d);
    if (i === 0) {
      // A start-up warning that prints the database URL with its password (redaction must catch it).
      appJson(d.appStart + 612, 'warn', 'app.database', 'DATABASE_URL has no sslmode, connecting without TLS: postgresql://postgres:Xq7vKm2RtP9wLs4N@postgres.railway.internal:5432/railway', {}, d);
    }
    appJson(d.appStart + rng.int(700, 1100), 'info', 'app.database', 'Database connection verified (pool_size=5, max_overflow=10)', {}, d);
    appJson(d.ready - rng.int(60, 200), 'info', 'app.main', 'Materialization background task started', {}, d);
    appJson(d.ready, 'info', 'app.main', `Startup complete (${d.startupSec.toFixed(1)}s)`, { startup_seconds: d.startupSec }, d);
    stderr(d.ready + rng.int(1, 4), 'INFO:     Application startup complete.', d);
    stderr(d.ready + rng.int(5, 9), 'INFO:     Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)', d);
    // Railway's deploy health check on the new container.
    logRequest(d.ready + rng.int(250, 600), 'GET', '/health', 200, rng.int(1, 3), { client_ip: '100.64.0.2', user_agent: 'RailwayHealthCheck/1.0', deployment: d });
    act(d.started, 'boot', 0.05, 0.0008, 0.004);
    // The previous container is stopped: SIGTERM and, with no draining time, SIGKILL right after, so
    // uvicorn gets no further than the first shutdown lines and its pooled connections are reset.
    platform(d.stopPrevious, 'Stopping Container', prev);
    stderr(d.stopPrevious + rng.int(18, 70), 'INFO:     Shutting down', prev);
    stderr(d.stopPrevious + rng.int(90, 160), 'INFO:     Waiting for application shutdown.', prev);
    let t = d.stopPrevious + rng.int(350, 900);
    const pids = [];
    for (let k = 0; k < 3; k++) {
      pids.push(nextPid(90));
      pgLine(t, pids[k], 'LOG', 'could not receive data from client: Connection reset by peer');
      resetTimes.push(t);
      t += rng.int(1, 600);
    }
  }

  // --- the materialization loop (successes) ----------------------------------------------------
  // Each process runs materialize_all_instances() at start-up and then sleeps 3600 s after each run,
  // so successes keep an exact hourly cadence within one container (the run time is under 2 s).
  const successes = [];
  const syncRun = (runStart, d, initial) => {
    let t = runStart;
    for (const user of [1, 2]) {
      t += rng.int(80, 260);
      if (initial || rng.chance(0.93)) appJson(t, 'info', 'app.services.google_auth', `Refreshed Google access token for user ${user}`, { user_id: user }, d);
      t += rng.int(150, 420);
      const events = user === 1 ? rng.int(38, 46) : rng.int(12, 17);
      const created = initial ? rng.int(3, 9) : rng.poisson(0.6);
      const updated = rng.poisson(1.1);
      appJson(t, 'info', 'app.services.gcal_sync', `Calendar sync complete for user ${user}: ${events} events (${created} created, ${updated} updated, 0 deleted)`, { user_id: user, events, created, updated }, d);
    }
    return t;
  };
  for (const d of deployments) {
    const first = d === d0 ? d0.started + 3400 : d.ready + rng.int(300, 700);
    let runStart = first;
    let lastCleanupDay = -1;
    while (true) {
      const endOfLife = d.stopped ?? END;
      if (runStart >= endOfLife) break;
      const initial = runStart === first && d !== d0;
      const t = syncRun(runStart, d, initial);
      const work = t - runStart + rng.int(120, 500);
      const logAt = runStart + work;
      if (logAt >= START && logAt < endOfLife) {
        const n = initial ? rng.int(18, 26) : rng.pick([0, 0, 0, 1, 2, 2, 3, 4, 6, 8, 14]);
        appJson(logAt, 'info', 'app.tasks.recurring', `Materialized ${n} task instances for 2 users`, { instances: n, users: 2 }, d);
        successes.push(logAt);
        const day = Math.floor(logAt / DAY);
        if (new Date(logAt).getUTCHours() >= 3 && day !== lastCleanupDay) {
          lastCleanupDay = day;
          const removed = rng.pick([0, 0, 1, 2, 3, 5]);
          appJson(logAt + rng.int(20, 90), 'info', 'app.tasks.recurring', `Cleaned up ${removed} task instances older than 90 days`, { removed }, d);
        }
        act(logAt, initial ? 'initial-sync' : 'sync', rng.float(0.012, 0.03), initial ? 0.0009 : rng.float(0.00006, 0.00012), initial ? 0.03 : rng.float(0.005, 0.01));
      } else if (logAt < START) {
        // Before the window: still advance lastCleanupDay so the first in-window cleanup is daily.
        const day = Math.floor(logAt / DAY);
        if (new Date(logAt).getUTCHours() >= 3) lastCleanupDay = day;
      }
      runStart = logAt + 3600 * SEC;
    }
  }
  // The first deploy of v0.39.8 re-synced every calendar from scratch: the ~30 MB egress burst.
  act(cycles[0].ready + 40 * SEC, 'full-resync', 0.02, 0.03, 0.012);

  // --- the erroring loop: empty messages, drifting ~1 minute an hour ----------------------------
  // Anchored on the times the review quotes; earlier runs are walked back with sleep(3600) plus an
  // error-handling overhead of about a minute.
  const quoted = [
    '2026-02-07T19:12:02.412', '2026-02-07T20:13:05.187', '2026-02-07T21:14:11.530', '2026-02-07T22:15:09.904',
    '2026-02-07T23:16:20.071', '2026-02-08T00:17:26.645', '2026-02-08T01:18:31.268', '2026-02-08T02:19:38.019',
    '2026-02-08T03:20:44.756', '2026-02-08T04:20:58.340', '2026-02-08T05:22:03.913', '2026-02-08T06:23:04.482',
    '2026-02-08T07:24:11.095',
  ].map(at);
  const errorTimes = [...quoted];
  for (let t = quoted[0]; ; ) {
    t -= 3600 * SEC + rng.int(52_000, 78_000);
    if (t < START) break;
    errorTimes.unshift(t);
  }
  for (const t of errorTimes) appJson(t, 'error', 'app.tasks.recurring', 'Materialization loop error: ', {});

  // --- uptime monitor on /health every 5 minutes ----------------------------------------------
  for (let t = START + 137_000; t < END; t += 300 * SEC) {
    const ms = t + rng.int(0, 2400);
    logRequest(ms, 'GET', '/health', 200, rng.int(1, 4), { client_ip: '216.144.248.29', user_agent: 'Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)' });
  }

  // --- users ------------------------------------------------------------------------------------
  const outage = { from: at('2026-02-07T19:02:00'), to: at('2026-02-07T19:25:00') };
  const blocked = [outage, ...cycles.map((d) => ({ from: d.started - 2 * MIN, to: d.stopPrevious + 2 * MIN }))];
  const isBlocked = (a, b) => blocked.some((w) => a < w.to && b > w.from);
  const pages = [
    ['GET', '/dashboard', 60, 180],
    ['GET', '/api/v1/tasks', 20, 70],
    ['GET', '/api/v1/instances?date={date}', 15, 60],
    ['POST', '/api/v1/tasks/{task}/complete', 25, 90],
    ['PATCH', '/api/v1/tasks/{task}', 25, 80],
    ['POST', '/api/v1/tasks', 30, 110],
    ['GET', '/api/v1/calendar/events?start={date}', 180, 900],
    ['GET', '/thoughts', 50, 140],
    ['GET', '/settings', 40, 120],
    ['GET', '/analytics', 120, 420],
  ];
  const userIps = { 1: '84.115.212.47', 2: '91.64.183.20' };
  const userUa = { 1: browsers[0], 2: browsers[2] };
  let sessions = 0;
  const session = (user, t0, count) => {
    const ua = user === 1 && rng.chance(0.35) ? browsers[1] : userUa[user];
    let t = t0;
    const reqs = [];
    const first = rng.chance(0.8) ? '/dashboard' : '/';
    reqs.push(['GET', first, 70, 200]);
    for (let k = 1; k < count; k++) reqs.push(rng.pick(pages));
    const plan = [];
    for (const r of reqs) {
      plan.push([t, r]);
      t += rng.int(1500, 40_000);
    }
    if (isBlocked(t0 - MIN, t + MIN) || t > END - MIN) return false;
    sessions++;
    // A session opened after a day away starts with an expired login.
    const relogin = rng.chance(0.08);
    for (const [ms, [method, pathT, lo, hi]] of plan) {
      const date = new Date(ms).toISOString().slice(0, 10);
      const path = pathT.replace('{date}', date).replace('{task}', String(rng.int(380, 460)));
      let status = method === 'POST' && path === '/api/v1/tasks' ? 201 : 200;
      if (relogin && ms === plan[0][0]) {
        logRequest(ms, 'GET', path, 401, rng.int(4, 12), { user_id: undefined, client_ip: userIps[user], user_agent: ua });
        logRequest(ms + rng.int(300, 900), 'GET', '/auth/google', 302, rng.int(3, 9), { client_ip: userIps[user], user_agent: ua });
        logRequest(ms + rng.int(4000, 9000), 'GET', '/auth/google/callback?code=4%2F0Ab…&state=…', 302, rng.int(180, 420), { client_ip: userIps[user], user_agent: ua });
        continue;
      }
      if (path.startsWith('/api/v1/tasks/') && rng.chance(0.015)) status = 404;
      else if (method === 'POST' && rng.chance(0.01)) status = 422;
      const dur = Math.round(rng.float(lo, hi) * (rng.chance(0.03) ? 4 : 1));
      logRequest(ms, method, path, status, dur, { user_id: user, client_ip: userIps[user], user_agent: ua });
      if (dur > 1000) appJson(ms + 2, 'warn', 'app.middleware', `Slow request: ${method} ${path} took ${dur} ms`, { method, path, duration_ms: dur, user_id: user });
      act(ms, 'request', rng.float(0.0003, 0.0012), rng.float(0.000004, 0.000014), rng.float(0.000001, 0.000004), method !== 'GET');
    }
    return true;
  };
  for (let day = START - 8 * HOUR; day < END; day += DAY) {
    for (const user of [1, 2]) {
      const n = user === 1 ? rng.int(6, 11) : rng.int(3, 7);
      for (let s = 0; s < n; s++) {
        // Local mornings and evenings (UTC+1) are busier.
        const hour = rng.chance(0.4) ? rng.float(6, 9.5) : rng.chance(0.5) ? rng.float(17, 22.5) : rng.float(9.5, 17);
        const t0 = day + Math.round(hour * HOUR) + rng.int(0, 59_999);
        if (t0 < START + MIN) continue;
        session(user, t0, rng.int(3, 24));
      }
    }
  }
  // A rate-limited burst on the login endpoint (slowapi's warning), once.
  {
    let t = at('2026-02-03T11:42:17.050');
    for (let k = 0; k < 12; k++) {
      const limited = k >= 10;
      logRequest(t, 'POST', '/auth/demo', limited ? 429 : 200, rng.int(8, 30), { client_ip: '45.148.10.81', user_agent: 'python-requests/2.31.0' });
      if (limited) appJson(t + 1, 'warn', 'slowapi', 'ratelimit 10 per 1 minute (45.148.10.81) exceeded at endpoint: /auth/demo', {});
      t += rng.int(1500, 4000);
    }
  }
  // Scanners probing for other software: 404s in short bursts, a few times a day.
  const probes = ['/wp-login.php', '/.env', '/.git/config', '/xmlrpc.php', '/phpmyadmin/', '/wp-admin/setup-config.php', '/config.json', '/.aws/credentials', '/actuator/health', '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php'];
  for (let day = START; day < END; day += DAY) {
    const n = rng.int(1, 4);
    for (let s = 0; s < n; s++) {
      let t = day + rng.int(0, DAY - 10 * MIN);
      if (isBlocked(t - MIN, t + 2 * MIN)) continue;
      const ip = `${rng.int(23, 212)}.${rng.int(1, 254)}.${rng.int(1, 254)}.${rng.int(1, 254)}`;
      const k = rng.int(2, 7);
      for (let j = 0; j < k; j++) {
        logRequest(t, 'GET', rng.pick(probes), 404, rng.int(2, 6), { client_ip: ip, user_agent: 'Mozilla/5.0 (compatible; zgrab/0.x)' });
        t += rng.int(200, 2500);
      }
    }
  }

  // --- the 19:12 cluster, exactly as the review shows it ----------------------------------------
  {
    const ua = userUa[1];
    const ip = userIps[1];
    const ok = [['2026-02-07T19:09:41.208', 'GET', '/dashboard', 142], ['2026-02-07T19:09:44.915', 'GET', '/api/v1/instances?date=2026-02-07', 38], ['2026-02-07T19:10:15.377', 'POST', '/api/v1/tasks/431/complete', 61], ['2026-02-07T19:11:02.650', 'GET', '/thoughts', 88]];
    for (const [t, m, p, dur] of ok) logRequest(at(t), m, p, 200, dur, { user_id: 1, client_ip: ip, user_agent: ua });
    const fails = [['2026-02-07T19:12:22.081', '/dashboard', 30012], ['2026-02-07T19:12:22.694', '/dashboard', 30004], ['2026-02-07T19:12:23.517', '/', 30009], ['2026-02-07T19:12:27.340', '/dashboard', 30011], ['2026-02-07T19:12:47.902', '/dashboard', 30006]];
    for (const [t, p, dur] of fails) {
      const ms = at(t);
      const rid = requestId();
      appJson(ms, 'error', 'app.database', 'Database session error: ', { request_id: rid, user_id: 1 });
      appJson(ms + rng.int(1, 3), 'error', 'app.middleware', `Request failed: GET ${p}`, { request_id: rid, method: 'GET', path: p, status_code: 500, duration_ms: dur, user_id: 1, client_ip: ip, user_agent: ua });
    }
    const after = [['2026-02-07T19:13:08.455', 'GET', '/dashboard', 612], ['2026-02-07T19:13:11.020', 'GET', '/api/v1/tasks', 47], ['2026-02-07T19:13:40.733', 'PATCH', '/api/v1/tasks/418', 55], ['2026-02-07T19:14:02.118', 'GET', '/dashboard', 131]];
    for (const [t, m, p, dur] of after) logRequest(at(t), m, p, 200, dur, { user_id: 1, client_ip: ip, user_agent: ua });
    for (const [t] of [...ok, ...after]) act(at(t), 'request', 0.0008, 0.00001, 0.000002);
  }

  // --- isolated errors and warnings, days apart --------------------------------------------------
  appJson(at('2026-02-02T14:03:51.772'), 'error', 'app.services.gcal_sync', 'Calendar sync failed for user 2: <HttpError 503 when requesting https://www.googleapis.com/calendar/v3/calendars/primary/events?timeMin=2026-02-02T00%3A00%3A00Z&singleEvents=true&alt=json returned "The service is currently unavailable.". Details: "[{\'message\': \'The service is currently unavailable.\', \'domain\': \'global\', \'reason\': \'backendError\'}]">', { user_id: 2 });
  {
    const ms = at('2026-02-04T10:41:26.309');
    const rid = requestId();
    appJson(ms, 'error', 'app.middleware', 'Request failed: POST /api/v1/tasks/undefined/complete', {
      request_id: rid, method: 'POST', path: '/api/v1/tasks/undefined/complete', status_code: 500, duration_ms: 14, user_id: 2,
      exc_info: 'Traceback (most recent call last):\n  File "/app/app/middleware/logging.py", line 41, in dispatch\n    response = await call_next(request)\n  File "/app/app/routers/tasks.py", line 212, in complete_task\n    task_id = int(task_id_raw)\nValueError: invalid literal for int() with base 10: \'undefined\'',
    });
  }
  appJson(at('2026-02-05T21:17:08.044'), 'warn', 'app.services.google_auth', "Google API returned 401 for user 1, retrying after token refresh (request headers: {'Authorization': 'Bearer ya29.a0AfB_byDq3xk9LmT7vRw2pZ0sNfY8cHuE4jKgWb1Qo6'})", { user_id: 1 });
  appJson(at('2026-02-06T08:12:40.512'), 'warn', 'app.services.gcal_sync', 'Calendar sync for user 1 skipped 1 event without start time (id=7kq2m0v9c1r3t5h8j0l2n4p6r8)', { user_id: 1 });

  // --- PostgreSQL: checkpoints, probes, one constraint violation --------------------------------
  const CHECKPOINTER = 28;
  let lsn = 0x1a3f0e8 + 0x2c000000;
  activity.sort((a, b) => a.ms - b.ms);
  {
    let ai = 0;
    // Checkpoints every checkpoint_timeout (5 min) when WAL was written since the last one.
    const phase = at('2026-02-01T07:58:31.117');
    for (let tick = phase; tick < END; tick += 300 * SEC) {
      let writes = 0;
      while (ai < activity.length && activity[ai].ms < tick) {
        if (activity[ai].write) writes += activity[ai].kind === 'request' ? 1 : 6;
        ai++;
      }
      if (writes === 0 || tick < START) continue;
      const t = tick + rng.int(0, 30);
      const buffers = writes * rng.int(2, 5) + rng.int(0, 6);
      const distanceKb = buffers * rng.int(6, 10) + rng.int(0, 40);
      const redo = lsn + rng.int(200, 4000);
      lsn = redo + distanceKb * 1024;
      const write = Math.min(269.9, buffers * rng.float(0.09, 0.11));
      const sync = rng.float(0.001, 0.012);
      const files = Math.min(40, 2 + Math.floor(buffers / 6));
      pgLine(t, CHECKPOINTER, 'LOG', 'checkpoint starting: time');
      const done = t + Math.round((write + sync + 0.01) * 1000);
      pgLine(done, CHECKPOINTER, 'LOG', `checkpoint complete: wrote ${buffers} buffers (${((buffers / 16384) * 100).toFixed(1)}%); 0 WAL file(s) added, 0 removed, ${buffers > 60 ? 1 : 0} recycled; write=${write.toFixed(3)} s, sync=${sync.toFixed(3)} s, total=${(write + sync + 0.01).toFixed(3)} s; sync files=${files}, longest=${Math.min(sync, 0.004).toFixed(3)} s, average=0.001 s; distance=${distanceKb} kB, estimate=${distanceKb + rng.int(0, 300)} kB; lsn=${lsnText(lsn + rng.int(40, 400))}, redo lsn=${lsnText(redo)}`);
      act(t, 'checkpoint', 0.003, 0, 0, false);
    }
  }
  for (const iso of ['2026-02-02T03:41:09.883', '2026-02-04T17:26:55.240', '2026-02-06T23:08:12.671']) {
    pgLine(at(iso), nextPid(), 'LOG', 'could not accept SSL connection: EOF detected');
  }
  for (const iso of ['2026-02-03T06:14:31.005', '2026-02-05T12:50:47.392']) pgLine(at(iso), nextPid(), 'LOG', 'incomplete startup packet');
  {
    const ms = at('2026-02-03T16:47:20.845');
    const pid = nextPid();
    pgLine(ms, pid, 'ERROR', 'duplicate key value violates unique constraint "uq_task_instance_task_date"');
    pgLine(ms, pid, 'DETAIL', 'Key (task_id, instance_date)=(417, 2026-02-03) already exists.');
    pgLine(ms, pid, 'STATEMENT', 'INSERT INTO task_instances (task_id, user_id, instance_date, status, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING task_instances.id');
    appJson(ms + 9, 'warn', 'app.tasks.recurring', 'Instance for task 417 on 2026-02-03 already exists, skipping', { task_id: 417 });
  }

  // --- render logs ------------------------------------------------------------------------------
  const appClock = { ms: 0, nanos: 0 };
  const appLines = app.sorted().filter((r) => r.ms >= START && r.ms < END).map((r) => {
    const [level, message, attrs] = r.value;
    return railwayLine(rng, r.ms, message, level, attrs, appClock);
  });
  const pgClock = { ms: 0, nanos: 0 };
  const pgLines = pg.sorted().filter((r) => r.ms >= START && r.ms < END).map((r) => {
    // Railway stamps the line a few milliseconds after PostgreSQL wrote it.
    return railwayLine(rng, r.ms + rng.int(0, 4), r.value[0], 'error', pgDep, pgClock);
  });

  // --- metrics ----------------------------------------------------------------------------------
  const STEP = 120;
  const grid = [];
  for (let t = START; t < END; t += STEP * SEC) grid.push(t);
  const bin = (ms) => Math.floor((ms - START) / (STEP * SEC));
  const cpuApp = new Array(grid.length).fill(0), txApp = new Array(grid.length).fill(0), rxApp = new Array(grid.length).fill(0), cpuPg = new Array(grid.length).fill(0);
  for (const a of activity) {
    const i = bin(a.ms);
    if (i < 0 || i >= grid.length) continue;
    if (a.kind === 'checkpoint') { cpuPg[i] += a.cpu; continue; }
    cpuApp[i] += a.cpu;
    if (a.write || a.kind !== 'request') cpuPg[i] += a.cpu * 0.2;
    if (a.kind === 'full-resync' || a.kind === 'initial-sync') {
      // Spread over a few samples.
      const parts = [0.5, 0.3, 0.2];
      parts.forEach((p, k) => { if (i + k < grid.length) { txApp[i + k] += a.tx * p; rxApp[i + k] += a.rx * p; } });
    } else {
      txApp[i] += a.tx;
      rxApp[i] += a.rx;
    }
  }
  // App memory: a sawtooth between ~80-100 MB and ~185-205 MB; a new process starts low.
  const memApp = [];
  {
    let trough = rng.float(88, 98);
    let peak = rng.float(186, 204);
    let rise = (peak - trough) / (rng.float(2.5, 5) * 3600);
    let level = trough + 0.55 * (peak - trough);
    const restarts = cycles.map((d) => bin(d.ready));
    for (let i = 0; i < grid.length; i++) {
      if (restarts.includes(i)) {
        trough = rng.float(80, 92);
        level = trough;
        peak = rng.float(186, 204);
        rise = (peak - trough) / (rng.float(2.5, 5) * 3600);
      } else if (level >= peak) {
        trough = rng.float(82, 101);
        level = trough + rng.float(0, 2);
        peak = rng.float(186, 204);
        rise = (peak - trough) / (rng.float(2.5, 5) * 3600);
      } else {
        level += rise * STEP * rng.float(0.6, 1.4);
      }
      memApp.push(Math.max(78, level + rng.normal() * 1.2));
    }
  }
  const r6 = (x) => Math.round(x * 1e6) / 1e6;
  const series = (vals) => grid.map((t, i) => ({ ts: t / 1000, value: r6(vals[i]) }));
  const appDoc = {
    service: 'whendoist',
    environment: 'production',
    window: { start: fmtUtc(START), end: fmtUtc(END), sampleRateSeconds: STEP },
    measurements: {
      MEMORY_USAGE_GB: series(memApp.map((m) => m / 1000)),
      CPU_USAGE: series(cpuApp.map((c) => Math.min(0.05, c + 0.0003 + Math.abs(rng.normal()) * 0.0002))),
      NETWORK_TX_GB: series(txApp.map((x) => x + 0.0000035 + rng.next() * 0.000002)),
      NETWORK_RX_GB: series(rxApp.map((x) => x + 0.0000012 + rng.next() * 0.000001)),
    },
  };
  const pgDocMetrics = {
    service: 'postgres',
    environment: 'production',
    window: { start: fmtUtc(START), end: fmtUtc(END), sampleRateSeconds: STEP },
    measurements: {
      MEMORY_USAGE_GB: series(grid.map(() => (79.5 + rng.normal() * 0.9) / 1000)),
      CPU_USAGE: series(cpuPg.map((c) => Math.min(0.05, c + 0.00015 + Math.abs(rng.normal()) * 0.0001))),
      NETWORK_TX_GB: series(grid.map(() => 0)),
      NETWORK_RX_GB: series(grid.map(() => 0)),
      DISK_USAGE_GB: series(grid.map((t) => 0.0992 + ((t - START) / (END - START)) * 0.0014 + rng.normal() * 0.00008)),
    },
  };
  const metricsText = `${JSON.stringify(appDoc)}\n${JSON.stringify(pgDocMetrics)}\n`;
  const cost = costOf([appDoc, pgDocMetrics]);

  // --- README with the numbers computed from what was written -------------------------------------
  const pct = (x) => `${((100 * x) / cost.total).toFixed(1)}%`;
  const usd = (x) => `$${x.toFixed(4)}`;
  const memMb = appDoc.measurements.MEMORY_USAGE_GB.map((p) => p.value * 1000);
  const inWindowErrors = errorTimes.filter((t) => t >= START && t < END);
  const successesIn = successes.filter((t) => t >= START && t < END).sort((a, b) => a - b);
  const stopsTable = cycles.map((d, i) => {
    const prev = deployments[i];
    const r = resetTimes.slice(i * 3, i * 3 + 3);
    return `| ${fmtUtc(d.started).slice(0, 19)} | ${hms(d.appStart)} | ${hms(d.ready)} (${d.startupSec.toFixed(1)}s) | ${hms(d.stopPrevious)} | ${Math.round((d.stopPrevious - d.started) / 1000)} s | ${Math.round((d.stopPrevious - d.ready) / 1000)} s | ${prev.id.slice(0, 8)} | ${r.map(hms).join(', ')} |`;
  });
  const readme = `# samples/whendoist — review 000 (Whendoist production hardening review)

Reproduces the incident of \`../shared/seeds/000_bc1cce360dfa4e06.txt\` over seven days,
${fmtUtc(START)} to ${fmtUtc(END)}, with the review's own events on 2026-02-07/08. Written by
\`scripts/generate-samples.mjs\` (\`npm run samples\`; seeded, so the bytes never change). Every number
below was computed by that script from the files it wrote.

| file | what it is | lines |
|---|---|---|
| \`whendoist.jsonl\` | the app's \`railway logs --json\`: structured JSON logs (logger, request_id, ...), uvicorn's plain stderr lines (labelled \`error\` although they say INFO), Railway's \`Starting Container\`/\`Stopping Container\` | ${appLines.length} |
| \`postgres.jsonl\` | the PostgreSQL service's \`railway logs --json\`: every \`message\` is a stderr line with the \`%m [%p] \` prefix, every line labelled \`error\` | ${pgLines.length} |
| \`metrics.json\` | \`railway metrics --raw --json\`, one document per line: \`whendoist\`, then \`postgres\`; ${STEP} s samples; memory, CPU, network TX/RX, and the volume (postgres) | 2 |

## What is in it

**Empty errors and drift.** \`Materialization loop error: \` (empty exception text, level error): ${inWindowErrors.length}
lines, the last thirteen at ${quoted.map(hms).map((s) => s.slice(0, 5)).join(', ')} (2026-02-07 19:12 to 2026-02-08 07:24),
each run ${'~'}3,600 s plus 52-78 s after the previous one (the review's "03:20, 04:20, 05:22, 06:23, 07:24").
Beside them, \`Materialized N task instances for 2 users\` (${successesIn.length} lines): every container runs the job at start-up and then
every 3,600 s plus a run time under 2 s, so the last container (started 03:00:22) logs at
${successesIn.filter((t) => t >= cycles[5].ready).map(hms).join(', ')}.

**The 19:12 cluster** (review §1.2), on 2026-02-07: \`Materialization loop error: \` at 19:12:02, then
\`Database session error: \` + \`Request failed: GET /dashboard\` (or \`GET /\`) at 19:12:22, 19:12:22, 19:12:23,
19:12:27 and 19:12:47 — 5 user-facing 500s over 25 s, 20 s after the background error; successful
requests again from 19:13:08. \`Database session error: \` appears nowhere else.

**Six container cycles, three resets each** (review §1.3, §1.4). Each deploy starts a new container and,
seconds later, Railway stops the previous deployment's container (its \`deploymentId\` is on the
\`Stopping Container\` line). Uvicorn gets as far as \`Shutting down\` / \`Waiting for application shutdown.\`
(no \`Application shutdown complete.\`: SIGKILL follows SIGTERM with no draining time), and PostgreSQL logs
three \`could not receive data from client: Connection reset by peer\` from three different backends.

| Starting Container | Starting Whendoist | Startup complete | Stopping Container | start→stop | ready→stop | stopped deployment | resets (3, distinct pids) |
|---|---|---|---|---|---|---|---|
${stopsTable.join('\n')}

The review read the last two as containers living "9 seconds" and "5 seconds"; in the data they are
the start→stop (9 s, 13 s) and ready→stop (1 s, 5 s) gaps of a zero-downtime replace, and the
stopped container is the previous deployment. A detector that pairs lines by \`deploymentInstanceId\` sees
the real lifetimes of the replaced containers; one that pairs \`Starting\` with the next \`Stopping\` sees the
review's numbers. No other container starts or stops in the week.

**Memory** (review §2.1): the app between ${Math.min(...memMb).toFixed(0)} and ${Math.max(...memMb).toFixed(0)} MB in a sawtooth (climbs of 2.5-5 h
to ~186-204 MB, drops to ~80-100 MB; most drops are not restarts), PostgreSQL flat at ~80 MB.
**CPU**: near zero, spikes up to ${Math.max(...appDoc.measurements.CPU_USAGE.map((p) => p.value)).toFixed(3)} vCPU. **Volume**: postgres ~0.1 GB, flat.
**Network**: the hourly 5-10 MB bursts of the calendar sync are in \`NETWORK_RX_GB\` (ingress, free);
\`NETWORK_TX_GB\` (public egress, billed) has the ~30 MB burst after the 19:21 deploy (a full calendar
re-sync) and small hourly bursts. Values are per sample interval (not cumulative).

**Cost** at Railway's prices ($10/GB-month memory, $20/vCPU-month, $0.05/GB egress, $0.15/GB-month volume,
month = 43,200 minutes), both services, over the seven days:

| resource | cost | share |
|---|---|---|
| memory | ${usd(cost.memory)} | ${pct(cost.memory)} |
| CPU | ${usd(cost.cpu)} | ${pct(cost.cpu)} |
| network egress | ${usd(cost.network)} | ${pct(cost.network)} |
| volume | ${usd(cost.volume)} | ${pct(cost.volume)} |
| total | ${usd(cost.total)} | |

The shares match the review's table (97 / 2 / 1 / 1 %); the dollars do not, because the review's bill
($1.61 "current") covered a different period than these seven days.

**Noise**: an uptime monitor on \`/health\` every 5 minutes, ${sessions} user sessions of two users (401 →
Google login, 404, 422, slow-request warnings), scanner probes answered 404, a rate-limit burst (429 +
slowapi warning) on 2026-02-03, PostgreSQL checkpoints whenever WAL was written, SSL-EOF and
incomplete-startup-packet probes, one duplicate-key ERROR with DETAIL and STATEMENT lines. Isolated
errors, days apart: a Google 503 on 2026-02-02 14:03, a ValueError with its traceback in \`exc_info\` on
2026-02-04 10:41.

**Secrets** (to prove redaction): a PostgreSQL URL with a password at 2026-02-07 19:21:08 (warning) and a
Bearer token at 2026-02-05 21:17:08 (warning), both in \`whendoist.jsonl\`. No other secrets.
`;

  return {
    files: { 'whendoist.jsonl': `${appLines.join('\n')}\n`, 'postgres.jsonl': `${pgLines.join('\n')}\n`, 'metrics.json': metricsText, 'README.md': readme },
    facts: { errors: inWindowErrors.length, successes: successesIn.length, cost, appLines: appLines.length, pgLines: pgLines.length },
  };
}

// ---------------------------------------------------------------------------------------------
// samples/restart-loop: review 001

function restartLoop() {
  const rng = makeRng('restart-loop-2025-11-20');
  const app = new LogBook();
  const pg = new LogBook();
  const START = at('2025-11-20T06:00:00');
  const END = at('2025-11-20T08:00:00');
  const dep = (sha, started) => ({ id: rng.uuid(), instance: rng.uuid(), sha, started });
  const tags = (d, inst = d.instance) => ({ deploymentId: d.id, deploymentInstanceId: inst });
  const json = (ms, level, message, d, inst) => app.add(ms, [level, message, tags(d, inst)]);
  // Python's logging writes to stderr, so Railway labels every one of these lines error.
  const py = (ms, lvl, logger, msg, d, inst) => json(ms, 'error', `${new Date(ms).toISOString().slice(0, 10)} ${new Date(ms).toISOString().slice(11, 19)},${pad(ms % 1000, 3)} ${lvl} ${logger}: ${msg}`, d, inst);
  const uv = (ms, msg, d, inst) => json(ms, 'error', `INFO:     ${msg}`, d, inst);
  const traceback = (ms, lines, d, inst) => lines.forEach((l, i) => json(ms + i, 'error', l, d, inst));

  // PostgreSQL, plain stderr, log_line_prefix '%m [%p] '.
  const pgl = (ms, pid, sev, text) => pg.add(ms, [`${pgTimeMs(ms)} [${pid}] ${sev}:  ${text}`]);
  let pid = 2140;
  const np = () => (pid += rng.int(2, 14));
  const CHECKPOINTER = 27;
  /**
   * Timed checkpoints at the given times whose redo pointers climb from `from` to exactly `to`, so
   * the LSNs of the crash recoveries (the review's own, for the second) follow the last checkpoint.
   */
  const checkpoints = (times, from, to) => {
    const weights = times.map(() => rng.float(0.5, 1.5));
    const sum = weights.reduce((a, b) => a + b, 0);
    let redo = from;
    times.forEach((ms, i) => {
      const next = i === times.length - 1 ? to : redo + Math.round(((to - from) * weights[i]) / sum);
      const distanceKb = Math.max(1, Math.round((next - redo) / 1024));
      redo = next;
      const buffers = Math.max(2, Math.round(distanceKb / rng.float(5, 8)));
      const write = buffers * rng.float(0.095, 0.105);
      pgl(ms, CHECKPOINTER, 'LOG', 'checkpoint starting: time');
      pgl(ms + Math.round(write * 1000) + 14, CHECKPOINTER, 'LOG', `checkpoint complete: wrote ${buffers} buffers (${((buffers / 16384) * 100).toFixed(1)}%); 0 WAL file(s) added, 0 removed, 0 recycled; write=${write.toFixed(3)} s, sync=0.004 s, total=${(write + 0.014).toFixed(3)} s; sync files=${2 + (buffers >> 3)}, longest=0.002 s, average=0.001 s; distance=${distanceKb} kB, estimate=${distanceKb + rng.int(10, 60)} kB; lsn=${lsnText(redo + 0x38)}, redo lsn=${lsnText(redo)}`);
    });
  };
  const missingTable = (ms, d, inst) => {
    const p = np();
    pgl(ms, p, 'ERROR', 'relation "users" does not exist at character 90');
    pgl(ms, p, 'STATEMENT', 'SELECT users.id, users.email, users.display_name, users.created_at \n\tFROM users \n\tWHERE users.email = $1::VARCHAR');
    traceback(ms + 6, [
      `${new Date(ms + 6).toISOString().slice(0, 10)} ${new Date(ms + 6).toISOString().slice(11, 19)},${pad((ms + 6) % 1000, 3)} ERROR backend.main: Unhandled error on GET /api/users/me`,
      'Traceback (most recent call last):',
      '  File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/engine/base.py", line 1967, in _exec_single_context',
      '    self.dialect.do_execute(',
      '  File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/engine/default.py", line 941, in do_execute',
      '    cursor.execute(statement, parameters)',
      'psycopg2.errors.UndefinedTable: relation "users" does not exist',
      'LINE 2: FROM users ',
      '             ^',
      '',
      'The above exception was the direct cause of the following exception:',
      '',
      'Traceback (most recent call last):',
      '  File "/app/backend/routers/users.py", line 31, in read_me',
      '    user = db.query(User).filter(User.email == email).first()',
      'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedTable) relation "users" does not exist',
      'LINE 2: FROM users ',
      '             ^',
      '',
      '[SQL: SELECT users.id, users.email, users.display_name, users.created_at ',
      'FROM users ',
      'WHERE users.email = %(email_1)s::VARCHAR]',
      "[parameters: {'email_1': 'maria@example.com'}]",
      '(Background on this error at: https://sqlalche.me/e/20/f405)',
    ].filter((l) => l !== ''), d, inst);
    uv(ms + 40, `100.64.0.7:41822 - "GET /api/users/me HTTP/1.1" 500 Internal Server Error`, d, inst);
  };

  // Normal PostgreSQL life before the incident: the last checkpoint (06:38:47) is where the crash
  // recovery will start.
  const pre = [];
  for (let t = at('2025-11-20T06:03:47.220'); t < at('2025-11-20T06:41:00'); t += 300 * SEC) pre.push(t + rng.int(0, 20));
  checkpoints(pre, 0x1984a10, 0x19e2c48);

  // 06:20 the backend is deployed; it starts, passes its health check, but no table exists.
  const d1 = dep('7c1e2aa', at('2025-11-20T06:20:04.118'));
  const boot = (d, t0, inst, withTables) => {
    json(t0, 'info', 'Starting Container', d, inst);
    let t = t0 + rng.int(2500, 4200);
    uv(t, 'Started server process [1]', d, inst);
    uv(t + 4, 'Waiting for application startup.', d, inst);
    json(t + 30, 'info', 'Backend starting (environment=production)', d, inst);
    if (withTables) {
      py(t + 210, 'INFO', 'backend.main', 'Initializing database tables...', d, inst);
      py(t + 1850, 'INFO', 'backend.main', 'Database tables ready: 14 tables (created 14)', d, inst);
      t += 1900;
    }
    uv(t + 260, 'Application startup complete.', d, inst);
    uv(t + 262, 'Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)', d, inst);
    return t + 262;
  };
  const healthcheck = (d, t0, failures, ok) => {
    // Railway's deploy health check, as it prints it in the deployment's logs.
    json(t0, 'info', '====================', d);
    json(t0 + 1, 'info', 'Starting Healthcheck', d);
    json(t0 + 2, 'info', '====================', d);
    json(t0 + 3, 'info', 'Path: /health', d);
    json(t0 + 4, 'info', 'Retry window: 1m40s', d);
    let t = t0 + 900;
    let wait = 1;
    for (let k = 1; k <= failures; k++) {
      json(t, 'info', `Attempt #${k} failed with service unavailable. Continue to retry in ${wait}s`, d);
      t += wait * 1000 + rng.int(200, 900);
      wait = Math.min(wait * 2, 15);
    }
    if (ok) json(t, 'info', '[1/1] Healthcheck succeeded!', d);
    else {
      json(t, 'info', '1/1 replicas never became healthy!', d);
      json(t + 2, 'info', 'Healthcheck failed!', d);
    }
    return t;
  };
  const up1 = boot(d1, d1.started, d1.instance, false);
  healthcheck(d1, d1.started + 400, 2, true);
  uv(up1 + 900, '100.64.0.2:51200 - "GET /health HTTP/1.1" 200 OK', d1);
  const failuresAt = ['06:22:41.305', '06:24:09.771', '06:27:53.018', '06:31:12.640', '06:33:58.402', '06:36:20.117'];
  for (const f of failuresAt) missingTable(at(`2025-11-20T${f}`), d1, d1.instance);

  // 06:41:12 PostgreSQL's container is killed: its PID 1 is a shell that drops SIGTERM, so the
  // stop ends in SIGKILL and PostgreSQL writes nothing. It comes back and runs crash recovery.
  const pgStart = (t0, lastUp, redoStart, invalidAt, redoDone, clientsDuringStartup, recoveryClients) => {
    const post = 1;
    pgl(t0, post, 'LOG', 'starting PostgreSQL 17.7 (Debian 17.7-3.pgdg13+1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 14.2.0-19) 14.2.0, 64-bit');
    pgl(t0 + 1, post, 'LOG', 'listening on IPv4 address "0.0.0.0", port 5432');
    pgl(t0 + 1, post, 'LOG', 'listening on IPv6 address "::", port 5432');
    pgl(t0 + 6, post, 'LOG', 'listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"');
    const startup = 29;
    pid = 31 + rng.int(0, 4); // a new container: process ids start low again
    pgl(t0 + 19, startup, 'LOG', `database system was interrupted; last known up at ${pgTimeSec(lastUp)}`);
    let t = t0 + 40;
    for (let k = 0; k < clientsDuringStartup; k++) {
      t += rng.int(90, 400);
      pgl(t, np(), 'FATAL', 'the database system is starting up');
    }
    t += rng.int(300, 900);
    pgl(t, startup, 'LOG', 'database system was not properly shut down; automatic recovery in progress');
    pgl(t + 9, startup, 'LOG', `redo starts at ${redoStart}`);
    for (let k = 0; k < recoveryClients; k++) pgl(t + 10 + k * 3, np(), 'FATAL', 'the database system is in recovery mode');
    pgl(t + 21, startup, 'LOG', `invalid record length at ${invalidAt}: expected at least 24, got 0`);
    pgl(t + 21, startup, 'LOG', `redo done at ${redoDone} system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.01 s`);
    pgl(t + 38, CHECKPOINTER, 'LOG', 'checkpoint starting: end-of-recovery immediate wait');
    pgl(t + 79, CHECKPOINTER, 'LOG', `checkpoint complete: wrote 3 buffers (0.0%); 0 WAL file(s) added, 0 removed, 0 recycled; write=0.008 s, sync=0.006 s, total=0.045 s; sync files=2, longest=0.004 s, average=0.003 s; distance=0 kB, estimate=0 kB; lsn=${invalidAt}, redo lsn=${invalidAt}`);
    pgl(t + 93, post, 'LOG', 'database system is ready to accept connections');
    return t + 93;
  };
  const kill1 = at('2025-11-20T06:41:12.530');
  // The backend's in-flight work loses its connection, then cannot connect.
  traceback(kill1 + 310, [
    `2025-11-20 06:41:12,840 ERROR backend.main: Unhandled error on GET /api/projects`,
    'Traceback (most recent call last):',
    '  File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/engine/default.py", line 941, in do_execute',
    '    cursor.execute(statement, parameters)',
    'psycopg2.OperationalError: server closed the connection unexpectedly',
    '\tThis probably means the server terminated abnormally',
    '\tbefore or while processing the request.',
  ], d1, d1.instance);
  uv(kill1 + 340, '100.64.0.7:41880 - "GET /api/projects HTTP/1.1" 500 Internal Server Error', d1);
  py(kill1 + 4100, 'ERROR', 'backend.database', 'connection to server at "postgres.railway.internal" (fd12:3f4a:91c0::2), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?', d1);
  const pgUp1 = at('2025-11-20T06:41:19.204');
  const ready1 = pgStart(pgUp1, Math.floor(pre[pre.length - 1] / 1000) * 1000, '0/19E2C48', '0/19E2D10', '0/19E2CD8', 2, 0);
  py(pgUp1 + 420, 'ERROR', 'backend.database', 'connection to server at "postgres.railway.internal" (fd12:3f4a:91c0::2), port 5432 failed: FATAL:  the database system is starting up', d1);
  const between = [1, 2, 3, 4].map((k) => ready1 + k * 300 * SEC + rng.int(0, 20));
  checkpoints(between, 0x19e2d10, 0x19ec1f0);

  // 06:52 the first fix (table initialization, pool_size=10, max_overflow=20) goes out and its
  // containers restart in a loop: start-up opens the pool, memory runs out, the kernel kills uvicorn
  // (exit 137), Railway restarts the container, and the health check never passes within its 5-minute
  // window. The deployment fails; the same commit is redeployed at 07:00 and fails the same way.
  // Meanwhile the old deployment keeps serving (and failing on the missing table).
  const restarts = [];
  const hcAttempts = [];
  const kill2 = at('2025-11-20T07:03:40.870');
  const pgUp2 = at('2025-11-20T07:03:47.611');
  const loopingDeploy = (d) => {
    const windowEnd = d.started + 300 * SEC;
    let t = d.started;
    let first = true;
    let containers = 0;
    // Railway's default restart policy: on failure, at most 10 restarts.
    while (t < windowEnd && containers < 11) {
      containers++;
      const inst = first ? d.instance : rng.uuid();
      first = false;
      json(t, 'info', 'Starting Container', d, inst);
      const s = t + rng.int(2600, 3900);
      uv(s, 'Started server process [1]', d, inst);
      uv(s + 4, 'Waiting for application startup.', d, inst);
      json(s + 30, 'info', 'Backend starting (environment=production)', d, inst);
      py(s + 220, 'INFO', 'backend.main', 'Initializing database tables...', d, inst);
      const killAt = Math.min(s + rng.int(9000, 16000), windowEnd + 2500);
      // Connections dropped by the kill, and TLS handshakes cut in the middle; none while PostgreSQL is down.
      if (!(killAt > kill2 && killAt < pgUp2 + 2000)) {
        for (let k = rng.int(1, 2); k > 0; k--) pgl(killAt + rng.int(40, 400), np(), 'LOG', 'could not accept SSL connection: EOF detected');
        for (let k = rng.int(2, 4); k > 0; k--) pgl(killAt + rng.int(40, 600), np(), 'LOG', 'could not receive data from client: Connection reset by peer');
      }
      json(killAt + 60, 'error', `/app/start.sh: line 9:    ${rng.int(14, 19)} Killed                  uvicorn backend.main:app --host 0.0.0.0 --port "$PORT" --workers 1`, d, inst);
      json(killAt + 64, 'info', 'uvicorn exited with code 137', d, inst);
      json(killAt + 900, 'info', 'Stopping Container', d, inst);
      restarts.push({ deployment: d.sha, start: t, killed: killAt + 60 });
      t = killAt + 900 + rng.int(9000, 16000);
    }
    // Railway's health check for the deployment, as it prints it.
    json(d.started + 300, 'info', '====================', d);
    json(d.started + 301, 'info', 'Starting Healthcheck', d);
    json(d.started + 302, 'info', '====================', d);
    json(d.started + 303, 'info', 'Path: /health', d);
    json(d.started + 304, 'info', 'Retry window: 5m0s', d);
    let h = d.started + 1200;
    let wait = 1;
    let k = 1;
    for (; h + wait * 1000 < windowEnd; k++) {
      json(h, 'info', `Attempt #${k} failed with service unavailable. Continue to retry in ${wait}s`, d);
      hcAttempts.push(h);
      h += wait * 1000 + rng.int(150, 700);
      wait = Math.min(wait * 2, 15);
    }
    json(windowEnd + 400, 'info', '1/1 replicas never became healthy!', d);
    json(windowEnd + 402, 'info', 'Healthcheck failed!', d);
    return windowEnd;
  };
  const d2 = dep('98d0939', at('2025-11-20T06:52:30.402'));
  loopingDeploy(d2);
  const d2b = dep('98d0939', at('2025-11-20T07:00:41.733'));
  loopingDeploy(d2b);
  for (const f of ['06:55:02.118', '06:58:47.930', '07:07:15.402', '07:10:33.861']) missingTable(at(`2025-11-20T${f}`), d1, d1.instance);

  // 07:03:40 during the loop PostgreSQL is restarted again, again without a clean shutdown.
  const ready2 = pgStart(pgUp2, Math.floor(between[3] / 1000) * 1000, '0/19EC1F0', '0/19EC278', '0/19EC240', 3, 2);

  // 07:14 the pool and logging fixes (4968cba, b1666a8, 0984c5e): the backend stays up.
  const d3 = dep('0984c5e', at('2025-11-20T07:14:05.930'));
  const up3 = boot(d3, d3.started, d3.instance, true);
  healthcheck(d3, d3.started + 300, 3, true);
  json(up3 + 4800, 'info', 'Stopping Container', d1);
  uv(up3 + 4830, 'Shutting down', d1);
  uv(up3 + 4860, 'Waiting for application shutdown.', d1);
  // 07:31 the health check verifies the database (0a084d9).
  const d4 = dep('0a084d9', at('2025-11-20T07:31:44.216'));
  const up4 = boot(d4, d4.started, d4.instance, true);
  healthcheck(d4, d4.started + 300, 3, true);
  json(up4 + 5200, 'info', 'Stopping Container', d3);
  uv(up4 + 5230, 'Shutting down', d3);
  uv(up4 + 5260, 'Waiting for application shutdown.', d3);
  py(up4 + 5290, 'INFO', 'backend.main', 'Shutting down: disposing database engine', d3);
  uv(up4 + 5330, 'Application shutdown complete.', d3);
  uv(up4 + 5340, 'Finished server process [1]', d3);
  // Normal traffic after the fixes.
  const paths = ['/api/users/me', '/api/projects', '/api/projects/12/tasks', '/api/chat/sessions', '/health', '/health/full'];
  for (let r = up1 + 15_000; r < END - 10_000; r += rng.int(8000, 60_000)) {
    if (r > kill1 - 2000 && r < ready1 + 5000) continue;
    const d = r < up3 + 4800 ? d1 : r < up4 + 5200 ? d3 : d4;
    const p = d === d1 ? rng.pick(['/health', '/api/chat/models', '/health', '/api/config']) : rng.pick(paths);
    uv(r, `100.64.0.${rng.int(3, 9)}:${rng.int(30000, 60000)} - "GET ${p} HTTP/1.1" 200 OK`, d);
  }
  const post = [];
  for (let c = ready2 + 300 * SEC; c < END; c += 300 * SEC) post.push(c + rng.int(0, 30));
  checkpoints(post, 0x19ec278, 0x19ec278 + post.length * rng.int(40_000, 90_000));

  const clock = { ms: 0, nanos: 0 };
  const appLines = app.sorted().filter((r) => r.ms >= START && r.ms < END).map((r) => railwayLine(rng, r.ms, r.value[1], r.value[0], r.value[2], clock));
  const pgLines = pg.sorted().filter((r) => r.ms >= START && r.ms < END).map((r) => r.value[0]);
  const readme = `# samples/restart-loop — review 001 (restart loop, unclean PostgreSQL shutdowns, WAL recovery)

Reproduces the log-visible incident of \`../shared/seeds/001_2c9ede718141b931.txt\` (production fixes
of 20 November 2025) between ${fmtUtc(START)} and ${fmtUtc(END)}. Written by
\`scripts/generate-samples.mjs\` (\`npm run samples\`, seeded). Counts below come from that run.

| file | what it is | lines |
|---|---|---|
| \`backend.jsonl\` | the backend's \`railway logs --json\`: uvicorn and Python logging on stderr (all labelled \`error\`), tracebacks one line per record, Railway's container and health-check lines | ${appLines.length} |
| \`postgres.log\` | PostgreSQL 17 stderr, \`log_line_prefix = '%m [%p] '\`; a multi-line STATEMENT continues on tab-indented lines | ${pgLines.join('\n').split('\n').length} |

What happens:

1. 06:20 the backend deploys (\`${d1.sha}\`), passes its health check, but no table was ever created:
   ${failuresAt.length} requests fail with \`relation "users" does not exist\` (PostgreSQL ERROR + STATEMENT, backend
   traceback with \`sqlalchemy.exc.ProgrammingError\`).
2. ${hms(kill1)} PostgreSQL's container is killed without a clean shutdown (no shutdown lines). The backend
   gets \`server closed the connection unexpectedly\`, then \`Connection refused\`, then \`the database system is
   starting up\`. PostgreSQL restarts at ${hms(pgUp1)}: \`database system was interrupted; last known up at\`,
   \`database system was not properly shut down; automatic recovery in progress\`, \`redo starts at\`,
   \`invalid record length at …: expected at least 24, got 0\`, \`redo done at\`, end-of-recovery checkpoint,
   \`database system is ready to accept connections\` at ${hms(ready1)}.
3. ${hms(d2.started)} the next deploy (\`${d2.sha}\`) restarts in a loop, and so does its redeploy at ${hms(d2b.started)}:
   ${restarts.length} containers in all (${restarts.map((r) => hms(r.start)).join(', ')}), each killed a few seconds into
   start-up (\`Killed\` from the start script, \`uvicorn exited with code 137\`) and restarted. Railway's health check
   prints \`Attempt #N failed with service unavailable. Continue to retry in Ns\` (${hcAttempts.length} attempts over the two
   deployments), then \`1/1 replicas never became healthy!\` and \`Healthcheck failed!\` after its 5-minute window. Each
   kill leaves \`could not accept SSL connection: EOF detected\` and \`could not receive data from client: Connection
   reset by peer\` in PostgreSQL's log. The old deployment keeps serving and keeps failing on the missing table.
4. ${hms(pgUp2)} PostgreSQL is restarted uncleanly again; recovery with the review's own LSNs
   (\`redo starts at 0/19EC1F0\`, \`invalid record length at 0/19EC278: expected at least 24, got 0\`); clients get
   \`the database system is starting up\` and \`the database system is in recovery mode\`; ready at ${hms(ready2)}.
5. ${hms(d3.started)} and ${hms(d4.started)} the fixes deploy: tables created at start-up (14), health checks pass,
   a clean shutdown of the replaced container (\`Application shutdown complete.\`), normal traffic.

The backend's start-up line at 06:20 does not print the database URL; no secrets in this set.
`;
  return {
    files: { 'backend.jsonl': `${appLines.join('\n')}\n`, 'postgres.log': `${pgLines.join('\n')}\n`, 'README.md': readme },
    facts: { appLines: appLines.length, pgLines: pgLines.join('\n').split('\n').length, restarts: restarts.length, healthcheckAttempts: hcAttempts.length },
  };
}

// ---------------------------------------------------------------------------------------------
// samples/pg-guardrails: review 003

function pgGuardrails() {
  const rng = makeRng('genonaut-guardrails');
  const START = at('2025-10-14T13:00:00');
  const END = at('2025-10-14T15:00:00');
  const pg = new LogBook();
  const api = new LogBook();

  // PostgreSQL sessions: log_line_prefix = '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h '.
  // %l counts every prefixed line of a process (DETAIL, CONTEXT, STATEMENT lines included).
  const session = (pid, user, db, app, client) => ({ pid, user, db, app, client, n: 0 });
  // %l is numbered when the lines are written out in time order.
  const line = (ms, s, sev, text) => pg.add(ms, { s, sev, text });
  const cont = (ms, text) => pg.add(ms, { text: `\t${text}` });
  const renderPg = (r) => {
    const { s, sev, text } = r.value;
    if (!s) return text;
    s.n++;
    return `${pgTimeSec(r.ms)} [${s.pid}]: [${s.n}-1] user=${s.user},db=${s.db},app=${s.app},client=${s.client} ${sev}:  ${text}`;
  };
  const checkpointer = session(61, '', '', '', '');
  const apiPool = [];
  let pid = 5101;
  for (let k = 0; k < 10; k++) apiPool.push(session((pid += rng.int(2, 9)), 'genonaut_rw', 'genonaut', 'genonaut-api', '10.0.3.17'));
  const workers = [];
  for (let k = 0; k < 4; k++) workers.push(session((pid += rng.int(2, 9)), 'genonaut_rw', 'genonaut', 'genonaut-worker', '10.0.3.22'));

  // The application's JSON logs (python-json-logger), written to stdout.
  const apiLog = (ms, level, logger, message, extra = {}) => api.add(ms, { timestamp: new Date(ms).toISOString(), level, logger, message, ...extra });
  const rid = () => rng.hex(16);
  const request = (ms, method, path, status, durMs, extra = {}) => {
    const level = status >= 500 ? 'ERROR' : status >= 400 ? 'WARNING' : 'INFO';
    apiLog(ms + durMs, level, 'genonaut.api.access', `${method} ${path} ${status} ${durMs}ms`, { request_id: extra.request_id ?? rid(), method, path, status_code: status, duration_ms: durMs, user_id: extra.user_id ?? rng.int(1, 40) });
  };

  const tagSets = [['landscape'], ['portrait', 'cinematic'], ['anime'], ['cyberpunk', 'neon'], ['watercolor'], ['fantasy', 'dragon'], ['sci-fi']];
  const unifiedSql = (tags, offset) => `SELECT content_items.id, content_items.title, content_items.image_url, content_items.quality_score, content_items.created_at, content_items.creator_id FROM content_items JOIN content_tags ON content_tags.content_id = content_items.id JOIN tags ON tags.id = content_tags.tag_id WHERE content_items.created_at > now() - interval '90 days' AND tags.name IN (${tags.map((t) => `'${t}'`).join(', ')}) UNION ALL SELECT content_items_auto.id, content_items_auto.title, content_items_auto.image_url, content_items_auto.quality_score, content_items_auto.created_at, content_items_auto.creator_id FROM content_items_auto JOIN content_tags_auto ON content_tags_auto.content_id = content_items_auto.id JOIN tags ON tags.id = content_tags_auto.tag_id WHERE tags.name IN (${tags.map((t) => `'${t}'`).join(', ')}) ORDER BY created_at DESC LIMIT 50 OFFSET ${offset}`;
  const jobSql = (id) => `UPDATE generation_jobs SET status='cancelled', updated_at=now() WHERE generation_jobs.id = ${id}`;
  const workerJobSql = (id) => `UPDATE generation_jobs SET status='running', progress=${rng.int(5, 95)}, updated_at=now() WHERE generation_jobs.id = ${id}`;

  // --- steady traffic: job polling, gallery pages, image fetches ------------------------------------
  const counts = { slow: 0, lockWaits: 0, lockTimeouts: 0, statementTimeouts: 0, idleTimeouts: 0, deadlocks: 0, timeouts504: 0 };
  for (let t = START + rng.int(500, 3000); t < END - 30 * SEC; t += rng.int(1500, 9000)) {
    const r = rng.next();
    if (r < 0.45) request(t, 'GET', `/api/v1/generation-jobs/${rng.int(91200, 91420)}`, 200, rng.int(6, 40));
    else if (r < 0.7) request(t, 'GET', `/api/v1/images/${rng.int(100000, 180000)}`, 200, rng.int(10, 90));
    else if (r < 0.95) {
      const tags = rng.pick(tagSets);
      const page = rng.int(1, 12);
      const dur = rng.int(180, 900);
      request(t, 'GET', `/api/v1/content/unified?tags=${tags.join(',')}&page=${page}&page_size=50`, 200, dur);
    } else request(t, 'POST', '/api/v1/generation-jobs', 201, rng.int(30, 120));
  }
  // Slow statements over log_min_duration_statement (1 s), a few per quarter hour.
  for (let t = START + rng.int(10, 200) * SEC; t < END - 60 * SEC; t += rng.int(90, 420) * SEC) {
    const tags = rng.pick(tagSets);
    const page = rng.int(40, 140);
    const dur = rng.float(1000.5, 4200);
    const s = rng.pick(apiPool);
    line(t + Math.round(dur), s, 'LOG', `duration: ${dur.toFixed(3)} ms  statement: ${unifiedSql(tags, page * 50)}`);
    request(t, 'GET', `/api/v1/content/unified?tags=${tags.join(',')}&page=${page}&page_size=50`, 200, Math.round(dur) + rng.int(20, 90));
    counts.slow++;
  }
  // Checkpoints.
  for (let t = START + 171 * SEC; t < END; t += 300 * SEC) {
    const b = rng.int(20, 400);
    const w = Math.min(269.9, b * 0.1 + rng.float(0, 3));
    line(t, checkpointer, 'LOG', 'checkpoint starting: time');
    line(t + Math.round(w * 1000) + 20, checkpointer, 'LOG', `checkpoint complete: wrote ${b} buffers (${((b / 16384) * 100).toFixed(1)}%); 0 WAL file(s) added, 0 removed, ${b > 200 ? 1 : 0} recycled; write=${w.toFixed(3)} s, sync=0.011 s, total=${(w + 0.02).toFixed(3)} s; sync files=${8 + (b >> 5)}, longest=0.004 s, average=0.001 s; distance=${b * 7} kB, estimate=${b * 7 + 200} kB; lsn=3/${(0x1a000000 + t / 1000).toString(16).toUpperCase()}, redo lsn=3/${(0x1a000000 + t / 1000 - 200).toString(16).toUpperCase()}`);
  }

  // --- the incident, 14:08-14:26: deep pages of /content/unified, job cancels against the worker ----
  // Deep OFFSET pages run past the request-timeout middleware (15 s, 504) and, since nothing cancels
  // the query when the client is gone, on until statement_timeout (30 s) or completion.
  const deep = ['14:08:12', '14:09:40', '14:11:05', '14:12:31', '14:13:02', '14:15:47', '14:16:20', '14:19:09', '14:22:44', '14:24:58'];
  deep.forEach((hmsText, i) => {
    const t0 = at(`2025-10-14T${hmsText}.${pad(rng.int(0, 999), 3)}`);
    const tags = rng.pick(tagSets);
    const page = rng.int(160, 400);
    const s = apiPool[i % apiPool.length];
    const id = rid();
    const path = `/api/v1/content/unified?tags=${tags.join(',')}&page=${page}&page_size=50`;
    const mw = 15_001 + rng.int(0, 40);
    apiLog(t0 + mw, 'ERROR', 'genonaut.api.middleware.timeout', `Request timed out after 15.0s: GET ${path}`, { request_id: id, method: 'GET', path, status_code: 504, duration_ms: mw, timeout_s: 15.0 });
    request(t0, 'GET', path, 504, mw + 2, { request_id: id });
    counts.timeouts504++;
    if (i % 3 === 1) {
      const dur = rng.float(16_000, 29_000);
      line(t0 + Math.round(dur), s, 'LOG', `duration: ${dur.toFixed(3)} ms  statement: ${unifiedSql(tags, page * 50)}`);
      counts.slow++;
    } else {
      line(t0 + 30_000 + rng.int(1, 30), s, 'ERROR', 'canceling statement due to statement timeout');
      line(t0 + 30_000 + rng.int(31, 40), s, 'STATEMENT', unifiedSql(tags, page * 50));
      counts.statementTimeouts++;
    }
  });
  // Lock waits: the API cancels a job while the worker's transaction holds the row.
  let xid = 1_884_100;
  const lockWaits = ['14:10:02', '14:11:47', '14:13:30', '14:14:12', '14:18:05', '14:20:39', '14:23:16'];
  lockWaits.forEach((hmsText, i) => {
    const t0 = at(`2025-10-14T${hmsText}.${pad(rng.int(0, 999), 3)}`);
    const waiter = apiPool[(i + 3) % apiPool.length];
    const holder = workers[i % workers.length];
    const job = rng.int(91300, 91420);
    const tuple = `(${rng.int(20, 90)},${rng.int(1, 40)})`;
    xid += rng.int(8, 60);
    const w1 = 1000 + rng.float(0.05, 0.2);
    line(t0 + Math.round(w1), waiter, 'LOG', `process ${waiter.pid} still waiting for ShareLock on transaction ${xid} after ${w1.toFixed(3)} ms`);
    line(t0 + Math.round(w1), waiter, 'DETAIL', `Process holding the lock: ${holder.pid}. Wait queue: ${waiter.pid}.`);
    line(t0 + Math.round(w1), waiter, 'CONTEXT', `while updating tuple ${tuple} in relation "generation_jobs"`);
    line(t0 + Math.round(w1), waiter, 'STATEMENT', jobSql(job));
    counts.lockWaits++;
    const id = rid();
    const path = `/api/v1/generation-jobs/${job}/cancel`;
    if (i % 2 === 0) {
      // lock_timeout = 5s
      line(t0 + 5000 + rng.int(1, 5), waiter, 'ERROR', 'canceling statement due to lock timeout');
      line(t0 + 5000 + rng.int(6, 8), waiter, 'CONTEXT', `while updating tuple ${tuple} in relation "generation_jobs"`);
      line(t0 + 5000 + rng.int(9, 10), waiter, 'STATEMENT', jobSql(job));
      apiLog(t0 + 5000 + 30, 'ERROR', 'genonaut.api.errors', `Database error on POST ${path}: (psycopg2.errors.LockNotAvailable) canceling statement due to lock timeout`, { request_id: id, path, sqlstate: '55P03' });
      request(t0 - 12, 'POST', path, 500, 5000 + 55, { request_id: id });
      counts.lockTimeouts++;
    } else {
      const w2 = rng.float(1400, 4600);
      line(t0 + Math.round(w2), waiter, 'LOG', `process ${waiter.pid} acquired ShareLock on transaction ${xid} after ${w2.toFixed(3)} ms`);
      line(t0 + Math.round(w2), waiter, 'CONTEXT', `while updating tuple ${tuple} in relation "generation_jobs"`);
      line(t0 + Math.round(w2), waiter, 'STATEMENT', jobSql(job));
      const d = w2 + rng.float(1, 6);
      line(t0 + Math.round(d), waiter, 'LOG', `duration: ${d.toFixed(3)} ms  statement: ${jobSql(job)}`);
      request(t0 - 12, 'POST', path, 200, Math.round(d) + 40, { request_id: id });
      counts.slow++;
    }
    // The worker's own progress update, the statement that held the row.
    line(t0 + rng.int(5200, 7000), holder, 'LOG', `duration: ${rng.float(6100, 8200).toFixed(3)} ms  statement: ${workerJobSql(job)}`);
    counts.slow++;
  });
  // One deadlock between two workers updating tag counters in opposite orders.
  {
    const t0 = at('2025-10-14T14:17:21.404');
    const [a, b] = [workers[1], workers[2]];
    const xa = (xid += 17), xb = (xid += 2);
    const sqlA = 'UPDATE tags SET usage_count=usage_count + 1 WHERE tags.id = 17';
    const sqlB = 'UPDATE tags SET usage_count=usage_count + 1 WHERE tags.id = 4';
    line(t0 + 1000, b, 'LOG', `process ${b.pid} still waiting for ShareLock on transaction ${xa} after 1000.094 ms`);
    line(t0 + 1000, b, 'DETAIL', `Process holding the lock: ${a.pid}. Wait queue: ${b.pid}.`);
    line(t0 + 1000, b, 'CONTEXT', 'while updating tuple (0,17) in relation "tags"');
    line(t0 + 1000, b, 'STATEMENT', sqlA);
    line(t0 + 1412, a, 'LOG', `process ${a.pid} detected deadlock while waiting for ShareLock on transaction ${xb} after 1000.117 ms`);
    line(t0 + 1412, a, 'DETAIL', `Process holding the lock: ${b.pid}. Wait queue: .`);
    line(t0 + 1412, a, 'CONTEXT', 'while updating tuple (0,4) in relation "tags"');
    line(t0 + 1412, a, 'STATEMENT', sqlB);
    line(t0 + 1413, a, 'ERROR', 'deadlock detected');
    line(t0 + 1413, a, 'DETAIL', `Process ${a.pid} waits for ShareLock on transaction ${xb}; blocked by process ${b.pid}.`);
    cont(t0 + 1413, `Process ${b.pid} waits for ShareLock on transaction ${xa}; blocked by process ${a.pid}.`);
    cont(t0 + 1413, `Process ${a.pid}: ${sqlB}`);
    cont(t0 + 1413, `Process ${b.pid}: ${sqlA}`);
    line(t0 + 1413, a, 'HINT', 'See server log for query details.');
    line(t0 + 1413, a, 'CONTEXT', 'while updating tuple (0,4) in relation "tags"');
    line(t0 + 1413, a, 'STATEMENT', sqlB);
    line(t0 + 1415, b, 'LOG', `process ${b.pid} acquired ShareLock on transaction ${xa} after 1415.262 ms`);
    line(t0 + 1415, b, 'CONTEXT', 'while updating tuple (0,17) in relation "tags"');
    line(t0 + 1415, b, 'STATEMENT', sqlA);
    counts.deadlocks++;
    counts.lockWaits += 2;
  }
  // idle_in_transaction_session_timeout = 30s: the export endpoint streams rows and never closes its session.
  for (const hmsText of ['14:21:03', '14:25:36']) {
    const t0 = at(`2025-10-14T${hmsText}.${pad(rng.int(0, 999), 3)}`);
    const s = apiPool[rng.int(0, apiPool.length - 1)];
    const id = rid();
    request(t0, 'GET', '/api/v1/content/export?format=csv', 200, rng.int(800, 1900), { request_id: id });
    line(t0 + 32_000 + rng.int(0, 900), s, 'FATAL', 'terminating connection due to idle-in-transaction timeout');
    counts.idleTimeouts++;
    const later = t0 + rng.int(40_000, 70_000);
    const id2 = rid();
    apiLog(later, 'ERROR', 'genonaut.api.errors', 'Database error on GET /api/v1/generation-jobs/91388: (psycopg2.OperationalError) terminating connection due to idle-in-transaction timeout\nSSL connection has been closed unexpectedly', { request_id: id2, path: '/api/v1/generation-jobs/91388', sqlstate: '25P03' });
    request(later - 8, 'GET', '/api/v1/generation-jobs/91388', 500, 9, { request_id: id2 });
  }

  const pgLines = pg.sorted().filter((r) => r.ms >= START && r.ms < END).map(renderPg);
  const apiLines = api.sorted().filter((r) => r.ms >= START && r.ms < END).map((r) => JSON.stringify(r.value));
  const readme = `# samples/pg-guardrails — review 003 (PostgreSQL guardrails and timeouts)

Reproduces what \`../shared/seeds/003_bb22fb599487e090.txt\` sets PostgreSQL up to show, on the day
the guardrails are on and the application still lacks them: ${fmtUtc(START)} to ${fmtUtc(END)}.
Written by \`scripts/generate-samples.mjs\` (\`npm run samples\`, seeded); counts below come from that run.

| file | what it is | lines |
|---|---|---|
| \`postgresql.log\` | PostgreSQL stderr, \`log_line_prefix = '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h '\` (the pgBadger prefix); multi-line DETAIL continues on tab-indented lines | ${pgLines.length} |
| \`api.jsonl\` | the API's JSON logs (python-json-logger: timestamp, level, logger, message, request_id, status_code, duration_ms) | ${apiLines.length} |

Server settings in force (review 003 §1): \`log_min_duration_statement = 1000\`, \`log_lock_waits = on\`,
\`deadlock_timeout = 1s\`, \`lock_timeout = 5s\`, \`idle_in_transaction_session_timeout = 30s\`,
\`statement_timeout = 30s\`. The API has the request-timeout middleware (\`anyio.fail_after(15)\`, 504) but
no cancellation of the query when the request is abandoned (review §4).

What is in it (14:08-14:26 is the incident; slow statements and checkpoints all along):

| what | count | lines |
|---|---|---|
| slow statements (\`duration: … ms  statement: …\`, all ≥ 1000 ms) | ${counts.slow} | LOG |
| lock waits (\`still waiting for ShareLock … after 1000.x ms\`, DETAIL/CONTEXT/STATEMENT), then \`acquired … after\` or a lock timeout | ${counts.lockWaits} | LOG |
| \`canceling statement due to lock timeout\` (+ CONTEXT, STATEMENT; the API answers 500) | ${counts.lockTimeouts} | ERROR 55P03 |
| \`deadlock detected\` (14:17:22, two workers, tag counters in opposite order; multi-line DETAIL, HINT, CONTEXT, STATEMENT) | ${counts.deadlocks} | ERROR 40P01 |
| \`canceling statement due to statement timeout\` (+ STATEMENT), 15 s after the API already answered 504 | ${counts.statementTimeouts} | ERROR 57014 |
| \`terminating connection due to idle-in-transaction timeout\` (the CSV export leaves its transaction open; the next request on that connection fails) | ${counts.idleTimeouts} | FATAL 25P03 |
| API 504s (\`Request timed out after 15.0s\`, genonaut.api.middleware.timeout) on deep \`/content/unified\` pages | ${counts.timeouts504} | ERROR |

Every 504 is followed 15 s later by either the statement-timeout cancel or a 16-29 s \`duration:\` line of
the same query: the database kept working for a client that was gone.
`;
  return {
    files: { 'postgresql.log': `${pgLines.join('\n')}\n`, 'api.jsonl': `${apiLines.join('\n')}\n`, 'README.md': readme },
    facts: { pgLines: pgLines.length, apiLines: apiLines.length, ...counts },
  };
}

// ---------------------------------------------------------------------------------------------
// samples/bot-workers: review 004

function botWorkers() {
  const rng = makeRng('vpn-bot-workers');
  const START = at('2025-02-14T09:29:00');
  const END = at('2025-02-14T11:30:00');
  const log = new LogBook();
  // Plain `railway logs`: Railway's stream marker, then the line. Python's logging goes to stderr
  // ([ERRO] whatever its level); uvicorn's access log goes to stdout ([INFO]).
  const pyTime = (ms) => { const s = new Date(ms).toISOString(); return `${s.slice(0, 10)} ${s.slice(11, 19)},${s.slice(20, 23)}`; };
  const app = (ms, level, logger, msg) => log.add(ms, `[ERRO] ${pyTime(ms)} ${level} [${logger}] ${msg}`);
  const raw = (ms, marker, msg) => log.add(ms, `[${marker}] ${msg}`);
  const tg = () => `91.108.${rng.pick([4, 5, 6, 56])}.${rng.int(1, 250)}:0`;

  const WORKERS = [
    { name: 'reminders', module: 'app.workers.reminders', every: 60, work: [120, 1800] },
    { name: 'trial_notifications', module: 'app.workers.trial_notifications', every: 300, work: [300, 2500] },
    { name: 'fast_expiry_cleanup', module: 'app.workers.fast_expiry_cleanup', every: 30, work: [400, 4000] },
    { name: 'activation_worker', module: 'app.workers.activation_worker', every: 20, work: [60, 700] },
    { name: 'crypto_payment_watcher', module: 'app.workers.crypto_payment_watcher', every: 45, work: [200, 2200] },
  ];
  const boot = (t0, pid) => {
    raw(t0, 'INFO', 'Starting Container');
    let t = t0 + rng.int(1800, 2600);
    raw(t, 'ERRO', `INFO:     Started server process [${pid}]`);
    raw(t + 3, 'ERRO', 'INFO:     Waiting for application startup.');
    app(t + 40, 'INFO', 'app.main', 'BOT_STARTUP version=2.14.3 env=production');
    app(t + 380, 'INFO', 'app.database', 'DB_POOL_CREATED min_size=5 max_size=15');
    app(t + 420, 'INFO', 'app.main', 'INSTANCE_LOCK_ACQUIRED key=vpnbot-main');
    app(t + 910, 'INFO', 'app.api.telegram_webhook', 'WEBHOOK_SET url=https://bot.example-vpn.app/telegram/webhook max_connections=40');
    WORKERS.forEach((w, i) => app(t + 930 + i * 2, 'INFO', w.module, `WORKER_STARTED worker=${w.name} interval=${w.every}s`));
    app(t + 945, 'INFO', 'app.main', 'WATCHDOG_STARTED silence_limit=180s grace=60s');
    raw(t + 950, 'ERRO', 'INFO:     Application startup complete.');
    raw(t + 952, 'ERRO', 'INFO:     Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)');
    app(t + 60_950, 'INFO', 'app.main', 'WATCHDOG_GRACE_END updates_seen=' + rng.int(3, 9));
    return t + 952;
  };

  // Two process lives: the first ends when the watchdog calls os._exit(1), the second runs to the end.
  const up1 = boot(START + 41_000, 1);
  const exitAt = at('2025-02-14T10:49:58.312');
  const restartAt = exitAt + 4_300;
  const up2 = boot(restartAt, 1);

  // The incident (first life): two iterations hang holding connections, expiry cleanups hold theirs
  // across a VPN API call, a broadcast brings a burst of updates, and the pool (15) runs dry.
  const hangs = { crypto_payment_watcher: at('2025-02-14T10:41:10.518'), activation_worker: at('2025-02-14T10:41:41.077') };
  const exhausted = { from: at('2025-02-14T10:44:05'), to: exitAt };
  const slowCleanup = { from: at('2025-02-14T10:38:00'), to: exitAt };
  const neverEnded = [];
  const acquireTimeouts = [];
  const traceback = (ms, module, what) => {
    app(ms, 'ERROR', module, what);
    const lines = [
      'Traceback (most recent call last):',
      `  File "/app/${module.replace(/\./g, '/')}.py", line ${rng.int(160, 480)}, in _run_iteration`,
      '    async with db.acquire() as conn:',
      '  File "/app/.venv/lib/python3.11/site-packages/asyncpg/pool.py", line 1024, in __aenter__',
      '    self.connection = await self.pool._acquire(self.timeout)',
      '  File "/app/.venv/lib/python3.11/site-packages/asyncpg/pool.py", line 864, in _acquire',
      '    return await compat.wait_for(_acquire_impl(), timeout=timeout)',
      '  File "/usr/local/lib/python3.11/asyncio/tasks.py", line 502, in wait_for',
      '    raise exceptions.TimeoutError() from exc',
      'TimeoutError',
    ];
    lines.forEach((l, i) => raw(ms + 1 + i, 'ERRO', l));
  };
  const iterations = { started: 0, ended: 0 };
  for (const [life, from, to] of [[1, up1 + 500, exitAt], [2, up2 + 500, END]]) {
    for (const w of WORKERS) {
      let n = 0;
      let t = from + rng.int(0, 3000);
      while (t < to) {
        n++;
        const hangsNow = life === 1 && hangs[w.name] !== undefined && t >= hangs[w.name] - w.every * 1000;
        if (hangsNow) t = hangs[w.name];
        app(t, 'INFO', w.module, `ITERATION_START worker=${w.name} iteration=${n}`);
        iterations.started++;
        if (hangsNow) {
          // Started and never ended: awaiting an external call inside a transaction, no timeout.
          neverEnded.push({ worker: w.name, iteration: n, at: t });
          if (w.name === 'crypto_payment_watcher') app(t + 812, 'INFO', w.module, `AUTO_RENEWAL_CHECK subscriptions=${rng.int(3, 9)}`);
          break;
        }
        let dur = rng.int(w.work[0], w.work[1]);
        if (life === 1 && w.name === 'fast_expiry_cleanup' && t >= slowCleanup.from) dur = rng.int(18_000, 29_000);
        if (life === 1 && t >= exhausted.from && w.name !== 'fast_expiry_cleanup') {
          // pool.acquire(timeout=30) gives up; ITERATION_END is not in a finally block, so it never comes.
          const failAt = t + 30_000 + rng.int(2, 40);
          if (failAt < to) {
            traceback(failAt, w.module, `Iteration failed worker=${w.name} iteration=${n}`);
            acquireTimeouts.push(failAt);
          }
          neverEnded.push({ worker: w.name, iteration: n, at: t });
          t = failAt + w.every * 1000;
          continue;
        }
        if (t + dur >= to) { neverEnded.push({ worker: w.name, iteration: n, at: t }); break; }
        app(t + dur, 'INFO', w.module, `ITERATION_END worker=${w.name} iteration=${n} duration_ms=${dur} processed=${rng.poisson(w.name === 'activation_worker' ? 0.4 : 2)}`);
        iterations.ended++;
        t += dur + w.every * 1000;
      }
    }
  }

  // Telegram webhook updates.
  let updateId = 684_211_003;
  const handlerTimeouts = [];
  let lastHandled = 0;
  let lastArrival = 0;
  const webhook = (t, life) => {
    const id = updateId++;
    if (life === 1) lastArrival = t;
    const kind = rng.pick(['message', 'message', 'message', 'callback_query', 'callback_query', 'pre_checkout_query']);
    app(t, 'INFO', 'app.api.telegram_webhook', `WEBHOOK_UPDATE update_id=${id} type=${kind}`);
    if (life === 1 && t >= exhausted.from) {
      // Handlers wait for a connection; asyncio.wait_for(..., 25) gives up and answers 200 anyway.
      app(t + 25_000 + rng.int(1, 30), 'WARNING', 'app.api.telegram_webhook', `WEBHOOK_HANDLER_TIMEOUT update_id=${id} type=${kind} timeout=25.0s`);
      raw(t + 25_040 + rng.int(0, 30), 'INFO', `INFO:     ${tg()} - "POST /telegram/webhook HTTP/1.1" 200 OK`);
      handlerTimeouts.push(t + 25_000);
      return;
    }
    const dur = rng.int(25, 380);
    app(t + dur, 'INFO', 'app.api.telegram_webhook', `HANDLER_DONE update_id=${id} type=${kind} elapsed_ms=${dur}`);
    raw(t + dur + 2, 'INFO', `INFO:     ${tg()} - "POST /telegram/webhook HTTP/1.1" 200 OK`);
    if (life === 1) lastHandled = t + dur;
  };
  for (const [life, from, to] of [[1, up1 + 3000, exitAt], [2, up2 + 3000, END]]) {
    for (let t = from; t < to; ) {
      // A broadcast at 10:44 brings replies in a burst.
      const burst = life === 1 && t >= at('2025-02-14T10:44:00') && t < at('2025-02-14T10:46:30');
      // Updates stop reaching the handler once every request is stuck: Telegram holds back.
      const stalled = life === 1 && t >= at('2025-02-14T10:46:50');
      if (!stalled) webhook(t, life);
      t += burst ? rng.int(1200, 5000) : rng.int(6000, 45_000);
    }
  }
  // The watchdog: no update handled for 180 s → os._exit(1); Railway restarts the container.
  // Liveness is stamped when an update arrives; the watchdog checks every 30 s.
  app(exitAt - 1200, 'ERROR', 'app.main', `LIVENESS_CHECK_FAILED silence=${((exitAt - 1200 - lastArrival) / 1000).toFixed(1)}s limit=180s last_handled_ago=${((exitAt - 1200 - lastHandled) / 1000).toFixed(1)}s`);
  app(exitAt - 1195, 'CRITICAL', 'app.main', 'WATCHDOG_RESTART calling os._exit(1)');

  const lines = log.sorted().filter((r) => r.ms >= START && r.ms < END).map((r) => r.value);
  const readme = `# samples/bot-workers — review 004 (bot with background workers: pool exhaustion, hung iterations, watchdog)

Reproduces the log-visible incident behind \`../shared/seeds/004_cbad6a85c99ca7c5.txt\` (the stability
fixes of a Telegram VPN bot), ${fmtUtc(START)} to ${fmtUtc(END)}. Written by
\`scripts/generate-samples.mjs\` (\`npm run samples\`, seeded); counts below come from that run.

| file | what it is | lines |
|---|---|---|
| \`bot.log\` | plain \`railway logs\` (no \`--json\`, no Railway timestamps): \`[ERRO]\` for stderr (Python's logging, whatever its level, with its own \`asctime\`; uvicorn's server lines; tracebacks one line each), \`[INFO]\` for stdout (uvicorn's access log) and Railway's own lines | ${lines.length} |

The bot runs five workers (reminders 60 s, trial_notifications 300 s, fast_expiry_cleanup 30 s,
activation_worker 20 s, crypto_payment_watcher 45 s) that log \`ITERATION_START\` / \`ITERATION_END\`, a
Telegram webhook (\`WEBHOOK_UPDATE\` / \`HANDLER_DONE\`), an asyncpg pool of max 15, a 25 s handler timeout,
and a watchdog that exits the process when no update has arrived for 180 s (checked every 30 s). What happens:

1. ${hms(hangs.crypto_payment_watcher)} \`crypto_payment_watcher\` and ${hms(hangs.activation_worker)} \`activation_worker\` start an iteration that never ends
   (an external call inside a transaction, no timeout): each holds a connection. From 10:38
   \`fast_expiry_cleanup\` iterations take 18-29 s (the VPN API call inside the transaction).
2. 10:44 a broadcast brings a burst of updates; the pool is exhausted. Handlers give up after 25 s:
   ${handlerTimeouts.length} \`WEBHOOK_HANDLER_TIMEOUT\`. Workers' \`pool.acquire(timeout=30)\` raises \`TimeoutError\` with an empty
   message (${acquireTimeouts.length} tracebacks ending in a bare \`TimeoutError\`), and since \`ITERATION_END\` is not in a \`finally\`
   block those iterations never end either.
3. ${hms(exitAt - 1200)} \`LIVENESS_CHECK_FAILED\`, \`WATCHDOG_RESTART calling os._exit(1)\`; Railway starts the container again
   at ${hms(restartAt)} and everything runs normally afterwards.

Iterations: ${iterations.started} started, ${iterations.ended} ended; ${neverEnded.length} started and never ended:
${neverEnded.sort((a, b) => a.at - b.at).map((n) => `${n.worker} #${n.iteration} (${hms(n.at)})`).join(', ')} — the two hangs, the
iterations whose \`pool.acquire\` timed out, and whatever was running when \`os._exit(1)\` ended the process.
`;
  return {
    files: { 'bot.log': `${lines.join('\n')}\n`, 'README.md': readme },
    facts: { lines: lines.length, ...iterations, neverEnded: neverEnded.length, handlerTimeouts: handlerTimeouts.length, acquireTimeouts: acquireTimeouts.length },
  };
}

// ---------------------------------------------------------------------------------------------

const args = process.argv.slice(2);
const root = resolve(args.find((a) => !a.startsWith('--')) ?? 'samples');
const sets = { whendoist, 'restart-loop': restartLoop, 'pg-guardrails': pgGuardrails, 'bot-workers': botWorkers };
const index = [];
for (const [name, build] of Object.entries(sets)) {
  const { files, facts } = build();
  writeSet(root, name, files);
  const title = files['README.md'].split('\n', 1)[0].replace(/^# samples\/[\w-]+ — /, '');
  const inputs = Object.entries(files).filter(([f]) => f !== 'README.md').map(([f, text]) => `\`${f}\` (${text.split('\n').length - 1} lines)`);
  index.push(`| [\`${name}/\`](${name}/README.md) | ${title} | ${inputs.join(', ')} |`);
  if (!args.includes('--quiet')) process.stdout.write(`${name}: ${JSON.stringify(facts)}\n`);
}
writeFileSync(
  join(root, 'README.md'),
  `# Samples

Realistic inputs that reproduce the incidents of the production reviews in \`../shared/seeds/\`, one
directory per incident. They are written by \`scripts/generate-samples.mjs\` from a seeded generator:
\`npm run samples\` rewrites them byte for byte (\`node scripts/generate-samples.mjs DIR\` writes them
elsewhere), and \`test/samples/samples.test.ts\` fails if the committed files and the script drift apart.
Each directory's README says what incident it reproduces and lists the exact times and counts in it.

| set | incident | inputs |
|---|---|---|
${index.join('\n')}

\`npm run demo\` analyzes \`samples/whendoist\`; any set can be read with \`hindsight analyze samples/<set>\`.
`,
);
