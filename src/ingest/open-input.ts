// Opening an input: a file read in reused 1 MiB chunks or standard input, gunzipped when its first
// bytes say gzip; the first chunk checked for binary data; and the decoding of bytes to text.
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { plural } from '../words.js';
import { InputError, NotALogError, whyUnreadable } from './input-error.js';

/** Where an input comes from: standard input (injectable for tests) for `-`, else the file. */
export interface OpenOptions {
  stdin?: Readable;
}

/** An opened input: its (decompressed) bytes, and how to stop it early. */
export interface OpenedInput {
  chunks: AsyncIterable<Buffer>;
  close(): void;
}

export async function openInput(path: string, options: OpenOptions, onOpen: (close: () => void) => void): Promise<OpenedInput> {
  let it: AsyncIterator<Buffer>;
  let closeBase: () => void;
  // Chunks of a file come from two reused buffers unless the input turns out to be gzip.
  let gzip = false;
  if (path === '-') {
    const base: Readable = options.stdin ?? process.stdin;
    it = base[Symbol.asyncIterator]();
    closeBase = () => base.destroy();
  } else {
    let fh: FileHandle;
    try {
      const st = await fsp.stat(path);
      if (st.isDirectory()) throw new InputError(`${path} is a directory`);
      fh = await fsp.open(path, 'r');
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`cannot read ${path}: ${whyUnreadable(e)}`);
    }
    let closed = false;
    it = fileChunks(fh, () => gzip, () => closed);
    closeBase = () => {
      closed = true;
    };
  }
  let gunzip: Readable | null = null;
  const close = () => {
    gunzip?.destroy();
    closeBase();
  };
  onOpen(close);
  // The first chunk tells whether the input is gzip; chunks go on unchanged (no extra stream layer).
  const first = await it.next();
  if (first.done) return { chunks: (async function* () {})(), close };
  const head = first.value;
  gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const all = (async function* () {
    try {
      yield head;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    } finally {
      await it.return?.();
    }
  })();
  if (gzip) {
    const z = createGunzip({ chunkSize: 256 * 1024 });
    gunzip = z;
    const joined = Readable.from(all);
    joined.on('error', (e) => z.destroy(e));
    joined.pipe(z);
    return { chunks: z, close };
  }
  return { chunks: all, close };
}

const CHUNK_BYTES = 1 << 20;

/**
 * A regular file's chunks, read into two reused 1 MiB buffers: a chunk is split into lines before
 * the next but one read, and fresh buffers per chunk would pile up outside the heap until a full
 * GC (~40 MB of them on a 100 MB file). The next chunk is read while the current one is split, so
 * the main thread does not sit idle during every read. `fresh()` turns reuse off for gzip, whose
 * stream holds chunks.
 */
async function* fileChunks(fh: FileHandle, fresh: () => boolean, stopped: () => boolean): AsyncGenerator<Buffer> {
  const shared = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
  let k = 0;
  const readNext = () => {
    const buf = fresh() ? Buffer.allocUnsafe(CHUNK_BYTES) : shared[k]!;
    k ^= 1;
    return fh.read(buf, 0, CHUNK_BYTES, null);
  };
  let pending: ReturnType<typeof readNext> | null = null;
  try {
    pending = readNext();
    while (!stopped()) {
      const reading: ReturnType<typeof readNext> = pending!;
      pending = null;
      const { bytesRead, buffer } = await reading;
      if (bytesRead === 0) return;
      if (!stopped()) pending = readNext();
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    // A read still in flight must end before the file is closed.
    if (pending !== null) await pending.catch(() => undefined);
    await fh.close().catch(() => undefined);
  }
}

/** Whether a read failed because the gzip data is truncated or corrupt (zlib's codes and messages). */
export function isGzipDamage(err: NodeJS.ErrnoException): boolean {
  return err.code === 'Z_BUF_ERROR' || err.code === 'Z_DATA_ERROR' || /unexpected end of file|incorrect header check|invalid (block|stored|distance|code)/i.test(err.message);
}

const BINARY_MAGIC: [number[], string][] = [
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image'],
  [[0x50, 0x4b, 0x03, 0x04], 'a zip archive (unzip it first)'],
  [[0x7f, 0x45, 0x4c, 0x46], 'an executable (ELF)'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'zstd-compressed data (decompress it first: only gzip is read directly)'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz-compressed data (decompress it first: only gzip is read directly)'],
  [[0x42, 0x5a, 0x68], 'bzip2-compressed data (decompress it first: only gzip is read directly)'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
];

/** Throws when the first bytes of an input are clearly not text (NUL bytes, many control bytes, a known binary magic). */
export function rejectBinary(path: string, chunk: Buffer): void {
  for (const [magic, what] of BINARY_MAGIC) {
    if (chunk.length >= magic.length && magic.every((b, i) => chunk[i] === b)) {
      notALog(path, `looks like binary data, not a log: ${what}`);
    }
  }
  const n = Math.min(chunk.length, 8192);
  let control = 0;
  let nul = 0;
  for (let i = 0; i < n; i++) {
    const b = chunk[i]!;
    if (b === 0) nul++;
    else if ((b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 12 && b !== 27) || b === 127) control++;
  }
  // UTF-16 text is mostly NULs too; it is not something hindsight reads either.
  if (nul > 0 && (nul > n / 100 || nul + control > n / 20)) {
    notALog(path, `looks like binary data, not a log (${plural(nul, 'NUL byte')} in the first ${plural(n, 'byte')}; UTF-16 text is not read either). Use --input-format to read it anyway.`);
  }
  if (control > n / 10) {
    notALog(path, `looks like binary data, not a log (${plural(control, 'control byte')} in the first ${plural(n, 'byte')}). Use --input-format to read it anyway.`);
  }
}

function notALog(path: string, reason: string): never {
  throw new NotALogError(`${path}: ${reason}`, reason);
}

/** Whether a chunk holds bytes that are not UTF-8, ignoring a character cut at either end of it. */
export function hasInvalidUtf8(chunk: Buffer): boolean {
  let from = 0;
  // Continuation bytes of a character begun in the previous chunk.
  while (from < 3 && from < chunk.length && (chunk[from]! & 0xc0) === 0x80) from++;
  let to = chunk.length;
  // A character begun at the end and finished in the next chunk.
  for (let back = 1; back <= 3 && to - back >= from; back++) {
    const b = chunk[to - back]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (need > back) to -= back;
    break;
  }
  return !isUtf8(chunk.subarray(from, to));
}

// Buffer's latin1Slice/utf8Slice decode without toString's argument checks and encoding lookup
// (a measurable share of the per-line cost); toString where a runtime lacks them.
type SliceBuffer = Buffer & { latin1Slice?(start: number, end: number): string; utf8Slice?(start: number, end: number): string };
const HAS_SLICES = typeof (Buffer.prototype as SliceBuffer).latin1Slice === 'function' && typeof (Buffer.prototype as SliceBuffer).utf8Slice === 'function';

export function latin1(buf: Buffer, start: number, end: number): string {
  return HAS_SLICES ? (buf as SliceBuffer).latin1Slice!(start, end) : buf.toString('latin1', start, end);
}

export function utf8(buf: Buffer, start: number, end: number): string {
  return HAS_SLICES ? (buf as SliceBuffer).utf8Slice!(start, end) : buf.toString('utf8', start, end);
}
