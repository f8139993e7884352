import { describe, expect, it } from 'vitest';
import { countBuckets, countSparkline, fillGaps, mermaidLineChart, resample, sparkline } from '../../src/report/charts.js';
import { code, fenced } from '../../src/report/markdown-text.js';
import { int, money, percent } from '../../src/words.js';

describe('charts', () => {
  it('scales a sparkline between min and max, with a space for no data', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([10, NaN, 20])).toBe('▁ █');
    expect(sparkline([5, 5, 5])).toBe('███');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([2, 4], 0, 4)).toBe('▅█');
  });

  it('keeps "nothing" and "a little" apart in count sparklines', () => {
    expect(countSparkline([0, 1, 100])).toBe('▁▂█');
    expect(countBuckets([0, 4, 5, 9, 10, 11], 0, 10, 2)).toEqual([2, 3]);
  });

  it('resamples by time buckets with mean, min and max, and fills gaps for charts', () => {
    const r = resample([0, 1, 2, 10], [1, 3, 5, 7], 2);
    expect(r.values).toEqual([3, 7]);
    expect(r.min).toEqual([1, 7]);
    expect(r.max).toEqual([5, 7]);
    expect(resample([0, 10], [1, 2], 5).values).toEqual([1, 2]);
    expect(fillGaps([NaN, 2, NaN, 4])).toEqual([2, 2, 2, 4]);
  });

  it('writes a Mermaid xychart-beta block', () => {
    expect(mermaidLineChart({ title: 'api "memory"', yLabel: 'MB', xLabel: 'hours', lines: [[100, 150, 200]], spanHours: 2 })).toBe(
      '```mermaid\nxychart-beta\n    title "api memory"\n    x-axis "hours" 0 --> 2\n    y-axis "MB" 90 --> 210\n    line [100, 150, 200]\n```',
    );
  });
});

describe('markdown text', () => {
  it('fences and code spans are longer than any backtick run inside', () => {
    expect(fenced(['a ``` b'])).toBe('````\na ``` b\n````');
    expect(code('x `y` z')).toBe('``x `y` z``');
    expect(code('')).toBe('`(empty)`');
  });

  it('formats numbers without the locale', () => {
    expect(int(1234567)).toBe('1,234,567');
    expect(int(-1234)).toBe('-1,234');
    expect(money(1.554)).toBe('$1.55');
    expect(money(0.0045)).toBe('$0.0045');
    expect(percent(0.971)).toBe('97%');
    expect(percent(0.001)).toBe('<1%');
  });
});
