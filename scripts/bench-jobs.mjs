#!/usr/bin/env node
// `npm run bench`'s section on --jobs (issue 16): the same command with --jobs 2 and --jobs 1, side
// by side in one run, alternating, as ratios of their median wall times; each run's peak RSS; and
// whether the two reports are the same bytes. Inputs, generated into bench-data/ by the bench's own
// generators and reused: a folder of 8 rotated PostgreSQL logs (every other one gzipped), and 2M
// Railway JSON lines in one file (one file is read by one thread: byte ranges of a file are not
// split yet, so its ratio says what --jobs gives a single file today).
//
//   node scripts/bench-jobs.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import { railwayJsonLines } from './bench.mjs';
import { postgresSessionLines } from './bench-postgres.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'bench-data');
const CLI = join(ROOT, 'dist', 'cli.js');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg === -1 ? 3 : Number(process.argv[runsArg + 1]);
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** The next `n` lines of `gen` (not closing it: for...of would). */
function lines(gen, n) {
  const out = [];
  while (out.length < n) out.push(gen.next().value);
  return out.join('\n') + '\n';
}

/** One server's log rotated into 8 files of 125,000 lines each (1M in all, sessions open across rotations), the odd ones gzipped. */
function rotatedFolder() {
  const dir = join(DATA, 'postgres-rotated-8');
  if (existsSync(join(dir, 'postgresql-7.log.gz'))) return dir;
  mkdirSync(dir, { recursive: true });
  const log = postgresSessionLines(100);
  for (let i = 0; i < 8; i++) {
    const text = lines(log, 125_000);
    if (i % 2 === 1) writeFileSync(join(dir, `postgresql-${i}.log.gz`), gzipSync(text));
    else writeFileSync(join(dir, `postgresql-${i}.log`), text);
  }
  return dir;
}

/** 2M Railway JSON lines in one file. */
async function railway2m() {
  const path = join(DATA, 'railway-2m.jsonl');
  if (existsSync(path)) return path;
  mkdirSync(DATA, { recursive: true });
  const out = createWriteStream(path + '.tmp');
  let n = 0;
  let buf = '';
  for (const l of railwayJsonLines(16)) {
    buf += l + '\n';
    if (++n % 10_000 === 0) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
    if (n === 2_000_000) break;
  }
  out.write(buf);
  await new Promise((r) => out.end(r));
  renameSync(path + '.tmp', path);
  return path;
}

/** One run: wall ms, peak RSS (MB, with /usr/bin/time), and a hash of the report. */
function run(input, jobs) {
  const args = [process.execPath, CLI, 'analyze', input, '--format', 'json', '--no-progress', '--jobs', String(jobs)];
  const t0 = performance.now();
  const p = TIME === null ? spawnSync(args[0], args.slice(1), { maxBuffer: 1 << 30 }) : spawnSync(TIME, ['-f', '%M', ...args], { maxBuffer: 1 << 30 });
  const ms = performance.now() - t0;
  if (p.status !== 0) throw new Error(`hindsight --jobs ${jobs} ${input}: exit ${p.status}\n${p.stderr}`);
  const rss = TIME === null ? null : Number(String(p.stderr).trim().split('\n').pop()) / 1024;
  return { ms, rss, hash: createHash('sha256').update(p.stdout).digest('hex') };
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function main() {
  const inputs = [
    { name: '8 rotated PostgreSQL logs (4 gzipped), 1M lines', path: rotatedFolder() },
    { name: 'Railway JSON, 2M lines, one file', path: await railway2m() },
  ];
  const load0 = os.loadavg()[0];
  process.stdout.write(`--jobs 2 against --jobs 1, ${RUNS} runs each, alternating (median wall time; ${os.availableParallelism()} cores)\n\n`);
  process.stdout.write('| input | --jobs 1 | --jobs 2 | ratio | peak RSS 1 / 2 | same report |\n|---|---|---|---|---|---|\n');
  for (const input of inputs) {
    const r = { 1: [], 2: [] };
    for (let k = 0; k < RUNS; k++) for (const jobs of [1, 2]) r[jobs].push(run(input.path, jobs));
    const m1 = median(r[1].map((x) => x.ms));
    const m2 = median(r[2].map((x) => x.ms));
    const rss = (a) => (a[0].rss === null ? '?' : `${Math.max(...a.map((x) => x.rss)).toFixed(0)} MB`);
    const same = [...r[1], ...r[2]].every((x) => x.hash === r[1][0].hash);
    process.stdout.write(`| ${input.name} (${(statSizeOf(input.path) / 1e6).toFixed(0)} MB on disk) | ${(m1 / 1000).toFixed(2)} s | ${(m2 / 1000).toFixed(2)} s | ${(m1 / m2).toFixed(2)}x | ${rss(r[1])} / ${rss(r[2])} | ${same ? 'yes' : 'NO'} |\n`);
  }
  process.stdout.write(`\n1-minute load average: ${load0.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after\n`);
}

function statSizeOf(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return spawnSync('du', ['-sb', path], { encoding: 'utf8' }).stdout.split('\t').map(Number)[0];
}

main().catch((e) => {
  process.stderr.write(`bench-jobs: ${e.stack ?? e}\n`);
  process.exit(1);
});
