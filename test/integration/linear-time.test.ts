// Issue 19: parsers and normalisers are linear in their input. SQL normalisation was quadratic
// (a 300 KB statement with a long IN list took 19 s, 600 KB 80 s), and a 60 MB line took 74-100 s
// and 2.5 GB. Each case runs at sizes n and 4n: linear work takes about 4 times as long at 4n,
// quadratic work 16 times. On a loaded, shared 2-core machine a run can be slowed several times
// over, never sped up: each time is the fastest of five runs, n is grown until a run takes about
// 30 ms (timer noise and a stray pause are small beside it), and the bound is 10.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeSql } from '../../src/templates/sql-normalize.js';
import { depthTally, parseJsonBounded } from '../../src/ingest/json-depth.js';
import { MAX_TEXT_CHARS } from '../../src/ingest/long-text.js';
import { readText } from '../ingest/run-format.js';
import { runCli } from '../cli/run-cli.js';

const RUNS = 5;
const BOUND = 10;
const MIN_MS = 30;

function timed(f: () => unknown): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

async function timedAsync(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

/** Times of `run(make(n))` at n and 4n, n doubled from `n0` until a run takes MIN_MS; asserts 4n
 *  takes less than BOUND times n. The two sizes run in turns, so that both meet the same load,
 *  each time the fastest so far, up to RUNS turns: stopping once under the bound. */
function expectLinear(name: string, make: (n: number) => string, run: (s: string) => unknown, n0: number): void {
  let n = n0;
  let small = make(n);
  for (let k = 0; k < 3; k++) run(small); // warm up (the regular expressions tier up)
  while (n < 64 * n0 && Math.min(timed(() => run(small)), timed(() => run(small))) < MIN_MS) small = make((n *= 2));
  const large = make(4 * n);
  let [t1, t4] = [Infinity, Infinity];
  for (let k = 0; k < RUNS && t4 >= BOUND * t1; k++) {
    t1 = Math.min(t1, timed(() => run(small)));
    t4 = Math.min(t4, timed(() => run(large)));
  }
  expect(t4, `${name}: ${t1.toFixed(1)} ms at n = ${n}, ${t4.toFixed(1)} ms at 4n`).toBeLessThan(BOUND * t1);
}

const ids = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(', ');

describe('linear time in the size of the input (issue 19)', () => {
  it('SQL normalisation: long IN lists, ARRAY[...], VALUES rows, row lists', () => {
    const shapes: [string, (n: number) => string][] = [
      ['IN (ints)', (n) => `SELECT * FROM orders WHERE id IN (${ids(n, (i) => String(100000 + i))}) AND status = 'open'`],
      ['IN (negative)', (n) => `SELECT * FROM t WHERE v IN (${ids(n, (i) => String(-i))})`],
      ['ANY(ARRAY[strings])', (n) => `SELECT * FROM t WHERE k = ANY(ARRAY[${ids(n, (i) => `'key-${i}'`)}])`],
      ['VALUES rows', (n) => `INSERT INTO t (a, b, c) VALUES ${ids(n, (i) => `(${i}, E'name ${i}', -${i})`)}`],
      ['(a, b) IN rows', (n) => `SELECT * FROM t WHERE (a, b) IN (${ids(n, (i) => `(${i}, 'x')`)})`],
    ];
    for (const [name, make] of shapes) {
      expectLinear(name, make, (s) => normalizeSql(s), 20_000);
      expect(normalizeSql(make(3)).length, name).toBeLessThan(80);
    }
    expect(normalizeSql(shapes[3]![1](5000))).toBe('insert into t (a, b, c) values (...)');
  });

  it('JSON nesting bound: a deep value is cut in one pass', () => {
    expectLinear('deep arrays', (n) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`, (s) => parseJsonBounded(s, depthTally(), 1), 50_000);
  });

  it('one huge record: read whole, counted whole, analysed by its first 64 KiB', async () => {
    // A PostgreSQL 10 stderr line from test/fixtures/postgres/light.postgres.log (pgBadger's
    // corpus), its statement grown into the IN list an ORM writes.
    const line = (n: number) => `2017-09-06 08:41:42 UTC [36]: [253-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  duration: 0.168 ms  statement: SELECT * FROM pgbench_accounts WHERE aid IN (${ids(n, (i) => String(i))})\n`;
    const small = '2017-09-06 08:41:43 UTC [44]: [371-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  duration: 59.911 ms  statement: UPDATE pgbench_branches SET bbalance = bbalance + 4597 WHERE bid = 1\n';
    const { summary, events } = await readText(line(300_000) + small);
    expect(line(300_000).length).toBeGreaterThan(2_000_000);
    expect(summary.lines).toBe(2);
    expect(events).toHaveLength(2);
    const big = events[0]!;
    expect(big.message.length + (big.pg?.statement?.length ?? 0)).toBeLessThanOrEqual(MAX_TEXT_CHARS + 1);
    expect(summary.warnings).toContain(`1 record longer than 65,536 characters (the first at line 1): templates, detectors and the report read its first 65,536; the lines are counted whole`);
    const analyze = (n: number) => runCli(['analyze', '--format', 'json'], { stdin: line(n) + small });
    await analyze(20_000);
    let [t1, t4] = [Infinity, Infinity];
    for (let k = 0; k < RUNS && t4 >= BOUND * Math.max(t1, MIN_MS); k++) {
      t1 = Math.min(t1, await timedAsync(() => analyze(50_000)));
      t4 = Math.min(t4, await timedAsync(() => analyze(200_000)));
    }
    expect(t4, `${t1.toFixed(0)} ms at n, ${t4.toFixed(0)} ms at 4n`).toBeLessThan(BOUND * Math.max(t1, MIN_MS));
  });

  it('the 60 MB line of the issue (74-100 s and 2.5 GB before): the built CLI analyses it in bounded time and memory', () => {
    // The same PostgreSQL line, its IN list grown past 60 MB (under the 64 MiB cap). The CLI's peak
    // resident memory is read by a preload that writes process.resourceUsage().maxRSS at exit.
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-60mb-'));
    try {
      const file = join(dir, 'postgresql.log');
      const pre = join(dir, 'peak-rss.cjs');
      writeFileSync(pre, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'rss'))}, String(process.resourceUsage().maxRSS)));`);
      const line = `2017-09-06 08:41:42 UTC [36]: [253-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  duration: 0.168 ms  statement: SELECT * FROM pgbench_accounts WHERE aid IN (${ids(7_000_000, (i) => String(i))})\n`;
      expect(line.length).toBeGreaterThan(60_000_000);
      writeFileSync(file, line + '2017-09-06 08:41:43 UTC [44]: [371-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  duration: 59.911 ms  statement: UPDATE pgbench_branches SET bbalance = bbalance + 4597 WHERE bid = 1\n');
      const t0 = performance.now();
      const run = spawnSync(process.execPath, ['-r', pre, 'dist/cli.js', 'analyze', file, '--format', 'json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const seconds = (performance.now() - t0) / 1000;
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout).stats.records).toBe(2);
      const peakMb = Number(readFileSync(join(dir, 'rss'), 'utf8')) / 1024;
      expect(peakMb).toBeLessThan(800);
      expect(seconds).toBeLessThan(30);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
