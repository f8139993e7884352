// Issue 19: one record dated 1970 or 2099 among a day of logs stretched the window to tens of
// thousands of days and turned steady errors into "high" bursts (`--fail-on high` then failed CI),
// with no warning naming the outlier. The lines are the synthetic `railway logs --json` day of
// test/cli/railway-lines.ts (the shape `railway logs --json` prints).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTimeline } from '../../src/pipeline.js';
import { railwayDay, railwayLine } from '../cli/railway-lines.js';
import { runCli } from '../cli/run-cli.js';

const DAY0 = Date.parse('2026-06-01T00:00:00Z');
const MIN = 60_000;

/** A day with steady errors: an empty-message error every 20 min and a webhook timeout every 7 min. */
function steadyDay(start = DAY0): string[] {
  const day = railwayDay({ start, job: { message: 'Ledger reconciliation finished', periodMin: 30 }, emptyErrors: { prefix: 'Ledger sync failed', everyMin: 20 } });
  const errors: string[] = [];
  for (let m = 5; m < 24 * 60; m += 7) errors.push(railwayLine(start + m * MIN, 'error', `Payment webhook failed: timeout after ${(m % 9) + 1}s`));
  return [...day, ...errors];
}

interface Report {
  window: { start: string; end: string };
  stats: { records: number; outlyingTimestamps: number; byLevel: Record<string, number> };
  inputs: { warnings: string[] }[];
  findings: { detector: string; severity: string }[];
}

