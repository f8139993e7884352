// Template miner throughput on one core: messages/s for repeated messages (as real logs repeat)
// and for varied messages (every message new: the masker runs on each), medians of 5 runs, and
// the heap the miner holds. Runs on the built dist/ (npm run build first; `npm run bench` does).
import { TemplateMiner } from '../dist/templates/miner.js';

const N = 1_000_000;
const RUNS = 5;

let seed = 42;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const int = (n) => Math.floor(rnd() * n);
const ip = () => `${int(223) + 1}.${int(256)}.${int(256)}.${int(254) + 1}`;
const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('');
const users = ['root', 'admin', 'test', 'oracle', 'guest', 'deploy', 'alex', 'maria'];
const routes = ['/', '/health', '/api/v1/tasks', '/login', '/dashboard'];

/** 40 templates in the style of application and system logs, filled with fresh variables. */
const MAKERS = [
  () => `Request completed: GET ${routes[int(5)]}/${int(9999)} ${[200, 404, 500][int(3)]} (${int(900)} ms)`,
  () => `Received block blk_-${int(1e9)}${int(1e9)} of size ${int(67108864)} from /${ip()}`,
  () => `Failed password for invalid user ${users[int(8)]} from ${ip()} port ${int(65535)} ssh2`,
  () => `Accepted publickey for ${users[int(8)]} from ${ip()} port ${int(65535)} ssh2`,
  () => `Materialization loop error: TimeoutError(${int(30)})`,
  () => `Calendar sync complete for user ${int(500)}: ${int(80)} events (${int(9)} created, ${int(9)} updated, ${int(9)} deleted)`,
  () => `[instance: ${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}] VM Started (Lifecycle Event)`,
  () => `[instance: ${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}] VM Paused (Lifecycle Event)`,
  () => `connection received: host=${ip()} port=${int(65535)}`,
  () => `user=${users[int(8)]} action=login result=ok ip=${ip()} took=${int(500)}ms`,
  ...Array.from({ length: 30 }, (_, k) => () => `worker ${k} stage ${['fetch', 'parse', 'store'][k % 3]} finished batch ${int(1e6)} in ${(rnd() * 9).toFixed(3)}s (${int(5000)} items, queue depth ${int(300)})`),
];

function varied(n) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = MAKERS[int(MAKERS.length)]();
  // Flat strings, as ingest hands them over (slices of a decoded chunk), not template-literal ropes.
  return JSON.parse(JSON.stringify(out));
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function run(messages) {
  const miner = new TemplateMiner();
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < messages.length; i++) miner.add('bench', messages[i], 'app');
  const c1 = process.cpuUsage(c0);
  const t1 = process.hrtime.bigint();
  const fin = miner.finalize();
  // CPU time of this process: on a shared machine, wall time also counts other processes' turns.
  const cpuSec = (c1.user + c1.system) / 1e6;
  return { rate: messages.length / cpuSec, wall: messages.length / (Number(t1 - t0) / 1e9), templates: fin.templates.length, miner };
}

function report(name, messages) {
  const rates = [];
  const walls = [];
  let templates = 0;
  for (let r = 0; r < RUNS; r++) {
    const x = run(messages);
    rates.push(x.rate);
    walls.push(x.wall);
    templates = x.templates;
  }
  const f = (x) => Math.round(x).toLocaleString('en-US');
  console.log(`${name.padEnd(10)} ${f(median(rates)).padStart(11)} messages/s of CPU time (${f(median(walls))}/s wall clock; median of ${RUNS} runs of ${messages.length.toLocaleString('en-US')}; ${templates} templates)`);
}

// Repeated: 2,000 distinct messages, each seen 500 times on average (logs repeat).
const pool = varied(2000);
const repeated = new Array(N);
for (let i = 0; i < N; i++) repeated[i] = pool[int(pool.length)];
const fresh = varied(N);

console.log(`Template miner, Node ${process.version}, one core`);
report('repeated', repeated);
report('varied', fresh);

// Memory: what one miner holds after a million varied messages (the message cache is bounded).
globalThis.gc?.();
const before = process.memoryUsage().heapUsed;
const held = run(varied(N)).miner;
globalThis.gc?.();
const after = process.memoryUsage().heapUsed;
console.log(`memory     ${((after - before) / 1048576).toFixed(1)} MB held by a miner after ${N.toLocaleString('en-US')} varied messages${globalThis.gc ? '' : ' (run with --expose-gc for an exact figure)'}`);
void held;
