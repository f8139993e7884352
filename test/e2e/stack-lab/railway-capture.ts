// Captures programs' output the way Railway does, into the shape `railway logs --json` prints
// (../../../../shared/guide/railway-api.md, docs.railway.com/observability/logs):
// - every line of stdout and stderr is its own entry, stamped when it is read (RFC 3339 with
//   nanoseconds); a multi-line write becomes several entries;
// - a plain line is `{message, level}` with level `info` for stdout and `error` for stderr, whatever
//   the line says;
// - a JSON object line is a structured log: its fields become attributes flattened to the top level,
//   `msg` becomes `message`, a string `level` is mapped to debug/info/warn/error, any other `level`
//   value (pino's numbers) is kept as the program wrote it, and without one the stream decides;
// - no deployment id, instance id or service name: one file per service, as a user saves them;
// - the platform's own `Starting Container` and `Stopping Container` lines around each start and
//   each stop it orders (a crash has no `Stopping Container`: the process just ends).
// Keys are written in a shuffled order, as the CLI's HashMap does.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const wallAtStart = BigInt(Date.now()) * 1_000_000n;
const hrAtStart = process.hrtime.bigint();

/** Now as Railway writes it: RFC 3339, UTC, nine fraction digits. */
export function railwayNow(): string {
  const ns = wallAtStart + (process.hrtime.bigint() - hrAtStart);
  const iso = new Date(Number(ns / 1_000_000n)).toISOString(); // 2026-01-01T00:00:00.000Z
  return `${iso.slice(0, 19)}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

const RAILWAY_LEVELS: Record<string, string> = {
  trace: 'debug', debug: 'debug', info: 'info', notice: 'info', warn: 'warn', warning: 'warn',
  error: 'error', err: 'error', fatal: 'error', critical: 'error', crit: 'error', panic: 'error',
};

/** One captured line as Railway stores it. */
export function railwayEntry(line: string, stream: 'stdout' | 'stderr', timestamp: string): Record<string, unknown> {
  const streamLevel = stream === 'stdout' ? 'info' : 'error';
  if (line.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = null;
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const attrs = { ...(parsed as Record<string, unknown>) };
      const message = attrs.message ?? attrs.msg ?? '';
      delete attrs.msg;
      const level = attrs.level;
      attrs.level = level === undefined ? streamLevel : typeof level === 'string' ? RAILWAY_LEVELS[level.toLowerCase()] ?? streamLevel : level;
      return { ...attrs, message, timestamp: attrs.timestamp ?? timestamp };
    }
  }
  return { message: line, level: streamLevel, timestamp };
}

/** A deterministic shuffle of an entry's keys (the CLI's key order is not stable). */
function shuffled(entry: Record<string, unknown>, seed: number): Record<string, unknown> {
  const keys = Object.keys(entry);
  let s = seed;
  for (let i = keys.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) >>> 0;
    const j = s % (i + 1);
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = entry[k];
  return out;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Signals the child's process group (it leads one: spawned detached), also after the leader has exited. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of running) killGroup(c, 'SIGKILL');
  });
}

export interface StartSpec {
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  /** Run as this uid/gid (PostgreSQL refuses root). */
  uid?: number;
  gid?: number;
  /** The signal the platform's stop sends (Docker's STOPSIGNAL; SIGTERM by default). */
  stopSignal?: NodeJS.Signals;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One container's life: its process, its exit. */
export class Container {
  readonly exited: Promise<Exit>;
  private stopping = false;

  constructor(readonly service: Service, readonly child: ChildProcess, private readonly spec: StartSpec) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** The platform stops the container: `Stopping Container`, the stop signal, SIGKILL to the whole container after `graceMs`. */
  async stop(graceMs = 10_000): Promise<Exit> {
    if (!this.stopping) {
      this.stopping = true;
      this.service.platform('Stopping Container');
      try {
        this.child.kill(this.spec.stopSignal ?? 'SIGTERM');
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => killGroup(this.child, 'SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    // A container's end takes every process in it along.
    killGroup(this.child, 'SIGKILL');
    return exit;
  }

  /** Ends the process group without a platform line (the capture ends; the container "keeps running"). */
  async kill(): Promise<Exit> {
    killGroup(this.child, 'SIGKILL');
    return this.exited;
  }
}

/** One Railway service: the entries of all its containers, in one file. */
export class Service {
  private seq = 0;
  private capturing = true;
  readonly file: string;
  /** With `stderrCopy`, the program's stderr as it wrote it, beside the Railway form. */
  readonly stderrFile: string | null;
  readonly entries: Record<string, unknown>[] = [];

  constructor(readonly name: string, dir: string, options: { stderrCopy?: boolean } = {}) {
    this.file = join(dir, `${name}.jsonl`);
    writeFileSync(this.file, '');
    this.stderrFile = options.stderrCopy ? join(dir, `${name}.log`) : null;
    if (this.stderrFile !== null) writeFileSync(this.stderrFile, '');
    installExitHook();
  }

  private write(entry: Record<string, unknown>): void {
    if (!this.capturing) return;
    this.entries.push(entry);
    appendFileSync(this.file, JSON.stringify(shuffled(entry, this.seq++)) + '\n');
  }

  /** A line of the platform's own (info). */
  platform(message: string): void {
    this.write({ message, level: 'info', timestamp: railwayNow() });
  }

  /** Stops recording (what the user's `railway logs` call saw ends here). */
  endCapture(): void {
    this.capturing = false;
  }

  /** Starts a container: `Starting Container`, then the process with its stdout and stderr captured line by line. */
  start(spec: StartSpec): Container {
    this.platform('Starting Container');
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: spec.cwd, LANG: 'C.UTF-8', NO_COLOR: '1', ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      uid: spec.uid,
      gid: spec.gid,
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    for (const stream of ['stdout', 'stderr'] as const) {
      let rest = '';
      const src = child[stream]!;
      src.setEncoding('utf8');
      src.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop()!;
        for (const p of parts) this.line(p, stream);
      });
      src.on('end', () => {
        if (rest !== '') this.line(rest, stream);
        rest = '';
      });
    }
    return new Container(this, child, spec);
  }

  private line(raw: string, stream: 'stdout' | 'stderr'): void {
    if (this.stderrFile !== null && stream === 'stderr' && this.capturing) appendFileSync(this.stderrFile, raw + '\n');
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return; // an empty entry carries nothing; the lab leaves it out
    this.write(railwayEntry(line, stream, railwayNow()));
  }
}

/** Appends a line to a scenario's notes (what the fault script did, for the README and debugging). */
export function note(dir: string, text: string): void {
  appendFileSync(join(dir, 'notes.txt'), `${railwayNow()} ${text}\n`);
}
