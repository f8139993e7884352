// Streams one input (a file, `-`, a .gz) line by line into the format chosen for it.
// One pass, bounded memory: chunks of 1 MiB are split at newline bytes and each line decoded on
// its own; only a partial last line is carried between chunks, as bytes. Every line read is
// accounted as an event or a skip.
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { isAscii, isUtf8 } from 'node:buffer';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import type { LogEvent, MetricSample, InputSummary, SkippedExample } from '../model.js';
import type { EventSink, InputFormat, LineParser, ParseOptions } from './format.js';
import { FORMATS, formatById, sniffFormat } from './registry.js';
import { ownString } from '../own-string.js';
import { cutText } from '../redact.js';
import { opensArrayOfRecords } from './json-documents.js';
import { inputName, int, plural } from '../words.js';
import { MAX_TEXT_CHARS, cutLongTexts } from './long-text.js';
import { plausibleValue } from './metric-units.js';

/** An error about an input that stops hindsight with exit code 2 (a usage or input error). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * An input that is not a log hindsight can read (binary or compressed data, a format not
 * recognised, a JSON array): an error when it was named on the command line, a skipped input
 * with a warning when it was found in a directory. `reason` is the message without the input's name.
 */
export class NotALogError extends InputError {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
    this.name = 'NotALogError';
  }
}

/** The summary of an input found in a directory and not read (see NotALogError): no lines, one warning. */
export function unreadInput(path: string, reason: string): InputSummary {
  return { path, format: 'not read', formatReason: reason, lines: 0, events: 0, skipped: 0, skippedExamples: [], records: 0, samples: 0, services: [], firstTs: null, lastTs: null, warnings: [`not read, ${reason}`] };
}

/** Where the events of an input go. */
export interface InputReceiver {
  event(ev: LogEvent): void;
  metric(sample: MetricSample): void;
}

export interface ReadOptions extends ParseOptions {
  /** Force a format instead of sniffing. */
  inputFormat?: string;
  /** Service name for records that do not carry one; default: from the file name. */
  service?: string;
  /** Stop reading when this returns true (SIGINT/SIGTERM); what was read is kept. */
  shouldStop?: () => boolean;
  /** Called with bytes read so far (for a progress bar). */
  onProgress?: (bytes: number) => void;
  /** Standard input, injectable for tests. */
  stdin?: Readable;
  /** Lines longer than this many bytes are skipped (default 64 MiB). */
  maxLineLength?: number;
  /** The input's name in its summary and every message about it (default: its path; `railway:api.jsonl` for a fetched file). */
  name?: string;
}

const SNIFF_LINES = 64;
const MAX_SKIPPED_EXAMPLES = 5;
const DEFAULT_MAX_LINE = 64 * 1024 * 1024;
const EXAMPLE_TEXT = 160;
/**
 * Bytes of an ASCII chunk decoded at once for a parser that reads lines in place: under V8's
 * 128 KiB limit for ordinary objects, so that the string is made in the young generation and
 * dies there once its lines are parsed.
 */
const PIECE = 64 * 1024;
const MAX_WARNINGS = 20;

/** Service name implied by a file name: `api.jsonl` → `api`, `postgres-2026-02-07.log.gz` → `postgres-2026-02-07`. */
export function serviceFromPath(path: string): string {
  // A pipe has no name worth showing: `<(railway logs --json)` is /dev/fd/63.
  if (path === '-' || /^\/dev\/(?:stdin|fd\/\d+)$|^\/proc\/(?:self|\d+)\/fd\/\d+$/.test(path)) return 'stdin';
  let b = basename(path);
  b = b.replace(/\.gz$/i, '');
  b = b.replace(/\.(jsonl|ndjson|json|log|txt|csv|out)$/i, '');
  return b.length > 0 ? b : 'app';
}

/**
 * The files to read: each path as given, a directory as every regular file under it (recursing;
 * hidden files and directories and markdown docs left out). A file or directory reached twice
 * (named twice, named and inside a named directory, or through a symbolic link back up the tree)
 * is read once.
 */
export async function expandInputs(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    if (p === '-') {
      out.push(p);
      continue;
    }
    const st = await statOrThrow(p);
    if (st.isDirectory()) {
      if (seen.has(await realPath(p))) continue;
      const found = { files: 0 };
      out.push(...(await filesUnder(p, seen, found)));
      if (found.files === 0) throw new InputError(`${p} is a directory with no log files in it`);
    } else if (!st.isFile() || firstVisit(await realPath(p), seen)) out.push(p);
  }
  return out;
}

