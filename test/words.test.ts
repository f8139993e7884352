import { describe, expect, it } from 'vitest';
import { clockOf, humanDuration, humanSeconds, int, isoSeconds, minuteOf, plural } from '../src/words.js';

describe('words', () => {
  it('counts in the singular for one and with thousands separators for many', () => {
    expect(plural(1, 'line')).toBe('1 line');
    expect(plural(0, 'error')).toBe('0 errors');
    expect(plural(12345, 'record')).toBe('12,345 records');
    expect(plural(2, 'record or sample', 'records and samples')).toBe('2 records and samples');
    expect(plural(1.5, 'hour')).toBe('1.5 hours');
    expect(int(-1234567.4)).toBe('-1,234,567');
  });

  it('writes a duration one way, tenths only where the caller measures', () => {
    // 330 s: a narrative tells "6 min"; a chart's column width reads "5.5 min".
    expect(humanDuration(330_000)).toBe('6 min');
    expect(humanSeconds(330)).toBe('5.5 min');
    expect(humanSeconds(330, 'whole')).toBe(humanDuration(330_000));
    expect(humanSeconds(5.25)).toBe('5.3 s');
    expect(humanSeconds(45)).toBe('45 s');
    expect(humanDuration(45_400)).toBe('45 s');
    expect(humanSeconds(720)).toBe('12 min');
    // The unit changes at 90 of the smaller one: 89 s, then 1.5 min; 89 min, then 1.5 h; 35.9 h, then days.
    expect(humanDuration(89_000)).toBe('89 s');
    expect(humanSeconds(90)).toBe('1.5 min');
    expect(humanDuration(90_000)).toBe('2 min');
    expect(humanSeconds(89 * 60)).toBe('89 min');
    expect(humanDuration(90 * 60_000)).toBe('1.5 h');
    expect(humanSeconds(35.9 * 3600)).toBe('35.9 h');
    expect(humanDuration(2 * 86_400_000)).toBe('2 days');
    expect(humanSeconds(-45)).toBe('45 s');
  });

  it('writes times in UTC at the precision asked', () => {
    const ms = Date.UTC(2026, 1, 7, 19, 12, 2, 750);
    expect(isoSeconds(ms)).toBe('2026-02-07T19:12:02Z');
    expect(clockOf(ms)).toBe('19:12:02');
    expect(minuteOf(ms)).toBe('2026-02-07 19:12 UTC');
  });
});
