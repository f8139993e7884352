// Streams one input (a file, `-`, a .gz) line by line into the format chosen for it. One pass,
// bounded memory, every line read accounted as an event or a skip. The steps, each in its file:
// opening (open-input.ts), splitting chunks into lines (line-splitter.ts), choosing the format and
// handing lines to its parser (format-choice.ts), and counting what the parser sends
// (input-summary.ts); the command line's paths are expanded in input-paths.ts.
import type { Readable } from 'node:stream';
import type { InputSummary } from '../model.js';
import { InputError } from './input-error.js';
import { serviceFromPath } from './input-paths.js';
import { isGzipDamage, openInput, rejectBinary } from './open-input.js';
import { LineSplitter } from './line-splitter.js';
import { ParserChoice, type FormatOptions } from './format-choice.js';
import { SummarySink, type InputReceiver } from './input-summary.js';
import { plural } from '../words.js';

export interface ReadOptions extends FormatOptions {
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

const DEFAULT_MAX_LINE = 64 * 1024 * 1024;

/** Reads one input completely and returns its summary. Throws InputError when it cannot be read at all. */
export async function readInput(path: string, inputIndex: number, receiver: InputReceiver, options: ReadOptions = {}): Promise<InputSummary> {
  const name = options.name ?? path;
  const service = options.service ?? serviceFromPath(path);
  const sink = new SummarySink(name, receiver);
  const choice = new ParserChoice(sink.summary, sink, (format) => format.create({ service, input: inputIndex, sink, options, path }), options, path, name);
  const lines = new LineSplitter(choice, options.maxLineLength ?? DEFAULT_MAX_LINE);
  let bytes = 0;
  let stopped = false;
  // Why the input's last partial line is not a line of its own (set when reading ended early).
  let cut: string | null = null;
  // Whether the gzip data broke off (then an input without lines is not "empty").
  let corrupt = false;
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

  try {
    const opened = await openInput(path, options, (close) => (input.close = close));
    if (stopped) opened.close();
    for await (const chunk of opened.chunks) {
      if (bytes === 0 && !options.inputFormat) rejectBinary(name, chunk);
      bytes += chunk.length;
      if (options.onProgress) options.onProgress(bytes);
      lines.push(chunk);
      if (stopped || (options.shouldStop && options.shouldStop())) {
        stopped = true;
        break;
      }
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const err = e as NodeJS.ErrnoException;
    const read = lines.lineNo;
    if (stopped) {
      // Closing the input to stop reading ends the iteration with "premature close": expected.
    } else if (isGzipDamage(err)) {
      corrupt = true;
      sink.summary.warnings.push(
        read === 0 ? `the gzip data is corrupt (${err.message}): nothing could be read from it` : `the gzip data is truncated or corrupt (${err.message}); the ${plural(read, 'line')} read before that ${read === 1 ? 'is' : 'are'} kept`,
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

  lines.end(stopped ? 'incomplete line (reading was interrupted)' : cut);
  choice.end(lines.lineNo, stopped);
  return sink.finish({ lines: lines.lineNo, stopped, corrupt, invalidUtf8Chunks: lines.invalidUtf8Chunks });
}
