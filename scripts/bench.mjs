#!/usr/bin/env node
// `npm run bench`: how fast hindsight reads its inputs, next to plain JSON.parse of the same lines.
//
//   node scripts/bench.mjs                 quick mode: ~100 MB inputs, 3 runs each
//   node scripts/bench.mjs --large         also ~2 GB of Railway JSON (1 run), to show RSS is flat
//   node scripts/bench.mjs --runs 5        runs per measurement (the median is printed)
//   node scripts/bench.mjs --only ingest   only benchmarks whose name contains "ingest"
//   node scripts/bench.mjs --input postgres-200k   only the inputs whose name contains "postgres-200k"
//   node scripts/bench.mjs --json          machine-readable results on stdout
//
// Inputs are generated into bench-data/ (gitignored), streaming, never held in memory, and reused
// when already there. Every measurement runs in its own child process so that its peak RSS
// (process.resourceUsage().maxRSS) is its own. It runs the built dist/ (npm run bench builds first).
//
// Extending: a file scripts/bench-<name>.mjs exporting `datasets` and/or `benchmarks` (same shapes
// as below) is picked up automatically and its benchmarks join the table; a bench-<name>.mjs that
// exports no `benchmarks` is run as a standalone section after the table (scripts/bench-miner.mjs).
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'bench-data');
const DIST = join(ROOT, 'dist');

// ---------------------------------------------------------------------------------------------
// Deterministic data: a small PRNG, so that the same inputs come out on every machine.

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (r, n) => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[(r() * 16) | 0];
  return s;
};
const uuid = (r) => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`;
const pick = (r, a) => a[(r() * a.length) | 0];
const int = (r, lo, hi) => lo + ((r() * (hi - lo + 1)) | 0);

const ROUTES = ['/api/tasks', '/api/tasks/:id', '/dashboard', '/api/v1/sync', '/auth/callback', '/api/projects/:id/members', '/health', '/static/app.js', '/api/search', '/webhooks/stripe'];
const QUEUES = ['emails', 'exports', 'materialize', 'thumbnails', 'billing'];
const TABLES = ['tasks', 'projects', 'users', 'sessions', 'events', 'invoices'];

/** Application messages as Railway apps write them: access logs, workers, ORMs, tracebacks. */
const APP_MESSAGES = [
  (r) => `INFO:     10.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}:${int(r, 30000, 65000)} - "${pick(r, ['GET', 'POST', 'PATCH'])} ${pick(r, ROUTES).replace(':id', String(int(r, 1, 99999)))} HTTP/1.1" ${pick(r, [200, 200, 200, 201, 204, 304, 404, 500])} ${pick(r, ['OK', 'Created', 'Not Found'])}`,
  () => `Materialization loop error: `,
  (r) => `Materialized ${int(r, 0, 400)} recurring task instances for user ${int(r, 1, 5000)} in ${int(r, 3, 900)}ms`,
  (r) => `worker ${int(r, 1, 8)} picked job ${uuid(r)} from queue "${pick(r, QUEUES)}"`,
  (r) => `job ${uuid(r)} finished in ${(r() * 12).toFixed(3)}s`,
  (r) => `WARNING: slow query on ${pick(r, TABLES)} took ${(1 + r() * 9).toFixed(2)}s`,
  (r) => `Database session error: ${pick(r, ['', 'connection reset by peer', 'server closed the connection unexpectedly'])}`,
  (r) => `cache ${pick(r, ['hit', 'miss'])} for key user:${int(r, 1, 90000)}:prefs (ttl ${int(r, 10, 3600)}s)`,
  () => `sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) could not connect to server: Connection refused`,
  (r) => `[${pick(r, ['INFO', 'INFO', 'WARN', 'ERROR'])}] ${pick(r, ['scheduler', 'api', 'sync'])}: tick ${int(r, 1, 1e6)} lag=${int(r, 0, 5000)}ms`,
  (r) => `Sent ${int(r, 1, 40)} notification(s) to ${int(r, 1, 3)} device(s) for task ${int(r, 1, 1e6)}`,
  (r) => `POST https://api.stripe.com/v1/customers/${'cus_' + hex(r, 14)} -> ${pick(r, [200, 200, 402, 429])} (${int(r, 40, 2000)} ms)`,
];

const TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "/app/app/tasks/materialize.py", line 142, in run_loop',
  '    await self.materialize_all()',
  '  File "/usr/local/lib/python3.12/site-packages/sqlalchemy/ext/asyncio/session.py", line 461, in execute',
  '    result = await greenlet_spawn(',
  'asyncio.exceptions.CancelledError',
];

/** PostgreSQL messages as they arrive inside Railway lines (the database service's logs). */
const PG_MESSAGES = [
  () => `LOG:  checkpoint starting: time`,
  (r) => `LOG:  checkpoint complete: wrote ${int(r, 1, 900)} buffers (${(r() * 5).toFixed(1)}%); 0 WAL file(s) added, 0 removed, ${int(r, 0, 3)} recycled; write=${(r() * 90).toFixed(3)} s, sync=0.00${int(r, 1, 9)} s, total=${(r() * 90).toFixed(3)} s`,
  () => `LOG:  could not receive data from client: Connection reset by peer`,
  (r) => `ERROR:  duplicate key value violates unique constraint "${pick(r, TABLES)}_pkey"`,
  (r) => `LOG:  duration: ${(r() * 3000).toFixed(3)} ms  statement: SELECT * FROM ${pick(r, TABLES)} WHERE id = ${int(r, 1, 1e6)}`,
  () => `FATAL:  terminating connection due to idle-in-transaction timeout`,
];

const pad = (n, w = 2) => String(n).padStart(w, '0');

/**
 * Railway `logs --json` lines: ~20% PostgreSQL lines, occasional tracebacks, nanosecond times.
 * With `ids` (the default) every line carries deploymentId and deploymentInstanceId, as the CLI
 * prints them; without, lines are message + level + timestamp only (shorter lines, same content).
 */
export function* railwayJsonLines(seed, ids = true) {
  const r = rng(seed);
  let t = Date.UTC(2026, 1, 1, 0, 0, 0);
  const deployments = Array.from({ length: 6 }, () => uuid(r));
  let dep = 0;
  for (;;) {
    t += int(r, 0, 400);
    if (r() < 0.00002) dep = (dep + 1) % deployments.length;
    const iso = new Date(t).toISOString();
    const ts = iso.slice(0, 23) + pad(int(r, 0, 999999), 6) + 'Z';
    const common = ids ? `"timestamp":"${ts}","deploymentId":"${deployments[dep]}","deploymentInstanceId":"${deployments[(dep + 3) % 6]}"` : `"timestamp":"${ts}"`;
    const x = r();
    if (x < 0.2) {
      const d = new Date(t - 3);
      const pgTs = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} UTC`;
      yield `{"message":${JSON.stringify(`${pgTs} [${int(r, 100, 9000)}] ${pick(r, PG_MESSAGES)(r)}`)},"level":"error",${common}}`;
    } else if (x < 0.202) {
      for (const l of TRACEBACK) yield `{"message":${JSON.stringify(l)},"level":"error",${common}}`;
    } else if (x < 0.23) {
      // Structured app logs: the app's JSON fields flattened at the top level.
      yield `{"message":"request completed","level":"info",${common},"route":"${pick(r, ROUTES)}","status":${pick(r, [200, 201, 500])},"duration_ms":${int(r, 1, 3000)},"user_id":${int(r, 1, 90000)}}`;
    } else {
      const msg = pick(r, APP_MESSAGES)(r);
      const level = msg.startsWith('INFO') || msg.startsWith('Materialized') || msg.startsWith('cache') ? (r() < 0.5 ? 'error' : 'info') : pick(r, ['info', 'info', 'error', 'warn']);
      yield `{"message":${JSON.stringify(msg)},"level":"${level}",${common}}`;
    }
  }
}

/** PostgreSQL stderr with the default `%m [%p] ` prefix, DETAIL/STATEMENT lines joined to records. */
function* postgresStderrLines(seed) {
  const r = rng(seed);
  let t = Date.UTC(2026, 1, 1, 0, 0, 0);
  for (;;) {
    t += int(r, 0, 900);
    const d = new Date(t);
    const p = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} UTC [${int(r, 100, 9000)}] `;
    const m = pick(r, PG_MESSAGES)(r);
    yield p + m;
    if (m.startsWith('ERROR:  duplicate')) {
      yield p + `DETAIL:  Key (id)=(${int(r, 1, 1e6)}) already exists.`;
      yield p + `STATEMENT:  INSERT INTO tasks (id, title) VALUES ($1, $2)`;
    }
  }
}

