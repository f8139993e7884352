// The committed samples are exactly what scripts/generate-samples.mjs writes, and they hold the
// incidents their READMEs promise. The checks read the files with plain JSON parsing and string
// matching, not with hindsight's own readers or detectors, so they test the data, not the code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SAMPLES = join(ROOT, 'samples');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

interface RailwayLine {
  message: string;
  timestamp: string;
  level: string;
  [k: string]: unknown;
}

function jsonLines(path: string): RailwayLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as RailwayLine);
}

const ms = (iso: string) => Date.parse(iso);
const PG_PREFIX = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) UTC \[(\d+)\] (LOG|ERROR|DETAIL|STATEMENT|FATAL|WARNING|HINT):  (.*)$/;

describe('samples are what the generator writes', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'hindsight-samples-'));
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'generate-samples.mjs'), tmp, '--quiet'], { cwd: ROOT });
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('regenerates byte-identical files, and no file is missing or extra', () => {
    const committed = filesUnder(SAMPLES);
    const generated = filesUnder(tmp);
    expect(generated).toEqual(committed);
    expect(committed.length).toBeGreaterThanOrEqual(4);
    for (const f of committed) {
      const a = readFileSync(join(SAMPLES, f));
      const b = readFileSync(join(tmp, f));
      expect(a.equals(b), `${f} differs from a fresh run of npm run samples`).toBe(true);
    }
  });
});

