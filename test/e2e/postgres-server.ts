// A throw-away PostgreSQL server for the end-to-end tests: Debian's packages (installed when
// missing), run as an ordinary user (PostgreSQL refuses root), in a temporary directory, on
// loopback and a free port, logging to stderr, csvlog and jsonlog at once through the logging
// collector. Whatever happens, `destroy()` (also run at process exit) stops it and removes its
// directory.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The settings of review 003 (PostgreSQL guardrails), scaled down so a test sees them fire in seconds. */
export const FAULT_SETTINGS = {
  log_min_duration_statement: '1000ms', // review: 1000 (1 s)
  log_lock_waits: 'on',
  deadlock_timeout: '200ms', // review: 1s
  lock_timeout: '1000ms', // review: 5s
  idle_in_transaction_session_timeout: '2000ms', // review: 30s
  statement_timeout: '2500ms',
  max_connections: '10',
  superuser_reserved_connections: '3',
  log_connections: 'on',
  log_disconnections: 'on',
  log_checkpoints: 'on',
};

function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0]!, 'bin') : null;
}

/** The bin directory of Debian's newest installed PostgreSQL, installing the `postgresql` package when there is none. */
export function ensurePostgres(): { bin: string; major: number } {
  let bin = postgresBinDir();
  if (bin === null) {
    if (process.getuid?.() !== 0) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres) and installing it needs root: apt-get install postgresql');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update'], { stdio: 'ignore', env });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], { stdio: 'ignore', env });
    bin = postgresBinDir();
    if (bin === null) throw new Error('apt-get install postgresql did not provide /usr/lib/postgresql/*/bin/postgres');
  }
  const major = Number(/postgresql\/(\d+)\//.exec(bin + '/')![1]);
  return { bin, major };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const live = new Set<PgServer>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const cleanAll = () => {
    for (const s of live) s.destroy();
  };
  process.on('exit', cleanAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      cleanAll();
      process.exit(130);
    });
  }
}

export class PgServer {
  readonly dir: string;
  readonly data: string;
  readonly logDir: string;
  port = 0;
  private running = false;
  private destroyed = false;
  private readonly asUser: string | null;

  private constructor(readonly bin: string, readonly major: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'hindsight-pg-'));
    this.data = join(this.dir, 'data');
    this.logDir = join(this.dir, 'log');
    // PostgreSQL refuses to run as root: run it as the `postgres` user the Debian package creates.
    this.asUser = process.getuid?.() === 0 ? 'postgres' : null;
    live.add(this);
    installExitHook();
  }

  /** Creates a cluster in a temporary directory and starts it with `settings`. */
  static async create(settings: Record<string, string>): Promise<PgServer> {
    const { bin, major } = ensurePostgres();
    const s = new PgServer(bin, major);
    try {
      s.port = await freePort();
      if (s.asUser !== null) {
        const uid = Number(execFileSync('id', ['-u', s.asUser]).toString().trim());
        const gid = Number(execFileSync('id', ['-g', s.asUser]).toString().trim());
        chownSync(s.dir, uid, gid);
      }
      s.run('initdb', ['-D', s.data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
      const destinations = s.major >= 15 ? 'stderr,csvlog,jsonlog' : 'stderr,csvlog';
      const conf: Record<string, string> = {
        listen_addresses: "'127.0.0.1'",
        port: String(s.port),
        unix_socket_directories: `'${s.dir}'`,
        fsync: 'off',
        logging_collector: 'on',
        log_destination: `'${destinations}'`,
        log_directory: `'${s.logDir}'`,
        log_filename: "'postgres.log'",
        log_rotation_age: '0',
        log_rotation_size: '0',
        log_file_mode: '0644',
        log_line_prefix: "'%m [%p] %q%u@%d '",
        log_timezone: "'UTC'",
        timezone: "'UTC'",
        lc_messages: "'C'",
        ...settings,
      };
      appendFileSync(join(s.data, 'postgresql.conf'), '\n# hindsight e2e\n' + Object.entries(conf).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
      s.start();
      return s;
    } catch (e) {
      s.destroy();
      throw e;
    }
  }

  private run(tool: string, args: string[], allowFail = false): { status: number | null; out: string } {
    const path = join(this.bin, tool);
    const cmd = this.asUser !== null ? 'runuser' : path;
    const argv = this.asUser !== null ? ['-u', this.asUser, '--', path, ...args] : args;
    const r = spawnSync(cmd, argv, { cwd: this.dir, encoding: 'utf8', timeout: 60_000 });
    const out = (r.stdout ?? '') + (r.stderr ?? '');
    if (!allowFail && r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status}): ${out}`);
    return { status: r.status, out };
  }

  /** Starts the server and waits until it accepts connections. */
  start(): void {
    this.run('pg_ctl', ['-D', this.data, '-l', join(this.dir, 'pg_ctl.log'), '-w', '-t', '60', 'start']);
    this.running = true;
  }

  /** Stops the server: `fast` (clean) or `immediate` (no shutdown checkpoint: the next start recovers). */
  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    this.run('pg_ctl', ['-D', this.data, '-m', mode, '-w', '-t', '60', 'stop']);
    this.running = false;
  }

  /**
   * Kills the postmaster with SIGKILL, as the OOM killer or `kill -9` does: it logs nothing. Its
   * children notice the postmaster's death and exit on their own; this waits for them to be gone
   * (reaped, not zombies), because a new postmaster refuses to start while the old one's pid still
   * exists or its shared memory is still attached. Returns the killed postmaster's pid.
   */
  async killPostmaster(): Promise<number> {
    const pid = Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    process.kill(pid, 'SIGKILL');
    this.running = false;
    const deadline = Date.now() + 30_000;
    for (const p of [pid, ...children]) {
      while (existsSync(`/proc/${p}`)) {
        if (Date.now() > deadline) throw new Error(`process ${p} of the killed postmaster ${pid} did not exit`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return pid;
  }

  /** Connection settings for the `pg` package. */
  connection(user = 'postgres', database = 'postgres'): { host: string; port: number; user: string; database: string } {
    return { host: '127.0.0.1', port: this.port, user, database };
  }

  /** The log files the collector wrote, by destination. */
  logs(): { stderr: string; csvlog: string; jsonlog: string | null } {
    const f = (name: string) => join(this.logDir, name);
    return { stderr: f('postgres.log'), csvlog: f('postgres.csv'), jsonlog: existsSync(f('postgres.json')) ? f('postgres.json') : null };
  }

  /** Stops the server if it runs and removes its directory. Safe to call more than once. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    try {
      if (this.running || existsSync(join(this.data, 'postmaster.pid'))) this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', '-t', '30', 'stop'], true);
    } finally {
      this.running = false;
      rmSync(this.dir, { recursive: true, force: true });
      live.delete(this);
    }
  }
}

/** Size of a file in bytes (0 when missing). */
export function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

