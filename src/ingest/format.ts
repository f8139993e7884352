// The face every input format has. Adding a format is one file in ./formats and one line in
// ./registry.ts. A format knows how to recognise its lines and turn them into events; it knows
// nothing about incidents.
import type { LogEvent, MetricSample } from '../model.js';
import { parseJsonBounded, type DepthTally } from './json-depth.js';

/** How sure a format is that the first lines of an input are its own (0 = not at all, 1 = certain). */
export interface SniffResult {
  score: number;
  reason: string;
}

/** Where a parser sends what it reads. Every line must end up in exactly one of event/consume/skip. */
export interface EventSink {
  /** A record; `lines` is how many input lines it spans (multi-line records). */
  event(ev: LogEvent, lines: number): void;
  /** A metric sample (does not count lines: pair it with `consume` or `event`). */
  metric(sample: MetricSample): void;
  /** Lines used without becoming a record of their own (a CSV header, a JSON document's lines). */
  consume(lines: number): void;
  skip(line: number, reason: string, text: string): void;
  /** A problem with the input as a whole that is not one line's fault (listed with the input's warnings). */
  warn?(message: string): void;
}

export interface ParseOptions {
  /** A PostgreSQL `log_line_prefix` to read stderr lines with (`--pg-prefix`). */
  pgPrefix?: string;
}

export interface ParseContext {
  /** The service to attribute records to when the record itself does not say. */
  service: string;
  /** Index of the input in this run. */
  input: number;
  /** The input's path (`-` for standard input), for formats that take a hint from the file name. */
  path?: string;
  sink: EventSink;
  options: ParseOptions;
}

/** Receives an input's lines in order (without line terminators), then `end()`. */
export interface LineParser {
  line(text: string, lineNo: number): void;
  /**
   * line() for a line read in place: the line is `text.slice(from, to)`, where `text` may hold
   * many lines (line-splitter.ts decodes ~64 KiB at a time rather than line by line), and its
   * characters are at hand as bytes: `bytes[off + i]` is `text.charCodeAt(i)` for from <= i < to
   * (ASCII, as read). Optional: a format that reads bytes faster than characters implements it;
   * the splitter calls it when it can. Whatever the format keeps beyond the line must not be a
   * slice of `text` (see own-string.ts): it would keep the whole piece alive.
   */
  lineAt?(text: string, from: number, to: number, lineNo: number, bytes: Uint8Array, off: number): void;
  end(): void;
}

export interface InputFormat {
  id: string;
  title: string;
  /** How the format is recognised, for `hindsight formats`. */
  recognisedBy: string;
  example: string;
  /** `options` are the run's parse options (a `--pg-prefix` lets the postgres formats recognise custom prefixes). */
  sniff(lines: readonly string[], options?: ParseOptions): SniffResult;
  create(ctx: ParseContext): LineParser;
}

/** Fraction of non-blank sample lines for which `test` holds (0 when there are none). */
export function shareOf(lines: readonly string[], test: (line: string) => boolean): number {
  let n = 0;
  let hit = 0;
  for (const l of lines) {
    if (l.length === 0 || l.trim().length === 0) continue;
    n++;
    if (test(l)) hit++;
  }
  return n === 0 ? 0 : hit / n;
}

/** Whether a parsed JSON value is an object (not null, not an array). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * For a JSON-lines format's sniff: the object a sample line holds, or null. Parsed only when the
 * line opens with `{` and holds one of `needles` (the format's own keys, when it has such keys):
 * the cheap test first, as every format's sniff reads the same first lines.
 */
export function sniffedJsonObject(l: string, ...needles: string[]): Record<string, unknown> | null {
  if (l.charCodeAt(0) !== 123 || (needles.length > 0 && !needles.some((n) => l.indexOf(n) !== -1))) return null;
  try {
    const o: unknown = JSON.parse(l);
    return isJsonObject(o) ? o : null;
  } catch {
    return null;
  }
}

/** The JSON object on a line (nesting bounded, see json-depth.ts), or null after telling the sink why the line is skipped. */
/** jsonObjectOrSkip for a line of a JSON-lines format, where a blank line is skipped as blank rather than as invalid JSON. */
export function jsonLineOrSkip(text: string, lineNo: number, sink: EventSink, depth: DepthTally): Record<string, unknown> | null {
  if (text.trim().length === 0) {
    sink.skip(lineNo, 'blank line', text);
    return null;
  }
  return jsonObjectOrSkip(text, lineNo, sink, depth);
}

export function jsonObjectOrSkip(text: string, lineNo: number, sink: EventSink, depth: DepthTally): Record<string, unknown> | null {
  let o: unknown;
  try {
    o = parseJsonBounded(text, depth, lineNo);
  } catch {
    sink.skip(lineNo, 'not valid JSON', text);
    return null;
  }
  if (!isJsonObject(o)) {
    sink.skip(lineNo, 'not a JSON object', text);
    return null;
  }
  return o as Record<string, unknown>;
}
