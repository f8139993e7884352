// `hindsight pull railway`: a window of a Railway environment into a directory that `hindsight
// analyze DIR` reads with no flag. Per service: its logs (`<service>.jsonl`), its edge's HTTP logs
// (`<service>.http.jsonl`, when it has a domain); for all: `deployments.json`, `metrics.json`, and
// `pull.json` (the window, lines, requests, pages, warnings, what is missing and why).
//
// Pages come newest first (paging.ts), and a file must read oldest first. Each page goes to a
// spool file under `<dir>/.pull/` (hidden: analyze does not read it) the moment it arrives, and
// pull.json records where the read stands; when a service is read, or the run is interrupted, its
// spool is joined in time order in front of what an earlier run wrote. So memory holds one page,
// every file in `<dir>` is whole lines at any moment, and a pull run again resumes where it stopped,
// also after a hard kill (SIGKILL, a power cut): every file is written whole beside its place
// (hidden, so that analyze never reads half of one) and renamed over it, pull.json is written after
// the page it counts, and a join the record does not know of yet is seen by the file's size.
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { VERSION } from '../../version.js';
import { int, plural } from '../../words.js';
import { Interrupted, RailwayError, type RailwayClient } from './client.js';
import { httpLine, logLine } from './lines.js';
import { identityOf, keyAfter, keyBeforeMs, keyOfMs, msOfKey, newestEdge, readPage, splitBy, timeKey, type Page, type PageCursor, type Split, type Stall } from './paging.js';
import {
  deploymentEnd,
  fetchDeployments,
  fetchHttpLogsBefore,
  fetchLogsBefore,
  fetchMetrics,
  fetchProject,
  hasDomain,
  LOG_PAGE_LIMIT,
  type ApiDeployment,
  type ApiHttpLog,
  type ApiLog,
  type ApiMetric,
  type Named,
} from './queries.js';

/** What to pull. */
export interface PullRequest {
  project: string;
  /** Name or id. */
  environment: string;
  /** Names or ids; empty: every service of the environment. */
  services: readonly string[];
  /** The window, epoch ms. */
  since: number;
  until: number;
  /** Per service id: where an earlier run (the digest's previous night) stopped; the read starts just after it. */
  from?: Readonly<Record<string, Position>>;
  /** Entries a request asks for (default and most: 5,000). */
  pageLimit?: number;
}

/**
 * Where a service's read stands after a run: the last log entry read (its time key and the
 * identities of the entries at that time), and the end of the window read (`until`, RFC 3339,
 * itself not read). The next run reads logs, HTTP logs and metrics from `until`, and the stretch
 * before it again for what Railway wrote late (Late); logs from just after the last entry when
 * that is older than the stretch (or the state is older than Late's `logs`): each window
 * half-open, so that night after night nothing is read twice or left out.
 */
export interface Position {
  key: string;
  edge: Record<string, number>;
  /** Absent in a state written before windows were half-open: HTTP logs and metrics then start at `key`. */
  until?: string;
  /** What was read of the last stretch before `until`, which the next run reads again (Late). */
  late?: Late;
  /**
   * The deployments that run listed, with the status each had. A deployment whose life spans two
   * windows is listed in both: the next run marks it `reported` in deployments.json, so that its
   * creation, and its status when unchanged, are not reported twice.
   */
  deployments?: Record<string, string>;
}

/**
 * Railway writes some log lines, HTTP log lines and metric samples after their time (a log line
 * before others that were readable already): a night that starts at the last one's end, or after
 * the last entry it read, would never see those dated before it. So a run reads logs, HTTP logs
 * and metrics again from LATE_MS before the previous window's end, and drops what it read then,
 * known by content: the identities (paging.ts) of the log and HTTP entries and the samples
 * (`measurement replica ts`) of that stretch. Bounded: at most LATE_IDS entries of each are
 * remembered, the stretch shortened to the newest of them (NewestIds).
 */
