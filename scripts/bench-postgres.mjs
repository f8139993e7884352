// `npm run bench`'s PostgreSQL rows against pgBadger (issue 16): 200,000 stderr lines of a server
// logging every statement's duration (log_min_duration_statement = 0) with log_connections and
// log_disconnections, sessions interleaved under their pids, ORM-style extended-protocol
// statements (the same text with $n, parameters in DETAIL) and simple-protocol ones with literals,
// and now and then an error with its DETAIL and STATEMENT. pgBadger 12 (Debian's /usr/bin/pgbadger)
// reads the same file in one process and with -j 2; it is the floor of the input, so "vs floor" in
// the table is lines per CPU-second of the row over pgBadger's in one process.
//
//   node scripts/bench.mjs --only analyze   hindsight's analyze rows of every input, pgBadger's here
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rng } from './bench.mjs';

const PGBADGER = '/usr/bin/pgbadger';
const PREFIX = '%m [%p] ';

const pick = (r, a) => a[(r() * a.length) | 0];
const int = (r, lo, hi) => lo + ((r() * (hi - lo + 1)) | 0);
const pad = (n, w = 2) => String(n).padStart(w, '0');
const TABLES = ['tasks', 'projects', 'users', 'sessions', 'events', 'invoices', 'comments', 'labels'];
const COLUMNS = ['owner_id', 'project_id', 'created_at', 'status', 'title', 'priority'];
const USERS = ['app', 'app', 'app', 'worker', 'metabase'];

/** Statements as an ORM sends them (extended protocol): the text repeats, values are $n. */
const PREPARED = Array.from({ length: 40 }, (_, k) => {
  const t = TABLES[k % TABLES.length];
  const c = COLUMNS[k % COLUMNS.length];
  switch (k % 5) {
    case 0: return [`SELECT ${t}.id, ${t}.${c}, ${t}.updated_at FROM ${t} WHERE ${t}.id = $1`, 1];
    case 1: return [`SELECT count(*) AS count_1 FROM ${t} WHERE ${t}.${c} = $1 AND ${t}.deleted_at IS NULL`, 1];
    case 2: return [`UPDATE ${t} SET ${c}=$1, updated_at=$2 WHERE ${t}.id = $3`, 3];
    case 3: return [`INSERT INTO ${t} (${c}, created_at) VALUES ($1, $2) RETURNING ${t}.id`, 2];
    default: return [`SELECT ${t}.* FROM ${t} WHERE ${t}.project_id = $1 ORDER BY ${t}.created_at DESC LIMIT $2 OFFSET $3`, 3];
  }
});

/** Statements with their values written in (simple protocol, psql, migrations, dashboards). */
const LITERAL = [
  (r) => `SELECT * FROM ${pick(r, TABLES)} WHERE id = ${int(r, 1, 1e6)}`,
  (r) => `SELECT id, title FROM tasks WHERE owner_id = ${int(r, 1, 5e4)} AND status IN ('open', 'doing', 'review') ORDER BY created_at DESC LIMIT 50`,
  (r) => `SELECT id FROM events WHERE id IN (${Array.from({ length: int(r, 1, 12) }, () => int(r, 1, 1e6)).join(', ')})`,
  (r) => `UPDATE users SET last_seen_at = '2026-02-0${int(r, 1, 9)} ${pad(int(r, 0, 23))}:${pad(int(r, 0, 59))}:00+00' WHERE id = ${int(r, 1, 5e4)}`,
  (r) => `select date_trunc('day', created_at) as day, count(*) from invoices where created_at > now() - interval '${int(r, 1, 90)} days' group by 1 order by 1`,
  () => `BEGIN`,
  () => `COMMIT`,
];

const parameter = (r, k) => (k % 2 === 0 ? `'${int(r, 1, 1e6)}'` : `'2026-02-01 ${pad(int(r, 0, 23))}:${pad(int(r, 0, 59))}:${pad(int(r, 0, 59))}.${pad(int(r, 0, 999999), 6)}+00'`);

