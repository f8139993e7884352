// `hindsight templates`: the templates the miner found, as a table, as JSON, or one line per
// input line (`--per-line`, written after all input so every line gets its final template).
import { closeSync, openSync, writeSync } from 'node:fs';
import { Option, type Command } from 'commander';
import Table from 'cli-table3';
import { readTimeline } from '../pipeline.js';
import type { TemplateSummary, TimelineSummary } from '../timeline/timeline.js';
import { cutText, inline, redactDeep } from '../redact.js';
import { interruptible, UsageError, type Io } from './io.js';
import { plural } from '../words.js';

type PerLine = readonly { input: number; line: number; template: number }[];

interface TemplatesOptions {
  format: string;
  output?: string;
  perLine?: boolean;
  inputFormat?: string;
  service?: string;
  pgPrefix?: string;
  maxTemplates?: string;
  limit: string;
}

export function registerTemplates(program: Command, io: Io): void {
  program
    .command('templates')
    .description('Group log messages into templates ("Request failed: GET <*>") and list them with counts.')
    .argument('[inputs...]', 'files, directories, .gz files, or - for standard input (default: standard input)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--per-line', 'for every input line, in input order: "<template id>\\t<template text>"')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .option('--input-format <name>', 'read every input as this format (raw: every line is a bare message)')
    .option('--service <name>', 'service name for records that do not carry one (default: from the file name)')
    .option('--pg-prefix <prefix>', "PostgreSQL log_line_prefix to read stderr logs with (e.g. '%t [%p]: ')")
    .option('--max-templates <n>', 'templates kept at most; messages beyond are counted in an overflow template (default 5000)')
    .option('--limit <n>', 'table rows at most (0: all)', '50')
    .addHelpText(
      'after',
      `
Examples:
  hindsight templates api.jsonl
  hindsight templates --format json logs/ > templates.json
  hindsight templates --per-line --input-format raw messages.txt

With --per-line, output line N belongs to input line N (inputs one after the other). A line that
is part of a multi-line record (traceback, PostgreSQL DETAIL/STATEMENT) gets its record's
template; a line that could not be read gets "-\\t<skipped: reason>".`,
    )
    .action(async (inputs: string[], opts: TemplatesOptions) => {
      if (inputs.length === 0 && io.stdinIsTTY === true) throw new UsageError('no input: name log files or directories, or pipe logs in');
      const maxTemplates = opts.maxTemplates === undefined ? undefined : positiveInt(opts.maxTemplates, '--max-templates');
      const limit = opts.limit === '0' ? Infinity : positiveInt(opts.limit, '--limit');
      const sig = interruptible();
      let summary: TimelineSummary;
      let perLine: PerLine;
      try {
        let timeline;
        ({ summary, timeline } = await readTimeline(inputs, {
          inputFormat: opts.inputFormat,
          service: opts.service,
          pgPrefix: opts.pgPrefix,
          shouldStop: sig.shouldStop,
          stdin: io.stdin,
          maxTemplates,
          perLine: opts.perLine === true,
        }));
        perLine = timeline.perLine ?? [];
      } finally {
        sig.dispose();
      }
      const out = openOut(opts.output, io);
      try {
        if (opts.perLine) writePerLine(summary, perLine, out.write);
        else if (opts.format === 'json') out.write(JSON.stringify(templatesJson(summary), null, 2) + '\n');
        else {
          const onTerminal = io.stdoutIsTTY === true && !opts.output;
          out.write(templatesTable(summary, limit, onTerminal, onTerminal && process.stdout.columns ? process.stdout.columns : undefined));
        }
      } finally {
        out.close();
      }
    });
}