export interface Late {
  /** Start of the stretch of log lines read again (a time key); absent in a state written before logs were read again. */
  logsFrom?: string;
  /** Identities of the log entries read from `logsFrom`, one per entry. */
  logs?: string[];
  /** Start of the stretch of HTTP logs read again (a time key). */
  httpFrom: string;
  /** Identities of the HTTP entries read from `httpFrom`, one per entry. */
  http: string[];
  /** Start of the stretch of metrics read again (RFC 3339). */
  samplesFrom: string;
  samples: string[];
}

/** How far back before the previous window's end HTTP logs and metrics are read again. */
export const LATE_MS = 10 * 60_000;
/** Most log entries, and most HTTP entries, remembered of that stretch. */
export const LATE_IDS = 20_000;

/** What the pull tells as it goes (for a progress line). */
export interface PullProgress {
  service: string;
  serviceIndex: number;
  services: number;
  pages: number;
  lines: number;
  requests: number;
  remaining: number | null;
}

export interface ServiceRecord {
  id: string;
  name: string;
  file: string;
  lines: number;
  pages: number;
  /** Newest and oldest line read (RFC 3339), null without lines. */
  newest: string | null;
  oldest: string | null;
  deployments: number;
  httpFile: string | null;
  httpLines: number;
  metricSeries: number;
  /** The logs of the window are all read. */
  complete: boolean;
  /** Where the read stands while it is not complete. */
  cursor: PageCursor | null;
  /** Spool pages written and not yet joined into `file`. */
  spooled: number;
  /** Bytes of `file` the record accounts for (absent in a pull.json of an earlier version). */
  bytes?: number;
  /** Where the read of the logs started (RFC 3339: the window's start, or the digest's position). */
  readFrom?: string;
  /** The read ended because Railway returned nothing older, before `readFrom`. */
  ranOut?: boolean;
  /** The newest entry read, for the digest's next run. */
  position: Position | null;
  /** Log lines, HTTP log lines and metric samples of the stretch read again (Late) that the run before had not seen: written late. */
  lateLines?: number;
  lateHttp?: number;
  lateSamples?: number;
  /** What this run read of the last stretch of its window, for the next. */
  late?: Late;
  /** The deployments listed (id → status), for the next (Position.deployments). */
  listed?: Record<string, string>;
}

/** pull.json. */
export interface PullRecord {
  tool: string;
  source: 'railway';
  project: Named;
  environment: Named;
  window: { since: string; until: string };
  complete: boolean;
  stoppedBecause: string | null;
  requests: number;
  pages: number;
  waitedSeconds: number;
  services: ServiceRecord[];
  warnings: string[];
  missing: { what: string; why: string }[];
}

const PULL_FILE = 'pull.json';
const SPOOL = '.pull';
/** Log retention of Railway's plans, shortest first (Trial/Hobby, Pro, Enterprise). */
const RETENTION_DAYS = [7, 30, 90];

/** The ids and names a request names, resolved against the project; unknown names are one clear error. */
async function resolve(client: RailwayClient, req: PullRequest): Promise<{ project: Named; environment: Named; services: Named[] }> {
  const p = await fetchProject(client, req.project);
  const env = p.environments.find((e) => e.id === req.environment) ?? p.environments.find((e) => e.name === req.environment);
  if (env === undefined) throw new RailwayError(`project ${p.project.name} has no environment ${JSON.stringify(req.environment)} (it has ${p.environments.map((e) => e.name).join(', ') || 'none'})`);
  let services = p.services;
  if (req.services.length > 0) {
    services = req.services.map((s) => {
      const found = p.services.find((x) => x.id === s) ?? p.services.find((x) => x.name === s);
      if (found === undefined) throw new RailwayError(`project ${p.project.name} has no service ${JSON.stringify(s)} (it has ${p.services.map((x) => x.name).join(', ') || 'none'})`);
      return found;
    });
  }
  if (services.length === 0) throw new RailwayError(`project ${p.project.name} has no services`);
  return { project: p.project, environment: env, services };
}

