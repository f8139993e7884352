// The nightly uses of Railway as a source: `analyze --railway` and `digest --railway --state`, whose
// state remembers per service the last entry read, so that night after night every line is read once.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRailwayServer, type RailwayTestServer } from '../../helpers/railway-server.js';
import { makeProject } from '../../helpers/railway-project.js';
import { runCli } from '../../cli/run-cli.js';
import { logLine } from '../../../src/sources/railway/lines.js';
import { timeKey } from '../../../src/sources/railway/paging.js';
import { RailwayClient } from '../../../src/sources/railway/client.js';
import { LATE_MS, pullRailway, type Position, type PullRecord } from '../../../src/sources/railway/pull.js';
import { nextPositions, type RailwayPositions } from '../../../src/digest/state.js';
import { railwayDeployments } from '../../../src/ingest/formats/railway-deployments.js';
import type { EventSink, ParseContext } from '../../../src/ingest/format.js';

const TOKEN = 'account-token-77b1e2';
const HOUR = 3_600_000;
let server: RailwayTestServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

/** The platform events railway-deployments reads from a deployments.json. */
async function platformEvents(text: string): Promise<string[]> {
  const out: string[] = [];
  const sink = { event: (e: { message: string }) => out.push(e.message), sample: () => {}, consume: () => {}, skip: () => {} } as unknown as EventSink;
  const parser = railwayDeployments.create({ service: 'railway', input: 0, sink, options: {} } as ParseContext);
  text.split('\n').forEach((l, i) => parser.line(l, i + 1));
  parser.end();
  return out;
}

const scratch = () => mkdtempSync(join(tmpdir(), 'hindsight-nightly-'));
const msOf = (ts: string) => Date.parse(ts.slice(0, 23) + 'Z');
const timeKeyOf = (l: object) => timeKey((l as { timestamp: string }).timestamp);

/**
 * One night's pull from the test server into a fresh folder, from where the nights before stopped:
 * `carry` is what the digest's state hands on of each service's position (all of it by default).
 */
async function pullNight(
  url: string,
  project: string,
  services: string[],
  since: number,
  night: number,
  positions: RailwayPositions | undefined,
  carry: (v: RailwayPositions['services'][string]) => Position = (v) => ({ key: v.key, edge: v.edge, until: v.until, late: v.late }),
): Promise<{ dir: string; record: PullRecord }> {
  const dir = scratch();
  const client = new RailwayClient({ url, token: { variable: 'RAILWAY_API_TOKEN', value: TOKEN } });
  const from = positions && Object.fromEntries(Object.entries(positions.services).map(([k, v]) => [k, carry(v)]));
  const record = await pullRailway(client, { project, environment: 'production', services, since, until: night, from }, dir);
  return { dir, record };
}

async function threeDays() {
  const end = Math.floor(Date.now() / 1000) * 1000 - HOUR;
  const data = makeProject({ end, days: 3, lines: { api: 3000, postgres: 800, worker: 800 }, httpEvery: 4 });
  server = await startRailwayServer(data, { pageCap: 350, plusOneEvery: 4 });
  const start = end - 3 * 24 * HOUR;
  const nights = [start + 24 * HOUR, start + 48 * HOUR, end];
  return { s: server, data, start, nights };
}

