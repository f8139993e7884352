// Streams one input (a file, `-`, a .gz) line by line into the format chosen for it.
// One pass, bounded memory: chunks of 1 MiB are decoded and split with indexOf; only a partial
// last line is carried between chunks. Every line read is accounted as an event or a skip.
import { createReadStream, promises as fsp } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { isUtf8 } from 'node:buffer';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { LogEvent, MetricSample, InputSummary, SkippedExample } from '../model.js';
import type { EventSink, InputFormat, LineParser, ParseOptions } from './format.js';
import { FORMATS, formatById, sniffFormat } from './registry.js';

/** An error about an input that stops hindsight with exit code 2 (a usage or input error). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
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
  /** Lines longer than this are skipped (bytes). */
  maxLineLength?: number;
}

const SNIFF_LINES = 64;
const MAX_SKIPPED_EXAMPLES = 5;
const DEFAULT_MAX_LINE = 64 * 1024 * 1024;
const EXAMPLE_TEXT = 160;

/** Service name implied by a file name: `api.jsonl` → `api`, `postgres-2026-02-07.log.gz` → `postgres-2026-02-07`. */
export function serviceFromPath(path: string): string {
  if (path === '-') return 'stdin';
  let b = basename(path);
  b = b.replace(/\.gz$/i, '');
  b = b.replace(/\.(jsonl|ndjson|json|log|txt|csv|out)$/i, '');
  return b.length > 0 ? b : 'app';
}

