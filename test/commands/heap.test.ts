import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { heapGrowthGiven } from '../../src/commands/heap.js';

describe('heap growth for a streaming pass', () => {
  it("leaves the heap growth alone when node was started with its own", () => {
    expect(heapGrowthGiven([])).toBe(false);
    expect(heapGrowthGiven(['--max-old-space-size=512', '--enable-source-maps'])).toBe(false);
    expect(heapGrowthGiven(['--heap-growing-percent=20'])).toBe(true);
    expect(heapGrowthGiven(['--max-old-space-size=512', '--heap_growing_percent=200'])).toBe(true);
  });

  it('is a flag V8 accepts at run time (a misspelt flag would be ignored without a word)', () => {
    // `node --v8-options` lists the flags this V8 knows; setFlagsFromString silently ignores others.
    const p = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    expect(p.stdout).toContain('--heap-growing-percent');
  });
});