describe('Railway, night after night', () => {
  it('reads every line exactly once over three nights, each starting after the last entry of the one before', async () => {
    const { s, data, start, nights } = await threeDays();
    let positions: RailwayPositions | undefined;
    const got = new Map<string, string[]>();
    for (const night of nights) {
      s.now = night;
      const { dir, record } = await pullNight(s.url, data.id, [], start, night, positions, (v) => ({ key: v.key, edge: v.edge }));
      expect(record.complete).toBe(true);
      positions = nextPositions(positions, record);
      for (const svc of record.services) {
        const text = readFileSync(join(dir, svc.file), 'utf8');
        got.set(svc.name, [...(got.get(svc.name) ?? []), ...text.split('\n').filter((l) => l.length > 0)]);
      }
    }
    for (const svc of data.services) {
      const want = svc.logs.filter((l) => msOf(l.timestamp) >= start && msOf(l.timestamp) <= nights[2]!).map((l) => logLine(l, svc.name));
      // Equal as lists: the same lines, in order, none twice, none missing.
      expect(got.get(svc.name)!.length, svc.name).toBe(want.length);
      expect(got.get(svc.name), svc.name).toEqual(want);
    }
  });

  it('digest --railway keeps the positions in its state: three nights read every line once, and the token is nowhere', async () => {
    const { s, data, start, nights } = await threeDays();
    const dir = scratch();
    const state = join(dir, 'state.json');
    const env = { RAILWAY_API_TOKEN: TOKEN, HINDSIGHT_RAILWAY_URL: s.url };
    const outputs: string[] = [];
    // Fetches go to a temporary directory of their own: this one, to see that they are removed.
    const tmp = scratch();
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    for (const night of nights) {
      s.now = night;
      const r = await runCli(['digest', '--railway', '--project', data.id, '--environment', 'production', '--since', new Date(start).toISOString(), '--until', new Date(night).toISOString(), '--state', state], { env });
      expect(r.code, r.stderr).toBe(0);
      outputs.push(r.stdout + r.stderr);
    }
    const st = JSON.parse(readFileSync(state, 'utf8'));
    expect(st.runs).toBe(3);
    const total = data.services.reduce((a, svc) => a + svc.logs.filter((l) => msOf(l.timestamp) >= start && msOf(l.timestamp) <= nights[2]!).length, 0);
    const lines = Object.values(st.railway.services as Record<string, { lines: number }>).reduce((a, p) => a + p.lines, 0);
    expect(lines).toBe(total);
    const api = data.services[0]!;
    expect(st.railway.services[api.id].key).toBe(api.logs.filter((l) => msOf(l.timestamp) <= nights[2]!).at(-1)!.timestamp);
    // Metrics (and HTTP logs) of a night start where the window of the night before ended.
    const iso = (ms: number) => new Date(ms).toISOString();
    // (less the stretch read again for what Railway wrote late).
    expect(s.asked.filter((a) => a.field === 'metrics').map((a) => a.args.startDate)).toEqual([start, nights[0]! - LATE_MS, nights[1]! - LATE_MS].flatMap((t) => [iso(t), iso(t), iso(t)]));
    expect(st.railway.services[api.id].until).toBe(iso(nights[2]!));
    for (const text of [...outputs, readFileSync(state, 'utf8')]) expect(text).not.toContain(TOKEN);
    process.env.TMPDIR = saved;
    if (saved === undefined) delete process.env.TMPDIR;
    // The temporary directories of the fetches are gone.
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('digest --railway catches up a missed night: the next run reads both nights, nothing twice', async () => {
    const { s, data, start, nights } = await threeDays();
    const state = join(scratch(), 'state.json');
    const env = { RAILWAY_API_TOKEN: TOKEN, HINDSIGHT_RAILWAY_URL: s.url };
    // The second night is missed; the third run's --since (a day back) would start after it, but
    // the state's positions win for the services it knows.
    for (const [since, night] of [[start, nights[0]!], [nights[2]! - 24 * HOUR, nights[2]!]] as const) {
      s.now = night;
      const r = await runCli(['digest', '--railway', '--project', data.id, '--environment', 'production', '--since', new Date(since).toISOString(), '--until', new Date(night).toISOString(), '--state', state], { env });
      expect(r.code, r.stderr).toBe(0);
    }
    const st = JSON.parse(readFileSync(state, 'utf8'));
    expect(st.runs).toBe(2);
    for (const svc of data.services) {
      const want = svc.logs.filter((l) => msOf(l.timestamp) >= start && msOf(l.timestamp) <= nights[2]!).length;
      expect(st.railway.services[svc.id].lines, svc.name).toBe(want);
    }
  });

  for (const beforeExclusive of [false, true]) {
    it(`reads the logs, HTTP logs and metrics at the boundary of two nights once, each night half-open (beforeDate read ${beforeExclusive ? 'strictly before' : 'at or before'})`, async () => {
      const end = Math.floor(Date.now() / 60_000) * 60_000 - HOUR;
      const data = makeProject({ end, days: 2, lines: { api: 1200, postgres: 200, worker: 200 }, httpEvery: 3 });
      const start = end - 2 * 24 * HOUR;
      // The boundary on a whole minute, where a metric sample falls; a log line, an HTTP request
      // and a sample exactly at it and just before it (the lines are the project's own, moved).
      const boundary = start + 24 * HOUR;
      const at = (ms: number, ns = 0) => `${new Date(ms).toISOString().slice(0, 23)}${String(ns).padStart(6, '0')}Z`;
      const api = data.services[0]!;
      const near = (ms: number) => api.logs.findIndex((l) => msOf(l.timestamp) >= ms);
      const i = near(boundary);
      api.logs.splice(i, 0, { ...api.logs[i - 1]!, timestamp: at(boundary - 1, 999_999) }, { ...api.logs[i]!, timestamp: at(boundary) }, { ...api.logs[i]!, message: `${api.logs[i]!.message} (again)`, timestamp: at(boundary) });
      const [deployment, requests] = [...data.http].find(([, xs]) => xs.some((x) => Date.parse(String(x.timestamp)) > boundary && Date.parse(String(x.timestamp)) - boundary < 6 * HOUR))!;
      const j = requests.findIndex((x) => Date.parse(String(x.timestamp)) > boundary);
      requests.splice(j, 0, { ...requests[j]!, requestId: 'at-boundary-minus-1ms', timestamp: at(boundary - 1) }, { ...requests[j]!, requestId: 'at-boundary', timestamp: at(boundary) });
      expect(data.metrics.get(api.id)![0]!.values.some((v) => v.ts * 1000 === boundary)).toBe(true);
      server = await startRailwayServer(data, { pageCap: 300, plusOneEvery: 3, beforeExclusive });
      const s = server;
      let positions: RailwayPositions | undefined;
      const logs: string[] = [];
      const http: string[] = [];
      const samples: string[] = [];
      for (const night of [boundary, end]) {
        s.now = night + 10 * 60_000;
        const { dir, record } = await pullNight(s.url, data.id, ['api'], start, night, positions);
        expect(record.complete).toBe(true);
        positions = nextPositions(positions, record);
        expect(positions.services[api.id]!.until).toBe(new Date(night).toISOString());
        logs.push(...readFileSync(join(dir, 'api.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0));
        http.push(...readFileSync(join(dir, 'api.http.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0));
        for (const m of JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as { measurement: string; values: { ts: number }[] }[]) samples.push(...m.values.map((v) => `${m.measurement} ${v.ts}`));
      }
      const inWindow = (ts: string) => ts >= at(start) && ts < at(end);
      expect(logs).toEqual(api.logs.filter((l) => inWindow(l.timestamp)).map((l) => logLine(l, 'api')));
      const wantHttp = [...data.http.values()].flat().filter((x) => inWindow(String(x.timestamp)));
      expect(http.length).toBe(wantHttp.length);
      expect(new Set(http.map((l) => JSON.parse(l).requestId)).size).toBe(wantHttp.length);
      expect(http.filter((l) => /"requestId":"at-boundary(-minus-1ms)?"/.test(l))).toHaveLength(2);
      const wantSamples = data.metrics.get(api.id)!.flatMap((m) => m.values.filter((v) => v.ts * 1000 >= start && v.ts * 1000 < end).map((v) => `${m.measurement} ${v.ts}`));
      expect(samples.sort()).toEqual(wantSamples.sort());
      expect(deployment).toBeTruthy();
    });
  }

  it('reads HTTP log lines and metric samples Railway wrote after the night that holds their time, once, over three nights', async () => {
    const end = Math.floor(Date.now() / 60_000) * 60_000 - HOUR;
    const data = makeProject({ end, days: 3, lines: { api: 6000, postgres: 100, worker: 100 }, httpEvery: 2 });
    const start = end - 3 * 24 * HOUR;
    const nights = [start + 24 * HOUR, start + 48 * HOUR, end];
    // Requests of the last 9 minutes of the first two nights, and samples of their last 5, written half an hour late.
    const lateAfter = (t: number, margin: number) => nights.slice(0, 2).find((n) => t >= n - margin && t < n);
    server = await startRailwayServer(data, {
      pageCap: 300,
      writtenAt: (x) => {
        const o = x as { requestId?: string; timestamp?: string; ts?: number };
        const n = o.requestId !== undefined ? lateAfter(Date.parse(String(o.timestamp)), 9 * 60_000) : o.ts !== undefined ? lateAfter(o.ts * 1000, 5 * 60_000) : undefined;
        return n === undefined ? undefined : n + 30 * 60_000;
      },
    });
    const s = server;
    let positions: RailwayPositions | undefined;
    const http: string[] = [];
    const samples: string[] = [];
    let late = { http: 0, samples: 0 };
    for (const night of nights) {
      // Each night's run a minute after its end: the late ones are not written yet.
      s.now = night + 60_000;
      const { dir, record } = await pullNight(s.url, data.id, ['api'], start, night, positions);
      expect(record.complete).toBe(true);
      positions = nextPositions(positions, record);
      late = { http: late.http + record.services[0]!.lateHttp!, samples: late.samples + record.services[0]!.lateSamples! };
      // What only the digest needs stays out of pull.json, which is written after every page.
      expect(readFileSync(join(dir, 'pull.json'), 'utf8')).not.toMatch(/"late"|"listed"/);
      http.push(...readFileSync(join(dir, 'api.http.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0));
      for (const m of JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as { measurement: string; values: { ts: number }[] }[]) samples.push(...m.values.map((v) => `${m.measurement} ${v.ts}`));
    }
    const api = data.services[0]!;
    const wantHttp = [...data.http.values()].flat().filter((x) => Date.parse(String(x.timestamp)) >= start && Date.parse(String(x.timestamp)) < end);
    const wantLate = wantHttp.filter((x) => lateAfter(Date.parse(String(x.timestamp)), 9 * 60_000) !== undefined).length;
    expect(wantLate).toBeGreaterThan(4);
    expect(late.http).toBe(wantLate);
    expect(http.map((l) => JSON.parse(l).requestId).sort()).toEqual(wantHttp.map((x) => x.requestId).sort());
    const wantSamples = data.metrics.get(api.id)!.flatMap((m) => m.values.filter((v) => v.ts * 1000 >= start && v.ts * 1000 < end).map((v) => `${m.measurement} ${v.ts}`));
    expect(late.samples).toBe(2 * 2 * 5);
    expect(samples.sort()).toEqual(wantSamples.sort());
    // Bounded: the state holds the last stretch of the last night only.
    const p = positions!.services[api.id]!;
    expect(p.late!.samplesFrom).toBe(new Date(end - LATE_MS).toISOString());
    expect(p.late!.http.length).toBe(wantHttp.filter((x) => Date.parse(String(x.timestamp)) >= end - LATE_MS).length);
  });

  it('reads log lines Railway wrote after later ones were readable once, over three nights, remembering a bounded stretch', async () => {
    const end = Math.floor(Date.now() / 60_000) * 60_000 - HOUR;
    const data = makeProject({ end, days: 3, lines: { api: 6000, postgres: 100, worker: 100 }, httpEvery: 0 });
    const start = end - 3 * 24 * HOUR;
    const nights = [start + 24 * HOUR, start + 48 * HOUR, end];
    const api = data.services[0]!;
    // Every other line of the last 9 minutes of the first two nights is written half an hour late:
    // when the night is read, lines after it are there already (so it is older than the last entry read).
    const lateOf = new Map<object, number>();
    for (const n of nights.slice(0, 2)) api.logs.filter((l) => msOf(l.timestamp) >= n - 9 * 60_000 && msOf(l.timestamp) < n).forEach((l, i) => i % 2 === 0 && lateOf.set(l, n + 30 * 60_000));
    server = await startRailwayServer(data, { pageCap: 300, plusOneEvery: 3, writtenAt: (x) => lateOf.get(x) });
    const s = server;
    let positions: RailwayPositions | undefined;
    const got: string[] = [];
    let late = 0;
    for (const [i, night] of nights.entries()) {
      s.now = night + 60_000;
      const { dir, record } = await pullNight(s.url, data.id, ['api'], start, night, positions);
      expect(record.complete).toBe(true);
      positions = nextPositions(positions, record);
      late += record.services[0]!.lateLines!;
      got.push(...readFileSync(join(dir, 'api.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0));
      // The night read past lines written late: starting after its last entry would miss them.
      if (i < 2) expect([...lateOf.keys()].some((l) => timeKeyOf(l) < positions!.services[api.id]!.key && msOf((l as { timestamp: string }).timestamp) < night)).toBe(true);
    }
    const want = api.logs.filter((l) => msOf(l.timestamp) >= start && msOf(l.timestamp) < end).map((l) => logLine(l, 'api'));
    expect(lateOf.size).toBeGreaterThan(8);
    expect(late).toBe(lateOf.size);
    // Each line once: none twice, none missing (the late ones in the night after theirs).
    expect(got.length).toBe(want.length);
    expect([...got].sort()).toEqual([...want].sort());
    // The state remembers the last stretch of the last night only.
    const p = positions!.services[api.id]!;
    expect(p.late!.logsFrom).toBe(timeKeyOf({ timestamp: new Date(end - LATE_MS).toISOString() }));
    expect(p.late!.logs).toHaveLength(api.logs.filter((l) => msOf(l.timestamp) >= end - LATE_MS && msOf(l.timestamp) < end).length);
  });

  it('goes on from a state written before log lines were read again: after the last entry read, nothing twice', async () => {
    const { s, data, start, nights } = await threeDays();
    const dir = scratch();
    const state = join(dir, 'state.json');
    const env = { RAILWAY_API_TOKEN: TOKEN, HINDSIGHT_RAILWAY_URL: s.url };
    const night = (until: number) => runCli(['digest', '--railway', '--project', data.id, '--environment', 'production', '--since', new Date(start).toISOString(), '--until', new Date(until).toISOString(), '--state', state], { env });
    s.now = nights[0]!;
    expect((await night(nights[0]!)).code).toBe(0);
    // What an older hindsight wrote: no `logs` in the stretch read again.
    const old = JSON.parse(readFileSync(state, 'utf8'));
    for (const p of Object.values(old.railway.services as Record<string, { late: Record<string, unknown> }>)) {
      expect(p.late.logs).toBeDefined();
      delete p.late.logs;
      delete p.late.logsFrom;
    }
    writeFileSync(state, JSON.stringify(old));
    s.now = nights[1]!;
    const r = await night(nights[1]!);
    expect(r.code, r.stderr).toBe(0);
    const st = JSON.parse(readFileSync(state, 'utf8'));
    for (const svc of data.services) {
      expect(st.railway.services[svc.id].lines, svc.name).toBe(svc.logs.filter((l) => msOf(l.timestamp) >= start && msOf(l.timestamp) < nights[1]!).length);
      expect(st.railway.services[svc.id].late.logs, svc.name).toBeDefined();
    }
  });

  it("reports each deployment's creation and each status once over three nights, however many nights list it", async () => {
    const { s, data, start, nights } = await threeDays();
    let positions: RailwayPositions | undefined;
    const said: string[] = [];
    let listedTwice = 0;
    const seen = new Set<string>();
    for (const night of nights) {
      s.now = night;
      const { dir, record } = await pullNight(s.url, data.id, [], start, night, positions, (v) => ({ key: v.key, edge: v.edge, until: v.until, late: v.late, deployments: v.deployments }));
      positions = nextPositions(positions, record);
      const text = readFileSync(join(dir, 'deployments.json'), 'utf8');
      for (const id of text.matchAll(/"id":"([^"]+)"/g)) {
        if (seen.has(id[1]!)) listedTwice++;
        seen.add(id[1]!);
      }
      said.push(...(await platformEvents(text)));
    }
    // Deployments live across a night's end were listed again, and said nothing twice.
    expect(listedTwice).toBeGreaterThan(2);
    expect(said.length).toBe(new Set(said).size);
    for (const d of data.deployments) {
      expect(said, d.id).toContain(`Deployment ${d.id} created`);
      const word = { SUCCESS: 'is live', REMOVED: 'removed', CRASHED: 'crashed' }[d.status]!;
      expect(said, d.id).toContain(`Deployment ${d.id} ${word}`);
    }
    // The api's first deployment, live at the first night's end and removed in the second: said live in one, removed in the next.
    const first = data.deployments.filter((d) => d.serviceId === data.services[0]!.id).at(-1)!;
    expect(said.filter((m) => m.startsWith(`Deployment ${first.id} `))).toEqual([`Deployment ${first.id} created`, `Deployment ${first.id} is live`, `Deployment ${first.id} removed`]);
  });

  it('analyze --railway reports what analyze of the pulled directory reports', async () => {
    const { s, data, start, nights } = await threeDays();
    const env = { RAILWAY_TOKEN: 'project-token-0f3a9c', HINDSIGHT_RAILWAY_URL: s.url };
    const window = ['--since', new Date(start).toISOString(), '--until', new Date(nights[0]!).toISOString()];
    const dir = scratch();
    const pulled = await runCli(['pull', 'railway', '--project', data.id, '--environment', 'production', ...window, '-o', dir], { env });
    expect(pulled.code, pulled.stderr).toBe(0);
    const fromDir = await runCli(['analyze', dir, '--format', 'json']);
    const direct = await runCli(['analyze', '--railway', '--project', data.id, '--environment', 'production', ...window, '--format', 'json'], { env });
    expect(direct.code, direct.stderr).toBe(0);
    const a = JSON.parse(fromDir.stdout);
    const b = JSON.parse(direct.stdout);
    expect(b.inputs.map((i: { path: string }) => i.path)).toContain('railway:api.jsonl');
    // The same findings and figures; only the inputs' names and the window given differ.
    expect(b.findings).toEqual(JSON.parse(JSON.stringify(a.findings).split(`${dir}/`).join('railway:')));
    expect(b.timeline?.totals ?? b.totals).toEqual(a.timeline?.totals ?? a.totals);
  });
  it('analyze --railway names the fetched inputs railway:… in every message, also the ones written while reading', async () => {
    const end = Math.floor(Date.now() / 1000) * 1000 - HOUR;
    const data = makeProject({ end, days: 1, lines: { api: 400, postgres: 50, worker: 50 } });
    // One entry 50 days before the rest: a time outlier, whose warning names its input and line.
    const api = data.services[0]!;
    const old = new Date(end - 50 * 24 * HOUR).toISOString().slice(0, 23);
    api.logs.unshift({ ...api.logs[0]!, timestamp: `${old}000000Z` });
    server = await startRailwayServer(data, { retentionDays: 90 });
    const env = { RAILWAY_API_TOKEN: TOKEN, HINDSIGHT_RAILWAY_URL: server.url };
    const r = await runCli(['analyze', '--railway', '--project', data.id, '--environment', 'production', '--service', 'api', '--since', new Date(end - 60 * 24 * HOUR).toISOString(), '--until', new Date(end).toISOString(), '--format', 'json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const warnings = (report.inputs as { warnings: string[] }[]).flatMap((i) => i.warnings).join('\n');
    expect(warnings).toMatch(/dated far outside the rest of the logs.*the earliest at railway:api\.jsonl:1, /);
    expect(r.stdout + r.stderr).not.toContain(tmpdir());
  });
});
