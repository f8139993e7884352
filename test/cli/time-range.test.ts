import { describe, expect, it } from 'vitest';
import { parseTimeSpec, resolveWindow, needsAnchor } from '../../src/commands/time-range.js';

describe('--since/--until grammar', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
  ])('reads the duration %s', (text, ms) => {
    expect(parseTimeSpec(text, '--since')).toEqual({ kind: 'relative', ms, text });
  });

  it.each([
    ['2026-02-07T19:00:00Z', '2026-02-07T19:00:00.000Z'],
    ['2026-02-07T21:00+02:00', '2026-02-07T19:00:00.000Z'],
    ['2026-02-07 19:00', '2026-02-07T19:00:00.000Z'],
    ['2026-02-07T19:00:00.250', '2026-02-07T19:00:00.250Z'],
    ['2026-02-07', '2026-02-07T00:00:00.000Z'],
  ])('reads the time %s (UTC without a zone)', (text, iso) => {
    const s = parseTimeSpec(text, '--until');
    expect(s.kind).toBe('absolute');
    expect(new Date(s.ms).toISOString()).toBe(iso);
  });

  it.each(['yesterday', '5x', '-2h', '2026-02-30', '2026-02-07T25:00', '2026-02-07T19:00Z trailing', ''])('rejects %j', (text) => {
    expect(() => parseTimeSpec(text, '--since')).toThrow(/--since .*expected a duration such as 30s, 5m, 2h, 1d, 1w, or an ISO 8601 time/);
  });

  it('counts durations back from the anchor and checks the order', () => {
    const anchor = Date.parse('2026-02-08T08:00:00Z');
    const since = parseTimeSpec('1d', '--since');
    const until = parseTimeSpec('2h', '--until');
    expect(needsAnchor(since, until)).toBe(true);
    expect(needsAnchor(parseTimeSpec('2026-02-07', '--since'))).toBe(false);
    expect(resolveWindow(since, until, anchor)).toEqual({ since: anchor - 86_400_000, until: anchor - 7_200_000 });
    expect(() => resolveWindow(until, since, anchor)).toThrow('--since 2h is after --until 1d');
    expect(resolveWindow(undefined, undefined, null)).toEqual({});
  });
});
