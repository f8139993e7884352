// `hindsight pull railway` against a Railway-compatible server on loopback (test/helpers/railway-server.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRailwayServer, type ProjectData, type RailwayTestServer, type ServerOptions } from '../../helpers/railway-server.js';
import { makeProject, type ProjectShape } from '../../helpers/railway-project.js';
import { runCli } from '../../cli/run-cli.js';
import { logLine, httpLine } from '../../../src/sources/railway/lines.js';

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
});