/** PostgreSQL 15 stderr lines (`%m [%p] `) of interleaved sessions; an endless generator. */
export function* postgresSessionLines(seed) {
  const r = rng(seed);
  let t = Date.UTC(2026, 1, 1, 0, 0, 0);
  const open = [];
  let nextPid = 1000;
  for (;;) {
    t += int(r, 0, 40);
    const d = new Date(t);
    const at = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} UTC`;
    const x = r();
    if (open.length < 4 || (x < 0.01 && open.length < 40)) {
      const s = { pid: nextPid++, user: pick(r, USERS), host: `10.0.${int(r, 0, 9)}.${int(r, 2, 250)}`, port: int(r, 30000, 65000), started: t };
      open.push(s);
      yield `${at} [${s.pid}] LOG:  connection received: host=${s.host} port=${s.port}`;
      yield `${at} [${s.pid}] LOG:  connection authorized: user=${s.user} database=app application_name=${s.user === 'metabase' ? 'Metabase' : 'gunicorn'}`;
      continue;
    }
    const i = (r() * open.length) | 0;
    const s = open[i];
    const p = `${at} [${s.pid}] `;
    if (x < 0.02) {
      open.splice(i, 1);
      const ms = t - s.started;
      yield `${p}LOG:  disconnection: session time: 0:${pad(Math.floor(ms / 60000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)} user=${s.user} database=app host=${s.host} port=${s.port}`;
    } else if (x < 0.62) {
      const [sql, params] = pick(r, PREPARED);
      yield `${p}LOG:  duration: ${(r() * 0.2).toFixed(3)} ms  parse <unnamed>: ${sql}`;
      yield `${p}LOG:  duration: ${(r() * 0.2).toFixed(3)} ms  bind <unnamed>: ${sql}`;
      yield `${p}DETAIL:  parameters: ${Array.from({ length: params }, (_, k) => `$${k + 1} = ${parameter(r, k)}`).join(', ')}`;
      yield `${p}LOG:  duration: ${(r() * (r() < 0.01 ? 3000 : 20)).toFixed(3)} ms  execute <unnamed>: ${sql}`;
      yield `${p}DETAIL:  parameters: ${Array.from({ length: params }, (_, k) => `$${k + 1} = ${parameter(r, k)}`).join(', ')}`;
    } else if (x < 0.985) {
      yield `${p}LOG:  duration: ${(r() * (r() < 0.01 ? 5000 : 30)).toFixed(3)} ms  statement: ${pick(r, LITERAL)(r)}`;
    } else {
      const id = int(r, 1, 1e6);
      yield `${p}ERROR:  duplicate key value violates unique constraint "tasks_pkey"`;
      yield `${p}DETAIL:  Key (id)=(${id}) already exists.`;
      yield `${p}STATEMENT:  INSERT INTO tasks (id, title) VALUES (${id}, 'Write the report')`;
    }
  }
}

export const datasets = [{ name: 'postgres-200k', file: 'postgres-200k.log', bytes: 27.5e6, lines: () => postgresSessionLines(7) }];

/**
 * pgBadger on `file` (its text report to a file in a temporary folder): CPU time and peak RSS of its
 * processes, from GNU time. Never `-o /dev/null`: pgBadger deletes its output file before it starts,
 * and run as root it deletes /dev/null.
 */
function pgbadger(file, jobs) {
  if (!existsSync(PGBADGER)) throw new Error(`${PGBADGER} is not installed (Debian: apt-get install pgbadger)`);
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-bench-pgbadger-'));
  const t0 = performance.now();
  const p = spawnSync('/usr/bin/time', ['-f', '%U %S %M', PGBADGER, '-q', '-f', 'stderr', '--prefix', PREFIX, '-j', String(jobs), '-x', 'text', '-o', join(dir, 'report.txt'), file], { encoding: 'utf8' });
  const timedMs = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  if (p.status !== 0) throw new Error(`pgbadger exited ${p.status}: ${p.stderr.trim()}`);
  const [user, sys, rssKB] = p.stderr.trim().split('\n').pop().split(' ').map(Number);
  const lines = Number(spawnSync('wc', ['-l', file], { encoding: 'utf8' }).stdout.trim().split(' ')[0]);
  return { lines, timedMs, timedCpuMs: (user + sys) * 1000, maxRssMB: rssKB / 1024 };
}

export const benchmarks = [
  {
    name: 'pgBadger (one process)',
    about: 'pgbadger -f stderr --prefix "%m [%p] " -j 1 -x text: pgBadger 12 reading the same file (CPU time and peak RSS of its process)',
    floor: true,
    datasets: ['postgres-200k'],
    run: (file) => pgbadger(file, 1),
  },
  {
    name: 'pgBadger -j 2',
    about: 'the same with -j 2: two processes on byte ranges of the file (CPU time of all of them)',
    datasets: ['postgres-200k'],
    run: (file) => pgbadger(file, 2),
  },
];
