// A Railway project of ~200,000 lines pulled through the loopback server's rate limits
// (test/helpers/railway-server.ts: 10 requests a second, 1,000 an "hour" of one minute, pages of
// limit + 1 now and then): every line comes back once, in order, and the pulled directory
// analyzes as the same lines given as files. In the end-to-end suite for its size (under a minute).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRailwayServer, type RailwayTestServer } from '../helpers/railway-server.js';
import { makeProject } from '../helpers/railway-project.js';
import { runCli } from '../cli/run-cli.js';
import { logLine } from '../../src/sources/railway/lines.js';

const HOUR = 3_600_000;
let server: RailwayTestServer | null = null;
afterAll(async () => server?.close());

describe('hindsight pull railway on a project of 200,000 lines', () => {
  it('brings back every line once, within the rate limits, and analyzes as the same lines given as files', async () => {
    const end = Math.floor(Date.now() / 1000) * 1000 - HOUR;
    const data = makeProject({ end, days: 2, lines: { api: 120_000, postgres: 40_000, worker: 40_000 }, httpEvery: 10 });
    server = await startRailwayServer(data, { perSecond: 10, perHour: 1000, hourMs: 60_000, plusOneEvery: 5 });
    const since = end - 2 * 24 * HOUR;
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-pull-200k-'));
    const env = { RAILWAY_TOKEN: 'project-token-0f3a9c', HINDSIGHT_RAILWAY_URL: server.url };
    const r = await runCli(['pull', 'railway', '--project', data.id, '--environment', 'production', '--since', new Date(since).toISOString(), '--until', new Date(end).toISOString(), '-o', dir], { env });
    expect(r.code, r.stderr).toBe(0);
    const files = mkdtempSync(join(tmpdir(), 'hindsight-files-200k-'));
    let total = 0;
    for (const svc of data.services) {
      const want = svc.logs.map((l) => logLine(l, svc.name));
      total += want.length;
      const text = want.join('\n') + '\n';
      const got = readFileSync(join(dir, `${svc.name}.jsonl`), 'utf8');
      expect(got.length, svc.name).toBe(text.length);
      expect(got === text, svc.name).toBe(true);
      writeFileSync(join(files, `${svc.name}.jsonl`), text);
    }
    expect(total).toBeGreaterThan(190_000);
    const pull = JSON.parse(readFileSync(join(dir, 'pull.json'), 'utf8'));
    expect(pull.services.reduce((a: number, s: { lines: number }) => a + s.lines, 0)).toBe(total);
    expect(server.maxPage).toBe(5001);
    for (const f of ['api.http.jsonl', 'deployments.json', 'metrics.json', 'pull.json']) writeFileSync(join(files, f), readFileSync(join(dir, f)));
    const a = await runCli(['analyze', dir, '--format', 'json']);
    const b = await runCli(['analyze', files, '--format', 'json']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout.split(dir).join('DIR')).toBe(b.stdout.split(files).join('DIR'));
  }, 120_000);
});
