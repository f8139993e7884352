// What `analyze` and `digest` share: the options that choose the inputs and the window, and the
// run from inputs to findings with its checks (help instead of waiting on a terminal, a clear error
// when nothing could be read, the configuration applied).
import type { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeSummary, newestTimestamp, readTimeline, type Analysis as SummaryAnalysis } from '../pipeline.js';
import { loadConfig, ignoreMatcher, type HindsightConfig } from '../config.js';
import type { TimelineSummary } from '../timeline/timeline.js';
import type { RunInfo } from '../report/json.js';
import { interruptible, UsageError, type Io } from './io.js';
import { createProgress, totalSize } from './progress.js';
import { needsAnchor, parseTimeSpec, resolveWindow } from './time-range.js';
import { inputName, isoSeconds, plural } from '../words.js';
import type { Position, PullRecord } from '../sources/railway/pull.js';
import { addRailwayOptions, fetchRailway, railwayWindow, type RailwayOptions } from './railway-source.js';
import { readClickHouse } from './clickhouse-source.js';
import { isClickHouseUrl } from '../sources/clickhouse/target.js';

export interface InputOptions extends RailwayOptions {
  inputFormat?: string;
  /** Repeatable for --railway (the services to fetch); otherwise one name. */
  service?: string[];
  railway?: boolean;
  pgPrefix?: string;
  since?: string;
  until?: string;
  config?: string;
  progress?: boolean;
  title?: string;
  jobs?: number;
}

/** Adds the options every analyzing command takes. */
export function addInputOptions(cmd: Command): Command {
  cmd
    .option('--since <time>', 'only records at or after this time: 30s, 5m, 2h, 1d, 1w before the newest record (before now for standard input and --railway), or ISO 8601')
    .option('--until <time>', 'only records at or before this time (same forms as --since)')
    .option('--config <file>', 'configuration file (default: ./hindsight.config.json when present)')
    .option('--input-format <name>', 'read every input as this format instead of detecting it (see `hindsight formats`)')
    .option('--service <name>', 'service name for records that do not carry one (default: from the file name); with --railway or a clickhouse:// input, a service to read (repeat for several)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--pg-prefix <prefix>', "PostgreSQL log_line_prefix to read stderr logs with, as in postgresql.conf (e.g. '%t [%p]: ')")
    .option('--no-progress', 'no progress bar on standard error while reading')
    .option('--jobs <n>', 'files read at once, each in a thread of its own (default: the cores available; 1 when the inputs total under 16 MB, and for standard input); the output is the same for every value', parseJobs)
    .option('--railway', "fetch the window from Railway's API instead of reading inputs (with --project, --environment, --since; token in RAILWAY_TOKEN or RAILWAY_API_TOKEN; docs/railway.md)");
  return addRailwayOptions(cmd, { serviceOption: false });
}

