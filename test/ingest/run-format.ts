// Test helper: runs a format's parser over lines held in memory, or reads a text through
// readInput (sniffing included) via the injectable stdin, and checks line accounting every time.
import { expect } from 'vitest';
import { Readable } from 'node:stream';
import type { InputFormat } from '../../src/ingest/format.js';
import type { LogEvent, MetricSample, InputSummary } from '../../src/model.js';
import { readInput, type ReadOptions } from '../../src/ingest/read-input.js';

export interface FormatRun {
  events: LogEvent[];
  metrics: MetricSample[];
  skipped: { line: number; reason: string; text: string }[];
  consumed: number;
  eventLines: number;
  warnings: string[];
}

/** Feeds `lines` to a fresh parser of `format`; asserts every line was accounted for exactly once. */
export function runFormat(format: InputFormat, lines: readonly string[], opts: { service?: string; path?: string } = {}): FormatRun {
  const run: FormatRun = { events: [], metrics: [], skipped: [], consumed: 0, eventLines: 0, warnings: [] };
  const parser = format.create({
    service: opts.service ?? 'svc',
    input: 0,
    path: opts.path,
    options: {},
    sink: {
      event(ev, n) {
        run.events.push(ev);
        run.eventLines += n;
      },
      metric(s) {
        run.metrics.push(s);
      },
      consume(n) {
        run.consumed += n;
      },
      skip(line, reason, text) {
        run.skipped.push({ line, reason, text });
      },
      warn(m) {
        run.warnings.push(m);
      },
    },
  });
  lines.forEach((l, i) => parser.line(l, i + 1));
  parser.end();
  expect(run.eventLines + run.consumed + run.skipped.length).toBe(lines.length);
  return run;
}

/** Reads `content` as standard input through readInput; asserts lines === events + skipped. */
export async function readText(
  content: string | Buffer | (string | Buffer)[],
  options: ReadOptions = {},
): Promise<{ summary: InputSummary; events: LogEvent[]; metrics: MetricSample[] }> {
  const chunks = (Array.isArray(content) ? content : [content]).map((c) => (typeof c === 'string' ? Buffer.from(c) : c));
  const events: LogEvent[] = [];
  const metrics: MetricSample[] = [];
  const summary = await readInput('-', 0, { event: (e) => events.push(e), metric: (m) => metrics.push(m) }, { stdin: Readable.from(chunks), ...options });
  expect(summary.lines).toBe(summary.events + summary.skipped);
  expect(summary.warnings.filter((w) => w.startsWith('internal'))).toEqual([]);
  return { summary, events, metrics };
}
