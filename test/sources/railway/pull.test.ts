// `hindsight pull railway` against a Railway-compatible server on loopback (test/helpers/railway-server.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRailwayServer, type ProjectData, type RailwayTestServer, type ServerOptions } from '../../helpers/railway-server.js';
import { makeProject, type ProjectShape } from '../../helpers/railway-project.js';
import { runCli } from '../../cli/run-cli.js';
import { builtCli } from '../../helpers/built-cli.js';
import { logLine, httpLine } from '../../../src/sources/railway/lines.js';
import { RailwayClient } from '../../../src/sources/railway/client.js';
import { NewestIds, pullRailway } from '../../../src/sources/railway/pull.js';
import { railwayProgress } from '../../../src/commands/railway-source.js';

const TOKEN = 'project-token-0f3a9c';
const HOUR = 3_600_000;
let server: RailwayTestServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(shape: Partial<ProjectShape> = {}, options: ServerOptions = {}): Promise<{ s: RailwayTestServer; data: ProjectData; end: number }> {
  const end = Math.floor(Date.now() / 1000) * 1000 - HOUR;
  const data = makeProject({ end, days: 1, lines: { api: 3000, postgres: 800, worker: 700 }, ...shape });
  server = await startRailwayServer(data, options);
  return { s: server, data, end };
}

function env(s: RailwayTestServer, extra: Record<string, string> = {}): Record<string, string> {
  return { RAILWAY_TOKEN: TOKEN, HINDSIGHT_RAILWAY_URL: s.url, ...extra };
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'hindsight-pull-'));
}

