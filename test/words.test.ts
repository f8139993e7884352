import { describe, expect, it } from 'vitest';
import { int, plural } from '../src/words.js';

describe('words', () => {
  it('counts in the singular for one and with thousands separators for many', () => {
    expect(plural(1, 'line')).toBe('1 line');
    expect(plural(0, 'error')).toBe('0 errors');
    expect(plural(12345, 'record')).toBe('12,345 records');
    expect(plural(2, 'record or sample', 'records and samples')).toBe('2 records and samples');
    expect(plural(1.5, 'hour')).toBe('1.5 hours');
    expect(int(-1234567.4)).toBe('-1,234,567');
  });
});
