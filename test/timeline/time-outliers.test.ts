// Issue 19: one record dated 1970 or 2099 among a day of logs stretched the window to tens of
// thousands of days and turned steady errors into "high" bursts (`--fail-on high` then failed CI),
// with no warning naming the outlier. The lines are the synthetic `railway logs --json` day of
// test/cli/railway-lines.ts (the shape `railway logs --json` prints).
import { describe, expect, it } from 'vitest';
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
