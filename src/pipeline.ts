// The run, from inputs to conclusions: read every input into one timeline, run the detectors, then
// draw what their findings imply (src/conclusions/).
// The CLI calls this; tests call it too.
import type { Finding, InputSummary } from './model.js';
import { FINDING_SEVERITY_RANK } from './model.js';
import { promises as fsp } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Timeline, type TimelineSummary } from './timeline/timeline.js';
import { NotALogError } from './ingest/input-error.js';
import { expandInputs } from './ingest/input-paths.js';
import { unreadInput } from './ingest/input-summary.js';
import { readInput, type ReadOptions } from './ingest/read-input.js';
import type { InputReceiver } from './ingest/input-summary.js';
import type { Readable } from 'node:stream';
import { DETECTORS, type DetectorFinding } from './detectors/registry.js';
import { aliasesOf, filteredReceiver, readPart, type LeftOut, type PartResult, type PartTask, type RecordFilters } from './read-part.js';
import { readInWorkers, WORKERS_AVAILABLE } from './read-pool.js';
import type { Detector, DetectorOptionValue } from './detectors/detector.js';
import { conclude, type Conclusions } from './conclusions/insights.js';

export interface TimelineRunOptions extends ReadOptions, RecordFilters {
  maxTemplates?: number;
  perLine?: boolean;
  /** An input's name in the report and every message, from its path (default: the path). */
  nameOf?: (path: string) => string;
  /**
   * Inputs read at once, each in a worker thread (default: the cores available, one when the inputs
   * are too small for threads to pay: defaultJobs). Several files are read as parts whatever this is
   * (see read-part.ts), so the output is the same for every value.
   */
  jobs?: number;
}

export type { LeftOut } from './read-part.js';

/**
 * Total bytes of input under which one thread reads as fast as several: a worker thread costs
 * about 0.11 s of CPU to start (loading the reader and the timeline) and 9 MB, which halving the
 * reading pays back from ~4 MB of PostgreSQL stderr and ~30 MB of Railway JSON on 2 cores
 * (docs/PERFORMANCE.md, "Parallel reading").
 */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

/** The jobs for `files` when --jobs is not given: the cores available, or one for small inputs (and for standard input, read as one stream). */
export async function defaultJobs(files: readonly string[]): Promise<number> {
  if (files.includes('-')) return 1;
  let total = 0;
  for (const f of files) total += await fsp.stat(f).then((s) => (s.isFile() ? s.size : 0), () => 0);
  return total < PARALLEL_MIN_BYTES ? 1 : availableParallelism();
}

/** Reads the inputs (files, directories, `-`) into one timeline. Throws InputError on unreadable input. */
export async function readTimeline(paths: readonly string[], options: TimelineRunOptions = {}): Promise<{ timeline: Timeline; summary: TimelineSummary; leftOut: LeftOut }> {
  const files = await expandInputs(paths.length === 0 ? ['-'] : paths);
  const named = new Set(paths.length === 0 ? ['-'] : paths);
  // Several files are read as parts, merged in input order: the same output whether the parts are
  // read here one after the other or in worker threads (standard input is one stream, read here).
  if (files.length > 1 && !files.includes('-')) {
    const { timeline, leftOut } = timelineRun(options);
    const tasks = files.map((f): PartTask => partTask(f, named.has(f), options));
    const take = (r: PartResult) => {
      timeline.absorb(r.partial);
      leftOut.outsideWindow += r.leftOut.outsideWindow;
      leftOut.ignored += r.leftOut.ignored;
    };
    const jobs = Math.max(1, Math.min(options.jobs ?? (await defaultJobs(files)), files.length));
    if (jobs > 1 && WORKERS_AVAILABLE) await readInWorkers(tasks, jobs, take, { shouldStop: options.shouldStop, onProgress: options.onProgress });
    else {
      let before = 0;
      for (const t of tasks) {
        let last = 0;
        const onProgress = options.onProgress && ((bytes: number) => options.onProgress!(before + (last = bytes)));
        take(await readPart(t, { shouldStop: options.shouldStop, onProgress }));
        before += last;
        if (options.shouldStop?.()) break;
      }
    }
    return { timeline, summary: timeline.finish(), leftOut };
  }
  const { timeline, receiver, leftOut, aliases } = timelineRun(options);
  for (const f of files) {
    const name = options.nameOf?.(f) ?? f;
    const index = timeline.registerInput(name);
    const summary = await readInput(f, index, receiver, name === f ? options : { ...options, name }).catch((e: unknown) => unreadOrThrow(e, f, named, name));
    if (aliases !== null) summary.services = [...new Set(summary.services.map((s) => aliases.get(s) ?? s))].sort();
    timeline.addInputSummary(summary);
    if (options.shouldStop?.()) break;
  }
  return { timeline, summary: timeline.finish(), leftOut };
}