describe('samples/whendoist holds the incident of review 000', () => {
  const app = jsonLines(join(SAMPLES, 'whendoist', 'whendoist.jsonl'));
  const pg = jsonLines(join(SAMPLES, 'whendoist', 'postgres.jsonl'));
  const t = (o: RailwayLine) => ms(o.timestamp);

  it('is railway logs --json: message, RFC 3339 nanosecond timestamp, level, deployment ids; in time order', () => {
    for (const o of [...app, ...pg]) {
      expect(typeof o.message).toBe('string');
      expect(o.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      expect(['info', 'warn', 'error']).toContain(o.level);
      expect(typeof o.deploymentId).toBe('string');
      expect(typeof o.deploymentInstanceId).toBe('string');
    }
    for (const lines of [app, pg]) for (let i = 1; i < lines.length; i++) expect(lines[i - 1]!.timestamp <= lines[i]!.timestamp).toBe(true);
    expect(app.length).toBeGreaterThan(3000);
    expect(t(app[0]!)).toBeGreaterThanOrEqual(ms('2026-02-01T08:00:00Z'));
    expect(t(app[app.length - 1]!)).toBeLessThan(ms('2026-02-08T08:00:00Z'));
  });

  it('has the empty materialization errors hourly, drifting about a minute an hour, at the quoted times', () => {
    const errors = app.filter((o) => o.message.startsWith('Materialization loop error'));
    for (const e of errors) {
      expect(e.message).toBe('Materialization loop error: ');
      expect(e.level).toBe('error');
    }
    expect(errors.length).toBeGreaterThan(150);
    const times = errors.map(t);
    for (let i = 1; i < times.length; i++) {
      const gap = (times[i]! - times[i - 1]!) / 1000;
      expect(gap).toBeGreaterThan(3600 + 10);
      expect(gap).toBeLessThan(3600 + 120);
    }
    const minutes = errors.map((e) => e.timestamp.slice(0, 16));
    for (const m of ['2026-02-07T19:12', '2026-02-08T03:20', '2026-02-08T04:20', '2026-02-08T05:22', '2026-02-08T06:23', '2026-02-08T07:24']) {
      expect(minutes).toContain(m);
    }
  });

  it('has successful materializations on an exact hourly cadence in the last container', () => {
    const ok = app.filter((o) => /^Materialized \d+ task instances for 2 users$/.test(o.message) && o.timestamp >= '2026-02-08T03:00:30');
    expect(ok.map((o) => o.timestamp.slice(11, 16))).toEqual(['03:00', '04:00', '05:00', '06:00', '07:00']);
    for (let i = 1; i < ok.length; i++) expect(Math.abs((t(ok[i]!) - t(ok[i - 1]!)) / 1000 - 3600)).toBeLessThan(3);
  });

  it('has the 19:12 cluster exactly as review §1.2 shows it, then recovery', () => {
    const win = app.filter((o) => o.timestamp >= '2026-02-07T19:12:00' && o.timestamp < '2026-02-07T19:13:00' && o.level === 'error');
    expect(win.map((o) => `${o.timestamp.slice(11, 19)} ${o.message}`)).toEqual([
      '19:12:02 Materialization loop error: ',
      '19:12:22 Database session error: ',
      '19:12:22 Request failed: GET /dashboard',
      '19:12:22 Database session error: ',
      '19:12:22 Request failed: GET /dashboard',
      '19:12:23 Database session error: ',
      '19:12:23 Request failed: GET /',
      '19:12:27 Database session error: ',
      '19:12:27 Request failed: GET /dashboard',
      '19:12:47 Database session error: ',
      '19:12:47 Request failed: GET /dashboard',
    ]);
    const sessionErrors = app.filter((o) => o.message.startsWith('Database session error'));
    expect(sessionErrors).toHaveLength(5);
    const failed = win.filter((o) => o.message.startsWith('Request failed'));
    expect((t(failed[4]!) - t(failed[0]!)) / 1000).toBeCloseTo(25.8, 0);
    expect(Math.round((t(failed[0]!) - t(win[0]!)) / 1000)).toBe(20);
    for (const f of failed) expect(f.status_code).toBe(500);
    const recovered = app.find((o) => o.timestamp > '2026-02-07T19:12:48' && o.status_code === 200 && o.user_id === 1);
    expect(recovered?.timestamp.slice(11, 16)).toBe('19:13');
  });

  it('has six container cycles, each stop followed within seconds by three resets from distinct backends', () => {
    const starts = app.filter((o) => o.message === 'Starting Container');
    const stops = app.filter((o) => o.message === 'Stopping Container');
    expect(starts.map((o) => o.timestamp.slice(11, 16))).toEqual(['19:21', '19:39', '21:39', '01:53', '02:57', '03:00']);
    expect(stops.map((o) => o.timestamp.slice(11, 16))).toEqual(['19:21', '19:39', '21:39', '01:53', '02:57', '03:00']);
    const resets = pg.filter((o) => o.message.endsWith('could not receive data from client: Connection reset by peer'));
    expect(resets).toHaveLength(18);
    for (const stop of stops) {
      const after = resets.filter((r) => t(r) >= t(stop) && t(r) - t(stop) <= 5000);
      expect(after).toHaveLength(3);
      const pids = new Set(after.map((r) => PG_PREFIX.exec(r.message)![2]));
      expect(pids.size).toBe(3);
    }
    // Each stop belongs to the deployment that was running before the new one started.
    for (let i = 1; i < stops.length; i++) expect(stops[i]!.deploymentId).toBe(starts[i - 1]!.deploymentId);
  });

  it('shows the short cycles of review §1.4 line for line', () => {
    const find = (prefix: string, message: string) => app.find((o) => o.timestamp.startsWith(prefix) && o.message === message);
    expect(find('2026-02-08T02:57:21', 'Starting Container')).toBeDefined();
    expect(find('2026-02-08T02:57:26', 'Starting Whendoist v0.39.8')).toBeDefined();
    expect(find('2026-02-08T02:57:30', 'Stopping Container')).toBeDefined();
    expect(find('2026-02-08T03:00:22', 'Starting Container')).toBeDefined();
    expect(find('2026-02-08T03:00:30', 'Startup complete (3.2s)')).toBeDefined();
    expect(find('2026-02-08T03:00:35', 'Stopping Container')).toBeDefined();
    // uvicorn writes INFO to stderr, and Railway labels stderr error.
    const uvicorn = app.filter((o) => o.message.startsWith('INFO:     '));
    expect(uvicorn.length).toBeGreaterThan(20);
    for (const u of uvicorn) expect(u.level).toBe('error');
  });

  it('has PostgreSQL lines with the %m [%p] prefix, all labelled error by Railway', () => {
    for (const o of pg) {
      expect(o.level).toBe('error');
      expect(o.message).toMatch(PG_PREFIX);
    }
    expect(pg.filter((o) => o.message.includes('checkpoint starting: time')).length).toBeGreaterThan(100);
  });

  it('keeps other errors isolated: none within an hour of another, outside the incident', () => {
    const other = app.filter(
      (o) =>
        o.level === 'error' &&
        !o.message.startsWith('INFO:     ') &&
        !o.message.startsWith('Materialization loop error') &&
        !(o.timestamp >= '2026-02-07T19:12:00' && o.timestamp < '2026-02-07T19:13:00'),
    );
    expect(other.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < other.length; i++) expect(t(other[i]!) - t(other[i - 1]!)).toBeGreaterThan(3600_000);
  });

  it('has exactly two planted secrets', () => {
    const all = [...app, ...pg].map((o) => JSON.stringify(o));
    expect(all.filter((l) => /postgres(?:ql)?(?:\+\w+)?:\/\/[^:\s]+:[^@\s]+@/.test(l))).toHaveLength(1);
    expect(all.filter((l) => /Bearer [A-Za-z0-9._-]{20,}/.test(l))).toHaveLength(1);
  });

  it('has metrics with the sawtooth, flat PostgreSQL, small CPU, and the review\'s cost shares', () => {
    const docs = readFileSync(join(SAMPLES, 'whendoist', 'metrics.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(docs.map((d) => d.service)).toEqual(['whendoist', 'postgres']);
    type Point = { ts: number; value: number };
    const [appDoc, pgDoc] = docs as Array<{ measurements: Record<string, Point[]> }>;
    const memApp = appDoc!.measurements.MEMORY_USAGE_GB!.map((p) => p.value * 1000);
    const step = appDoc!.measurements.MEMORY_USAGE_GB![1]!.ts - appDoc!.measurements.MEMORY_USAGE_GB![0]!.ts;
    expect(step).toBeGreaterThanOrEqual(60);
    expect(step).toBeLessThanOrEqual(300);
    expect(Math.min(...memApp)).toBeGreaterThan(75);
    expect(Math.max(...memApp)).toBeLessThan(210);
    let drops = 0;
    for (let i = 1; i < memApp.length; i++) if (memApp[i - 1]! - memApp[i]! > 60) drops++;
    expect(drops).toBeGreaterThanOrEqual(20); // a sawtooth: cycles of a few hours over 7 days, not only the 6 restarts
    const memPg = pgDoc!.measurements.MEMORY_USAGE_GB!.map((p) => p.value * 1000);
    expect(Math.min(...memPg)).toBeGreaterThan(74);
    expect(Math.max(...memPg)).toBeLessThan(86);
    expect(Math.max(...appDoc!.measurements.CPU_USAGE!.map((p) => p.value))).toBeLessThanOrEqual(0.05);

    // Cost at Railway's prices over the window (month = 43,200 minutes).
    const integrate = (s: Point[]) => s.reduce((a, p, i) => a + p.value * ((i + 1 < s.length ? s[i + 1]!.ts - p.ts : p.ts - s[i - 1]!.ts) / 60), 0);
    let memory = 0, cpu = 0, network = 0, volume = 0;
    for (const d of docs as Array<{ measurements: Record<string, Point[] | undefined> }>) {
      const m = d.measurements;
      memory += (integrate(m.MEMORY_USAGE_GB!) * 10) / 43200;
      cpu += (integrate(m.CPU_USAGE!) * 20) / 43200;
      network += m.NETWORK_TX_GB!.reduce((a, p) => a + p.value, 0) * 0.05;
      if (m.DISK_USAGE_GB) volume += (integrate(m.DISK_USAGE_GB) * 0.15) / 43200;
    }
    const total = memory + cpu + network + volume;
    const share = (x: number) => Math.round((100 * x) / total);
    expect([share(memory), share(cpu), share(network), share(volume)]).toEqual([97, 2, 1, 1]);
  });
});

describe('samples/restart-loop holds the incident of review 001', () => {
  const backend = jsonLines(join(SAMPLES, 'restart-loop', 'backend.jsonl'));
  const pgText = readFileSync(join(SAMPLES, 'restart-loop', 'postgres.log'), 'utf8');
  const pgLines = pgText.split('\n').filter((l) => l.length > 0);

  it('has a PostgreSQL stderr log with the %m [%p] prefix (continuation lines indented)', () => {
    for (const l of pgLines) expect(PG_PREFIX.test(l) || l.startsWith('\t')).toBe(true);
  });

  it('has two unclean shutdowns, each recovered from the redo pointer of the last checkpoint', () => {
    const msg = (l: string) => PG_PREFIX.exec(l)?.[4] ?? '';
    const interrupted = pgLines.filter((l) => msg(l).startsWith('database system was interrupted; last known up at'));
    expect(interrupted).toHaveLength(2);
    expect(pgLines.filter((l) => msg(l) === 'database system was not properly shut down; automatic recovery in progress')).toHaveLength(2);
    expect(pgText).toContain('redo starts at 0/19EC1F0');
    expect(pgText).toContain('invalid record length at 0/19EC278: expected at least 24, got 0');
    expect(pgLines.filter((l) => msg(l) === 'database system is ready to accept connections')).toHaveLength(2);
    expect(pgLines.some((l) => msg(l) === 'the database system is starting up')).toBe(true);
    expect(pgLines.some((l) => msg(l) === 'the database system is in recovery mode')).toBe(true);
    expect(pgLines.some((l) => msg(l) === 'could not accept SSL connection: EOF detected')).toBe(true);
    // No clean shutdown was logged before either crash.
    expect(pgText).not.toContain('shutdown request');
    pgLines.forEach((l, i) => {
      const m = /^redo starts at (\S+)$/.exec(msg(l));
      if (!m) return;
      const lastCheckpoint = pgLines.slice(0, i).reverse().find((x) => msg(x).startsWith('checkpoint complete:') && !x.includes('end-of-recovery'));
      expect(lastCheckpoint).toContain(`redo lsn=${m[1]}`);
    });
  });

  it('has the restart loop: exit 137, failing health checks, and the missing table', () => {
    const killed = backend.filter((o) => o.message === 'uvicorn exited with code 137');
    expect(killed.length).toBeGreaterThanOrEqual(10);
    const attempts = backend.map((o) => /^Attempt #(\d+) failed with service unavailable\. Continue to retry in \d+s$/.exec(o.message)).filter((m) => m !== null);
    expect(attempts.length).toBeGreaterThanOrEqual(8);
    expect(backend.filter((o) => o.message === 'Healthcheck failed!')).toHaveLength(2);
    expect(backend.filter((o) => o.message === 'Starting Container').length).toBeGreaterThan(killed.length);
    expect(backend.some((o) => o.message.includes('relation "users" does not exist'))).toBe(true);
    expect(pgLines.some((l) => l.includes('ERROR:  relation "users" does not exist'))).toBe(true);
    // A deployment restarts at most 10 times (Railway's default policy).
    const perDeployment = new Map<string, number>();
    for (const o of backend) if (o.message === 'Starting Container') perDeployment.set(o.deploymentId as string, (perDeployment.get(o.deploymentId as string) ?? 0) + 1);
    for (const n of perDeployment.values()) expect(n).toBeLessThanOrEqual(11);
  });
});

describe('samples/pg-guardrails holds the incident of review 003', () => {
  const pgText = readFileSync(join(SAMPLES, 'pg-guardrails', 'postgresql.log'), 'utf8');
  const lines = pgText.split('\n').filter((l) => l.length > 0);
  const PREFIX = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC \[(\d+)\]: \[(\d+)-1\] user=([^,]*),db=([^,]*),app=([^,]*),client=(\S*) (LOG|ERROR|FATAL|DETAIL|HINT|CONTEXT|STATEMENT):  (.*)$/;
  const parsed = lines.map((l) => PREFIX.exec(l));
  const api = jsonLines(join(SAMPLES, 'pg-guardrails', 'api.jsonl'));

  it("uses the %t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h prefix, %l counting each process's lines", () => {
    const lastL = new Map<string, number>();
    lines.forEach((l, i) => {
      const m = parsed[i];
      if (m === null || m === undefined) {
        expect(l.startsWith('\t')).toBe(true); // continuation of a multi-line DETAIL
        return;
      }
      const n = Number(m[3]);
      expect(n).toBe((lastL.get(m[2]!) ?? 0) + 1);
      lastL.set(m[2]!, n);
    });
  });

  it('has slow statements over 1 s, lock waits, a deadlock, lock/statement/idle timeouts with their context', () => {
    const msgs = parsed.filter((m) => m !== null).map((m) => ({ pid: m![2]!, sev: m![8]!, msg: m![9]! }));
    const durations = msgs.map((m) => /^duration: ([\d.]+) ms {2}statement: /.exec(m.msg)).filter((m) => m !== null).map((m) => Number(m![1]));
    expect(durations.length).toBeGreaterThan(20);
    for (const d of durations) expect(d).toBeGreaterThanOrEqual(1000);
    const waits = msgs.filter((m) => /^process \d+ still waiting for ShareLock on transaction \d+ after 1000\.\d+ ms$/.test(m.msg));
    expect(waits.length).toBeGreaterThanOrEqual(5);
    const after = (i: number, sev: string) => msgs[i + 1]?.sev === sev;
    msgs.forEach((m, i) => {
      if (m.msg === 'canceling statement due to lock timeout') {
        expect(m.sev).toBe('ERROR');
        expect(after(i, 'CONTEXT')).toBe(true);
        expect(msgs[i + 2]?.sev).toBe('STATEMENT');
      }
      if (m.msg === 'canceling statement due to statement timeout') expect(after(i, 'STATEMENT')).toBe(true);
    });
    expect(msgs.filter((m) => m.msg === 'canceling statement due to lock timeout').length).toBeGreaterThanOrEqual(2);
    expect(msgs.filter((m) => m.msg === 'canceling statement due to statement timeout').length).toBeGreaterThanOrEqual(2);
    expect(msgs.filter((m) => m.sev === 'FATAL' && m.msg === 'terminating connection due to idle-in-transaction timeout').length).toBeGreaterThanOrEqual(1);
    expect(msgs.filter((m) => m.msg.includes(' acquired ShareLock on transaction ')).length).toBeGreaterThanOrEqual(2);
    const deadlock = lines.findIndex((l) => l.endsWith('ERROR:  deadlock detected'));
    expect(deadlock).toBeGreaterThan(0);
    expect(lines[deadlock + 1]).toMatch(/DETAIL: {2}Process \d+ waits for ShareLock on transaction \d+; blocked by process \d+\.$/);
    expect(lines[deadlock + 2]).toMatch(/^\tProcess \d+ waits for ShareLock/);
    expect(lines.slice(deadlock + 1, deadlock + 8).some((l) => l.includes('HINT:  See server log for query details.'))).toBe(true);
  });

  it('has the API 504s from the 15 s request-timeout middleware, each outlived by its query', () => {
    const timeouts = api.filter((o) => o.logger === 'genonaut.api.middleware.timeout');
    expect(timeouts.length).toBeGreaterThanOrEqual(5);
    for (const o of timeouts) {
      expect(o.status_code).toBe(504);
      expect(o.message).toMatch(/^Request timed out after 15\.0s: GET \/api\/v1\/content\/unified\?/);
      const t0 = ms(o.timestamp) - (o.duration_ms as number);
      // Within 20 s after the 504, PostgreSQL still reports the query: cancelled at 30 s or finished after 15 s.
      const later = lines.some((l) => {
        const m = PREFIX.exec(l);
        if (!m) return false;
        const t = ms(`${m[1]!.replace(' ', 'T')}Z`);
        return t >= t0 + 15_000 && t <= t0 + 31_000 && (m[9] === 'canceling statement due to statement timeout' || /^duration: (1[6-9]|2\d)\d{3}\.\d+ ms/.test(m[9]!));
      });
      expect(later).toBe(true);
    }
  });
});

describe('samples/bot-workers holds the incident of review 004', () => {
  const lines = readFileSync(join(SAMPLES, 'bot-workers', 'bot.log'), 'utf8').split('\n').filter((l) => l.length > 0);

  it('is plain railway logs text: every line starts with [INFO] or [ERRO]', () => {
    for (const l of lines) expect(l).toMatch(/^\[(INFO|ERRO)\] /);
    expect(lines.length).toBeGreaterThan(500);
  });

  it('has five workers, with iterations that start and never end', () => {
    const open = new Map<string, string>();
    const workers = new Set<string>();
    let ended = 0;
    for (const l of lines) {
      const s = /ITERATION_START worker=(\w+) iteration=(\d+)/.exec(l);
      if (s) { open.set(`${s[1]}#${s[2]}`, l); workers.add(s[1]!); }
      const e = /ITERATION_END worker=(\w+) iteration=(\d+)/.exec(l);
      if (e) { expect(open.delete(`${e[1]}#${e[2]}`)).toBe(true); ended++; }
    }
    expect(workers.size).toBe(5);
    expect(ended).toBeGreaterThan(300);
    const never = [...open.keys()];
    expect(never.length).toBeGreaterThanOrEqual(4);
    expect(never.some((k) => k.startsWith('crypto_payment_watcher#'))).toBe(true);
    expect(never.some((k) => k.startsWith('activation_worker#'))).toBe(true);
  });

  it('has pool exhaustion (bare TimeoutError from asyncpg acquire), handler timeouts, then the watchdog restart', () => {
    expect(lines.filter((l) => l === '[ERRO] TimeoutError').length).toBeGreaterThanOrEqual(3);
    expect(lines.some((l) => l.includes('asyncpg/pool.py') && l.includes('_acquire'))).toBe(true);
    const handlerTimeouts = lines.filter((l) => l.includes('WEBHOOK_HANDLER_TIMEOUT'));
    expect(handlerTimeouts.length).toBeGreaterThanOrEqual(10);
    const liveness = lines.findIndex((l) => l.includes('LIVENESS_CHECK_FAILED'));
    expect(liveness).toBeGreaterThan(0);
    expect(lines[liveness + 1]).toContain('os._exit(1)');
    const silence = Number(/silence=([\d.]+)s limit=180s/.exec(lines[liveness]!)![1]);
    expect(silence).toBeGreaterThan(180);
    expect(silence).toBeLessThan(210);
    expect(lines.slice(liveness).some((l) => l === '[INFO] Starting Container')).toBe(true);
    expect(lines.filter((l) => l === '[INFO] Starting Container')).toHaveLength(2);
  });
});
