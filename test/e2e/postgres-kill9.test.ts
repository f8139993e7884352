// A real PostgreSQL whose postmaster is killed with `kill -9` while clients are connected, then
// started again and stopped cleanly. The killed postmaster logs nothing; its backends log
// "terminating connection due to unexpected postmaster exit", and the next start recovers the WAL.
// hindsight must see two server lives (the first ended by the kill, the second by its own fast
// shutdown), one ungraceful stop, and one crash recovery: from the stderr file, and from the same
// lines in the shape `railway logs --json` gives them (one entry per line, `error`, no deployment id).
import { writeFileSync, readFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { readTimeline, runDetectors } from '../../src/pipeline.js';
import type { Finding } from '../../src/model.js';
import { PgServer } from './postgres-server.js';
import { railwayJsonLines } from './railway-form.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: PgServer | null = null;
let killedPid = 0;
let killedAt = 0;
let clientsAtKill = 0;
const runs: { form: string; findings: Finding[] }[] = [];

async function client(s: PgServer): Promise<pg.Client> {
  const c = new pg.Client({ ...s.connection(), application_name: 'hindsight-e2e' });
  // The kill ends these connections: expected.
  c.on('error', () => {});
  await c.connect();
  return c;
}

beforeAll(async () => {
  server = await PgServer.create({ log_connections: 'on', log_disconnections: 'on', log_checkpoints: 'on' });
  try {
    const setup = await client(server);
    await setup.query('CREATE TABLE orders (id int PRIMARY KEY, status text NOT NULL)');
    await setup.query("INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 2000) g");
    await setup.end();
    // Clients connected when the postmaster dies, one in the middle of a write transaction: redo has work to do.
    const held = [await client(server), await client(server), await client(server)];
    clientsAtKill = held.length;
    await held[0]!.query('BEGIN');
    await held[0]!.query("UPDATE orders SET status = 'in-flight'");
    await sleep(300);
    killedAt = Date.now();
    killedPid = await server.killPostmaster();
    await Promise.all(held.map((c) => c.end().catch(() => {})));
    await sleep(500);
    server.start();
    const after = await client(server);
    await after.query('SELECT count(*) FROM orders');
    await after.end();
    await sleep(300);
    server.stop('fast');
    const stderr = readFileSync(server.logs().stderr, 'utf8');
    const dir = server.dir;
    writeFileSync(join(dir, 'postgres.jsonl'), railwayJsonLines(stderr, 'stderr').join('\n') + '\n');
    for (const [form, path] of [['stderr', server.logs().stderr], ['railway-json', join(dir, 'postgres.jsonl')]] as const) {
      const { summary } = await readTimeline([path]);
      runs.push({ form, findings: runDetectors(summary).findings });
    }
    if (process.env.HINDSIGHT_E2E_KEEP) {
      cpSync(server.logs().stderr, join(process.env.HINDSIGHT_E2E_KEEP, 'postgres-kill9.log'));
      cpSync(join(dir, 'postgres.jsonl'), join(process.env.HINDSIGHT_E2E_KEEP, 'postgres-kill9.jsonl'));
    }
  } finally {
    server.destroy();
  }
});

afterAll(() => {
  server?.destroy();
});

const finding = (fs: Finding[], detector: string) => {
  const f = fs.find((x) => x.detector === detector);
  expect(f, `${detector} finding`).toBeDefined();
  return f!;
};

describe.each(['stderr', 'railway-json'])('a postmaster killed with kill -9, read from its %s form', (form) => {
  const findings = () => runs.find((r) => r.form === form)!.findings;

  it('reports the kill as an ungraceful stop, and the final fast shutdown as graceful', () => {
    const f = finding(findings(), 'ungraceful-shutdown');
    expect(f.data).toMatchObject({ stops: 2, graceful: 1, ungraceful: 1, immediate: 0 });
    const stop = (f.data.ungracefulStops as { at: string; pid: number | null }[])[0]!;
    expect(stop.pid).toBe(killedPid);
    // The last line of the killed server's life is its backends noticing the death, just after the kill.
    expect(Math.abs(Date.parse(stop.at) - killedAt)).toBeLessThan(3_000);
  });

  it('pairs the two postmaster lives: the first crashed, the second stopped itself', () => {
    const f = finding(findings(), 'container-churn');
    const lives = f.data.containers as { start: string; stop: string | null; endedBy: string; lifetimeSeconds: number | null; pid: number | null }[];
    expect(lives.map((l) => l.endedBy)).toEqual(['crash', 'stopped']);
    expect(lives[0]!.pid).toBe(killedPid);
    expect(lives[1]!.pid).not.toBe(killedPid);
    for (const l of lives) expect(l.lifetimeSeconds).toBeGreaterThan(0);
    expect(f.data.startsAfterCrash).toBe(1);
  });

  it('sees the crash recovery, caused by the postmaster\'s death', () => {
    const f = finding(findings(), 'postgres-crash-recovery');
    expect(f.data.recoveries).toBe(1);
    const ep = (f.data.episodes as { cause: string; redoStart: string | null; ready: string | null; failedClients: number }[])[0]!;
    expect(ep.cause).toBe('postmaster-died');
    expect(ep.redoStart).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(ep.ready).not.toBeNull();
    // Every connected backend logged the postmaster's death.
    expect(ep.failedClients).toBe(clientsAtKill);
  });
});

it('gives the same findings for both forms', () => {
  const strip = (fs: Finding[]) => fs.map((f) => ({ id: f.id, severity: f.severity, title: f.title, data: JSON.parse(JSON.stringify(f.data, (k, v) => (k === 'location' ? undefined : v))) }));
  expect(strip(runs[1]!.findings)).toEqual(strip(runs[0]!.findings));
});