/** One file of the run as a part to read (plain data, for a worker thread). */
function partTask(path: string, named: boolean, o: TimelineRunOptions): PartTask {
  const { inputFormat, service, maxLineLength, pgPrefix } = o;
  return {
    path,
    name: o.nameOf?.(path) ?? path,
    named,
    read: { inputFormat, service, maxLineLength, pgPrefix },
    filters: { since: o.since, until: o.until, serviceAliases: o.serviceAliases, ignore: o.ignore && { source: o.ignore.source, flags: o.ignore.flags } },
    maxTemplates: o.maxTemplates,
    perLine: o.perLine,
    interests: detectorInterests().map((r) => r.source),
  };
}

/** The detectors' interests: the info-level messages the timeline keeps for them. */
function detectorInterests(): RegExp[] {
  return DETECTORS.flatMap((d) => d.meta.interests ?? []);
}

/** An input read from a stream rather than a path (a ClickHouse query's result): named for the report, opened when its turn comes. */
export interface StreamInput {
  name: string;
  /** The service of its records that do not name one. */
  service: string;
  open: () => Readable;
}

/** Reads stream inputs into one timeline, each as a file of the format `options.inputFormat` would be. */
export async function readTimelineOf(inputs: readonly StreamInput[], options: TimelineRunOptions = {}): Promise<{ timeline: Timeline; summary: TimelineSummary; leftOut: LeftOut }> {
  const { timeline, receiver, leftOut, aliases } = timelineRun(options);
  for (const input of inputs) {
    const index = timeline.registerInput(input.name);
    const summary = await readInput('-', index, receiver, { ...options, name: input.name, service: input.service, stdin: input.open() });
    if (aliases !== null) summary.services = [...new Set(summary.services.map((s) => aliases.get(s) ?? s))].sort();
    timeline.addInputSummary(summary);
    if (options.shouldStop?.()) break;
  }
  return { timeline, summary: timeline.finish(), leftOut };
}

/** A timeline for a run and the receiver that feeds it, applying the run's window, ignored templates and service aliases. */
function timelineRun(options: TimelineRunOptions): { timeline: Timeline; receiver: InputReceiver; leftOut: LeftOut; aliases: Map<string, string> | null } {
  const timeline = new Timeline({ maxTemplates: options.maxTemplates, interests: detectorInterests(), perLine: options.perLine });
  const leftOut: LeftOut = { outsideWindow: 0, ignored: 0 };
  return { timeline, receiver: filteredReceiver(timeline, options, leftOut), leftOut, aliases: aliasesOf(options) };
}

/**
 * The newest record or sample time across the inputs (epoch ms), or null when none has a time: the
 * anchor of relative --since/--until for files. Reads the inputs once without building a timeline.
 */
export async function newestTimestamp(paths: readonly string[], options: ReadOptions = {}): Promise<number | null> {
  const files = await expandInputs(paths);
  const named = new Set(paths);
  let newest: number | null = null;
  const sink = { event: () => {}, metric: () => {} };
  for (let i = 0; i < files.length; i++) {
    const s = await readInput(files[i]!, i, sink, { ...options, onProgress: undefined }).catch((e: unknown) => unreadOrThrow(e, files[i]!, named));
    if (s.lastTs !== null && (newest === null || s.lastTs > newest)) newest = s.lastTs;
    if (options.shouldStop?.()) break;
  }
  return newest;
}

/**
 * One file in a directory that is not a log (an archive, an image, a file of another format) is
 * skipped with a warning, and the rest is read; named on the command line, it is an error.
 */
function unreadOrThrow(e: unknown, path: string, named: ReadonlySet<string>, name = path): InputSummary {
  if (e instanceof NotALogError && !named.has(path)) return unreadInput(name, e.reason);
  throw e;
}

