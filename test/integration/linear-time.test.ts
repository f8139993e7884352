// Issue 19: parsers and normalisers are linear in their input. SQL normalisation was quadratic
// (a 300 KB statement with a long IN list took 19 s, 600 KB 80 s), and a 60 MB line took 74-100 s
// and 2.5 GB. Each case runs at sizes n, 2n and 4n: linear work takes about 4 times as long at
// 4n, quadratic work 16 times; the bound (8) leaves room for a noisy, shared machine, and each
// time is the median of three runs.
import { describe, expect, it } from 'vitest';
import { normalizeSql } from '../../src/templates/sql-normalize.js';
import { depthTally, parseJsonBounded } from '../../src/ingest/json-depth.js';
import { MAX_TEXT_CHARS } from '../../src/ingest/long-text.js';
import { readText } from '../ingest/run-format.js';
import { runCli } from '../cli/run-cli.js';

function median3(f: () => unknown): number {
  const t: number[] = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[1]!;
}

async function median3Async(f: () => Promise<unknown>): Promise<number> {
  const t: number[] = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    await f();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[1]!;
}

/** Times of `run(make(n))` at n, 2n and 4n; asserts 4n takes less than 8 times n (a small floor absorbs timer noise). */
function expectLinear(name: string, make: (n: number) => string, run: (s: string) => unknown, n: number): void {
  const inputs = [make(n), make(2 * n), make(4 * n)];
  run(inputs[0]!); // warm up
  const [t1, , t4] = inputs.map((s) => median3(() => run(s)));
  expect(t4!, `${name}: ${t1!.toFixed(1)} ms at n, ${t4!.toFixed(1)} ms at 4n`).toBeLessThan(8 * Math.max(t1!, 2));
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
    const [t1, t4] = [await median3Async(() => analyze(50_000)), await median3Async(() => analyze(200_000))];
    expect(t4, `${t1.toFixed(0)} ms at n, ${t4.toFixed(0)} ms at 4n`).toBeLessThan(8 * Math.max(t1, 20));
  });
});
