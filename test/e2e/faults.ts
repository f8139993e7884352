// The fault script: drives a real PostgreSQL server into each incident the detectors look for,
// a known number of times, with the `pg` package. Every fault returns what it caused, so the test
// compares hindsight's findings with what really happened, not with numbers written by hand.
import pg from 'pg';
import type { Socket } from 'node:net';
import type { PgServer } from './postgres-server.js';

/** What the script needs of a server: PgServer, or the stack lab's PostgreSQL run as a Railway service. */
export type FaultTarget = Pick<PgServer, 'connection'> & {
  stop(mode: 'fast' | 'immediate'): unknown;
  start(): unknown;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the script caused, counted as it happened. */
export interface Injected {
  slowExecutions: number;
  slowStatements: number;
  statementTimeouts: number;
  idleInTransactionTimeouts: number;
  lockWaitsAcquired: number;
  lockWaitsLogged: number;
  lockTimeouts: number;
  deadlocks: number;
  reservedSlotRefusals: number;
  tooManyClients: number;
  peakSessions: number;
  clientResets: number;
  immediateShutdowns: number;
}

async function connect(s: FaultTarget, user = 'postgres'): Promise<pg.Client> {
  const c = new pg.Client({ ...s.connection(user, 'shop'), application_name: 'hindsight-e2e' });
  // Server-side terminations (timeouts) arrive as 'error' events on idle clients: expected here.
  c.on('error', () => {});
  await c.connect();
  return c;
}

async function closeAll(clients: pg.Client[]): Promise<void> {
  await Promise.all(clients.map((c) => c.end().catch(() => {})));
  // Let the backends log their disconnection before the next fault counts sessions.
  await sleep(300);
}

/** Errors a promise is expected to reject with; returns the SQLSTATE (or message). */
async function expectError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).message;
  }
  throw new Error('expected the statement to fail');
}

/** Creates the schema the faults use: an app role (not a superuser) and a small table. */
export async function prepare(s: FaultTarget): Promise<void> {
  const admin = new pg.Client(s.connection('postgres', 'postgres'));
  await admin.connect();
  await admin.query('CREATE ROLE app LOGIN');
  await admin.query('CREATE DATABASE shop OWNER app');
  await admin.end();
  const c = await connect(s, 'app');
  await c.query('CREATE TABLE orders (id int PRIMARY KEY, status text NOT NULL, total numeric NOT NULL)');
  await c.query("INSERT INTO orders SELECT g, 'new', g * 10 FROM generate_series(1, 100) g");
  await closeAll([c]);
}

/** Slow statements over log_min_duration_statement (1 s): three literal ones that normalize to one group, two parameterized (execute). */
async function slowQueries(s: FaultTarget, inj: Injected): Promise<void> {
  const a = await connect(s, 'app');
  const b = await connect(s, 'app');
  await Promise.all([
    (async () => {
      for (const secs of ['1.05', '1.10', '1.15']) await a.query(`SELECT pg_sleep(${secs})`);
    })(),
    (async () => {
      for (const id of [3, 4]) await b.query('SELECT id, total FROM orders WHERE id = $1 AND pg_sleep(1.05) IS NOT NULL', [id]);
    })(),
  ]);
  inj.slowExecutions += 5;
  inj.slowStatements += 2;
  await closeAll([a, b]);
}

/** Two statements cancelled by statement_timeout (2.5 s), and one session left idle in a transaction past its timeout (2 s). */
async function timeouts(s: FaultTarget, inj: Injected): Promise<void> {
  const a = await connect(s, 'app');
  const b = await connect(s, 'app');
  const idle = await connect(s, 'app');
  await idle.query('BEGIN');
  await idle.query('SELECT count(*) FROM orders');
  const codes = await Promise.all([expectError(a.query('SELECT pg_sleep(6)')), expectError(b.query('SELECT pg_sleep(7)'))]);
  for (const c of codes) if (c !== '57014') throw new Error(`statement timeout gave ${c}`);
  inj.statementTimeouts += 2;
  // The idle session is terminated by the server at 2 s; wait past it.
  await sleep(800);
  const code = await expectError(idle.query('SELECT 1'));
  if (!/terminat|closed|Connection|25P03/i.test(code)) throw new Error(`idle session gave ${code}`);
  inj.idleInTransactionTimeouts += 1;
  await closeAll([a, b, idle]);
}

/** A lock wait longer than deadlock_timeout that ends with the lock acquired. */
async function lockWait(s: FaultTarget, inj: Injected): Promise<void> {
  const holder = await connect(s, 'app');
  const waiter = await connect(s, 'app');
  await holder.query('BEGIN');
  await holder.query("UPDATE orders SET status = 'held' WHERE id = 10");
  const waiting = waiter.query("UPDATE orders SET status = 'waited' WHERE id = 10");
  await sleep(600);
  await holder.query('COMMIT');
  await waiting;
  inj.lockWaitsAcquired += 1;
  inj.lockWaitsLogged += 1;
  await closeAll([holder, waiter]);
}