/** Detector options per detector id, overriding the detectors' defaults. */
export type DetectorConfig = Record<string, Record<string, DetectorOptionValue>>;

export interface DetectorRun {
  id: string;
  title: string;
  findings: number;
  /** Wall time of its detect() in milliseconds (for `npm run bench`; not in the reports, which stay deterministic). */
  ms?: number;
  /** Set when the detector threw: its findings are missing and the report says so. */
  error?: string;
}

/** Runs every detector (or the ones named) on the summary; findings ordered by severity, then time. */
export function runDetectors(summary: TimelineSummary, config: DetectorConfig = {}, only?: readonly string[]): { findings: DetectorFinding[]; runs: DetectorRun[] } {
  const findings: DetectorFinding[] = [];
  const runs: DetectorRun[] = [];
  for (const d of DETECTORS) {
    if (only && !only.includes(d.meta.id)) continue;
    const options = { ...d.meta.defaults, ...(config[d.meta.id] ?? {}) };
    const t0 = performance.now();
    try {
      const fs = runDetector(d, summary, options);
      // Stamped with d's id, the findings carry d's data: the registry's typing of them holds.
      findings.push(...(fs as DetectorFinding[]));
      runs.push({ id: d.meta.id, title: d.meta.title, findings: fs.length, ms: performance.now() - t0 });
    } catch (e) {
      runs.push({ id: d.meta.id, title: d.meta.title, findings: 0, ms: performance.now() - t0, error: (e as Error).message });
    }
  }
  if (process.env.HINDSIGHT_PROFILE_DETECTORS === '1') process.stderr.write(detectorProfile(runs));
  return { findings: sortFindings(findings), runs };
}

/**
 * One detector's findings, stamped with its identity: `detector` is its id and every finding id
 * starts with it (the detector says only what a finding is about). Tests run detectors through
 * this too, so they see the findings the reports see.
 */
export function runDetector<O extends Record<string, DetectorOptionValue>, D>(d: Detector<O, D>, summary: TimelineSummary, options: O): Finding<D>[] {
  const id = d.meta.id;
  return d.detect(summary, options).map(({ about, ...f }) => ({ detector: id, id: about === undefined ? id : `${id}:${about}`, ...f }));
}

/** Everything the reports draw from a summary: the findings, the detectors' runs, and their conclusions. */
export interface Analysis {
  findings: DetectorFinding[];
  runs: DetectorRun[];
  conclusions: Conclusions;
}

/** The analysis of a summary: the detectors (or the ones named), then the stage after them. */
export function analyzeSummary(summary: TimelineSummary, config: DetectorConfig = {}, only?: readonly string[]): Analysis {
  const { findings, runs } = runDetectors(summary, config, only);
  return { findings, runs, conclusions: conclude(findings, summary, runs) };
}

/** The detectors' wall times, slowest first, as a plain-text table (HINDSIGHT_PROFILE_DETECTORS=1 prints it to stderr). */
export function detectorProfile(runs: readonly DetectorRun[]): string {
  const total = runs.reduce((a, r) => a + (r.ms ?? 0), 0);
  const rows = [...runs].sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0));
  const width = Math.max(8, ...rows.map((r) => r.id.length));
  const lines = [`${'detector'.padEnd(width)}        ms  findings`];
  for (const r of rows) lines.push(`${r.id.padEnd(width)} ${(r.ms ?? 0).toFixed(1).padStart(9)}  ${String(r.findings).padStart(8)}${r.error !== undefined ? '  (failed)' : ''}`);
  lines.push(`${'total'.padEnd(width)} ${total.toFixed(1).padStart(9)}`);
  return lines.join('\n') + '\n';
}

/** Severity first (worst first), then the time of the first evidence, then id: a stable order. */
export function sortFindings<F extends Finding<unknown>>(findings: F[]): F[] {
  const timeOf = (f: F) => {
    const t = f.evidence.find((e) => e.timestamp !== null)?.timestamp;
    return t ?? '9999';
  };
  return findings.sort(
    (a, b) =>
      FINDING_SEVERITY_RANK[b.severity] - FINDING_SEVERITY_RANK[a.severity] ||
      (timeOf(a) < timeOf(b) ? -1 : timeOf(a) > timeOf(b) ? 1 : 0) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}
