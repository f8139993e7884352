// `railway logs` streams forever: Ctrl-C must stop reading and still write the report.
// Runs the built CLI (dist/cli.js, built by `npm run build` before the tests in .ci/run).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

describe.skipIf(!existsSync(cli))('hindsight analyze - on a never-ending stdin', () => {
  it('stops on SIGINT, writes the report with a warning, exits 0', async () => {
    const child = spawn(process.execPath, [cli, 'analyze', '-', '--format', 'json'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    let n = 0;
    const writer = setInterval(() => {
      for (let i = 0; i < 50; i++) {
        n++;
        child.stdin.write(JSON.stringify({ message: `tick ${n} from the feed`, timestamp: new Date(Date.UTC(2026, 1, 7, 19) + n * 1000).toISOString(), level: 'info' }) + '\n');
      }
    }, 20);
    child.stdin.on('error', () => {}); // the child closes its stdin when it stops reading
    // Long enough for node to start and install its handlers on a busy machine.
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearInterval(writer);
    expect(err).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    const input = report.inputs[0];
    expect(input.warnings.some((w: string) => /reading stopped by a signal/.test(w))).toBe(true);
    expect(input.lines).toBeGreaterThan(0);
    expect(input.lines).toBe(input.events + input.skipped);
  }, 20_000);

  it('stops on SIGTERM while stdin is quiet', async () => {
    const child = spawn(process.execPath, [cli, 'analyze', '-', '--format', 'json'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stdin.write('[INFO] started\n[ERRO] failed to connect\n');
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(0);
    const input = JSON.parse(out).inputs[0];
    expect(input.lines).toBe(2);
    expect(input.warnings.some((w: string) => /stopped by a signal after 2 lines/.test(w))).toBe(true);
  }, 20_000);
});