async function json(lines: string[]): Promise<Report> {
  const r = await runCli(['analyze', '--format', 'json'], { stdin: lines.join('\n') + '\n' });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

describe('time outliers (issue 19)', () => {
  it('one record dated 1970 or 2099 among a day: counted, named, and the report is that of the day', async () => {
    const day = steadyDay();
    const clean = await json(day);
    expect(clean.stats.outlyingTimestamps).toBe(0);
    const cases: [string, string[], RegExp][] = [
      ['1970', [railwayLine(0, 'info', 'Request completed: GET /items/3 200 (5 ms)'), ...day], /the earliest at standard input:1, 1970-01-01 00:00 UTC/],
      ['2099', [...day, railwayLine(Date.parse('2099-01-01T00:00:00Z'), 'error', 'Payment webhook failed: timeout after 3s')], new RegExp(`the latest at standard input:${day.length + 1}, 2099-01-01 00:00 UTC`)],
    ];
    for (const [name, lines, where] of cases) {
      const r = await json(lines);
      expect(r.window, name).toEqual(clean.window);
      expect(r.stats.records, name).toBe(clean.stats.records + 1);
      expect(r.stats.outlyingTimestamps, name).toBe(1);
      expect(r.findings.map((f) => `${f.detector} ${f.severity}`).sort(), name).toEqual(clean.findings.map((f) => `${f.detector} ${f.severity}`).sort());
      expect(r.findings.some((f) => f.detector === 'error-cluster'), name).toBe(false);
      const warning = r.inputs[0]!.warnings.join('\n');
      expect(warning, name).toMatch(/^1 record dated far outside the rest of the logs \(the rest runs from 2026-06-01 00:00 UTC to 2026-06-01 23:\d\d UTC\): counted, but left out/);
      expect(warning, name).toMatch(where);
    }
    const failOn = await runCli(['analyze', '--fail-on', 'high'], { stdin: cases[1]![1].join('\n') + '\n' });
    expect(failOn.code).toBe(0);
  });

  it('records a few days or weeks away are part of the logs, and so are many far ones', async () => {
    const day = steadyDay();
    // A straggler from the week before: within 30 days of the bulk.
    const week = await json([railwayLine(DAY0 - 7 * 86_400_000, 'info', 'Request completed: GET /items/3 200 (5 ms)'), ...day]);
    expect(week.stats.outlyingTimestamps).toBe(0);
    expect(week.window.start).toBe('2026-05-25T00:00:00.000Z');
    // Two days half a year apart: each half is the bulk's, nothing is an outlier.
    const twoDays = await json([...day, ...steadyDay(DAY0 + 180 * 86_400_000)]);
    expect(twoDays.stats.outlyingTimestamps).toBe(0);
    // 2% of the records at 1970: more than a stray clock, they stay.
    const many = Array.from({ length: Math.ceil(day.length * 0.02) }, (_, i) => railwayLine(i * 1000, 'info', 'Request completed: GET /items/3 200 (5 ms)'));
    const r = await json([...many, ...day]);
    expect(r.stats.outlyingTimestamps).toBe(0);
    expect(r.window.start).toBe('1970-01-01T00:00:00.000Z');
  });
});

// The PostgreSQL statistics leave time outliers out too: counts, sessions and their peak, the
// statements' durations and the statement a bare `duration:` line is for. Real logs: cnpg.log
// (CloudNativePG, a pgBadger test fixture, test/fixtures/postgres/README.md) and PostgreSQL 15's
// own log_statement + log_duration output (test/fixtures/secrets/postgres-15-statements.log),
// with records re-dated, against the same logs without those records.
describe('time outliers in the PostgreSQL statistics (issue 19)', () => {
  const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-outliers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** The statistics of `lines` (as file `name`), with where an occurrence was logged left out: lines left out move the ones after. */
  const analyze = async (name: string, lines: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, lines.join('\n') + '\n');
    const { summary } = await readTimeline([path]);
    const { outlyingRecords, ...stats } = summary.postgres;
    const json = JSON.stringify(stats, (k, v: unknown) => (k === 'line' || k === 'service' ? undefined : v));
    return { stats: JSON.parse(json) as typeof stats, outlyingRecords, warnings: summary.inputs.flatMap((i) => i.warnings), window: summary.window };
  };
  const FAR = ['1970-01-01 00:00:00.000 UTC', '2099-01-01 00:00:00.000 UTC'] as const;
  /** A stderr line (`%m [%p] `) at another time. */
  const redateText = (line: string, at: string) => at + line.slice(27);
  /** `n` copies of a stderr log, ten minutes apart, each with its own process ids. */
  const copies = (capture: readonly string[], n: number): string[] => {
    const out: string[] = [];
    for (let copy = 0; copy < n; copy++) {
      for (const l of capture) {
        const m = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) UTC \[(\d+)\]/.exec(l);
        out.push(m === null ? l : `${new Date(Date.parse(m[1]!.replace(' ', 'T') + 'Z') + copy * 600_000).toISOString().replace('T', ' ').slice(0, 23)} UTC [${Number(m[2]) + copy}]` + l.slice(m[0].length));
      }
    }
    return out;
  };

  it('cnpg.log with a session opened in 1970 and the slowest statement in 2099: the stats of the log without them', async () => {
    const lines = readFileSync(fixture('postgres/cnpg.log'), 'utf8').split('\n').filter((l) => l.length > 0);
    const redate = (line: string, at: string) => line.replace(/"ts":[0-9.]+/, `"ts":${Date.parse(at.replace(' UTC', 'Z')) / 1000}`).replace(/"log_time":"[^"]+"/, `"log_time":"${at}"`);
    const all = await analyze('cnpg.log', lines);
    const open = lines.findIndex((l) => l.includes('"message":"connection authorized: user=postgres'));
    const slowest = lines.findIndex((l) => l.includes('"message":"duration: 202.728 ms'));
    expect(open).toBeGreaterThan(-1);
    expect(slowest).toBeGreaterThan(-1);
    const moved = lines.map((l, i) => (i === open ? redate(l, FAR[0]) : i === slowest ? redate(l, FAR[1]) : l));
    const without = lines.filter((_, i) => i !== open && i !== slowest);
    const a = await analyze('cnpg-moved.log', moved);
    const b = await analyze('cnpg-without.log', without);
    expect(a.stats).toEqual(b.stats);
    expect(a.outlyingRecords).toBe(2);
    expect(b.outlyingRecords).toBe(0);
    expect(a.window).toEqual(b.window);
    // What was left out mattered: the log's slowest statement, and a session open through the peak.
    expect(b.stats.queries.slowest!.ms).toBeLessThan(202.728);
    expect(all.stats.connections).toBe(b.stats.connections + 1);
    expect(all.stats.queries.slowest!.ms).toBe(202.728);
    expect(a.warnings.join('\n')).toMatch(/^2 records dated far outside the rest of the logs .*the PostgreSQL statistics.*the earliest at .*cnpg-moved\.log:\d+, 1970-01-01 00:00 UTC; the latest at .*cnpg-moved\.log:\d+, 2099-01-01 00:00 UTC/);
  });

  it('the session peak: a session opened in 1970 and closed in the bulk is not open all along', async () => {
    // PostgreSQL 15's own log of the faults run (test/fixtures/stacks/postgres/), from its first
    // connection on, three times over ten minutes apart with their own process ids: enough records
    // for two to be under the 1% an outlier may be.
    const capture = readFileSync(fixture('stacks/postgres/faults/postgres.log'), 'utf8').split('\n').filter((l) => l.length > 0);
    const from = capture.findIndex((l) => l.includes('LOG:  connection received'));
    const lines = copies(capture.slice(from), 3);
    // The last session of the first copy that opens and closes: moved to 1970, its opening would
    // have kept it open from the start of the logs to its end.
    const pidOf = (l: string) => /\[(\d+)\]/.exec(l)?.[1];
    const opens = lines.slice(0, lines.length / 3).flatMap((l, i) => (l.includes('LOG:  connection authorized') ? [i] : []));
    const open = opens.reverse().find((i) => lines.slice(i + 1).some((l) => pidOf(l) === pidOf(lines[i]!) && l.includes('disconnection:')))!;
    const moved = lines.map((l, i) => (i === open ? redateText(l, FAR[0]) : l));
    const without = lines.filter((_, i) => i !== open);
    const a = await analyze('faults-moved.log', moved);
    const b = await analyze('faults-without.log', without);
    expect(a.stats).toEqual(b.stats);
    expect(a.outlyingRecords).toBe(1);
    expect(a.stats.peakSessions.count).toBeGreaterThan(1);
  });

  it('a bare duration\'s statement: statements dated 1970 and 2099 decide nothing', async () => {
    // The capture five times over, ten minutes apart, each copy with its own process ids: enough
    // records for two to be under the 1% an outlier may be.
    const lines = copies(readFileSync(fixture('secrets/postgres-15-statements.log'), 'utf8').split('\n').filter((l) => l.length > 0), 5);
    const bare = (l: string | undefined) => l !== undefined && /LOG: {2}duration: [0-9.]+ ms$/.test(l);
    // In the third copy: a statement just before its bare duration, moved to 1970; in the fourth, a
    // statement whose duration follows, moved to 2099 (the duration then belongs to the one before).
    const firstStatementBeforeBare = (from: number) => {
      for (let i = from; i + 1 < lines.length; i++) if (lines[i]!.includes('LOG:  statement: ') && bare(lines[i + 1])) return i;
      throw new Error('no statement before a bare duration');
    };
    const early = firstStatementBeforeBare((2 * lines.length) / 5);
    const late = firstStatementBeforeBare((3 * lines.length) / 5);
    const moved = lines.map((l, i) => (i === early ? redateText(l, FAR[0]) : i === late ? redateText(l, FAR[1]) : l));
    const without = lines.filter((_, i) => i !== early && i !== late);
    const a = await analyze('statements-moved.log', moved);
    const b = await analyze('statements-without.log', without);
    expect(a.stats).toEqual(b.stats);
    expect(a.outlyingRecords).toBe(2);
    expect(a.stats.statements.length).toBeGreaterThan(3);
    expect(a.warnings.join('\n')).toMatch(/2 records dated far outside the rest of the logs/);
  });
});