/** A lock wait that runs into lock_timeout (1 s): logged as still waiting, then cancelled. */
async function lockTimeout(s: FaultTarget, inj: Injected): Promise<void> {
  const holder = await connect(s, 'app');
  const waiter = await connect(s, 'app');
  await holder.query('BEGIN');
  await holder.query("UPDATE orders SET status = 'held' WHERE id = 20");
  const code = await expectError(waiter.query("UPDATE orders SET status = 'late' WHERE id = 20"));
  if (code !== '55P03') throw new Error(`lock timeout gave ${code}`);
  await holder.query('ROLLBACK');
  inj.lockTimeouts += 1;
  inj.lockWaitsLogged += 1;
  await closeAll([holder, waiter]);
}

/** Two transactions that update two rows in opposite orders: one deadlock. */
async function deadlock(s: FaultTarget, inj: Injected): Promise<void> {
  const t1 = await connect(s, 'app');
  const t2 = await connect(s, 'app');
  await t1.query('BEGIN');
  await t2.query('BEGIN');
  await t1.query("UPDATE orders SET status = 't1' WHERE id = 30");
  await t2.query("UPDATE orders SET status = 't2' WHERE id = 31");
  const first = t1.query("UPDATE orders SET status = 't1' WHERE id = 31").then(() => 'ok', (e: { code?: string }) => e.code ?? 'error');
  await sleep(60);
  const second = t2.query("UPDATE orders SET status = 't2' WHERE id = 30").then(() => 'ok', (e: { code?: string }) => e.code ?? 'error');
  const results = await Promise.all([first, second]);
  if (results.filter((r) => r === '40P01').length !== 1) throw new Error(`deadlock gave ${results.join(', ')}`);
  // The first waiter runs the deadlock check first (after deadlock_timeout) and logs its wait as it detects the cycle.
  inj.lockWaitsLogged += 1;
  inj.deadlocks += 1;
  await Promise.all([t1.query('ROLLBACK').catch(() => {}), t2.query('ROLLBACK').catch(() => {})]);
  await closeAll([t1, t2]);
}

/** max_connections = 10 with 3 reserved: 7 app sessions, one app refused (reserved slots), 3 superusers fill the rest, two more refused. */
async function tooManyClients(s: FaultTarget, inj: Injected): Promise<void> {
  const held: pg.Client[] = [];
  for (let i = 0; i < 7; i++) held.push(await connect(s, 'app'));
  const reserved = await expectError(connect(s, 'app'));
  if (reserved !== '53300') throw new Error(`reserved slots gave ${reserved}`);
  inj.reservedSlotRefusals += 1;
  for (let i = 0; i < 3; i++) held.push(await connect(s, 'postgres'));
  for (let i = 0; i < 2; i++) {
    const code = await expectError(connect(s, 'postgres'));
    if (code !== '53300') throw new Error(`too many clients gave ${code}`);
    inj.tooManyClients += 1;
  }
  inj.peakSessions = Math.max(inj.peakSessions, held.length);
  await closeAll(held);
}

/** Clients whose TCP connection is reset while connected (a killed process, a dropped pool). */
async function clientResets(s: FaultTarget, inj: Injected): Promise<void> {
  const clients: pg.Client[] = [];
  for (let i = 0; i < 3; i++) clients.push(await connect(s, 'app'));
  for (const c of clients) {
    const sock = (c as unknown as { connection: { stream: Socket } }).connection.stream;
    sock.resetAndDestroy();
    inj.clientResets += 1;
  }
  await sleep(400);
}

/** `pg_ctl stop -m immediate` (no shutdown checkpoint) with write traffic before it, then a start: crash recovery. */
async function immediateShutdown(s: FaultTarget, inj: Injected): Promise<void> {
  const c = await connect(s, 'app');
  await c.query("UPDATE orders SET status = 'before-crash'");
  await closeAll([c]);
  await s.stop('immediate');
  inj.immediateShutdowns += 1;
  await s.start();
}

/** Runs every fault in turn and returns what was caused. */
export async function injectFaults(s: FaultTarget): Promise<Injected> {
  const inj: Injected = {
    slowExecutions: 0, slowStatements: 0, statementTimeouts: 0, idleInTransactionTimeouts: 0, lockWaitsAcquired: 0, lockWaitsLogged: 0,
    lockTimeouts: 0, deadlocks: 0, reservedSlotRefusals: 0, tooManyClients: 0, peakSessions: 0, clientResets: 0, immediateShutdowns: 0,
  };
  await prepare(s);
  await slowQueries(s, inj);
  await timeouts(s, inj);
  await lockWait(s, inj);
  await lockTimeout(s, inj);
  await deadlock(s, inj);
  await tooManyClients(s, inj);
  await clientResets(s, inj);
  await immediateShutdown(s, inj);
  return inj;
}