/** The file pull must write for a service: every entry of the window, oldest first, once. */
function expected(data: ProjectData, name: string, since: number, until: number): string {
  const svc = data.services.find((s) => s.name === name)!;
  const lines = svc.logs.filter((l) => Date.parse(l.timestamp.slice(0, 23) + 'Z') >= since && Date.parse(l.timestamp.slice(0, 23) + 'Z') <= until).map((l) => logLine(l, name));
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

describe('hindsight pull railway', () => {
  it('writes every line of every service once, in time order, with severity and tags, across pages that split instants', async () => {
    const { s, data, end } = await serve({}, { plusOneEvery: 3, pageCap: 400 });
    const dir = scratch();
    const since = end - 24 * HOUR - HOUR;
    const r = await runCli(['pull', 'railway', '--project', data.id, '--environment', 'production', '--since', new Date(since).toISOString(), '--until', new Date(end).toISOString(), '-o', dir], { env: env(s) });
    const counts = ['api', 'postgres', 'worker'].map((n) => expected(data, n, since, end).split('\n').length - 1);
    expect(r.stderr).toContain(`pulled: ${(counts[0]! + counts[1]! + counts[2]!).toLocaleString('en-US')} log lines`);
    expect(r.code).toBe(0);
    for (const name of ['api', 'postgres', 'worker']) expect(readFileSync(join(dir, `${name}.jsonl`), 'utf8'), name).toBe(expected(data, name, since, end));
    const first = JSON.parse(readFileSync(join(dir, 'api.jsonl'), 'utf8').split('\n')[0]!);
    const src = data.services[0]!.logs[0]!;
    expect(first).toMatchObject({ message: src.message, timestamp: src.timestamp, severity: src.severity, service: 'api', deploymentId: src.tags.deploymentId, deploymentInstanceId: src.tags.deploymentInstanceId });
    // Pages were small enough to need several, some held limit + 1 entries.
    expect(s.calls.environmentLogs).toBeGreaterThan(3);
    const pull = JSON.parse(readFileSync(join(dir, 'pull.json'), 'utf8'));
    expect(pull).toMatchObject({ complete: true, source: 'railway', project: { name: 'whendoist' }, environment: { name: 'production' } });
    expect(pull.services.map((x: { lines: number }) => x.lines)).toEqual(counts);
    expect(JSON.stringify(pull)).not.toContain(TOKEN);
    // The pulled directory reads with no flag, and as the same lines given as files.
    const files = scratch();
    for (const name of ['api', 'postgres', 'worker']) writeFileSync(join(files, `${name}.jsonl`), expected(data, name, since, end));
    const http = [...data.http.values()].flat().filter((h) => Date.parse(String(h.timestamp)) >= since && Date.parse(String(h.timestamp)) <= end);
    http.sort((a, b) => (String(a.timestamp) < String(b.timestamp) ? -1 : 1));
    writeFileSync(join(files, 'api.http.jsonl'), http.map((h) => httpLine(h as { timestamp: string }, 'api')).join('\n') + '\n');
    for (const f of ['deployments.json', 'metrics.json', 'pull.json']) writeFileSync(join(files, f), readFileSync(join(dir, f)));
    const a = await runCli(['analyze', dir, '--format', 'json']);
    const b = await runCli(['analyze', files, '--format', 'json']);
    expect(a.code, a.stderr).toBe(0);
    const strip = (s: string, d: string) => s.split(d).join('DIR');
    expect(strip(a.stdout, dir)).toBe(strip(b.stdout, files));
    const report = JSON.parse(a.stdout);
    const inputs = report.inputs as { path: string; format: string; lines: number; skipped: number }[];
    expect(inputs.map((i) => [i.path.slice(dir.length + 1), i.format])).toEqual([
      ['api.http.jsonl', 'railway-http'],
      ['api.jsonl', 'railway-json'],
      ['deployments.json', 'railway-deployments'],
      ['metrics.json', 'railway-metrics'],
      ['postgres.jsonl', 'railway-json'],
      ['pull.json', 'railway-deployments'],
      ['worker.jsonl', 'railway-json'],
    ]);
    expect(inputs.every((i) => i.skipped === 0)).toBe(true);
    expect(inputs.find((i) => i.path.endsWith('api.http.jsonl'))!.lines).toBe(http.length);
  });

  for (const beforeExclusive of [false, true]) {
    it(`reads a burst of more than a page inside one millisecond whole, beforeDate read ${beforeExclusive ? 'strictly before' : 'at or before'} the date, to the nanosecond or the millisecond, pages as asked or capped below it by the server`, async () => {
      const end = Math.floor(Date.now() / 1000) * 1000 - HOUR;
      const data = makeProject({ end, days: 1, lines: { api: 400, postgres: 50, worker: 50 } });
      const api = data.services[0]!;
      // 90 of the api's own lines (1.8 pages of 50) written again inside one millisecond, by the two
      // deployments of a deploy's overlap: once at distinct nanoseconds, once at one instant.
      const [older, newer] = data.deployments.filter((d) => d.serviceId === api.id).slice(0, 2);
      const burstAt = (ms: number, ns: (i: number) => number) =>
        api.logs.slice(0, 90).map((l, i) => ({ ...l, timestamp: `${new Date(ms).toISOString().slice(0, 23)}${String(ns(i)).padStart(6, '0')}Z`, tags: { ...l.tags, deploymentId: (i % 2 === 0 ? older : newer)!.id } }));
      const insert = (xs: typeof api.logs) => {
        const i = api.logs.findIndex((l) => l.timestamp > xs[0]!.timestamp);
        api.logs.splice(i, 0, ...xs);
      };
      insert(burstAt(end - 10 * HOUR + 7, (i) => 1000 + i * 7001));
      insert(burstAt(end - 5 * HOUR + 3, () => 424_242));
      // Pages of 50 asked, or 5,000 asked and 50 sent (the server's own cap: a short page that is not the end).
      for (const [dateMs, pageLimit] of [false, true].flatMap((ms) => [50, undefined].map((n) => [ms, n] as const))) {
        server = await startRailwayServer(data, { pageCap: 50, plusOneEvery: 3, beforeExclusive, dateMs });
        const dir = scratch();
        const client = new RailwayClient({ url: server.url, token: { variable: 'RAILWAY_TOKEN', value: TOKEN } });
        const record = await pullRailway(client, { project: data.id, environment: 'production', services: ['api'], since: end - 24 * HOUR, until: end, pageLimit }, dir);
        const how = `to the ${dateMs ? 'millisecond' : 'nanosecond'}, ${pageLimit ?? 'the limit'} asked`;
        expect(record.warnings, how).toEqual([]);
        expect(record.missing, how).toEqual([]);
        // Line for line; the parts of the one instant may come in another order than the server's.
        const got = readFileSync(join(dir, 'api.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0);
        const want = expected(data, 'api', end - 24 * HOUR, end).split('\n').filter((l) => l.length > 0);
        expect(got.length, how).toBe(want.length);
        expect([...got].sort(), how).toEqual([...want].sort());
        const stamp = (l: string) => JSON.parse(l).timestamp as string;
        expect(got.map(stamp), how).toEqual(want.map(stamp));
        // The bursts were read by parts: the deployments' filters were asked.
        expect(server.asked.some((a) => a.field === 'environmentLogs' && String(a.args.filter).includes(`@deployment:${older!.id}`)), how).toBe(true);
        await server.close();
        server = null;
      }
    });
  }

  it('waits out a 429 as Retry-After says, retries a dropped connection and a 500, and counts its requests', async () => {
    const { s, data, end } = await serve({ lines: { api: 400, postgres: 100, worker: 100 } });
    s.inject.push('429', 'reset', '500');
    const dir = scratch();
    const t0 = Date.now();
    const r = await runCli(['pull', 'railway', '--project', data.id, '--environment', 'production', '--service', 'worker', '--since', new Date(end - 6 * HOUR).toISOString(), '--until', new Date(end).toISOString(), '-o', dir], { env: env(s) });
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(readFileSync(join(dir, 'worker.jsonl'), 'utf8')).toBe(expected(data, 'worker', end - 6 * HOUR, end));
    expect(existsSync(join(dir, 'api.jsonl'))).toBe(false);
    const pull = JSON.parse(readFileSync(join(dir, 'pull.json'), 'utf8'));
    expect(pull.requests).toBeGreaterThanOrEqual(5);
    expect(pull.waitedSeconds).toBeGreaterThanOrEqual(1);
  });

  it('shows its progress on a terminal only: service, pages, lines, requests left in the hour; a 429 wait says so', async () => {
    const { s, data, end } = await serve({ lines: { api: 300, postgres: 100, worker: 100 } }, { perHour: 500 });
    const argv = () => ['pull', 'railway', '--project', data.id, '--environment', 'production', '--service', 'api', '--since', new Date(end - 25 * HOUR).toISOString(), '-o', scratch()];
    s.inject.push('429');
    const tty = await runCli(argv(), { env: env(s), stderrIsTTY: true });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toContain('\rrailway: rate limited by Railway, waiting as it asks: 1 s');
    expect(tty.stderr).toMatch(/\rrailway: api \(1 of 1\) · \d+ pages? · [\d,]+ lines · \d+ requests left this hour/);
    expect(tty.stderr).not.toContain(TOKEN);
    const piped = await runCli(argv(), { env: env(s) });
    expect(piped.stderr).not.toContain('\r');
    expect(piped.stderr).toMatch(/^hindsight: pulled: [\d,]+ log lines, [\d,]+ HTTP log lines of 1 service into /);
  });

  it('shows service names in its progress inline and redacted (issue 19: progress is an output too)', () => {
    let err = '';
    const progress = railwayProgress({ stdout: () => {}, stderr: (t) => (err += t), stderrIsTTY: true }, true);
    progress.onProgress({ service: 'api password=Svc9Leak\n# heading\u202e', serviceIndex: 1, services: 1, pages: 2, lines: 300, requests: 2, remaining: 10 });
    progress.done();
    expect(err).not.toContain('Svc9Leak');
    expect(err).toContain('railway: api password=[REDACTED]␤# heading[U+202E] (1 of 1) · 2 pages · 300 lines · 10 requests left this hour');
    expect(err).not.toMatch(/\n/);
  });

  it('stops with one line and exit code 2 on a refused token, a GraphQL error, an unknown project, environment or service', async () => {
    const { s, data, end } = await serve({ lines: { api: 50, postgres: 50, worker: 50 } });
    const args = (...extra: string[]) => ['pull', 'railway', '--project', data.id, '--environment', 'production', '--since', new Date(end - HOUR).toISOString(), '-o', scratch(), ...extra];
    const wrong = 'wrong-token-5b6c7d8e9f';
    const cases: [string[], Record<string, string>, RegExp][] = [
      [args(), { RAILWAY_TOKEN: wrong, HINDSIGHT_RAILWAY_URL: s.url }, /^hindsight: Railway refused the token in RAILWAY_TOKEN \(HTTP 401\)/],
      [args(), { RAILWAY_API_TOKEN: wrong, HINDSIGHT_RAILWAY_URL: s.url }, /^hindsight: Railway refused the token in RAILWAY_API_TOKEN/],
      [args(), { HINDSIGHT_RAILWAY_URL: s.url }, /^hindsight: no Railway token: set RAILWAY_TOKEN/],
      [args('--service', 'web'), env(s), /^hindsight: project whendoist has no service "web" \(it has api, postgres, worker\)/],
      [['pull', 'railway', '--project', data.id, '--environment', 'prod', '--since', '1h', '-o', scratch()], env(s), /^hindsight: project whendoist has no environment "prod" \(it has production, staging\)/],
      [['pull', 'railway', '--project', 'nope', '--environment', 'production', '--since', '1h', '-o', scratch()], env(s), /^hindsight: Railway answered with an error: Project not found/],
      // The project token is scoped to production (the server's default, as the guide says such a token is).
      [['pull', 'railway', '--project', data.id, '--environment', 'staging', '--since', '1h', '-o', scratch()], env(s), /^hindsight: Railway answered with an error: Not Authorized \(a project token in RAILWAY_TOKEN sees only the environment it was made for\)$/m],
    ];
    for (const [argv, e, want] of cases) {
      const r = await runCli(argv, { env: e });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(want);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toContain(wrong);
      expect(r.stderr).not.toContain(TOKEN);
    }
    // A GraphQL `errors` reply in the middle of a read is an error, never an empty result.
    s.inject.push('errors');
    const r = await runCli(args(), { env: env(s) });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('hindsight: Railway answered with an error: Problem processing request\n');
  });

  it('stops with one line, never loops, when the server ignores the paging anchor', async () => {
    const { data, end } = await serve({ lines: { api: 3000, postgres: 100, worker: 100 } });
    await server!.close();
    server = await startRailwayServer(data, { ignoreAnchor: true, pageCap: 200 });
    const r = await runCli(['pull', 'railway', '--project', data.id, '--environment', 'production', '--service', 'api', '--since', new Date(end - 25 * HOUR).toISOString(), '-o', scratch()], { env: env(server) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hindsight: Railway answered entries newer than the time asked for and none older \(.+\): it does not page back, so the read cannot go on\n$/);
    expect(server.calls.environmentLogs).toBeLessThanOrEqual(3);
  });

  it('removes only its own files of an earlier pull, whatever its pull.json names', async () => {
    const { s, data, end } = await serve({ lines: { api: 100, postgres: 50, worker: 50 } });
    const root = scratch();
    const dir = join(root, 'a', 'out');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(root, 'victim.jsonl'), 'keep\n');
    writeFileSync(join(root, 'a', 'victim.txt'), 'keep\n');
    const svc = (file: string, httpFile: string | null) => ({ id: 'x', name: 'x', file, httpFile });
    writeFileSync(join(dir, 'pull.json'), JSON.stringify({ source: 'railway', complete: true, project: { id: 'p' }, environment: { id: 'e' }, services: [svc('../../victim.jsonl', '../victim.txt'), svc('..', '.')] }));
    const r = await runCli(['pull', 'railway', '--project', data.id, '--environment', 'production', '--service', 'worker', '--since', new Date(end - HOUR).toISOString(), '-o', dir], { env: env(s) });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(root, 'victim.jsonl'), 'utf8')).toBe('keep\n');
    expect(readFileSync(join(root, 'a', 'victim.txt'), 'utf8')).toBe('keep\n');
    expect(existsSync(join(dir, 'worker.jsonl'))).toBe(true);
  });

  it('sends the token over https, or plain http to loopback only: otherwise one line, exit 2', async () => {
    const argv = ['pull', 'railway', '--project', 'p', '--environment', 'production', '--since', '1h', '-o', scratch()];
    for (const url of ['http://railway.example.com/graphql/v2', 'http://10.1.2.3:8080/graphql/v2', 'ftp://127.0.0.1/x', 'not a url']) {
      const r = await runCli(argv, { env: { RAILWAY_TOKEN: TOKEN, HINDSIGHT_RAILWAY_URL: url } });
      expect(r.code, url).toBe(2);
      expect(r.stderr, url).toMatch(/^hindsight: HINDSIGHT_RAILWAY_URL .*(token would travel in clear|is not a URL)\n$/);
      expect(r.stderr).not.toContain(TOKEN);
    }
  });

  it('says, counted, which services Railway returned nothing for at the start of a window past its retention, and fetches what is left', async () => {
    const end = Math.floor(Date.now() / 1000) * 1000 - HOUR;
    const data = makeProject({ end, days: 10, lines: { api: 500, postgres: 100, worker: 100 } });
    server = await startRailwayServer(data, { retentionDays: 7 });
    const dir = scratch();
    const since = end - 10 * 24 * HOUR;
    const r = await runCli(['pull', 'railway', '--project', data.id, '--environment', 'production', '--service', 'api', '--service', 'worker', '--since', new Date(since).toISOString(), '-o', dir], { env: env(server) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: the window reaches 10 days back, more than Railway keeps on Trial\/Hobby \(7 days\), less than Pro \(30\) keeps: 2 services of 2 had nothing older than a time inside it/);
    const kept = Date.now() - 7 * 24 * HOUR;
    const want = expected(data, 'api', kept + 60_000, end);
    const got = readFileSync(join(dir, 'api.jsonl'), 'utf8');
    expect(got.endsWith(want)).toBe(true);
    const oldest = JSON.parse(got.split('\n')[0]!).timestamp as string;
    // The span, from the window's start to the oldest line returned, in hours (about 3 days).
    const m = new RegExp(`missing: logs of api from ${new Date(since).toISOString().replace(/[.]/g, '\\.')} to ${oldest.replace(/[.]/g, '\\.')} \\((\\d+) hours\\) \\(Railway returned nothing older: past its retention on this plan`).exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(71);
    expect(Number(m![1])).toBeLessThanOrEqual(73);
    expect(r.stderr).toMatch(/missing: logs of worker from /);
    const a = await runCli(['analyze', dir, '--format', 'json']);
    const pullInput = JSON.parse(a.stdout).inputs.find((i: { path: string }) => i.path.endsWith('pull.json'));
    expect(pullInput.warnings.join('\n')).toMatch(/the pull is missing logs of api from .* \(\d+ hours\)/);
    expect(pullInput.warnings.join('\n')).toMatch(/the pull: the window reaches 10 days back/);
  });

  it('says nothing of retention for a window within 7 days, nor for one whose start Railway still had', async () => {
    const end = Math.floor(Date.now() / 1000) * 1000 - HOUR;
    // A service that began logging a day into a 3-day window: it ran out early, inside every plan's retention.
    const data = makeProject({ end, days: 2, lines: { api: 300, postgres: 50, worker: 50 } });
    server = await startRailwayServer(data, { retentionDays: 7 });
    const dir = scratch();
    const r = await runCli(['pull', 'railway', '--project', data.id, '--environment', 'production', '--since', new Date(end - 3 * 24 * HOUR).toISOString(), '-o', dir], { env: env(server) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/retention|keeps|missing/);
    // Twenty days back on a Pro plan's 30 days of retention, with lines older than the window: nothing is missing.
    await server.close();
    const old = makeProject({ end, days: 25, lines: { api: 500, postgres: 50, worker: 50 } });
    server = await startRailwayServer(old, { retentionDays: 30 });
    const r2 = await runCli(['pull', 'railway', '--project', old.id, '--environment', 'production', '--service', 'api', '--since', new Date(end - 20 * 24 * HOUR).toISOString(), '-o', scratch()], { env: env(server) });
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).not.toMatch(/retention|keeps|missing/);
  });

  it('keeps what was fetched on Ctrl-C (whole lines, pull.json says where it stopped), and resumes when run again', async () => {
    const cli = builtCli();
    // The 7th log request (api's, of 20 pages) is held open until the signal is sent: the child is then mid-read of api, whatever the load.
    const { s, data, end } = await serve({ lines: { api: 4000, postgres: 100, worker: 100 } }, { pageCap: 200, holdLogsCall: 7 });
    const dir = scratch();
    const since = end - 25 * HOUR;
    const argv = ['pull', 'railway', '--project', data.id, '--environment', 'production', '--since', new Date(since).toISOString(), '--until', new Date(end).toISOString(), '-o', dir];
    const child = spawn(process.execPath, [cli, ...argv], { env: { ...process.env, ...env(s) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    while ((s.calls.environmentLogs ?? 0) < 7 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    s.release();
    const code = await closed;
    expect(code, err).toBe(130);
    expect(err).toMatch(/stopped early \(interrupted while reading api; run the same command again to resume\)/);
    const pull = JSON.parse(readFileSync(join(dir, 'pull.json'), 'utf8'));
    expect(pull).toMatchObject({ complete: false, stoppedBecause: 'interrupted while reading api' });
    expect(pull.services[0].cursor).not.toBeNull();
    const partial = readFileSync(join(dir, 'api.jsonl'), 'utf8');
    expect(partial.endsWith('\n')).toBe(true);
    const want = expected(data, 'api', since, end);
    // The newest part of the window, whole lines, in order.
    expect(partial.length).toBeGreaterThan(0);
    expect(want.endsWith(partial)).toBe(true);
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
    const again = await runCli(argv, { env: env(s) });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming the pull of/);
    expect(readFileSync(join(dir, 'api.jsonl'), 'utf8')).toBe(want);
    expect(readFileSync(join(dir, 'worker.jsonl'), 'utf8')).toBe(expected(data, 'worker', since, end));
  }, 30_000);
});

describe("the digest's memory of the stretch it reads again", () => {
  const t = (s: number) => `2026-02-07T19:00:0${s}.000000000Z`;
  const settled = (entries: { k: string; id: string }[], max: number) => {
    const ids = new NewestIds(t(0), max);
    for (const x of entries) ids.add(x.k, x.id);
    return ids.settle();
  };
  it('keeps every identity up to the bound, else the newest whole instants, and starts the stretch after the newest one left out', () => {
    const entries = [1, 2, 2, 3, 3, 4].map((s, i) => ({ k: t(s), id: `id${i}` }));
    expect(settled(entries, 6)).toEqual({ from: t(0), ids: ['id0', 'id1', 'id2', 'id3', 'id4', 'id5'] });
    // Four fit, but the instant 2 would be cut in half: it is left out whole.
    expect(settled(entries, 4)).toEqual({ from: '2026-02-07T19:00:02.000000001Z', ids: ['id5', 'id3', 'id4'] });
    expect(settled(entries, 3)).toEqual({ from: '2026-02-07T19:00:02.000000001Z', ids: ['id5', 'id3', 'id4'] });
  });

  it('gives the same when far more than the bound come, in any order (cut while adding)', () => {
    // 400 entries over 9 instants, newest and oldest interleaved (HTTP logs come a deployment at a time).
    const entries = Array.from({ length: 400 }, (_, i) => ({ k: t((i * 7) % 9 + 1), id: `id${i}` }));
    const max = 50;
    const newestFirst = [...entries].sort((a, b) => (a.k < b.k ? 1 : a.k > b.k ? -1 : 0));
    const cut = newestFirst[max]!.k;
    const want = newestFirst.filter((x) => x.k > cut).map((x) => x.id).sort();
    for (const order of [entries, [...entries].reverse(), newestFirst]) {
      const got = settled(order, max);
      expect(got.ids.length).toBeLessThanOrEqual(max);
      expect([...got.ids].sort()).toEqual(want);
      expect(got.from > cut).toBe(true);
    }
  });
});
