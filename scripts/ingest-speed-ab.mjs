#!/usr/bin/env node
// Ingest speed of two builds against the JSON.parse floor, measured in turn so that a shared
// machine's load falls on all three alike: child processes run the floor (scripts/bench.mjs's),
// `readInput` of OLD_DIST and `readInput` of NEW_DIST on the whole file, ROUNDS times each, and
// the medians of their CPU and wall times are compared. Build the old commit into a directory of
// its own first (e.g. `git worktree add /tmp/old <commit> && cd /tmp/old && npm ci && npm run build`).
//   node scripts/ingest-speed-ab.mjs OLD_DIST NEW_DIST FILE [ROUNDS=9]
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const BENCH = resolve(SELF, '../bench.mjs');

if (process.argv[2] === '--child') {
  const [dist, file] = process.argv.slice(3);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const { readInput } = await import(pathToFileURL(resolve(dist, 'ingest/read-input.js')).href);
  const s = await readInput(file, 0, { event() {}, metric() {} }, {});
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({ lines: s.lines, ms, cpuMs: (c.user + c.system) / 1000 }) + '\n');
  process.exit(0);
}

const [oldDist, newDist, file, roundsArg] = process.argv.slice(2);
if (!oldDist || !newDist || !file) {
  process.stderr.write('usage: node scripts/ingest-speed-ab.mjs OLD_DIST NEW_DIST FILE [ROUNDS]\n');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 9);
const commands = {
  floor: [BENCH, '--child', 'JSON.parse floor', '-', file],
  old: [SELF, '--child', oldDist, file],
  new: [SELF, '--child', newDist, file],
};
const runs = { floor: [], old: [], new: [] };
for (let r = 0; r < rounds; r++) {
  for (const [k, args] of Object.entries(commands)) {
    const p = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`${k} failed: ${p.stderr.trim().split('\n').slice(-3).join(' ')}`);
    runs[k].push(JSON.parse(p.stdout.trim().split('\n').pop()));
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const lines = runs.floor[0].lines;
const rate = (k, f) => (lines / median(runs[k].map(f))) * 1000;
const floorCpu = rate('floor', (x) => x.cpuMs);
const floorWall = rate('floor', (x) => x.ms);
for (const k of Object.keys(runs)) {
  const cpu = rate(k, (x) => x.cpuMs);
  const wall = rate(k, (x) => x.ms);
  const f = (n) => Math.round(n).toLocaleString('en-US').padStart(10);
  process.stdout.write(`${k.padEnd(6)} ${f(cpu)} lines per CPU-s (${(cpu / floorCpu).toFixed(2)} of the floor)  ${f(wall)} lines/s wall (${(wall / floorWall).toFixed(2)})\n`);
}