function positiveInt(s: string, flag: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} ${JSON.stringify(s)}: expected a positive whole number`);
  return n;
}

/** Standard output or a file, written in pieces (per-line output can be large). */
function openOut(file: string | undefined, io: Io): { write: (s: string) => void; close: () => void } {
  if (!file || file === '-') return { write: io.stdout, close: () => {} };
  let fd: number;
  try {
    fd = openSync(file, 'w');
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
  }
  return { write: (s) => void writeSync(fd, s), close: () => closeSync(fd) };
}

/**
 * One output line per input line. Records carry the number of their first line; the lines up to
 * the next record are its continuation lines and share its template. Lines known to be skipped
 * (and lines before any record) print `-`.
 */
export function writePerLine(summary: TimelineSummary, perLine: PerLine, write: (s: string) => void): void {
  const texts = summary.templates.map((t) => `${t.id}\t${inline(t.text)}\n`);
  let buf = '';
  const flush = () => {
    write(buf);
    buf = '';
  };
  let k = 0;
  for (let input = 0; input < summary.inputs.length; input++) {
    const inp = summary.inputs[input]!;
    const skipped = new Map(inp.skippedExamples.map((s) => [s.line, s.reason]));
    // Records of this input, in line order (they arrive in order; sort defensively).
    const start = k;
    while (k < perLine.length && perLine[k]!.input === input) k++;
    const recs = perLine.slice(start, k).sort((a, b) => a.line - b.line);
    let r = 0;
    let current: string | null = null;
    for (let line = 1; line <= inp.lines; line++) {
      while (r < recs.length && recs[r]!.line <= line) current = texts[recs[r++]!.template] ?? null;
      const own = r > 0 && recs[r - 1]!.line === line;
      const reason = own ? undefined : skipped.get(line);
      if (reason !== undefined) buf += `-\t<skipped: ${inline(reason)}>\n`;
      else buf += current ?? '-\t<no record>\n';
      if (buf.length > 65536) flush();
    }
  }
  flush();
}

/** The templates as JSON: most frequent first; every string redacted, as in every output. */
export function templatesJson(summary: TimelineSummary): unknown {
  const total = summary.totals.records;
  return redactDeep({
    records: total,
    templates: byCount(summary.templates).map((t) => ({
      id: t.id,
      key: t.key,
      service: t.service,
      source: t.source,
      text: t.text,
      emptyTail: t.emptyTail,
      count: t.count,
      share: total > 0 ? t.count / total : 0,
      first: iso(t.first),
      last: iso(t.last),
      worst: t.worst,
      levels: t.levels,
      examples: t.examples.map((e) => ({ location: `${summary.inputPaths[e.input] ?? e.input}:${e.line}`, timestamp: iso(e.ts), text: e.text })),
    })),
    maxTemplates: summary.miner.maxTemplates,
    overflow: summary.miner.overflow,
  });
}

/**
 * The templates as a terminal table: most frequent first, at most `limit` rows, fitted to `width`
 * columns (the terminal's, 160 when not a terminal). The template column takes what the counts and
 * times leave; below 150 columns the example goes, below 110 the last-seen time too, so that the
 * template stays readable.
 */
export function templatesTable(summary: TimelineSummary, limit: number, color = false, width = 160): string {
  const total = summary.totals.records;
  const sorted = byCount(summary.templates).filter((t) => t.count > 0);
  const withExample = width >= 150;
  const withLast = width >= 110;
  const head = ['id', 'count', 'share', 'first seen (UTC)', ...(withLast ? ['last seen (UTC)'] : []), 'worst', 'service'];
  const nFixed = head.length;
  head.push('template', ...(withExample ? ['example'] : []));
  const rows = sorted.slice(0, limit).map((t) => {
    const ex = t.examples[0];
    return [
      String(t.id),
      String(t.count),
      total > 0 ? `${((100 * t.count) / total).toFixed(1)}%` : '-',
      clock(t.first),
      ...(withLast ? [clock(t.last)] : []),
      t.worst,
      inline(t.service),
      clip(t.text) + (t.emptyTail ? ' (empty tail)' : ''),
      ...(withExample ? [ex ? `${clip(ex.text)}\n(${inline(`${summary.inputPaths[ex.input] ?? ex.input}:${ex.line}`)})` : ''] : []),
    ];
  });
  // The fixed columns as wide as their widest cell (plus cli-table3's padding of one a side), the
  // text columns what is left of the width after them and the borders.
  const fixed = head.slice(0, nFixed).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)) + 2);
  const left = width - fixed.reduce((a, b) => a + b, 0) - (head.length + 1);
  const text = Math.max(12, Math.floor(left / (withExample ? 2 : 1)));
  const table = new Table({ head, wordWrap: true, style: { head: color ? ['bold'] : [], border: color ? ['grey'] : [] }, colWidths: [...fixed, text, ...(withExample ? [text] : [])] });
  for (const r of rows) table.push(r);
  let s = table.toString() + '\n';
  s += `${plural(sorted.length, 'template')} from ${plural(total, 'record')}`;
  if (sorted.length > limit) s += ` (${limit} shown; --limit 0 for all)`;
  s += '\n';
  if (summary.miner.overflow > 0) s += `${summary.miner.overflow} messages found no room under the cap of ${summary.miner.maxTemplates} templates and were counted in an overflow template (raise --max-templates).\n`;
  return s;
}

/** `2026-02-07 19:12:02` (UTC), or `-`. */
function clock(ts: number | null): string {
  return ts === null ? '-' : new Date(ts).toISOString().slice(0, 19).replace('T', ' ');
}

function byCount(ts: readonly TemplateSummary[]): TemplateSummary[] {
  return ts.slice().sort((a, b) => b.count - a.count || a.id - b.id);
}

function iso(ts: number | null): string | null {
  return ts === null ? null : new Date(ts).toISOString();
}

/** A template or example for a table cell: redacted whole, on one line, at most 200 characters. */
function clip(s: string): string {
  return inline(cutText(s, 200));
}
