// What `analyze` and `digest` share: the options that choose the inputs and the window, and the
// run from inputs to findings with its checks (help instead of waiting on a terminal, a clear error
// when nothing could be read, the configuration applied).
import type { Command } from 'commander';
import { newestTimestamp, readTimeline, runDetectors, type DetectorRun } from '../analyze.js';
import { loadConfig, ignoreMatcher, type HindsightConfig } from '../config.js';
import type { Finding } from '../model.js';
import type { TimelineSummary } from '../timeline/timeline.js';
import type { RunInfo } from '../report/json.js';
import { interruptible, UsageError, type Io } from './io.js';
import { createProgress, totalSize } from './progress.js';
import { needsAnchor, parseTimeSpec, resolveWindow } from './time-range.js';
import { inputName, plural } from '../words.js';
import { secondOf } from '../report/markdown-text.js';

export interface InputOptions {
  inputFormat?: string;
  service?: string;
  pgPrefix?: string;
  since?: string;
  until?: string;
  config?: string;
  progress?: boolean;
  title?: string;
}

/** Adds the options every analyzing command takes. */
export function addInputOptions(cmd: Command): Command {
  return cmd
    .option('--since <time>', 'only records at or after this time: 30s, 5m, 2h, 1d, 1w before the newest record (before now for standard input), or ISO 8601')
    .option('--until <time>', 'only records at or before this time (same forms as --since)')
    .option('--config <file>', 'configuration file (default: ./hindsight.config.json when present)')
    .option('--input-format <name>', 'read every input as this format instead of detecting it (see `hindsight formats`)')
    .option('--service <name>', 'service name for records that do not carry one (default: from the file name)')
    .option('--pg-prefix <prefix>', "PostgreSQL log_line_prefix to read stderr logs with, as in postgresql.conf (e.g. '%t [%p]: ')")
    .option('--no-progress', 'no progress bar on standard error while reading');
}

export interface Analysis {
  timeline: TimelineSummary;
  findings: Finding[];
  runs: DetectorRun[];
  run: RunInfo;
  config: HindsightConfig;
}

/** Thrown when there is nothing to read and a terminal is waiting: the command prints its help. */
export class NeedsInput extends UsageError {
  constructor() {
    super('no input: name log files or directories, or pipe logs in (e.g. railway logs --json | hindsight analyze)');
  }
}

/** Reads the inputs and runs the detectors, as configured. Throws UsageError/InputError/ConfigError. */
export async function runAnalysis(inputs: string[], opts: InputOptions, io: Io): Promise<Analysis> {
  if (inputs.length === 0 && io.stdinIsTTY === true) throw new NeedsInput();
  const config = loadConfig(opts.config, io.cwd);
  const since = opts.since !== undefined ? parseTimeSpec(opts.since, '--since') : undefined;
  const until = opts.until !== undefined ? parseTimeSpec(opts.until, '--until') : undefined;
  const paths = inputs.length === 0 ? ['-'] : inputs;
  const sig = interruptible();
  try {
    const readOpts = { inputFormat: opts.inputFormat, service: opts.service, pgPrefix: opts.pgPrefix, shouldStop: sig.shouldStop, stdin: io.stdin };
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
        ignore: ignoreMatcher(config),
      });
    } finally {
      progress.done();
    }
    const { summary, leftOut } = read;
    if (summary.totals.records === 0 && summary.metrics.length === 0) throw new UsageError(nothingReadMessage(summary, leftOut.outsideWindow, leftOut.ignored, window, needsAnchor(since, until)));
    const { findings, runs } = runDetectors(summary, config.detectors);
    const run: RunInfo = { ...window, outsideWindow: leftOut.outsideWindow, ignored: leftOut.ignored };
    if (opts.title) run.title = opts.title;
    if (config.path) run.configPath = config.path;
    return { timeline: summary, findings, runs, run, config };
  } finally {
    sig.dispose();
  }
}

function nothingReadMessage(t: TimelineSummary, outside: number, ignored: number, window: { since?: number; until?: number }, relative: boolean): string {
  const lines = t.inputs.reduce((a, i) => a + i.lines, 0);
  const names = t.inputs.map((i) => inputName(i.path)).join(', ');
  if (outside > 0 && ignored === 0) {
    const w = `${window.since !== undefined ? secondOf(window.since) : 'the start'} to ${window.until !== undefined ? secondOf(window.until) : 'the end'}`;
    // Where the records are, so that the window can be given again around them.
    const firsts = t.inputs.map((i) => i.firstTs).filter((x): x is number => x !== null);
    const lasts = t.inputs.map((i) => i.lastTs).filter((x): x is number => x !== null);
    const span = firsts.length > 0 ? `; they run from ${secondOf(Math.min(...firsts))} to ${secondOf(Math.max(...lasts))}` : '';
    const fromNow = relative && t.inputs.some((i) => i.path === '-') ? ' (for standard input, --since and --until count back from now: give ISO times to choose another window)' : '';
    return `no record of ${names} falls in the window ${w} (${plural(outside, 'record or sample', 'records and samples')} ${outside === 1 ? 'is' : 'are'} outside it${span})${fromNow}`;
  }
  if (ignored > 0 && outside === 0) return `every record of ${names} matched the configuration's ignoreTemplates (${plural(ignored, 'record')})`;
  if (outside > 0 || ignored > 0) return `no record of ${names} is left: ${outside} outside the window, ${ignored} matched ignoreTemplates`;
  if (lines === 0) return `no line could be read: ${names} ${t.inputs.length === 1 ? 'is' : 'are'} empty`;
  const first = t.inputs.find((i) => i.skippedExamples.length > 0)?.skippedExamples[0];
  return `no line could be read from ${names}: ${plural(lines, 'line')}, all skipped${first ? ` (line ${first.line}: ${first.reason})` : ''}; try --input-format (see hindsight formats)`;
}