function isLogName(name: string): boolean {
  return !name.startsWith('.') && !/\.(md|markdown)$/i.test(name);
}

/** The path with links resolved; the path itself when it has no real path (a pipe: `<(railway logs --json)`, /dev/stdin). */
async function realPath(path: string): Promise<string> {
  return fsp.realpath(path).catch(() => path);
}

/** True the first time `real` (a real path) is seen. */
function firstVisit(real: string, seen: Set<string>): boolean {
  if (seen.has(real)) return false;
  seen.add(real);
  return true;
}

async function statOrThrow(path: string): Promise<import('node:fs').Stats> {
  try {
    return await fsp.stat(path);
  } catch (e) {
    const link = (e as NodeJS.ErrnoException).code === 'ENOENT' ? await fsp.readlink(path).catch(() => null) : null;
    throw new InputError(`cannot read ${path}: ${link !== null ? `a symbolic link to ${link}, which does not exist` : whyUnreadable(e)}`);
  }
}

function whyUnreadable(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'ELOOP') return 'a loop of symbolic links';
  return (e as Error).message;
}

/**
 * The files under `dir` not seen yet, in name order; `found.files` counts every log file met, seen
 * or not. An entry that cannot be read (a dangling link, no permission) is an error naming it.
 */
async function filesUnder(dir: string, seen: Set<string>, found: { files: number }): Promise<string[]> {
  if (!firstVisit(await realPath(dir), seen)) return [];
  let names: string[];
  try {
    names = (await fsp.readdir(dir)).sort();
  } catch (e) {
    throw new InputError(`cannot read ${dir}: ${whyUnreadable(e)}`);
  }
  const files: string[] = [];
  for (const n of names) {
    if (!isLogName(n)) continue;
    const full = join(dir, n);
    const s = await statOrThrow(full);
    if (s.isDirectory()) files.push(...(await filesUnder(full, seen, found)));
    else if (s.isFile()) {
      found.files++;
      if (firstVisit(await realPath(full), seen)) files.push(full);
    }
  }
  return files;
}

