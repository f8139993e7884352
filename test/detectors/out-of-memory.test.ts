// out-of-memory on real runtimes' output (test/fixtures/vocabulary/), read as Railway delivers it:
// one entry per line, stderr labelled error.
import { describe, expect, it } from 'vitest';
import { outOfMemory } from '../../src/detectors/out-of-memory.js';
import { detectOnCaptures } from './captured-run.js';
import { runDetector } from '../helpers/timeline.js';

const T = Date.parse('2026-12-07T17:00:00Z');
const MIN = 60_000;

describe('out-of-memory: valid (no finding)', () => {
  it('healthy Node (pino) and Celery runs, and process exits that are not out of memory', async () => {
    expect(
      await detectOnCaptures(outOfMemory, [
        { fixture: 'pino-healthy.txt', at: T, stream: 'stdout' },
        { fixture: 'celery-healthy-worker.txt', at: T },
        { fixture: 'celery-healthy-beat.txt', at: T },
        { fixture: 'celery-beat.txt', at: T },
        { fixture: 'npm.txt', at: T + MIN },
        { fixture: 'supervisord.txt', at: T + 2 * MIN },
        { fixture: 'node.txt', at: T + 3 * MIN },
      ]),
    ).toEqual([]);
  });

  it('a shell\'s bare "Killed" (and the exit 137 yarn and pnpm report after it) is any SIGKILL, not out of memory', async () => {
    expect(
      await detectOnCaptures(outOfMemory, [
        { fixture: 'shell.txt', at: T, lines: [0, 2] },
        { fixture: 'yarn.txt', at: T + MIN, lines: [5, 11] },
        { fixture: 'pnpm.txt', at: T + 2 * MIN, lines: [2, 5] },
      ]),
    ).toEqual([]);
  });

  it('an application\'s own words about memory', () => {
    expect(
      runDetector(outOfMemory, [
        { at: T, level: 'warn', message: 'Memory usage high: 410 MB of 512 MB' },
        { at: T + 1, level: 'error', message: 'Killed 3 stale sessions' },
        { at: T + 2, level: 'error', message: 'cache evicted: MemoryError avoided' },
      ]),
    ).toEqual([]);
  });
});

describe('out-of-memory: invalid (findings)', () => {
  it('a V8 heap crash split into Railway entries is one runtime crash, with the heap of its last GC', async () => {
    const fs = await detectOnCaptures(outOfMemory, [
      { fixture: 'pino-healthy.txt', at: T - MIN, stream: 'stdout' },
      { fixture: 'v8-heap.txt', at: T },
    ], 'api');
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe('high');
    expect(fs[0]!.title).toBe('Out of Memory (1 runtime crash)');
    expect(fs[0]!.data).toMatchObject({
      count: 1,
      runtimeCrashes: 1,
      killedBySigkill: 0,
      byLibrary: { 'Node.js (V8)': 1 },
      heapMb: 15.5,
      reasons: ['Reached heap limit'],
      services: ['api'],
    });
    expect(fs[0]!.summary).toContain('the V8 heap held 15.5 MB after its last collection');
    expect(fs[0]!.evidence[0]!.text).toContain('JavaScript heap out of memory');
  });

  it('JVM, Python and Go minutes apart: three occurrences by runtime; a shell\'s "Killed" beside the MemoryError makes it a kill', async () => {
    const fs = await detectOnCaptures(outOfMemory, [
      { fixture: 'jvm.txt', at: T },
      { fixture: 'python-memoryerror.txt', at: T + MIN },
      { fixture: 'shell.txt', at: T + MIN + 2_000, lines: [0, 1] },
      { fixture: 'go-runtime.txt', at: T + 2 * MIN },
    ]);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({
      count: 3,
      runtimeCrashes: 1,
      killedBySigkill: 1,
      exceptions: 1,
      byLibrary: { JVM: 1, Python: 1, 'Go runtime': 1 },
      reasons: ['Java heap space'],
    });
    expect(fs[0]!.severity).toBe('high');
  });

  it('one MemoryError alone is medium; "Killed" and yarn\'s exit 137 right after it are the same occurrence, a kill', async () => {
    const one = await detectOnCaptures(outOfMemory, [{ fixture: 'python-memoryerror.txt', at: T }]);
    expect(one.map((f) => [f.severity, f.data.count])).toEqual([['medium', 1]]);
    const yarn = await detectOnCaptures(outOfMemory, [
      { fixture: 'python-memoryerror.txt', at: T },
      { fixture: 'yarn.txt', at: T + 1_000, lines: [5, 11] },
    ]);
    expect(yarn[0]!.data).toMatchObject({ count: 1, killedBySigkill: 1 });
    expect((yarn[0]!.data.occurrences as { signal: string; exitCode: number }[])[0]).toMatchObject({ signal: 'SIGKILL', exitCode: 137 });
    expect(yarn[0]!.severity).toBe('medium');
  });
});
