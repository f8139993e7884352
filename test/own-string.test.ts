import { describe, expect, it } from 'vitest';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CUT_MARKER, ownString } from '../src/own-string.js';
import { latin1 } from '../src/ingest/open-input.js';

// A full collection on demand, to see what a kept string still holds.
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heldBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

describe('ownString', () => {
  it('copies every kind of string unchanged, and cuts long ones with a marker', () => {
    for (const s of ['', 'short', 'a'.repeat(13), 'é😀 two-byte text with a lone surrogate \ud800 inside', 'x'.repeat(5000)]) {
      expect(ownString(s)).toBe(s);
    }
    expect(ownString('abcdefghijklmnopqrstuvwxyz', 10)).toBe('abcdefghij' + CUT_MARKER);
  });

  it('keeps nothing of the string it was sliced from', () => {
    // 40 slices of 80 characters, each of its own 1 MiB parent: kept as they are, they hold the
    // parents (40 MiB); owned copies hold a few kilobytes.
    const buf = Buffer.alloc(1 << 20, 'abcdefghij');
    const measure = (keep: (s: string) => string, length = 80) => {
      const before = heldBytes();
      const kept: string[] = [];
      for (let i = 0; i < 40; i++) kept.push(keep(latin1(buf, 0, buf.length - i).slice(100, 180)));
      const held = heldBytes() - before;
      expect(kept.every((s) => s.length === length && s.startsWith('abcdefghij'))).toBe(true);
      return held;
    };
    expect(measure((s) => s)).toBeGreaterThan(30 << 20);
    expect(measure((s) => ownString(s))).toBeLessThan(4 << 20);
    expect(measure((s) => ownString(s, 40), 40 + CUT_MARKER.length)).toBeLessThan(4 << 20);
  });
});