/** Reads one input completely and returns its summary. Throws InputError when it cannot be read at all. */
export async function readInput(
  path: string,
  inputIndex: number,
  receiver: InputReceiver,
  options: ReadOptions = {},
): Promise<InputSummary> {
  const service = options.service ?? serviceFromPath(path);
  const name = options.name ?? path;
  const summary: InputSummary = {
    path: name,
    format: '',
    formatReason: '',
    lines: 0,
    events: 0,
    skipped: 0,
    skippedExamples: [],
    records: 0,
    samples: 0,
    services: [],
    firstTs: null,
    lastTs: null,
    warnings: [],
  };
  const services = new Set<string>();
  // Events of an input nearly always repeat the service before: no Set lookup for those.
  let lastService: string | null = null;
  const skippedExamples: SkippedExample[] = summary.skippedExamples;

  // Metric samples whose value cannot be (negative memory, 1e303 MB), and the first of them.
  let implausible = 0;
  let firstImplausible = '';
  // Records whose text was cut to MAX_TEXT_CHARS for analysis, and the first of them.
  let longTexts = 0;
  let firstLongText = 0;
  const sink: EventSink = {
    event(ev, lines) {
      summary.events += lines;
      summary.records++;
      if ((ev.message.length > MAX_TEXT_CHARS || ev.pg !== undefined) && cutLongTexts(ev) && longTexts++ === 0) firstLongText = ev.line;
      if (ev.ts !== null) {
        if (summary.firstTs === null || ev.ts < summary.firstTs) summary.firstTs = ev.ts;
        if (summary.lastTs === null || ev.ts > summary.lastTs) summary.lastTs = ev.ts;
      }
      if (ev.service !== lastService) {
        lastService = ev.service;
        // Owned: the service may be a slice of a piece of many lines (see readPieces).
        if (!services.has(lastService)) services.add(ownString(lastService, Infinity));
      }
      receiver.event(ev);
    },
    metric(sample) {
      if (!plausibleValue(sample.unit, sample.value)) {
        if (implausible++ === 0) firstImplausible = `${sample.measurement} ${sample.value} ${sample.unit}`.trimEnd();
        return;
      }
      summary.samples++;
      if (!services.has(sample.service)) services.add(ownString(sample.service, Infinity));
      if (summary.firstTs === null || sample.ts < summary.firstTs) summary.firstTs = sample.ts;
      if (summary.lastTs === null || sample.ts > summary.lastTs) summary.lastTs = sample.ts;
      receiver.metric(sample);
    },
    consume(lines) {
      summary.events += lines;
    },
    warn(message) {
      if (summary.warnings.length < MAX_WARNINGS && !summary.warnings.includes(message)) summary.warnings.push(message);
    },
    skip(line, reason, text) {
      summary.skipped++;
      if (skippedExamples.length < MAX_SKIPPED_EXAMPLES) {
        skippedExamples.push({ line, reason, text: ownString(cutText(text, EXAMPLE_TEXT)) });
      }
    },
  };

  const maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE;
  let parser: LineParser | null = null;
  let format: InputFormat | null = null;
  const head: string[] = [];
  // Line numbers of the head lines: a line skipped while sniffing (too long) leaves a gap.
  const headNos: number[] = [];
  // The start of a line whose end is in a later chunk: byte pieces, not yet decoded.
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let carryTooLong = false;
  let carryNul = false;
  let carryAscii = true;
  // Whether the line being handed over may hold NUL bytes (checked per chunk with memchr, so
  // ordinary text pays nothing per line).
  let mayHaveNul = false;
  let lineNo = 0;
  let bytes = 0;
  let invalidUtf8Chunks = 0;
  let stopped = false;
  // Why the input's last partial line is not a line of its own (set when reading ended early).
  let cut: string | null = null;
  // Whether the gzip data broke off (then an input without lines is not "empty").
  let corrupt = false;
  let opened: OpenedInput | null = null;
  const input: { close: (() => void) | null } = { close: null };

  // A quiet stdin sends no chunk to wake the loop, so the stop request is also polled.
  const poll = options.shouldStop
    ? setInterval(() => {
        if (!stopped && options.shouldStop!()) {
          stopped = true;
          input.close?.();
        }
      }, 50)
    : null;
  poll?.unref();

  const choose = () => {
    if (options.inputFormat) {
      const f = formatById(options.inputFormat);
      if (!f) throw new InputError(`unknown input format "${options.inputFormat}"; known formats: ${FORMATS.map((x) => x.id).join(', ')}`);
      format = f;
      summary.formatReason = 'forced with --input-format';
    } else {
      const nonBlank = head.filter((l) => l.trim().length > 0);
      if (nonBlank.length === 0) {
        format = formatById('raw')!;
        summary.formatReason = lineNo === 0 ? 'input is empty' : 'input holds only blank lines';
      } else {
        const best = sniffFormat(head, options);
        if ((best === null || best.format.id === 'railway-text') && opensArrayOfRecords(head)) {
          const file = path === '-' ? '' : ` ${name}`;
          const reason = `a JSON array of log records; hindsight reads one JSON object a line, as railway logs --json prints them: ${path === '-' ? '... | ' : ''}jq -c '.[]'${file} | hindsight analyze`;
          throw new NotALogError(`${inputName(name)} is ${reason}`, reason);
        }
        if (!best) {
          const reason =
            `format not recognised from its first ${head.length === 1 ? 'line' : plural(head.length, 'line')}. Known formats: ${FORMATS.filter((x) => x.id !== 'raw').map((x) => x.id).join(', ')}. ` +
            `Use --input-format NAME to force one (--input-format raw reads every line as a bare message).`;
          throw new NotALogError(`${inputName(name)}: ${reason}`, reason);
        }
        format = best.format;
        summary.formatReason = best.reason;
      }
    }
    summary.format = format!.id;
    parser = format!.create({ service, input: inputIndex, sink, options, path });
    for (let i = 0; i < head.length; i++) feed(head[i]!, headNos[i]!);
    head.length = 0;
    headNos.length = 0;
  };

  const feed = (text: string, n: number) => {
    if (text.indexOf('\u0000') !== -1) {
      sink.skip(n, 'binary data (NUL bytes)', text.replaceAll('\u0000', '\\0'));
      return;
    }
    parser!.line(text, n);
  };

  const onLine = (text: string) => {
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (parser) {
      if (mayHaveNul) feed(text, lineNo);
      else parser.line(text, lineNo);
    } else {
      head.push(text);
      headNos.push(lineNo);
      if (head.length >= SNIFF_LINES) choose();
    }
  };

  // For a format that reads strings, each line is decoded on its own from the bytes between two
  // newlines: a flat string, not a slice of a 1 MiB chunk string (an external string, whose
  // slices read slower). A parser that reads lines in place (lineAt) gets whole ASCII chunks in
  // pieces (readPieces), and here the lines of other chunks that are ASCII, where byte i is
  // character i: a line of valid UTF-8 decoded to as many characters as it has bytes.
  const onBytes = (buf: Buffer, start: number, end: number, ascii: boolean, validUtf8: boolean) => {
    lineNo++;
    if (end - start > maxLine) {
      skipTooLong(lineNo);
      return;
    }
    if (end > start && buf[end - 1] === 13) end--;
    const text = ascii ? latin1(buf, start, end) : utf8(buf, start, end);
    const p = parser;
    if (p !== null && p.lineAt !== undefined && !mayHaveNul && lineNo > 1 && (ascii || (validUtf8 && text.length === end - start))) {
      p.lineAt(text, 0, text.length, lineNo, buf, start);
    } else onLine(text);
  };

  /**
   * The complete lines of an ASCII chunk from `start` (the first ending at newline `nl`) for a
   * parser that reads lines in place: decoded PIECE bytes at a time, each line handed over as
   * a range of its piece. Decoding a line costs a call into the runtime (~90 ns); a piece costs
   * one for ~450 short lines, and the newlines are found in the piece (a string search, no slower
   * than a Buffer's). Returns where the incomplete last line starts.
   */
  const readPieces = (chunk: Buffer, start: number, nl: number, p: LineParser): number => {
    while (nl !== -1) {
      // The piece ends at the last newline within PIECE bytes, or at the first when a line is longer.
      const last = nl - start < PIECE ? chunk.lastIndexOf(10, start + PIECE) : nl;
      const piece = latin1(chunk, start, last);
      const n = last - start;
      let from = 0;
      for (;;) {
        let to = piece.indexOf('\n', from);
        if (to === -1) to = n;
        lineNo++;
        if (to - from > maxLine) skipTooLong(lineNo);
        else p.lineAt!(piece, from, to > from && chunk[start + to - 1] === 13 ? to - 1 : to, lineNo, chunk, start);
        if (to === n) break;
        from = to + 1;
      }
      start = last + 1;
      nl = chunk.indexOf(10, start);
    }
    return start;
  };
  try {
    opened = await openStream(path, options, (close) => (input.close = close));
    if (stopped) opened.close();
    for await (const chunk of opened.chunks) {
      if (bytes === 0 && !options.inputFormat) rejectBinary(name, chunk);
      bytes += chunk.length;
      if (options.onProgress) options.onProgress(bytes);
      const chunkNul = chunk.indexOf(0) !== -1;
      const ascii = isAscii(chunk);
      const validUtf8 = ascii || !hasInvalidUtf8(chunk);
      if (!validUtf8) invalidUtf8Chunks++;
      let start = 0;
      let nl = chunk.indexOf(10);
      if (nl !== -1 && (carryBytes > 0 || carryTooLong)) {
        if (carryTooLong) skipTooLong(++lineNo);
        else {
          carry.push(chunk.subarray(0, nl));
          const line = Buffer.concat(carry);
          mayHaveNul = carryNul || chunkNul;
          onBytes(line, 0, line.length, carryAscii && ascii, false);
        }
        carry = [];
        carryBytes = 0;
        carryTooLong = false;
        carryNul = false;
        carryAscii = true;
        start = nl + 1;
        nl = chunk.indexOf(10, start);
      }
      mayHaveNul = chunkNul;
      while (nl !== -1) {
        // (Set by choose(), in a closure: the compiler cannot see it change.)
        const p = parser as LineParser | null;
        if (ascii && !chunkNul && p !== null && p.lineAt !== undefined) {
          start = readPieces(chunk, start, nl, p);
          break;
        }
        onBytes(chunk, start, nl, ascii, validUtf8);
        start = nl + 1;
        nl = chunk.indexOf(10, start);
      }
      if (start < chunk.length && !carryTooLong) {
        // A copy: the next chunk may be read into the same buffer.
        carry.push(Buffer.from(chunk.subarray(start)));
        carryBytes += chunk.length - start;
        carryNul = carryNul || chunkNul;
        carryAscii = carryAscii && ascii;
        if (carryBytes > maxLine) {
          carry = [];
          carryBytes = 0;
          carryTooLong = true;
        }
      }
      if (stopped || (options.shouldStop && options.shouldStop())) {
        stopped = true;
        break;
      }
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (stopped) {
      // Closing the input to stop reading ends the iteration with "premature close": expected.
    } else if (err.code === 'Z_BUF_ERROR' || err.code === 'Z_DATA_ERROR' || /unexpected end of file|incorrect header check|invalid (block|stored|distance|code)/i.test(err.message)) {
      corrupt = true;
      summary.warnings.push(
        lineNo === 0 ? `the gzip data is corrupt (${err.message}): nothing could be read from it` : `the gzip data is truncated or corrupt (${err.message}); the ${plural(lineNo, 'line')} read before that ${lineNo === 1 ? 'is' : 'are'} kept`,
      );
      cut = 'incomplete line (the gzip data ended inside it)';
    } else if (err.code === 'EISDIR') {
      throw new InputError(`${name} is a directory`);
    } else {
      throw new InputError(`cannot read ${name}: ${err.message}`);
    }
  } finally {
    if (poll !== null) clearInterval(poll);
    if (stopped) input.close?.();
  }

  if (carryTooLong) skipTooLong(++lineNo);
  else if (carryBytes > 0) {
    const last = Buffer.concat(carry);
    mayHaveNul = carryNul;
    if (stopped) cut = 'incomplete line (reading was interrupted)';
    if (cut !== null) {
      // The last line was cut by the interruption or the damage: counted, not parsed as if whole.
      lineNo++;
      if (!parser) choose();
      sink.skip(lineNo, cut, last.toString('utf8'));
    } else onBytes(last, 0, last.length, carryAscii, false);
  }
  carry = [];
  if (!parser) {
    if (stopped && head.length === 0) {
      format = formatById('raw')!;
      summary.format = 'raw';
      summary.formatReason = 'interrupted before any line was read';
      parser = format.create({ service, input: inputIndex, sink, options, path });
    } else choose();
  }
  parser!.end();
  summary.lines = lineNo;
  summary.services = [...services].sort();
  if (lineNo === 0 && !stopped && !corrupt) summary.warnings.push('the input is empty');
  if (invalidUtf8Chunks > 0) summary.warnings.push('the input is not valid UTF-8 in places: those bytes were replaced with U+FFFD and the lines kept');
  if (implausible > 0) summary.warnings.push(`${plural(implausible, 'metric sample')} with a value no such metric can have (negative, or beyond a petabyte or 100,000 vCPU; the first: ${firstImplausible}) ${implausible === 1 ? 'was' : 'were'} left out`);
  if (longTexts > 0) {
    summary.warnings.push(
      `${plural(longTexts, 'record')} longer than ${int(MAX_TEXT_CHARS)} characters (the first at line ${firstLongText}): templates, detectors and the report read ${longTexts === 1 ? 'its' : 'their'} first ${int(MAX_TEXT_CHARS)}; the lines are counted whole`,
    );
  }
  if (stopped) summary.warnings.push(`reading stopped by a signal after ${plural(lineNo, 'line')}; the report covers what was read`);
  if (summary.events + summary.skipped !== summary.lines) {
    // A parser that loses lines is a bug; say so rather than hide it.
    summary.warnings.push(`internal: ${plural(summary.lines, 'line')} read but ${summary.events} in events and ${summary.skipped} skipped`);
  }
  return summary;

  function skipTooLong(n: number) {
    sink.skip(n, `line longer than ${maxLine} bytes`, '');
  }
}

// Buffer's latin1Slice/utf8Slice decode without toString's argument checks and encoding lookup
// (a measurable share of the per-line cost); toString where a runtime lacks them.
type SliceBuffer = Buffer & { latin1Slice?(start: number, end: number): string; utf8Slice?(start: number, end: number): string };
const HAS_SLICES = typeof (Buffer.prototype as SliceBuffer).latin1Slice === 'function' && typeof (Buffer.prototype as SliceBuffer).utf8Slice === 'function';

function latin1(buf: Buffer, start: number, end: number): string {
  return HAS_SLICES ? (buf as SliceBuffer).latin1Slice!(start, end) : buf.toString('latin1', start, end);
}

function utf8(buf: Buffer, start: number, end: number): string {
  return HAS_SLICES ? (buf as SliceBuffer).utf8Slice!(start, end) : buf.toString('utf8', start, end);
}

/** An opened input: its (decompressed) bytes, and how to stop it early. */
interface OpenedInput {
  chunks: AsyncIterable<Buffer>;
  close(): void;
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
function rejectBinary(path: string, chunk: Buffer): void {
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

async function openStream(path: string, options: ReadOptions, onOpen: (close: () => void) => void): Promise<OpenedInput> {
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
  const head = first.value as Buffer;
  gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const all = (async function* () {
    try {
      yield head;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value as Buffer;
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
