// The nightly digest's memory between runs: findings by stable id with their counts per run,
// the template keys seen so far, and the previous run's error rate. Written atomically (a temp
// file in the same directory, then a rename), so a crash or a full disk never leaves half a state.
// A missing state is a first run; a state that cannot be read or parsed is an error, never
// silently replaced (that would report every finding as new).
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { FindingSeverity } from '../model.js';
import type { Position, PullRecord } from '../sources/railway/pull.js';
import { keyOfMs } from '../sources/railway/paging.js';

/** Fields added since (a Railway position's `until`, `late`, `deployments`, `late.logs`) are optional: a state written before them still loads. */
export const STATE_VERSION = 1;
/** Runs of history kept per finding. */
export const HISTORY = 14;
/** A resolved finding is forgotten after this many runs without it. */
export const FORGET_AFTER = 30;
/** Template keys remembered at most (the oldest are dropped first). */
export const MAX_TEMPLATE_KEYS = 50_000;

export interface FindingHistory {
  detector: string;
  title: string;
  severity: FindingSeverity;
  /** Count per run, oldest first, the last entry being the latest run (0 = absent that run). */
  counts: number[];
  /** Run numbers (1-based) of the first and the latest run that had it. */
  firstRun: number;
  lastRun: number;
}

export interface RunFigures {
  run: number;
  window: { start: string | null; end: string | null };
  records: number;
  errors: number;
  /** Errors per record (0..1), or null without records. */
  errorRate: number | null;
  /** Errors per hour of window, or null without a window. */
  errorsPerHour: number | null;
}

export interface DigestState {
  schemaVersion: number;
  tool: string;
  runs: number;
  lastRun: RunFigures | null;
  findings: Record<string, FindingHistory>;
  /** Template keys seen in any run, in the order first seen. */
  templates: string[];
  /** With --railway: where each service's next fetch starts. */
  railway?: RailwayPositions;
}

/** Per Railway service id, the last entry a digest read (its time and the identities at that time), and lines read so far. */
export interface RailwayPositions {
  project: string;
  environment: string;
  services: Record<string, Position & { name: string; lines: number }>;
}

/**
 * The positions after a fetch: a service read to the end of the window moves to its newest entry
 * (or stays where it was when nothing new came; a service never seen starts at the window's
 * start) and to the window's end; one the fetch did not finish stays, so that the next run reads
 * its night again rather than leave a gap.
 */
export function nextPositions(prev: RailwayPositions | undefined, record: PullRecord): RailwayPositions {
  const services = { ...(prev?.services ?? {}) };
  for (const s of record.services) {
    if (!s.complete) continue;
    const before = services[s.id];
    const at = s.position ?? before ?? { key: keyOfMs(Date.parse(record.window.since)), edge: {} };
    services[s.id] = { name: s.name, key: at.key, edge: at.edge, until: record.window.until, late: s.late, deployments: s.listed, lines: (before?.lines ?? 0) + s.lines };
  }
  return { project: record.project.id, environment: record.environment.id, services };
}

/** A state file that exists but cannot be used (exit code 2). */
export class StateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateError';
  }
}

/** Reads the state at `path`; null when there is no such file (first run). */
export function readState(path: string): DigestState | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new StateError(`cannot read the digest state ${path}: ${code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new StateError(`the digest state ${path} is corrupt (not JSON: ${(e as Error).message}); move it away to start over`);
  }
  const problem = checkState(raw);
  if (problem) throw new StateError(`the digest state ${path} is not a hindsight digest state (${problem}); move it away to start over`);
  return raw as DigestState;
}

/** Writes the state atomically: a temporary file beside it, then a rename over it. Its folder is created when missing (`--state .hindsight/state.json` on a first run). */
export function writeState(path: string, state: DigestState): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    makeFolder(dirname(path));
    writeFileSync(tmp, JSON.stringify(state, null, 1) + '\n');
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // Nothing was written, or it is already gone.
    }
    throw new StateError(`cannot write the digest state ${path}: ${(e as Error).message}`);
  }
}

/**
 * Creates `dir` and its missing parents (the lock creates the state's folder before the state is read). Not mkdirSync's `recursive`, which loops forever on a
 * parent that exists but refuses children (measured on Node 20 under /proc/self).
 */
export function makeFolder(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw e;
    makeFolder(dirname(dir));
    mkdirSync(dir);
  }
}

function isStrings(x: unknown): boolean {
  return Array.isArray(x) && x.every((v) => typeof v === 'string');
}

function checkState(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not an object';
  const s = raw as Record<string, unknown>;
  if (s.schemaVersion !== STATE_VERSION) return `schemaVersion ${JSON.stringify(s.schemaVersion)}, expected ${STATE_VERSION}`;
  if (typeof s.runs !== 'number' || s.runs < 0) return 'runs is not a number';
  if (typeof s.findings !== 'object' || s.findings === null || Array.isArray(s.findings)) return 'findings is not an object';
  for (const [id, h] of Object.entries(s.findings as Record<string, unknown>)) {
    const f = h as Record<string, unknown>;
    if (typeof f !== 'object' || f === null || !Array.isArray(f.counts) || !f.counts.every((c) => typeof c === 'number') || typeof f.title !== 'string' || typeof f.lastRun !== 'number') {
      return `finding ${id} is malformed`;
    }
  }
  if (!Array.isArray(s.templates) || !s.templates.every((k) => typeof k === 'string')) return 'templates is not a list of keys';
  if (s.railway !== undefined) {
    const r = s.railway as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || typeof r.project !== 'string' || typeof r.services !== 'object' || r.services === null) return 'railway is malformed';
    for (const [id, p] of Object.entries(r.services as Record<string, unknown>)) {
      const x = p as Record<string, unknown>;
      if (typeof x !== 'object' || x === null || typeof x.key !== 'string' || typeof x.edge !== 'object' || x.edge === null || (x.until !== undefined && Number.isNaN(Date.parse(String(x.until))))) return `railway position of ${id} is malformed`;
      const late = x.late as Record<string, unknown> | undefined;
      const deployments = x.deployments as Record<string, unknown> | undefined;
      if (deployments !== undefined && (typeof deployments !== 'object' || deployments === null || !Object.values(deployments).every((v) => typeof v === 'string'))) return `railway position of ${id} is malformed (deployments)`;
      if (late !== undefined && (typeof late !== 'object' || late === null || typeof late.httpFrom !== 'string' || Number.isNaN(Date.parse(String(late.samplesFrom))) || !isStrings(late.http) || !isStrings(late.samples) || (late.logs !== undefined && (!isStrings(late.logs) || typeof late.logsFrom !== 'string')))) return `railway position of ${id} is malformed (late)`;
    }
  }
  if (s.lastRun !== null && (typeof s.lastRun !== 'object' || typeof (s.lastRun as Record<string, unknown>).records !== 'number')) return 'lastRun is malformed';
  return null;
}