/** --jobs: a whole number from 1 up. */
function parseJobs(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--jobs ${v}: give a whole number of threads, 1 or more`);
  return n;
}

/** The analysis (findings, detector runs, conclusions) with the timeline it was made of and how the run was asked for. */
export interface Analysis extends SummaryAnalysis {
  timeline: TimelineSummary;
  run: RunInfo;
  config: HindsightConfig;
  /** With --railway: the record of the fetch (what was read of each service, and from where the next run goes on). */
  railway?: PullRecord;
}

/** Thrown when there is nothing to read and a terminal is waiting: the command prints its help. */
export class NeedsInput extends UsageError {
  constructor() {
    super('no input: name log files or directories, or pipe logs in (e.g. railway logs --json | hindsight analyze)');
  }
}

/**
 * Reads the inputs and runs the detectors, as configured. Throws UsageError/InputError/ConfigError.
 * With --railway the inputs are fetched first: into a temporary directory, a page at a time (the
 * API pages newest first, and the parsers read each service oldest first), then read as files are
 * and removed; `from` starts each service after the entry an earlier run read last (the digest).
 */
export async function runAnalysis(inputs: string[], opts: InputOptions, io: Io, from?: Record<string, Position>): Promise<Analysis> {
  if (opts.railway && inputs.length > 0) throw new UsageError(`--railway fetches the logs itself: name no inputs with it (got ${inputs[0]})`);
  if (!opts.railway && inputs.length === 0 && io.stdinIsTTY === true) throw new NeedsInput();
  const clickhouse = inputs.find(isClickHouseUrl);
  if (clickhouse !== undefined && inputs.length > 1) throw new UsageError('a clickhouse:// input is read on its own: name no other input with it');
  if (!opts.railway && clickhouse === undefined && (opts.service?.length ?? 0) > 1) throw new UsageError('--service names one service for the records that do not carry one; several only with --railway or a clickhouse:// input');
  const config = loadConfig(opts.config, io.cwd);
  if (clickhouse !== undefined) return analyzeClickHouse(clickhouse, opts, io, config);
  // With --railway the window is the fetch's: what comes back is not filtered again.
  const since = opts.since !== undefined && !opts.railway ? parseTimeSpec(opts.since, '--since') : undefined;
  const until = opts.until !== undefined && !opts.railway ? parseTimeSpec(opts.until, '--until') : undefined;
  let paths = inputs.length === 0 ? ['-'] : inputs;
  let fetched: { dir: string; record: PullRecord } | null = null;
  if (opts.railway) {
    const fetchWindow = railwayWindow(opts);
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-railway-'));
    // Ctrl-C during the fetch stops the fetch: what came is analyzed (a second one exits).
    const stopFetch = interruptible();
    try {
      fetched = { dir, record: await fetchRailway(opts, io, dir, stopFetch.signal, from, fetchWindow) };
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    } finally {
      stopFetch.dispose();
    }
    paths = [dir];
  }
  const sig = interruptible();
  try {
    const readOpts = { inputFormat: opts.inputFormat, service: opts.railway ? undefined : opts.service?.[0], pgPrefix: opts.pgPrefix, shouldStop: sig.shouldStop, stdin: io.stdin };
    let anchor: number | null = null;
    if (needsAnchor(since, until)) {
      anchor = paths.includes('-') ? Date.now() : await newestTimestamp(paths, readOpts);
      if (anchor === null) throw new UsageError(`--since/--until ${since?.text ?? until?.text}: no record in the inputs has a time to count back from`);
    }
    const window = resolveWindow(since, until, anchor);
    const progress = createProgress(io, opts.progress !== false, totalSize(paths));
    let read;
    try {
      read = await readTimeline(paths, {
        ...readOpts,
        ...window,
        onProgress: progress.onProgress,
        serviceAliases: config.services,
        jobs: opts.jobs,
        ignore: ignoreMatcher(config),
        // Fetched inputs are named for where they came from, not for a directory that is about to go.
        nameOf: fetched !== null ? (p: string) => `railway:${p.slice(fetched.dir.length + 1)}` : undefined,
      });
    } finally {
      progress.done();
    }
    const { summary, leftOut } = read;
    if (summary.totals.records === 0 && summary.metrics.length === 0) throw new UsageError(nothingReadMessage(summary, leftOut.outsideWindow, leftOut.ignored, window, needsAnchor(since, until)));
    const { findings, runs, conclusions } = analyzeSummary(summary, config.detectors);
    const run: RunInfo = { ...window, outsideWindow: leftOut.outsideWindow, ignored: leftOut.ignored };
    if (fetched !== null) {
      run.since = Date.parse(fetched.record.window.since);
      run.until = Date.parse(fetched.record.window.until);
    }
    if (opts.title) run.title = opts.title;
    if (config.path) run.configPath = config.path;
    return { timeline: summary, findings, runs, conclusions, run, config, ...(fetched !== null ? { railway: fetched.record } : {}) };
  } finally {
    sig.dispose();
    if (fetched !== null) rmSync(fetched.dir, { recursive: true, force: true });
  }
}

/** The analysis of a clickhouse:// input: its services' records, with the window and --service in the query. */
async function analyzeClickHouse(url: string, opts: InputOptions, io: Io, config: HindsightConfig): Promise<Analysis> {
  const since = opts.since !== undefined ? parseTimeSpec(opts.since, '--since') : undefined;
  const until = opts.until !== undefined ? parseTimeSpec(opts.until, '--until') : undefined;
  const sig = interruptible();
  try {
    const read = await readClickHouse(
      url,
      { since, until, services: opts.service ?? [] },
      { shouldStop: sig.shouldStop, pgPrefix: opts.pgPrefix, serviceAliases: config.services, ignore: ignoreMatcher(config) },
      sig.signal,
      io.env ?? process.env,
      io.clickhouse,
    );
    const { summary, leftOut, window } = read;
    const { findings, runs, conclusions } = analyzeSummary(summary, config.detectors);
    const run: RunInfo = { ...window, outsideWindow: leftOut.outsideWindow, ignored: leftOut.ignored };
    if (opts.title) run.title = opts.title;
    if (config.path) run.configPath = config.path;
    return { timeline: summary, findings, runs, conclusions, run, config };
  } finally {
    sig.dispose();
  }
}

function nothingReadMessage(t: TimelineSummary, outside: number, ignored: number, window: { since?: number; until?: number }, relative: boolean): string {
  const lines = t.inputs.reduce((a, i) => a + i.lines, 0);
  const names = t.inputs.map((i) => inputName(i.path)).join(', ');
  if (outside > 0 && ignored === 0) {
    const w = `${window.since !== undefined ? isoSeconds(window.since) : 'the start'} to ${window.until !== undefined ? isoSeconds(window.until) : 'the end'}`;
    // Where the records are, so that the window can be given again around them.
    const firsts = t.inputs.map((i) => i.firstTs).filter((x): x is number => x !== null);
    const lasts = t.inputs.map((i) => i.lastTs).filter((x): x is number => x !== null);
    const span = firsts.length > 0 ? `; they run from ${isoSeconds(Math.min(...firsts))} to ${isoSeconds(Math.max(...lasts))}` : '';
    const fromNow = relative && t.inputs.some((i) => i.path === '-') ? ' (for standard input, --since and --until count back from now: give ISO times to choose another window)' : '';
    return `no record of ${names} falls in the window ${w} (${plural(outside, 'record or sample', 'records and samples')} ${outside === 1 ? 'is' : 'are'} outside it${span})${fromNow}`;
  }
  if (ignored > 0 && outside === 0) return `every record of ${names} matched the configuration's ignoreTemplates (${plural(ignored, 'record')})`;
  if (outside > 0 || ignored > 0) return `no record of ${names} is left: ${outside} outside the window, ${ignored} matched ignoreTemplates`;
  if (lines === 0) {
    // Empty, or why not: a corrupt gzip file, a file in a directory that is not a log.
    const why = t.inputs.map((i) => ({ i, w: i.warnings.find((w) => w !== 'the input is empty') })).filter((x) => x.w !== undefined);
    if (why.length === 0) return `no line could be read: ${names} ${t.inputs.length === 1 ? 'is' : 'are'} empty`;
    return `no line could be read: ${why.map(({ i, w }) => `${inputName(i.path)}: ${w}`).join('; ')}`;
  }
  const first = t.inputs.find((i) => i.skippedExamples.length > 0)?.skippedExamples[0];
  return `no line could be read from ${names}: ${plural(lines, 'line')}, all skipped${first ? ` (line ${first.line}: ${first.reason})` : ''}; try --input-format (see hindsight formats)`;
}
