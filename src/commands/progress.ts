// A progress bar on standard error while reading large inputs. Only on a terminal (never in a pipe,
// a CI log or a file), only for inputs big enough to take a moment, redrawn at most ten times a
// second, and erased when reading ends so that it leaves nothing behind.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Io } from './io.js';

/** Inputs smaller than this in total read too fast for a bar to help. */
export const PROGRESS_MIN_BYTES = 16 * 1024 * 1024;
const WIDTH = 30;
const REDRAW_MS = 100;

export interface Progress {
  /** Pass as `onProgress` to readTimeline: bytes read so far in the current input. */
  onProgress?: (bytes: number) => void;
  done(): void;
}

/**
 * Total size of the named inputs in bytes (directories counted as hindsight reads them), or null
 * when it cannot be known up front: standard input, or a gzip file (the bar counts bytes after
 * decompression).
 */
export function totalSize(paths: readonly string[]): number | null {
  let total = 0;
  for (const p of paths) {
    if (p === '-' || /\.gz$/i.test(p)) return null;
    try {
      const st = statSync(p);
      if (st.isDirectory()) {
        const inner = totalSize(readdirSync(p).filter((n) => !n.startsWith('.') && !/\.(md|markdown)$/i.test(n)).map((n) => join(p, n)));
        if (inner === null) return null;
        total += inner;
      } else if (st.isFile()) total += st.size;
      else return null;
    } catch {
      return null;
    }
  }
  return total;
}

/** A progress reporter for reading `total` bytes (null: unknown, e.g. standard input). */
export function createProgress(io: Io, enabled: boolean, total: number | null, now: () => number = Date.now): Progress {
  if (!enabled || io.stderrIsTTY !== true || (total !== null && total < PROGRESS_MIN_BYTES)) return { done: () => {} };
  let base = 0;
  let last = 0;
  let lastDraw = 0;
  let drawn = false;
  const draw = (read: number) => {
    const mb = (read / 1048576).toFixed(0);
    let line: string;
    if (total !== null && total > 0) {
      const frac = Math.min(0.999, read / total);
      const fill = Math.round(frac * WIDTH);
      line = `reading [${'█'.repeat(fill)}${'░'.repeat(WIDTH - fill)}] ${(frac * 100).toFixed(0).padStart(3)}%  ${mb} of ${(total / 1048576).toFixed(0)} MB`;
    } else {
      if (read < PROGRESS_MIN_BYTES) return;
      line = `reading ${mb} MB`;
    }
    io.stderr(`\r${line}\u001b[K`);
    drawn = true;
  };
  return {
    onProgress: (bytes: number) => {
      // Bytes restart at each input: carry what the previous inputs read.
      if (bytes < last) base += last;
      last = bytes;
      const t = now();
      if (t - lastDraw < REDRAW_MS) return;
      lastDraw = t;
      draw(base + bytes);
    },
    done: () => {
      if (drawn) io.stderr('\r\u001b[K');
    },
  };
}
