// The stack lab's servers, run as Railway runs its database templates: PostgreSQL and Redis in the
// foreground, their output captured as the `postgres` and `redis` services. PostgreSQL's cluster is
// made by PgServer (Debian's packages, a temporary directory, a free loopback port); only the
// running postmaster is ours, so that its stderr is read as Railway reads it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, PgServer } from '../postgres-server.js';
import { Service, type Container } from './railway-capture.js';

/** Railway's PostgreSQL template logs with PostgreSQL's defaults: stderr, `%m [%p] ` prefix. */
const RAILWAY_PG_SETTINGS = {
  logging_collector: 'off',
  log_destination: "'stderr'",
  log_line_prefix: "'%m [%p] '",
};

export class PostgresService {
  container: Container | null = null;

  private constructor(readonly server: PgServer, readonly service: Service, private readonly owner: { uid?: number; gid?: number }) {}

  static async create(dir: string, settings: Record<string, string> = {}): Promise<PostgresService> {
    const server = await PgServer.create({ ...settings, ...RAILWAY_PG_SETTINGS });
    // PgServer started it with pg_ctl to check the cluster; from here on the postmaster runs in the foreground.
    server.stop('fast');
    const owner = process.getuid?.() === 0
      ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) }
      : {};
    // The same lines as the plain stderr file PostgreSQL would write, to compare both forms.
    const pg = new PostgresService(server, new Service('postgres', dir, { stderrCopy: true }), owner);
    await pg.start();
    return pg;
  }

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.server.port}/postgres`;
  }

  /** Starts the postmaster and waits until it accepts connections. */
  async start(): Promise<void> {
    const from = this.service.entries.length;
    this.container = this.service.start({
      command: join(this.server.bin, 'postgres'),
      args: ['-D', this.server.data],
      cwd: this.server.dir,
      ...this.owner,
      stopSignal: 'SIGINT', // the template's STOPSIGNAL: a fast shutdown
    });
    await waitForLine(this.service, from, 'ready to accept connections', 30_000);
  }

  /** Connection settings for the `pg` package. */
  connection(user = 'postgres', database = 'postgres'): ReturnType<PgServer['connection']> {
    return this.server.connection(user, database);
  }

  /**
   * `fast`: the platform stops the container (SIGINT, a fast shutdown). `immediate`: the container
   * dies at once with every process in it (an OOM kill, a host failure), without a platform line.
   */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (mode === 'fast') await this.container?.stop(20_000);
    else await this.container?.kill();
    this.container = null;
  }

  /** Ends the capture and the server, and removes its directory. */
  async destroy(): Promise<void> {
    this.service.endCapture();
    await this.container?.kill();
    this.server.destroy();
  }
}

export class RedisService {
  container: Container | null = null;
  readonly dir: string;

  private constructor(readonly port: number, readonly service: Service) {
    this.dir = mkdtempSync(join(tmpdir(), 'hindsight-redis-'));
  }

  static async create(dir: string): Promise<RedisService> {
    const r = new RedisService(await freePort(), new Service('redis', dir));
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async start(): Promise<void> {
    const from = this.service.entries.length;
    this.container = this.service.start({
      command: 'redis-server',
      args: ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir],
      cwd: this.dir,
    });
    await waitForLine(this.service, from, 'Ready to accept connections', 15_000);
  }

  async stop(): Promise<void> {
    await this.container?.stop(10_000);
    this.container = null;
  }

  async destroy(): Promise<void> {
    this.service.endCapture();
    await this.container?.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `ready` every 50 ms until it holds, or throws after `ms`. */
export async function waitFor(ready: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Waits for a line containing `text` among the service's entries from index `from` on. */
export async function waitForLine(service: Service, from: number, text: string, ms: number): Promise<void> {
  let i = from;
  await waitFor(() => {
    for (; i < service.entries.length; i++) if (String(service.entries[i]!.message).includes(text)) return true;
    return false;
  }, ms, `${service.name}: ${text}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
