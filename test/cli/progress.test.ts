import { describe, expect, it } from 'vitest';
import { createProgress, PROGRESS_MIN_BYTES } from '../../src/commands/progress.js';
import type { Io } from '../../src/commands/io.js';

function fakeIo(stderrIsTTY: boolean): Io & { err: string } {
  const io = { err: '', stdout: () => {}, stderr: (s: string) => (io.err += s), stderrIsTTY } as Io & { err: string };
  return io;
}

describe('progress bar', () => {
  it('draws on a terminal for large inputs, at most every 100 ms, and erases itself', () => {
    const io = fakeIo(true);
    let now = 0;
    const total = 4 * PROGRESS_MIN_BYTES;
    const p = createProgress(io, true, total, () => now);
    now = 200;
    p.onProgress!(total / 4);
    now = 250;
    p.onProgress!(total / 2); // within 100 ms: not drawn
    now = 400;
    p.onProgress!(total / 2);
    p.done();
    const frames = io.err.split('\r').filter(Boolean);
    // eslint-disable-next-line no-control-regex -- the frame ends with ESC [K, which erases the rest of the line
    expect(frames[0]).toMatch(/^reading \[█{8}░{22}\]  25%  16 of 64 MB\u001b\[K$/);
    expect(frames[1]).toMatch(/^reading \[█{15}░{15}\]  50%  32 of 64 MB/);
    expect(frames).toHaveLength(3);
    expect(frames[2]).toBe('\u001b[K');
  });

  it('adds up the bytes of several inputs', () => {
    const io = fakeIo(true);
    let now = 0;
    const total = 2 * PROGRESS_MIN_BYTES;
    const p = createProgress(io, true, total, () => (now += 1000));
    p.onProgress!(PROGRESS_MIN_BYTES); // first input done
    p.onProgress!(PROGRESS_MIN_BYTES / 2); // second input restarts its count
    expect(io.err).toContain('75%');
  });

  it('stays silent when stderr is not a terminal, with --no-progress, and for small inputs', () => {
    for (const [tty, enabled, total] of [[false, true, 10 * PROGRESS_MIN_BYTES], [true, false, 10 * PROGRESS_MIN_BYTES], [true, true, 1024]] as const) {
      const io = fakeIo(tty);
      const p = createProgress(io, enabled, total, () => 1e9);
      p.onProgress?.(total);
      p.done();
      expect(io.err).toBe('');
    }
  });

  it('shows bytes read for standard input once it is large', () => {
    const io = fakeIo(true);
    let now = 0;
    const p = createProgress(io, true, null, () => (now += 1000));
    p.onProgress!(1024);
    expect(io.err).toBe('');
    p.onProgress!(PROGRESS_MIN_BYTES * 2);
    expect(io.err).toBe('\rreading 32 MB\u001b[K');
  });
});

describe('total size of the inputs', () => {
  it('adds up files and directories, and is unknown for standard input and gzip files', async () => {
    const { mkdtempSync, writeFileSync, mkdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { totalSize } = await import('../../src/commands/progress.js');
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-size-'));
    writeFileSync(join(dir, 'a.jsonl'), 'x'.repeat(100));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'b.log'), 'y'.repeat(50));
    writeFileSync(join(dir, 'README.md'), 'z'.repeat(1000));
    writeFileSync(join(dir, '.hidden'), 'z'.repeat(1000));
    expect(totalSize([dir])).toBe(150);
    expect(totalSize([join(dir, 'a.jsonl'), join(dir, 'sub')])).toBe(150);
    expect(totalSize(['-'])).toBeNull();
    expect(totalSize([join(dir, 'x.log.gz')])).toBeNull();
  });
});