/** Files hindsight reads from a directory: every regular file but hidden ones and docs. */
export async function expandInputs(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(p);
      continue;
    }
    let st;
    try {
      st = await fsp.stat(p);
    } catch (e) {
      throw new InputError(`cannot read ${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
    if (st.isDirectory()) {
      const names = (await fsp.readdir(p)).sort();
      const files: string[] = [];
      for (const n of names) {
        if (n.startsWith('.') || /\.(md|markdown)$/i.test(n)) continue;
        const full = join(p, n);
        const s = await fsp.stat(full);
        if (s.isFile()) files.push(full);
        else if (s.isDirectory()) files.push(...(await expandInputs([full])));
      }
      if (files.length === 0) throw new InputError(`${p} is a directory with no log files in it`);
      out.push(...files);
    } else {
      out.push(p);
    }
  }
  return out;
}

/** Reads one input completely and returns its summary. Throws InputError when it cannot be read at all. */
export async function readInput(
  path: string,
  inputIndex: number,
  receiver: InputReceiver,
  options: ReadOptions = {},
): Promise<InputSummary> {
  const service = options.service ?? serviceFromPath(path);
  const summary: InputSummary = {
    path,
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
  const skippedExamples: SkippedExample[] = summary.skippedExamples;

  const sink: EventSink = {
    event(ev, lines) {
      summary.events += lines;
      summary.records++;
      if (ev.ts !== null) {
        if (summary.firstTs === null || ev.ts < summary.firstTs) summary.firstTs = ev.ts;
        if (summary.lastTs === null || ev.ts > summary.lastTs) summary.lastTs = ev.ts;
      }
      services.add(ev.service);
      receiver.event(ev);
    },
    metric(sample) {
      summary.samples++;
      services.add(sample.service);
      if (summary.firstTs === null || sample.ts < summary.firstTs) summary.firstTs = sample.ts;
      if (summary.lastTs === null || sample.ts > summary.lastTs) summary.lastTs = sample.ts;
      receiver.metric(sample);
    },
    consume(lines) {
      summary.events += lines;
    },
    skip(line, reason, text) {
      summary.skipped++;
      if (skippedExamples.length < MAX_SKIPPED_EXAMPLES) {
        skippedExamples.push({ line, reason, text: text.length > EXAMPLE_TEXT ? text.slice(0, EXAMPLE_TEXT) + '…' : text });
      }
    },
  };

  const stream = await openStream(path, options);
  const maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE;
  const decoder = new StringDecoder('utf8');
  let parser: LineParser | null = null;
  let format: InputFormat | null = null;
  const head: string[] = [];
  let carry = '';
  let carryTooLong = false;
  let lineNo = 0;
  let bytes = 0;
  let invalidUtf8Chunks = 0;
  let sawBinary = false;
  let stopped = false;

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
        summary.formatReason = 'input is empty';
      } else {
        const best = sniffFormat(head);
        if (!best) {
          if (sawBinary) throw new InputError(`${path}: looks like binary data, not a log (NUL bytes in the first lines)`);
          throw new InputError(
            `${path}: format not recognised from its first ${head.length} lines. Known formats: ${FORMATS.filter((x) => x.id !== 'raw').map((x) => x.id).join(', ')}. ` +
              `Use --input-format NAME to force one (--input-format raw reads every line as a bare message).`,
          );
        }
        format = best.format;
        summary.formatReason = best.reason;
      }
    }
    summary.format = format!.id;
    parser = format!.create({ service, input: inputIndex, sink, options });
    for (let i = 0; i < head.length; i++) feed(head[i]!, i + 1);
    head.length = 0;
  };

  const feed = (text: string, n: number) => {
    if (text.indexOf('\u0000') !== -1) {
      sink.skip(n, 'binary data (NUL bytes)', text.replace(/\u0000/g, '\\0'));
      return;
    }
    parser!.line(text, n);
  };

  const onLine = (raw: string) => {
    lineNo++;
    const text = raw.length > 0 && raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (parser) feed(text, lineNo);
    else {
      if (text.indexOf('\u0000') !== -1) sawBinary = true;
      head.push(text);
      if (head.length >= SNIFF_LINES) choose();
    }
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (options.onProgress) options.onProgress(bytes);
      let s = decoder.write(chunk);
      if (s.indexOf('\uFFFD') !== -1 && !isUtf8(chunk)) invalidUtf8Chunks++;
      let start = 0;
      let nl = s.indexOf('\n');
      if (nl !== -1 && carry.length > 0) {
        const line = carryTooLong ? '' : carry + s.slice(0, nl);
        if (carryTooLong) skipTooLong(++lineNo);
        else onLine(line);
        carry = '';
        carryTooLong = false;
        start = nl + 1;
        nl = s.indexOf('\n', start);
      }
      while (nl !== -1) {
        onLine(s.slice(start, nl));
        start = nl + 1;
        nl = s.indexOf('\n', start);
      }
      if (start < s.length) {
        if (!carryTooLong) {
          carry += start === 0 ? s : s.slice(start);
          if (carry.length > maxLine) {
            carry = '';
            carryTooLong = true;
          }
        }
      }
      s = '';
      if (options.shouldStop && options.shouldStop()) {
        stopped = true;
        break;
      }
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'Z_BUF_ERROR' || err.code === 'Z_DATA_ERROR' || /unexpected end of file|incorrect header check|invalid/i.test(err.message)) {
      summary.warnings.push(`the gzip data is truncated or corrupt (${err.message}); read ${lineNo} lines before it ended`);
    } else if (err.code === 'EISDIR') {
      throw new InputError(`${path} is a directory`);
    } else {
      throw new InputError(`cannot read ${path}: ${err.message}`);
    }
  } finally {
    if (stopped) (stream as Readable).destroy?.();
  }

  const rest = decoder.end();
  if (rest.length > 0) carry += rest;
  if (carryTooLong) skipTooLong(++lineNo);
  else if (carry.length > 0 && !stopped) onLine(carry);
  if (!parser) {
    if (stopped && head.length === 0) {
      format = formatById('raw')!;
      summary.format = 'raw';
      summary.formatReason = 'interrupted before any line was read';
      parser = format.create({ service, input: inputIndex, sink, options });
    } else choose();
  }
  parser!.end();
  summary.lines = lineNo;
  summary.services = [...services].sort();
  if (invalidUtf8Chunks > 0) summary.warnings.push('invalid UTF-8 bytes were replaced with U+FFFD');
  if (stopped) summary.warnings.push(`reading stopped by a signal after ${lineNo} lines; the report covers what was read`);
  if (summary.events + summary.skipped !== summary.lines) {
    // A parser that loses lines is a bug; say so rather than hide it.
    summary.warnings.push(`internal: ${summary.lines} lines read but ${summary.events} in events and ${summary.skipped} skipped`);
  }
  return summary;

  function skipTooLong(n: number) {
    sink.skip(n, `line longer than ${maxLine} bytes`, '');
  }
}

async function openStream(path: string, options: ReadOptions): Promise<Readable> {
  let base: Readable;
  if (path === '-') {
    base = options.stdin ?? process.stdin;
  } else {
    try {
      const st = await fsp.stat(path);
      if (st.isDirectory()) throw new InputError(`${path} is a directory`);
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
    base = createReadStream(path, { highWaterMark: 1 << 20 });
  }
  return peekGzip(base);
}

/** Looks at the first two bytes and inserts a gunzip stage when they are gzip's magic number. */
async function peekGzip(src: Readable): Promise<Readable> {
  const it = src[Symbol.asyncIterator]();
  const first = await it.next();
  const { Readable: R } = await import('node:stream');
  if (first.done) return R.from([]);
  const head = first.value as Buffer;
  const rest = (async function* () {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value as Buffer;
    }
  })();
  const joined = R.from(rest, { objectMode: false });
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    joined.on('error', (e) => gunzip.destroy(e));
    return joined.pipe(gunzip);
  }
  return joined;
}