/** A file name for a service: its name with anything unsafe in a path replaced. */
function fileNameOf(name: string, taken: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'service';
  if (base === 'pull' || base === 'deployments' || base === 'metrics') base += '-logs';
  let n = base;
  for (let i = 2; taken.has(n); i++) n = `${base}-${i}`;
  taken.add(n);
  return n;
}

/** A name pull writes a service's lines to (fileNameOf's shape): a plain file name, never a path out of `dir`. */
const OWN_FILE = /^[A-Za-z0-9_][A-Za-z0-9._-]*\.jsonl$/;

/**
 * The pull record of `dir`, or null when there is none (or it is not one). Its file names are
 * removed and written to: a record naming anything but pull's own files is not one.
 */
function readPullRecord(dir: string): PullRecord | null {
  try {
    const r = JSON.parse(readFileSync(join(dir, PULL_FILE), 'utf8')) as PullRecord;
    const own = (s: ServiceRecord) => OWN_FILE.test(s.file) && (s.httpFile === null || OWN_FILE.test(s.httpFile)) && /^[A-Za-z0-9-]+$/.test(s.id);
    return r.source === 'railway' && Array.isArray(r.services) && r.services.every(own) ? r : null;
  } catch {
    return null;
  }
}

/** The hidden name a file is written under before it is renamed into place. */
function tmpOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp`);
}

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/**
 * Writes the record to pull.json, without what only the digest's next run needs (ServiceRecord's
 * `late` and `listed`: up to 20,000 identities a service, which pull.json, written after every
 * page, would carry each time). A run computes them afresh, resumed or not.
 */
function writeRecord(path: string, record: PullRecord): void {
  const tmp = tmpOf(path);
  writeFileSync(tmp, JSON.stringify(record, (k, v: unknown) => (k === 'late' || k === 'listed' ? undefined : v), 1) + '\n');
  renameSync(tmp, path);
}

/** Writes lines (each without its newline) to a new file, atomically. */
function writeLines(path: string, lines: readonly string[]): void {
  const tmp = tmpOf(path);
  writeFileSync(tmp, lines.length === 0 ? '' : lines.join('\n') + '\n');
  renameSync(tmp, path);
}

/**
 * Joins spool pages 1..n of `spoolDir` (newest first) in time order in front of `file` (what an
 * earlier run wrote, newer still), then removes them.
 */
async function joinSpool(spoolDir: string, n: number, file: string): Promise<void> {
  if (n === 0) return;
  const tmp = tmpOf(file);
  const out = createWriteStream(tmp);
  const parts = [];
  for (let i = n; i >= 1; i--) parts.push(join(spoolDir, `${i}.jsonl`));
  if (existsSync(file)) parts.push(file);
  for (const p of parts) {
    for await (const chunk of createReadStream(p)) if (!out.write(chunk)) await once(out, 'drain');
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  renameSync(tmp, file);
  rmSync(spoolDir, { recursive: true, force: true });
}

export interface PullHooks {
  onProgress?: (p: PullProgress) => void;
  /** Said when a run resumes an earlier one. */
  onNote?: (message: string) => void;
}

/** Pulls the window into `dir`; returns the record written to pull.json. Interrupted (Ctrl-C) runs return it too, incomplete. */
export async function pullRailway(client: RailwayClient, req: PullRequest, dir: string, hooks: PullHooks = {}): Promise<PullRecord> {
  mkdirSync(dir, { recursive: true });
  const target = await resolve(client, req);
  const limit = Math.min(req.pageLimit ?? LOG_PAGE_LIMIT, LOG_PAGE_LIMIT);
  const earlier = readPullRecord(dir);
  const resuming = earlier !== null && !earlier.complete && earlier.project.id === target.project.id && earlier.environment.id === target.environment.id;
  let record: PullRecord;
  if (resuming) {
    record = earlier;
    record.stoppedBecause = null;
    for (const s of record.services) settleJoin(dir, s);
    hooks.onNote?.(`resuming the pull of ${record.window.since} to ${record.window.until} that stopped early (${dir}/${PULL_FILE})`);
  } else {
    // A fresh pull: what an earlier one wrote here goes, so that the directory holds one window.
    if (earlier !== null) for (const s of earlier.services) for (const f of [s.file, s.httpFile]) if (f !== null) rmSync(join(dir, f), { force: true });
    for (const f of ['deployments.json', 'metrics.json']) rmSync(join(dir, f), { force: true });
    rmSync(join(dir, SPOOL), { recursive: true, force: true });
    const taken = new Set<string>();
    record = {
      tool: `hindsight ${VERSION}`,
      source: 'railway',
      project: target.project,
      environment: target.environment,
      window: { since: new Date(req.since).toISOString(), until: new Date(req.until).toISOString() },
      complete: false,
      stoppedBecause: null,
      requests: 0,
      pages: 0,
      waitedSeconds: 0,
      services: target.services.map((s) => ({
        id: s.id,
        name: s.name,
        file: `${fileNameOf(s.name, taken)}.jsonl`,
        lines: 0,
        pages: 0,
        newest: null,
        oldest: null,
        deployments: 0,
        httpFile: null,
        httpLines: 0,
        metricSeries: 0,
        complete: false,
        cursor: null,
        spooled: 0,
        bytes: 0,
        position: req.from?.[s.id] ?? null,
      })),
      warnings: [],
      missing: [],
    };
  }
  const since = Date.parse(record.window.since);
  const until = Date.parse(record.window.until);
  const requestsBefore = record.requests;
  const waitedBefore = record.waitedSeconds;
  const save = () => {
    record.requests = requestsBefore + client.rate.requests;
    record.waitedSeconds = waitedBefore + client.rate.waitedSeconds;
    writeRecord(join(dir, PULL_FILE), record);
  };
  const deployments: Listed[] = [];
  const metrics: ApiMetric[] = [];
  let current: ServiceRecord | null = null;
  try {
    for (const [i, s] of record.services.entries()) {
      current = s;
      const tell = () => hooks.onProgress?.({ service: s.name, serviceIndex: i + 1, services: record.services.length, pages: s.pages, lines: s.lines, requests: client.rate.requests, remaining: client.rate.remaining });
      tell();
      // After an earlier run (the digest's last night), HTTP logs and metrics start where its window
      // ended, less the stretch read again for what Railway wrote late.
      const from = req.from?.[s.id];
      const start = from === undefined ? since : from.until !== undefined ? Date.parse(from.until) : msOfKey(from.key);
      const late = from?.late;
      const httpFrom = late?.httpFrom ?? keyOfMs(start);
      const samplesFrom = late !== undefined ? Date.parse(late.samplesFrom) : start;
      const deps = await fetchDeployments(client, record.project.id, record.environment.id, s.id, Math.min(msOfKey(httpFrom), samplesFrom), until);
      s.deployments = deps.length;
      s.listed = {};
      for (const d of deps) {
        deployments.push({ ...d, service: s.name, reported: from?.deployments?.[d.id] });
        s.listed[d.id] = d.status;
      }
      // The stretch this run's successor reads again: the end of this window, not before its start.
      const lateFrom = Math.max(until - LATE_MS, start);
      s.late = { httpFrom: keyOfMs(lateFrom), http: [], samplesFrom: new Date(lateFrom).toISOString(), samples: [] };
      if (!s.complete) await pullLogs(client, record, s, dir, limit, since, until, save, tell, from);
      if (await hasDomain(client, record.project.id, record.environment.id, s.id)) {
        s.httpFile = s.file.replace(/\.jsonl$/, '.http.jsonl');
        s.httpLines = await pullHttp(client, record, s, deps, dir, limit, httpFrom, keyOfMs(start), until, late?.http ?? []);
      }
      const seen = new Multiset(late?.samples ?? []);
      s.lateSamples = 0;
      const m = (await fetchMetrics(client, record.environment.id, s.id, samplesFrom, until)).map((series) => {
        const values = series.values.filter((v) => {
          const id = `${series.measurement} ${series.tags.deploymentInstanceId ?? ''} ${v.ts}`;
          if (v.ts * 1000 >= lateFrom) s.late!.samples.push(id);
          if (v.ts * 1000 >= start) return true;
          if (seen.take(id)) return false;
          s.lateSamples!++;
          return true;
        });
        return { ...series, values };
      });
      for (const series of m) metrics.push({ ...series, tags: { ...series.tags, serviceId: s.id, serviceName: s.name } });
      s.metricSeries = m.length;
      const none = `metrics of ${s.name}`;
      // (A resumed run asks again: said once.)
      if (m.length === 0 && !record.missing.some((x) => x.what === none)) record.missing.push({ what: none, why: 'Railway returned no samples for the window' });
      save();
    }
    current = null;
    record.complete = true;
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
    record.stoppedBecause = current !== null ? `interrupted while reading ${current.name}` : 'interrupted';
  } finally {
    // Whatever was read is joined into whole files and recorded, also when the run fails.
    for (const s of record.services) {
      if (s.spooled > 0) {
        await joinSpool(join(dir, SPOOL, s.id), s.spooled, join(dir, s.file));
        s.spooled = 0;
        s.bytes = sizeOf(join(dir, s.file));
      }
    }
    rmSync(join(dir, SPOOL), { recursive: true, force: true });
    if (record.complete || deployments.length > 0) writeDeployments(join(dir, 'deployments.json'), record, deployments);
    // One series a line: railway-metrics reads the list as one document.
    if (metrics.length > 0) writeLines(join(dir, 'metrics.json'), ['[', metrics.map((m) => JSON.stringify(m)).join(',\n'), ']']);
    if (record.complete) noteRetention(record, Date.now());
    save();
  }
  return record;
}

/**
 * A run killed after joining a service's spool into its file and before recording it left a file
 * larger than the record says: the spool is in it already, and is dropped rather than joined twice.
 * (Killed before the rename, the file is as recorded and the spool is joined by this run.)
 */
function settleJoin(dir: string, s: ServiceRecord): void {
  if (s.spooled === 0 || s.bytes === undefined) return;
  const size = sizeOf(join(dir, s.file));
  if (size === s.bytes) return;
  rmSync(join(dir, SPOOL, s.id), { recursive: true, force: true });
  s.spooled = 0;
  s.bytes = size;
}

/**
 * How more than a page of a service's log inside one millisecond is narrowed (paging.ts): by
 * deployment (a deploy's overlap, replicas of two deployments), then by level (Railway's filter
 * syntax: `@deployment:<id>`, `@level:<level>`, `-` for not).
 */
const LOG_SPLITS: readonly Split<ApiLog>[] = [splitBy('@deployment', (e) => e.tags?.deploymentId), splitBy('@level', (e) => e.severity)];

/** Says what a stall (paging.ts) leaves out, in the record's warnings and what is missing. */
function noteStalls(record: PullRecord, what: string, stalls: readonly Stall[] | undefined): void {
  for (const st of stalls ?? []) {
    const where = st.millisecond ? `the millisecond from ${st.at} (Railway reads the paging date only to the millisecond)` : `the instant ${st.at}`;
    const part = st.filter === '' ? '' : ` (those matching ${st.filter}; no filter splits them further)`;
    record.warnings.push(`${what}: more than a page of lines in ${where}${part}: ${int(st.read)} read, any beyond them not`);
    record.missing.push({ what: `perhaps some ${what} in ${where}`, why: `a page holds ${int(st.read)} of them, and the API pages by time only` });
  }
}

/** Reads a service's logs backwards, a page at a time, each page to the spool as it arrives. */
async function pullLogs(
  client: RailwayClient,
  record: PullRecord,
  s: ServiceRecord,
  dir: string,
  limit: number,
  since: number,
  until: number,
  save: () => void,
  tell: () => void,
  from: Position | undefined,
): Promise<void> {
  const spoolDir = join(dir, SPOOL, s.id);
  mkdirSync(spoolDir, { recursive: true });
  // After a run that remembered the last stretch of its window (Late), the read starts there
  // again and drops what that run read, by identity; else (an older state, or a service whose
  // last entry is older than the stretch) just after the last entry read.
  const late = from?.late;
  const again = late?.logsFrom !== undefined && late.logs !== undefined && late.logsFrom <= from!.key ? late.logsFrom : null;
  const window = again !== null ? { since: again, limit } : { since: from?.key ?? keyOfMs(since), seenAtSince: from?.edge, limit };
  const seen = new Multiset(again !== null ? late!.logs! : []);
  /** Entries before it were in the window of the run before: those it did not read were written late. */
  const own = from?.until !== undefined ? timeKey(from.until) : null;
  s.readFrom = new Date(msOfKey(window.since)).toISOString();
  s.lateLines = 0;
  // A resumed read (not from the window's end) has not seen the newest entries: it leaves the
  // next run to start after the last entry rather than drop by identities it could not gather.
  const remembered = s.cursor === null ? new NewestIds(s.late!.httpFrom, LATE_IDS) : null;
  // The window is half-open: `until` itself is the next run's.
  let cursor: PageCursor = s.cursor ?? { anchor: keyBeforeMs(until), edge: {} };
  const key = (e: { timestamp: string }) => timeKey(e.timestamp);
  for (;;) {
    const page = await readPage((anchor, n, filter) => fetchLogsBefore(client, record.environment.id, s.id, anchor, n, filter), key, window, cursor, LOG_SPLITS);
    s.pages++;
    record.pages++;
    const entries = page.entries.filter((e) => {
      const k = key(e);
      // (The stretch remembered starts at or after `own`: an entry is in one of them at most.)
      if (remembered !== null && k >= remembered.from) remembered.add(k, identityOf(e));
      else if (own !== null && k < own) {
        if (seen.take(identityOf(e))) return false;
        s.lateLines!++;
      }
      return true;
    });
    if (entries.length > 0) {
      // The first page of the read holds the newest entries: where the next night starts.
      if (s.newest === null) {
        s.newest = entries[entries.length - 1]!.timestamp;
        s.position = advanced(from, newestEdge(entries, key)!);
      }
      s.oldest = entries[0]!.timestamp;
      s.spooled++;
      writeLines(join(spoolDir, `${s.spooled}.jsonl`), entries.map((e) => logLine(e, s.name)));
      s.lines += entries.length;
    }
    noteStalls(record, `lines of ${s.name}`, page.stalls);
    s.cursor = page.next;
    if (page.next === null) s.complete = true;
    if (page.exhausted) s.ranOut = true;
    if (page.next === null && remembered !== null) ({ from: s.late!.logsFrom, ids: s.late!.logs } = remembered.settle());
    save();
    tell();
    if (page.next === null) return;
    cursor = page.next;
  }
}

/**
 * Where the next run's logs start: the newest entry this run read, never before the one the run
 * before had read (a run that read only lines written late, dated before it, stays there); at the
 * same time, the identities of both runs' entries at it.
 */
function advanced(from: Position | undefined, got: { key: string; edge: Record<string, number> }): { key: string; edge: Record<string, number> } {
  if (from === undefined || got.key > from.key) return got;
  if (got.key < from.key) return { key: from.key, edge: from.edge };
  const edge = { ...from.edge };
  for (const [id, n] of Object.entries(got.edge)) edge[id] = (edge[id] ?? 0) + n;
  return { key: got.key, edge };
}

/**
 * The identities of at most `max` entries of a stretch from `from` (time keys `k`), added in any
 * order: all of them, or the newest whole instants that fit, the stretch then starting after the
 * newest instant that does not. Never more than twice `max` are held while adding: past that, the
 * older ones are cut and `from` moves up, so that later older entries are not taken either.
 */
export class NewestIds {
  private items: { k: string; id: string }[] = [];
  constructor(
    public from: string,
    private readonly max: number,
  ) {}

  add(k: string, id: string): void {
    if (k < this.from) return;
    this.items.push({ k, id });
    if (this.items.length >= 2 * this.max) this.cut();
  }

  /** The stretch and its identities. */
  settle(): { from: string; ids: string[] } {
    this.cut();
    return { from: this.from, ids: this.items.map((x) => x.id) };
  }

  private cut(): void {
    if (this.items.length <= this.max) return;
    this.items.sort((a, b) => (a.k < b.k ? 1 : a.k > b.k ? -1 : 0));
    const cut = this.items[this.max]!.k;
    this.from = keyAfter(cut);
    this.items = this.items.filter((x) => x.k > cut);
  }
}

/** Counts of strings, to take each one out as many times as it was put in. */
class Multiset {
  private readonly n = new Map<string, number>();
  constructor(items: readonly string[]) {
    for (const x of items) this.n.set(x, (this.n.get(x) ?? 0) + 1);
  }
  /** Whether `x` was in, taking one out. */
  take(x: string): boolean {
    const c = this.n.get(x) ?? 0;
    if (c === 0) return false;
    this.n.set(x, c - 1);
    return true;
  }
}

/**
 * Reads the HTTP logs of a service's deployments from `since` (a time key) to `until`; returns the
 * lines written. Entries before `own` (the stretch of the run before read again, Late): those of
 * `seen` were read by that run and are dropped, the others counted as written late. Those of this
 * window's last stretch (from `s.late.httpFrom`) are remembered in `s.late`.
 */
async function pullHttp(client: RailwayClient, record: PullRecord, s: ServiceRecord, deps: readonly ApiDeployment[], dir: string, limit: number, since: string, own: string, until: number, seen: readonly string[]): Promise<number> {
  const spoolDir = join(dir, SPOOL, `${s.id}.http`);
  rmSync(spoolDir, { recursive: true, force: true });
  mkdirSync(spoolDir, { recursive: true });
  const key = (e: { timestamp: string }) => timeKey(e.timestamp);
  let pages = 0;
  let lines = 0;
  // Newest deployment first, each read backwards: joined in reverse, the file runs oldest first.
  // The whole window for each: the times Railway records for a deployment's life may miss a
  // request served at its very edge, and an empty stretch costs one request.
  const window = { since, limit };
  const late = s.late!;
  const repeated = new Multiset(seen);
  const remembered = new NewestIds(late.httpFrom, LATE_IDS);
  s.lateHttp = 0;
  for (const d of deps) {
    let cursor: PageCursor | null = { anchor: keyBeforeMs(until), edge: {} };
    while (cursor !== null) {
      // No split: the guide gives no filter syntax for HTTP logs.
      const page: Page<ApiHttpLog> = await readPage((anchor, n) => fetchHttpLogsBefore(client, d.id, anchor, n), key, window, cursor);
      noteStalls(record, `HTTP log lines of ${s.name} (deployment ${d.id})`, page.stalls);
      const fresh = page.entries.filter((e) => {
        const k = key(e);
        // (The stretch remembered starts at or after `own`.)
        if (k >= remembered.from) remembered.add(k, identityOf(e));
        else if (k < own) {
          if (repeated.take(identityOf(e))) return false;
          s.lateHttp!++;
        }
        return true;
      });
      if (fresh.length > 0) {
        writeLines(join(spoolDir, `${++pages}.jsonl`), fresh.map((e) => httpLine(e, s.name)));
        lines += fresh.length;
      }
      cursor = page.next;
    }
  }
  ({ from: late.httpFrom, ids: late.http } = remembered.settle());
  const file = join(dir, s.httpFile!);
  rmSync(file, { force: true });
  if (pages > 0) await joinSpool(spoolDir, pages, file);
  else writeLines(file, []);
  rmSync(spoolDir, { recursive: true, force: true });
  return lines;
}

/** A deployment as deployments.json lists it: with its service's name, and the status an earlier run reported of it. */
type Listed = ApiDeployment & { service: string; reported: string | undefined };

/** deployments.json: each deployment of the window with its service's name, oldest first, one a line (railway-deployments reads it). */
function writeDeployments(path: string, record: PullRecord, deployments: readonly Listed[]): void {
  const head = { source: 'hindsight pull railway', project: record.project, environment: record.environment, window: record.window };
  const rows = [...deployments]
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
    .map((d) => {
      const end = deploymentEnd(d);
      const row = { id: d.id, service: d.service, serviceId: d.serviceId, status: d.status, createdAt: d.createdAt, statusUpdatedAt: d.statusUpdatedAt ?? null, stoppedAt: end === null ? null : new Date(end).toISOString() };
      return JSON.stringify(d.reported === undefined ? row : { ...row, reported: d.reported });
    });
  writeLines(path, [`${JSON.stringify(head).slice(0, -1)},"deployments":[`, rows.join(',\n'), ']}'].filter((l) => l.length > 0));
}

/**
 * Logs Railway no longer keeps. The API says nothing of retention: a read that asked from a time
 * older than the shortest plan keeps logs (7 days) and ran out of entries before it is said, per
 * service, with the span Railway returned nothing for; the warning counts them. A service that ran
 * out within 7 days simply logged nothing earlier, and is not.
 */
function noteRetention(record: PullRecord, now: number): void {
  const horizon = now - RETENTION_DAYS[0]! * 86_400_000;
  const short = record.services.filter((s) => s.ranOut === true && s.readFrom !== undefined && Date.parse(s.readFrom) < horizon);
  if (short.length === 0) return;
  const from = Math.min(...short.map((s) => Date.parse(s.readFrom!)));
  const days = Math.floor((now - from) / 86_400_000);
  const kept = RETENTION_DAYS.filter((d) => d <= days);
  const plans = kept.length === RETENTION_DAYS.length ? 'more than any plan keeps (Trial/Hobby 7 days, Pro 30, Enterprise up to 90)' : `more than Railway keeps on ${['Trial/Hobby (7 days)', 'Pro (30)', 'Enterprise (90)'].slice(0, kept.length).join(' and ')}, less than ${['Pro (30)', 'Enterprise (up to 90)'][kept.length - 1]} keeps`;
  record.warnings.push(`the window reaches ${days} days back, ${plans}: ${plural(short.length, 'service')} of ${record.services.length} had nothing older than a time inside it; lines older than the plan keeps are gone, what Railway returned is pulled`);
  for (const s of short) {
    const until = s.oldest ?? record.window.until;
    const hours = (Date.parse(until) - Date.parse(s.readFrom!)) / 3_600_000;
    record.missing.push({ what: `logs of ${s.name} from ${s.readFrom} to ${until} (${int(Math.round(hours))} hours)`, why: `Railway returned nothing older${s.oldest === null ? ' (no line at all)' : ''}: past its retention on this plan, unless the service logged nothing then` });
  }
}

/** One line for the end of a pull: what was read and where it is. */
export function pullSummary(record: PullRecord, dir: string): string {
  const lines = record.services.reduce((a, s) => a + s.lines, 0);
  const http = record.services.reduce((a, s) => a + s.httpLines, 0);
  const state = record.complete ? 'pulled' : `stopped early (${record.stoppedBecause ?? 'interrupted'}; run the same command again to resume)`;
  return `${state}: ${plural(lines, 'log line')}${http > 0 ? `, ${plural(http, 'HTTP log line')}` : ''} of ${plural(record.services.length, 'service')} into ${dir} (${plural(record.requests, 'request')}, ${plural(record.pages, 'page')})`;
}