/** The inputs benchmarks read. `lines(seed)` is an endless generator; files are cut at `bytes`. */
export const datasets = [
  { name: 'railway-100mb', file: 'railway-100mb.jsonl', bytes: 100e6, lines: () => railwayJsonLines(1) },
  { name: 'railway-short-100mb', file: 'railway-short-100mb.jsonl', bytes: 100e6, lines: () => railwayJsonLines(4, false) },
  { name: 'postgres-100mb', file: 'postgres-100mb.log', bytes: 100e6, lines: () => postgresStderrLines(2) },
  { name: 'railway-2gb', file: 'railway-2gb.jsonl', bytes: 2e9, lines: () => railwayJsonLines(3), large: true },
  // A checked-in sample (logs and metrics of one app), read as it is: `path` instead of generated lines.
  { name: 'samples/whendoist', path: join(ROOT, 'samples', 'whendoist') },
];

async function ensureDataset(ds) {
  if (ds.path !== undefined) return ds.path;
  const path = join(DATA, ds.file);
  if (existsSync(path) && statSync(path).size >= ds.bytes) return path;
  mkdirSync(DATA, { recursive: true });
  const tmp = path + '.tmp';
  const out = createWriteStream(tmp);
  let written = 0;
  let buf = '';
  const started = Date.now();
  for (const line of ds.lines()) {
    buf += line + '\n';
    if (buf.length >= 1 << 20) {
      written += Buffer.byteLength(buf);
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
      if (written >= ds.bytes) break;
    }
  }
  if (buf.length > 0) out.write(buf);
  await new Promise((r) => out.end(r));
  renameSync(tmp, path);
  process.stderr.write(`generated ${ds.file} (${(statSync(path).size / 1e6).toFixed(0)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return path;
}

// ---------------------------------------------------------------------------------------------
// Benchmarks. Each `run(file)` executes in a child process and resolves to { lines, events? }.
// `floor: true` marks the reference the others are compared with (for the same dataset).

/** Splits a file into lines with 1 MiB reads and indexOf, calling `onLine` for each. */
async function eachLine(file, onLine) {
  let carry = '';
  let n = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, encoding: 'utf8' })) {
    let start = 0;
    let nl = chunk.indexOf('\n');
    if (nl !== -1 && carry.length > 0) {
      onLine(carry + chunk.slice(0, nl));
      n++;
      carry = '';
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    while (nl !== -1) {
      onLine(chunk.slice(start, nl));
      n++;
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    carry += chunk.slice(start);
  }
  if (carry.length > 0) {
    onLine(carry);
    n++;
  }
  return n;
}

const noopReceiver = { event() {}, metric() {} };

function countNewlines(buf) {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** Newlines in a file, read through one reused buffer: a stream's fresh 1 MiB chunks would raise the row's peak RSS. */
function countFileNewlines(file) {
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, 'r');
  try {
    let n = 0;
    for (let got; (got = readSync(fd, buf, 0, buf.length, null)) > 0; ) n += countNewlines(got === buf.length ? buf : buf.subarray(0, got));
    return n;
  } finally {
    closeSync(fd);
  }
}

/**
 * Timing of a run over `lines` lines, whole and from the halfway line on. The first lines of a
 * run are read while V8 is still compiling the hot path (the first eighth of a 100 MB input at
 * about half speed): the second half is the rate of a warmed-up reader, as on a long stream.
 */
function halfway(lines) {
  let at = null;
  const line = Math.floor(lines / 2);
  const mark = () => {
    if (at === null) at = { t: process.hrtime.bigint(), cpu: process.cpuUsage() };
  };
  return {
    line,
    /** Call when the halfway line is reached (later calls are ignored). */
    mark,
    /** A receiver of readInput's events that marks the first event past the halfway line (line numbers count from 1). */
    receiver: { event: (e) => e.line > line && mark(), metric() {} },
    timings(t0, cpu0) {
      const t1 = process.hrtime.bigint();
      const cpu1 = process.cpuUsage();
      const cpuMs = (a, b) => (b.user + b.system - a.user - a.system) / 1000;
      const out = { timedMs: Number(t1 - t0) / 1e6, timedCpuMs: cpuMs(cpu0, cpu1) };
      if (at !== null) out.secondHalf = { lines: lines - line, ms: Number(t1 - at.t) / 1e6, cpuMs: cpuMs(at.cpu, cpu1) };
      return out;
    },
  };
}

export const benchmarks = [
  {
    name: 'JSON.parse floor',
    about: '1 MiB reads, indexOf split, JSON.parse per line, nothing else',
    datasets: ['railway-100mb', 'railway-short-100mb', 'railway-2gb'],
    floor: true,
    async run(file) {
      const half = halfway(countFileNewlines(file));
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      let keys = 0;
      let n = 0;
      const lines = await eachLine(file, (l) => {
        if (n++ === half.line) half.mark();
        keys += JSON.parse(l).message.length > 0 ? 1 : 0;
      });
      return { lines, events: keys, ...half.timings(t0, cpu0) };
    },
  },
  {
    name: 'JSON.parse in memory',
    about: 'JSON.parse of lines already split into strings (reading and splitting not timed): the parser alone, as the issue quotes it',
    datasets: ['railway-100mb', 'railway-short-100mb'],
    async run(file) {
      const lines = [];
      await eachLine(file, (l) => lines.push(l));
      const half = halfway(lines.length);
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      let keys = 0;
      for (let i = 0; i < lines.length; i++) {
        if (i === half.line) half.mark();
        keys += JSON.parse(lines[i]).message.length > 0 ? 1 : 0;
      }
      return { lines: lines.length, events: keys, ...half.timings(t0, cpu0) };
    },
  },
  {
    name: 'readline + JSON.parse',
    about: "node:readline's line splitter with JSON.parse (the obvious way)",
    datasets: ['railway-100mb'],
    async run(file) {
      const { createInterface } = await import('node:readline');
      let lines = 0;
      for await (const l of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
        JSON.parse(l);
        lines++;
      }
      return { lines };
    },
  },
  {
    name: 'ndjson package',
    about: 'fs stream piped into ndjson.parse() (split2 + JSON.parse)',
    datasets: ['railway-100mb'],
    async run(file) {
      const { default: ndjson } = await import('ndjson');
      let lines = 0;
      await new Promise((resolve, reject) => {
        createReadStream(file, { highWaterMark: 1 << 20 })
          .pipe(ndjson.parse())
          .on('data', () => lines++)
          .on('end', resolve)
          .on('error', reject);
      });
      return { lines };
    },
  },
  {
    name: 'hindsight read (raw)',
    about: 'readInput with --input-format raw: read, split at newline bytes, decode each line, one bare event per line (no JSON)',
    datasets: ['railway-100mb'],
    async run(file) {
      const { readInput } = await import(pathToFileURL(join(DIST, 'ingest/read-input.js')).href);
      const s = await readInput(file, 0, noopReceiver, { inputFormat: 'raw' });
      return { lines: s.lines, events: s.records };
    },
  },
  {
    name: 'hindsight ingest',
    about: 'readInput: read, split, sniff, parse and normalize into LogEvents (no-op receiver)',
    datasets: ['railway-100mb', 'railway-short-100mb', 'postgres-100mb', 'railway-2gb'],
    async run(file) {
      const { readInput } = await import(pathToFileURL(join(DIST, 'ingest/read-input.js')).href);
      const half = halfway(countFileNewlines(file));
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const s = await readInput(file, 0, half.receiver, {});
      if (s.events + s.skipped !== s.lines) throw new Error(`line accounting broken: ${JSON.stringify(s)}`);
      return { lines: s.lines, events: s.records, format: s.format, skipped: s.skipped, ...half.timings(t0, cpu0) };
    },
  },
  {
    name: 'hindsight ingest in memory',
    about: 'hindsight ingest of the file\'s bytes already in memory (1 MiB chunks, reading not timed): the counterpart of "JSON.parse in memory"',
    datasets: ['railway-100mb', 'railway-short-100mb'],
    async run(file) {
      const { readInput } = await import(pathToFileURL(join(DIST, 'ingest/read-input.js')).href);
      const { Readable } = await import('node:stream');
      const chunks = [];
      let newlines = 0;
      for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) {
        chunks.push(c);
        newlines += countNewlines(c);
      }
      const half = halfway(newlines);
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const s = await readInput('-', 0, half.receiver, { stdin: Readable.from(chunks), service: 'bench' });
      if (s.events + s.skipped !== s.lines) throw new Error(`line accounting broken: ${JSON.stringify(s)}`);
      return { lines: s.lines, events: s.records, ...half.timings(t0, cpu0) };
    },
  },
  {
    name: 'hindsight analyze (timeline)',
    about: 'readTimeline: ingest plus the one timeline pass (templates, kept events, histograms, PostgreSQL stats)',
    datasets: ['railway-100mb', 'postgres-100mb', 'postgres-200k', 'railway-2gb'],
    async run(file) {
      const { readTimeline } = await import(pathToFileURL(join(DIST, 'pipeline.js')).href);
      // RSS as the input is read, at every eighth of it: flat memory means these stay level.
      const step = Math.ceil(inputBytes(file) / 8);
      const rssByInput = [];
      let next = step;
      const onProgress = (bytes) => {
        if (bytes < next) return;
        next += step;
        rssByInput.push({ readMB: Math.round(bytes / 1e6), rssMB: Math.round(process.memoryUsage.rss() / 1048576), peakMB: Math.round(process.resourceUsage().maxRSS / 1024) });
      };
      const { summary } = await readTimeline([file], { onProgress });
      const inp = summary.inputs[0];
      return { lines: inp.lines, events: summary.totals.records, templates: summary.templates.length, rssByInput };
    },
  },
  {
    name: 'hindsight detectors',
    about: 'readTimeline, then runDetectors on its summary: the detectors\' share of the whole analyze time (issue 4: at most 10%)',
    datasets: ['railway-100mb', 'postgres-100mb', 'samples/whendoist'],
    async run(file) {
      const { readTimeline, runDetectors } = await import(pathToFileURL(join(DIST, 'pipeline.js')).href);
      const t0 = performance.now();
      const { summary } = await readTimeline([file], {});
      const timelineMs = performance.now() - t0;
      const t1 = performance.now();
      const { runs } = runDetectors(summary, {});
      const detectorsMs = performance.now() - t1;
      const lines = summary.inputs.reduce((a, i) => a + i.lines, 0);
      return { lines, events: summary.totals.records, timelineMs, detectorsMs, perDetector: Object.fromEntries(runs.map((r) => [r.id, r.ms])) };
    },
  },
  {
    name: 'hindsight analyze (CLI)',
    about: 'the whole command, `hindsight analyze FILE --format json -o /dev/null`: ingest, timeline, detectors and report; its peak RSS is what a user sees',
    datasets: ['railway-100mb', 'postgres-100mb', 'postgres-200k', 'railway-2gb'],
    async run(file) {
      const { main } = await import(pathToFileURL(join(DIST, 'cli.js')).href);
      // The line count for the rates, from a cheap pass before the timed run (the report goes to /dev/null).
      const lines = countFileNewlines(file);
      let err = '';
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const code = await main(['analyze', file, '--format', 'json', '-o', '/dev/null', '--no-progress'], { stdout() {}, stderr: (s) => (err += s) });
      const cpu = process.cpuUsage(cpu0);
      if (code !== 0 && code !== 1) throw new Error(`hindsight analyze exited ${code}: ${err.trim()}`);
      return { lines, timedMs: Number(process.hrtime.bigint() - t0) / 1e6, timedCpuMs: (cpu.user + cpu.system) / 1000 };
    },
  },
];

/** The detectors rows: timeline and detector time, the detectors' share, the slowest detectors (medians of the runs). */
function detectorSection(rows) {
  const out = ['', 'detectors: share of the analyze time (timeline + detectors), medians of the runs', 'input | timeline ms | detectors ms | share | slowest detectors (ms)', '--- | --- | --- | --- | ---'];
  for (const r of rows) {
    const slow = Object.entries(r.detectors.perDetector).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([id, ms]) => `${id} ${fmt(ms)}`).join(', ');
    out.push(`${r.input} | ${fmt(r.detectors.timelineMs)} | ${fmt(r.detectors.detectorsMs)} | ${fmt(100 * r.detectors.share, 1)}% | ${slow}`);
  }
  return out.join('\n') + '\n';
}

/** Medians over the runs of a detectors benchmark: each time, the share, and each detector's time. */
function detectorMedians(samples) {
  const perDetector = {};
  for (const id of Object.keys(samples[0].perDetector)) perDetector[id] = median(samples.map((s) => s.perDetector[id] ?? 0));
  return {
    timelineMs: median(samples.map((s) => s.timelineMs)),
    detectorsMs: median(samples.map((s) => s.detectorsMs)),
    totalDetectorsMs: samples.reduce((a, s) => a + s.detectorsMs, 0),
    share: median(samples.map((s) => s.detectorsMs / (s.timelineMs + s.detectorsMs))),
    perDetector,
  };
}

// ---------------------------------------------------------------------------------------------
// Driver.

/**
 * Other bench files: scripts/bench-<name>.mjs. One that exports `benchmarks` (and `datasets`) joins
 * the table; any other is a standalone section, run as its own process after the table.
 */
async function loadExtensions() {
  const all = { datasets: [...datasets], benchmarks: [...benchmarks], sections: [] };
  const dir = join(ROOT, 'scripts');
  for (const f of readdirSync(dir).sort()) {
    if (!/^bench-.+\.mjs$/.test(f)) continue;
    const text = readFileSync(join(dir, f), 'utf8');
    if (!/export\s+(const|let|function)\s+benchmarks\b/.test(text)) {
      all.sections.push(f);
      continue;
    }
    const mod = await import(pathToFileURL(join(dir, f)).href);
    if (Array.isArray(mod.datasets)) all.datasets.push(...mod.datasets);
    if (Array.isArray(mod.benchmarks)) all.benchmarks.push(...mod.benchmarks.map((b) => ({ ...b, module: f })));
  }
  return all;
}

/** In the child: run one benchmark on one file and print its result as JSON. */
async function child(benchName, module, file) {
  const all = module ? { benchmarks: (await import(pathToFileURL(join(ROOT, 'scripts', module)).href)).benchmarks } : { benchmarks };
  const b = all.benchmarks.find((x) => x.name === benchName);
  if (!b) throw new Error(`no benchmark ${benchName}`);
  // The garbage collector's growth as the CLI sets it (src/commands/heap.ts), for every row alike.
  (await import(pathToFileURL(join(DIST, 'commands', 'heap.js')).href)).tuneHeapForStreaming();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const res = await b.run(file);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  // A benchmark that times only part of its run (after untimed setup) reports that part.
  // One that runs another program (pgBadger) reports that program's peak RSS.
  const { timedMs, timedCpuMs, maxRssMB, ...rest } = res;
  process.stdout.write(JSON.stringify({ ...rest, ms: timedMs ?? ms, cpuMs: timedCpuMs ?? (cpu.user + cpu.system) / 1000, maxRssMB: maxRssMB ?? process.resourceUsage().maxRSS / 1024 }) + '\n');
}

/** The in-memory rows over the second half of their input, hindsight against JSON.parse of the same input. */
function warmSection(rows) {
  let out = '\nWarmed up: the same rows over the second half of their input only (the first lines run while V8 compiles the hot path)\n\n';
  out += 'benchmark | input | lines | lines/s | lines per CPU-s | vs JSON.parse (per CPU-s)\n--- | --- | --- | --- | --- | ---\n';
  for (const r of rows) {
    // Reading from the file against the floor, which reads too; in memory against JSON.parse in memory.
    const against = r.benchmark.includes('in memory') ? 'JSON.parse in memory' : 'JSON.parse floor';
    const parse = rows.find((x) => x.input === r.input && x.benchmark === against);
    const ratio = parse !== undefined && parse !== r ? fmt(r.secondHalf.linesPerCpuSec / parse.secondHalf.linesPerCpuSec, 2) : '-';
    out += [r.benchmark, r.input, fmt(r.secondHalf.lines), fmt(r.secondHalf.linesPerSec), fmt(r.secondHalf.linesPerCpuSec), ratio].join(' | ') + '\n';
  }
  return out;
}

/** Reads a file (or every file under a directory) to the end, discarding the bytes. */
async function readWhole(path) {
  if (statSync(path).isDirectory()) {
    for (const f of readdirSync(path)) await readWhole(join(path, f));
    return;
  }
  for await (const _ of createReadStream(path, { highWaterMark: 1 << 20 }));
}

/** Bytes of an input: a file's size, or the sum of a directory's files. */
function inputBytes(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((a, f) => a + statSync(join(path, f)).size, 0);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function fmt(n, digits = 0) {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2] === '-' ? null : args[2], args[3]);
  const large = args.includes('--large');
  const asJson = args.includes('--json');
  const runsArg = args.indexOf('--runs');
  const runs = runsArg !== -1 ? Number(args[runsArg + 1]) : 3;
  const onlyArg = args.indexOf('--only');
  const only = onlyArg !== -1 ? args[onlyArg + 1] : null;
  const inputArg = args.indexOf('--input');
  const onlyInput = inputArg !== -1 ? args[inputArg + 1] : null;
  if (!existsSync(join(DIST, 'ingest/read-input.js'))) {
    process.stderr.write('dist/ is missing: run `npm run build` first (npm run bench does)\n');
    process.exit(2);
  }
  const all = await loadExtensions();
  const results = [];
  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
  if (!asJson) process.stdout.write(`hindsight bench — ${machine}\nmedian of ${runs} run(s) per row (1 for inputs over 1 GB); each run in its own process\n\n`);
  // The machine may be shared: rates per CPU-second (user + system of the child, all its threads)
  // are printed beside wall-clock rates, and the load average before and after.
  const load0 = os.loadavg()[0];
  const benchStart = performance.now();
  const header = ['benchmark', 'input', 'MB', 'lines', 'lines/s', 'MB/s', 'lines per CPU-s', 'peak RSS MB', 'vs floor'];
  if (!asJson) process.stdout.write(header.join(' | ') + '\n' + header.map(() => '---').join(' | ') + '\n');
  for (const ds of all.datasets) {
    if ((ds.large && !large) || (onlyInput !== null && !ds.name.includes(onlyInput))) continue;
    const benches = all.benchmarks.filter((b) => b.datasets.includes(ds.name) && (only === null || b.name.includes(only) || b.floor));
    // The floor first, so that every row of the input has it to compare with (an extension's floor comes last otherwise).
    benches.sort((a, b) => Number(b.floor === true) - Number(a.floor === true));
    if (benches.length === 0) continue;
    const file = await ensureDataset(ds);
    const size = inputBytes(file);
    // Read once first, so that every row reads it from the page cache: a file evicted by the
    // previous (larger) input would make its first rows wait on the disk.
    if (size < 1e9) await readWhole(file);
    let floorRate = null;
    let floorRow = null;
    for (const b of benches) {
      const n = size > 1e9 ? 1 : runs;
      const samples = [];
      let failed = null;
      for (let i = 0; i < n; i++) {
        const p = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', b.name, b.module ?? '-', file], { encoding: 'utf8', maxBuffer: 1 << 24 });
        if (p.status !== 0) {
          failed = (p.stderr || p.stdout || `exit ${p.status}`).trim().split('\n').slice(-3).join(' ');
          break;
        }
        samples.push(JSON.parse(p.stdout.trim().split('\n').pop()));
      }
      if (failed) {
        results.push({ benchmark: b.name, input: ds.name, error: failed });
        if (!asJson) process.stdout.write(`${b.name} | ${ds.name} | failed: ${failed}\n`);
        continue;
      }
      const ms = median(samples.map((s) => s.ms));
      const cpuMs = median(samples.map((s) => s.cpuMs));
      const lines = samples[0].lines;
      const rate = lines / (ms / 1000);
      const cpuRate = lines / (cpuMs / 1000);
      if (b.floor) floorRate = cpuRate;
      const row = {
        benchmark: b.name,
        input: ds.name,
        bytes: size,
        lines,
        ms,
        msRuns: samples.map((s) => Math.round(s.ms)),
        cpuMs,
        linesPerSec: rate,
        linesPerCpuSec: cpuRate,
        mbPerSec: size / 1e6 / (ms / 1000),
        peakRssMB: Math.max(...samples.map((s) => s.maxRssMB)),
        ratioToFloor: floorRate !== null ? cpuRate / floorRate : null,
        extra: Object.fromEntries(Object.entries(samples[0]).filter(([k]) => !['lines', 'ms', 'cpuMs', 'maxRssMB', 'timelineMs', 'detectorsMs', 'perDetector', 'secondHalf'].includes(k))),
        load: os.loadavg()[0],
      };
      if (samples[0].secondHalf !== undefined) {
        const h = samples.map((x) => x.secondHalf);
        row.secondHalf = { lines: h[0].lines, linesPerSec: median(h.map((x) => x.lines / (x.ms / 1000))), linesPerCpuSec: median(h.map((x) => x.lines / (x.cpuMs / 1000))) };
      }
      if (samples[0].detectorsMs !== undefined) row.detectors = detectorMedians(samples);
      // A floor that has a memory to compare with too (bench-railway.mjs): every ratio to it.
      if (b.floor) floorRow = row;
      else if (b.rssFloor && floorRow?.benchmark !== undefined) {
        row.againstFloor = { floor: floorRow.benchmark, linesPerSec: rate / floorRow.linesPerSec, linesPerCpuSec: cpuRate / floorRow.linesPerCpuSec, peakRss: row.peakRssMB / floorRow.peakRssMB };
      }
      results.push(row);
      if (!asJson) {
        process.stdout.write(
          [b.name, ds.name, fmt(size / 1e6), fmt(lines), fmt(rate), fmt(row.mbPerSec, 1), fmt(cpuRate), fmt(row.peakRssMB), row.ratioToFloor === null ? '-' : fmt(row.ratioToFloor, 2)].join(' | ') + '\n',
        );
      }
    }
  }
  if (!asJson) {
    for (const r of results) {
      const curve = r.extra?.rssByInput;
      if (curve === undefined || curve.length === 0 || r.bytes < 1e9) continue;
      process.stdout.write(`\nRSS of one ${r.benchmark} run on ${r.input} as it reads (MB read: RSS then, peak so far): ${curve.map((c) => `${fmt(c.readMB)}: ${c.rssMB}, ${c.peakMB}`).join('; ')}\n`);
    }
  }
  const against = results.filter((r) => r.againstFloor !== undefined);
  if (!asJson && against.length > 0) {
    process.stdout.write('\nAgainst the floor measured in the same run (ratios: above 1 is faster, or more memory)\n\nbenchmark | input | floor | lines/s | lines per CPU-s | peak RSS\n--- | --- | --- | --- | --- | ---\n');
    for (const r of against) process.stdout.write([r.benchmark, r.input, r.againstFloor.floor, fmt(r.againstFloor.linesPerSec, 2), fmt(r.againstFloor.linesPerCpuSec, 2), fmt(r.againstFloor.peakRss, 2)].join(' | ') + '\n');
  }
  const warm = results.filter((r) => r.secondHalf !== undefined);
  if (!asJson && warm.length > 0) process.stdout.write(warmSection(warm));
  const detectorRows = results.filter((r) => r.detectors !== undefined);
  if (!asJson && detectorRows.length > 0) {
    process.stdout.write(detectorSection(detectorRows));
    // Issue 4's bound read literally: what the detectors add to the time of this bench run.
    const detMs = detectorRows.reduce((a, r) => a + r.detectors.totalDetectorsMs, 0);
    const benchMs = performance.now() - benchStart;
    process.stdout.write(`\nThe detectors ran ${fmt(detMs / 1000, 1)} s of this run's ${fmt(benchMs / 1000, 1)} s: they add ${fmt((100 * detMs) / (benchMs - detMs), 1)}% to it.\n`);
  }
  if (!asJson && only === null && onlyInput === null) {
    for (const f of all.sections) {
      process.stdout.write(`\n## ${f}\n`);
      const p = spawnSync(process.execPath, ['--expose-gc', join(ROOT, 'scripts', f)], { stdio: ['ignore', 'inherit', 'inherit'] });
      if (p.status !== 0) process.stdout.write(`${f} failed (exit ${p.status})\n`);
    }
  }
  const load1 = os.loadavg()[0];
  if (asJson) process.stdout.write(JSON.stringify({ machine, runs, loadBefore: load0, loadAfter: load1, results }, null, 2) + '\n');
  else process.stdout.write(`\n1-minute load average: ${load0.toFixed(1)} before, ${load1.toFixed(1)} after (${cpus.length} CPUs); above ${cpus.length} the figures are lower than on a quiet machine\n`);
}

// Only as the script run, not when a bench-<name>.mjs imports its generators in a process of its own.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    process.stderr.write(`bench: ${e.stack ?? e}\n`);
    process.exit(1);
  });
}
