import { describe, expect, it } from 'vitest';
import { EPOCH_OUT_OF_RANGE, MAX_EPOCH_MS, MIN_EPOCH_MS, epochToMs, parseTimestamp, parseTimestampAt, parseUtcAt } from '../../src/ingest/timestamp.js';
import { railwayJson } from '../../src/ingest/formats/railway-json.js';
import { railwayHttp } from '../../src/ingest/formats/railway-http.js';
import { cnpg } from '../../src/ingest/formats/postgres-json.js';
import { railwayMetrics } from '../../src/ingest/formats/railway-metrics.js';
import { runFormat } from './run-format.js';
import { runCli } from '../cli/run-cli.js';

describe('timestamps', () => {
  it.each([
    ['2026-02-07T19:12:02.412345678Z', Date.UTC(2026, 1, 7, 19, 12, 2, 412)],
    ['2026-02-07T19:12:02Z', Date.UTC(2026, 1, 7, 19, 12, 2)],
    ['2026-02-07T19:12:02.5Z', Date.UTC(2026, 1, 7, 19, 12, 2, 500)],
    ['2026-02-07 19:12:02.120 UTC', Date.UTC(2026, 1, 7, 19, 12, 2, 120)],
    ['2026-02-07 19:12:02 CEST', Date.UTC(2026, 1, 7, 17, 12, 2)],
    ['2026-02-07T19:12:02+05:30', Date.UTC(2026, 1, 7, 13, 42, 2)],
    ['2026-02-07 19:12:02,118', Date.UTC(2026, 1, 7, 19, 12, 2, 118)],
    ['2024-02-29T23:59:59.999Z', Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
  ])('%s', (text, ms) => {
    expect(parseTimestamp(text)).toBe(ms);
    expect(parseTimestamp(text)).toBe(new Date(text.replace(' UTC', 'Z').replace(' CEST', '+02:00').replace(',', '.').replace(' ', 'T')).getTime());
  });

  it('rejects what is not a timestamp', () => {
    for (const t of ['2026-13-07T19:12:02Z', '2026-02-07', 'yesterday', '2026-02-07T25:12:02Z', '']) expect(parseTimestamp(t)).toBeNull();
  });

  it('parseUtcAt reads the Railway form in place and declines others', () => {
    const at = (s: string, i: number) => parseUtcAt(Buffer.from(s, 'latin1'), i, 34);
    const line = '{"timestamp":"2026-02-07T19:12:02.412345678Z","x":1}';
    expect(at(line, 14)).toBe(Date.UTC(2026, 1, 7, 19, 12, 2, 412));
    expect(at('"2026-02-07T19:12:02+01:00"', 1)).toBeNaN();
    expect(at('"2026-02-07 19:12:02Z"', 1)).toBeNaN();
    expect(at('"2026-02-07T19:12:02Z trailing"', 1)).toBeNaN();
    expect(at('"2026-02-07T1x:12:02Z"', 1)).toBeNaN();
    expect(at('"20x6-02-07T19:12:02Z"', 1)).toBeNaN();
    expect(at('"2026-02-07T19:12"', 1)).toBeNaN();
    // Same answers as the general parser on what it accepts.
    const s = '"2031-12-31T23:59:60.100Z"';
    expect(at(s, 1)).toBe(parseTimestampAt(s, 1)!.ms);
    // Read from the middle of a larger buffer, as read-input hands lines over.
    const chunk = Buffer.from('xx\n{"timestamp":"2026-02-07T19:12:02.512Z"}\n', 'latin1');
    expect(parseUtcAt(chunk, 3 + 14, 34)).toBe(Date.UTC(2026, 1, 7, 19, 12, 2, 512));
  });

  it('parseUtcAt gives the same times whatever it read before (the minute it remembers)', () => {
    // Times in runs that share a minute, then change one field of the first 16 characters at a
    // time, with malformed seconds in between: each must equal the general parser's answer.
    const times: string[] = [];
    for (const day of ['2026-02-07', '2026-02-08', '2027-02-07', '2026-03-07']) {
      for (const hm of ['19:12', '19:13', '20:12']) {
        for (const rest of [':02.412Z', ':59.999999999Z', ':00Z', ':6x.1Z', ':03+01:00']) times.push(`${day}T${hm}${rest}`);
      }
    }
    for (const t of [...times, ...times.slice().reverse()]) {
      const b = Buffer.from(`{"ts":"${t}"}`, 'latin1');
      const r = parseTimestampAt(t, 0);
      const whole = r !== null && r.end === t.length && t.endsWith('Z');
      const got = parseUtcAt(b, 7, 34);
      if (whole) expect(got, t).toBe(r.ms);
      else expect(got, t).toBeNaN();
    }
  });

  it('parseTimestampAt gives the same times whatever it read before (the minute it remembers)', () => {
    const forms = ['2026-02-07 19:12:02.412 UTC', '2026-02-07 19:12:59 CEST', '2026-02-07T19:12:03+01:00', '2026-02-07 19:13:00.5 UTC', '2026-02-08 19:12:02 UTC', '2026-02-07 19:12:6x UTC', '2027-02-07 19:12:02Z', '2026-02-07 19:12'];
    // Each form alone (nothing remembered that it shares), then after every other form, at an offset.
    const alone = new Map(
      forms.map((f) => {
        parseTimestampAt('1999-01-01 00:00:00', 0); // a minute none of the forms shares
        return [f, JSON.stringify(parseTimestampAt('xx' + f, 2))];
      }),
    );
    expect(JSON.parse(alone.get(forms[4]!)!).ms).toBe(Date.UTC(2026, 1, 8, 19, 12, 2));
    for (const before of forms) {
      for (const f of forms) {
        parseTimestampAt(before, 0);
        expect(JSON.stringify(parseTimestampAt('xx' + f, 2)), `${f} after ${before}`).toBe(alone.get(f));
      }
    }
  });
});

// Issue 19: a numeric timestamp out of Date's range (1e308, -1e14) ended the run with "internal
// error" (Invalid time value). Numbers are epoch times only from 1900 to 2200; others are no time.
describe('numeric timestamps out of range (issue 19)', () => {
  it('epochToMs reads seconds, ms, µs and ns by size, and refuses what is no time from 1900 to 2200', () => {
    expect(epochToMs(1_770_000_000)).toBe(1_770_000_000_000);
    expect(epochToMs(1_770_000_000_123)).toBe(1_770_000_000_123);
    expect(epochToMs(1_770_000_000_123_456)).toBe(1_770_000_000_123);
    // eslint-disable-next-line no-loss-of-precision -- a nanosecond epoch is past 2^53: the double JSON.parse makes of it, as a log line's number arrives
    expect(epochToMs(1_770_000_000_123_456_789)).toBe(1_770_000_000_123);
    expect(epochToMs(0)).toBe(0);
    expect(epochToMs(-86_400)).toBe(-86_400_000);
    for (const v of [1e308, -1e308, -1e14, -1e12, 1e30, Infinity, -Infinity, NaN, 7.3e9]) expect(epochToMs(v), String(v)).toBeNaN();
    expect(MIN_EPOCH_MS).toBe(Date.UTC(1900, 0, 1));
    expect(MAX_EPOCH_MS).toBe(Date.UTC(2200, 0, 1));
  });

  it('railway-json, railway-http and postgres-json skip such a record with the reason; metrics leave the point out', async () => {
    const lines = [
      '{"message":"worker started","timestamp":"2026-02-07T19:12:02.412Z","level":"info"}',
      '{"message":"x","timestamp":1e308,"level":"info"}',
      '{"message":"y","timestamp":-1e14,"level":"error"}',
      '{"message":"z","ts":1770000000,"level":"info"}',
    ];
    const rj = runFormat(railwayJson, lines);
    expect(rj.events.map((e) => e.message)).toEqual(['worker started', 'z']);
    expect(rj.skipped.map((s) => [s.line, s.reason])).toEqual([
      [2, EPOCH_OUT_OF_RANGE],
      [3, EPOCH_OUT_OF_RANGE],
    ]);
    const http = runFormat(railwayHttp, ['{"timestamp":1e308,"method":"GET","path":"/x","httpStatus":500}']);
    expect(http.skipped.map((s) => s.reason)).toEqual([EPOCH_OUT_OF_RANGE]);
    const cnpgLine = '{"level":"info","ts":-1e14,"logger":"postgres","msg":"record","logging_pod":"cluster-example-1","record":{"log_time":"2024-06-27 00:00:07.369 UTC","error_severity":"LOG","message":"checkpoint starting: time"}}';
    expect(runFormat(cnpg, [cnpgLine]).skipped.map((s) => s.reason)).toEqual([EPOCH_OUT_OF_RANGE]);
    const metrics = runFormat(railwayMetrics, [JSON.stringify({ service: 'web', measurements: { MEMORY_USAGE_GB: [{ ts: 1e308, value: 0.2 }, { ts: -1e14, value: 0.2 }, { ts: 1770000000, value: 0.2 }] } })]);
    expect(metrics.metrics).toHaveLength(1);
    expect(metrics.warnings.join()).toBe("2 metric points in the document at line 1 had no usable time or value and were left out");
    const r = await runCli(['analyze', '--format', 'json'], { stdin: lines.join('\n') + '\n' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
