// `hindsight pull railway` killed with SIGKILL (no handler runs, nothing is flushed or joined) in the
// middle of pages, again and again, then run once more: the directory must end as the one an
// uninterrupted pull of the same window writes, line for line (no line lost, none twice). The built
// CLI runs as a child process against the loopback Railway server (test/helpers/railway-server.ts),
// whose answers are slowed so that each kill lands while a page is in flight or being spooled.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRailwayServer, type RailwayTestServer } from '../helpers/railway-server.js';
import { makeProject } from '../helpers/railway-project.js';
import { builtCli } from '../helpers/built-cli.js';
import { runCli } from '../cli/run-cli.js';

const HOUR = 3_600_000;
const TOKEN = 'project-token-0f3a9c';
let server: RailwayTestServer | null = null;
afterAll(async () => server?.close());

const scratch = () => mkdtempSync(join(tmpdir(), 'hindsight-kill9-'));

/** What a pulled directory holds that analyze reads: every visible file's text (pull.json's lines per service only). */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    out[name] = name === 'pull.json' ? JSON.stringify((JSON.parse(text) as { complete: boolean; services: { name: string; lines: number; httpLines: number }[] }).services.map((s) => [s.name, s.lines, s.httpLines])) : text;
  }
  return out;
}

/** Runs the pull as a child and SIGKILLs it once `calls` log requests have been made (the last one still unanswered, most likely). */
async function pullKilledAt(s: RailwayTestServer, argv: string[], calls: number): Promise<boolean> {
  const child = spawn(process.execPath, [builtCli(), ...argv], { env: { ...process.env, RAILWAY_TOKEN: TOKEN, HINDSIGHT_RAILWAY_URL: s.url }, stdio: 'ignore' });
  const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  while ((s.calls.environmentLogs ?? 0) < calls && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
  // A few milliseconds more: some kills land while the answer is read and its page spooled.
  await new Promise((r) => setTimeout(r, (calls * 7) % 23));
  child.kill('SIGKILL');
  return (await closed) === 'SIGKILL';
}

describe('hindsight pull railway killed with SIGKILL', () => {
  it('resumes after each kill and ends with the files of an uninterrupted pull, every line once', async () => {
    const end = Math.floor(Date.now() / 1000) * 1000 - HOUR;
    const data = makeProject({ end, days: 1, lines: { api: 6000, postgres: 1500, worker: 1500 }, httpEvery: 5 });
    server = await startRailwayServer(data, { pageCap: 250, plusOneEvery: 3, delayMs: 15 });
    const s = server;
    const window = ['--since', new Date(end - 25 * HOUR).toISOString(), '--until', new Date(end).toISOString()];
    const args = (dir: string) => ['pull', 'railway', '--project', data.id, '--environment', 'production', ...window, '-o', dir];

    const whole = scratch();
    const once = await runCli(args(whole), { env: { RAILWAY_TOKEN: TOKEN, HINDSIGHT_RAILWAY_URL: s.url } });
    expect(once.code, once.stderr).toBe(0);
    const want = contents(whole);
    const total = data.services.reduce((a, svc) => a + svc.logs.length, 0);
    expect(want['pull.json']).toBe(JSON.stringify(data.services.map((svc) => [svc.name, svc.logs.length, svc.name === 'api' ? [...data.http.values()].flat().length : 0])));

    // Killed after so many log requests of each run (about 40 pages in all): in api's pages, in
    // postgres's and in worker's; each run resumes the one before.
    const dir = scratch();
    let killed = 0;
    const kills = [4, 6, 5, 6, 5, 4, 3];
    for (const after of kills) {
      s.calls.environmentLogs = 0;
      if (await pullKilledAt(s, args(dir), after)) killed++;
      expect(existsSync(join(dir, 'pull.json'))).toBe(true);
      // Whatever the kill left is whole JSON lines: analyze could read the directory as it is.
      for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
        const text = readFileSync(join(dir, f), 'utf8');
        expect(text === '' || text.endsWith('\n'), f).toBe(true);
        for (const line of text.split('\n').filter((l) => l.length > 0)) JSON.parse(line);
      }
    }
    expect(killed).toBe(kills.length);
    const last = await runCli(args(dir), { env: { RAILWAY_TOKEN: TOKEN, HINDSIGHT_RAILWAY_URL: s.url } });
    expect(last.code, last.stderr).toBe(0);
    expect(last.stderr).toMatch(/resuming the pull of/);
    const got = contents(dir);
    expect(Object.keys(got)).toEqual(Object.keys(want));
    for (const name of Object.keys(want)) expect(got[name] === want[name], name).toBe(true);
    expect(total).toBeGreaterThan(8000);
    expect(readdirSync(dir).filter((n) => n.startsWith('.') && !n.endsWith('.tmp'))).toEqual([]);
  });

  it('killed between joining a spool into its file and recording it, does not join it twice', async () => {
    const end = Math.floor(Date.now() / 1000) * 1000 - HOUR;
    const data = makeProject({ end, days: 1, lines: { api: 3000, postgres: 300, worker: 300 } });
    await server?.close();
    server = await startRailwayServer(data, { pageCap: 250, delayMs: 15 });
    const s = server;
    const window = ['--since', new Date(end - 25 * HOUR).toISOString(), '--until', new Date(end).toISOString()];
    const args = (dir: string) => ['pull', 'railway', '--project', data.id, '--environment', 'production', '--service', 'api', ...window, '-o', dir];
    const whole = scratch();
    expect((await runCli(args(whole), { env: { RAILWAY_TOKEN: TOKEN, HINDSIGHT_RAILWAY_URL: s.url } })).code).toBe(0);

    for (const spoolLeft of ['all', 'some'] as const) {
      const dir = scratch();
      s.calls.environmentLogs = 0;
      expect(await pullKilledAt(s, args(dir), 6)).toBe(true);
      const record = JSON.parse(readFileSync(join(dir, 'pull.json'), 'utf8')) as { services: { id: string; file: string; spooled: number }[] };
      const api = record.services[0]!;
      expect(api.spooled).toBeGreaterThan(1);
      // The join as the killed run would have done it (spool pages oldest first, in front of the file), then the kill: pull.json not updated.
      const spool = join(dir, '.pull', api.id);
      const pages = Array.from({ length: api.spooled }, (_, i) => readFileSync(join(spool, `${api.spooled - i}.jsonl`), 'utf8'));
      const file = join(dir, api.file);
      writeFileSync(file, pages.join('') + (existsSync(file) ? readFileSync(file, 'utf8') : ''));
      // Killed while removing the spool, too.
      if (spoolLeft === 'some') for (let i = 1; i < api.spooled; i += 2) unlinkSync(join(spool, `${i}.jsonl`));
      const again = await runCli(args(dir), { env: { RAILWAY_TOKEN: TOKEN, HINDSIGHT_RAILWAY_URL: s.url } });
      expect(again.code, again.stderr).toBe(0);
      expect(readFileSync(file, 'utf8') === readFileSync(join(whole, 'api.jsonl'), 'utf8'), spoolLeft).toBe(true);
    }
  });
});
