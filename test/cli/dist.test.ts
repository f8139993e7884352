// A few runs of the built CLI (dist/cli.js, built before the tests in .ci/run): real exit codes,
// real standard streams, real environment.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { railwayDay } from './railway-lines.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

function run(args: string[], env: Record<string, string> = {}, input?: string) {
  const base = { ...process.env };
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'TERM']) delete base[k];
  const r = spawnSync(process.execPath, [cli, ...args], { env: { ...base, ...env }, input, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!existsSync(cli))('node dist/cli.js', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-dist-'));
  const file = join(dir, 'billing.jsonl');
  writeFileSync(file, railwayDay({ start: Date.parse('2026-07-01T00:00:00Z'), emptyErrors: { prefix: 'Invoice job failed', everyMin: 30 }, burst: { atMin: 300, count: 10, path: '/invoices' } }).join('\n') + '\n');

  it('exits 0 with the report on stdout, and 1 when a finding reaches --fail-on', () => {
    const ok = run(['analyze', file]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^# Post-mortem: billing/);
    const json = JSON.parse(run(['analyze', file, '--format', 'json']).stdout) as { findings: { severity: string }[] };
    expect(json.findings.some((f) => f.severity === 'high' || f.severity === 'critical')).toBe(true);
    const fail = run(['analyze', file, '--fail-on', 'high']);
    expect(fail.code, fail.stderr).toBe(1);
    expect(fail.stdout).toContain('## Summary');
  });

  it('exits 2 with one hindsight: line on bad input or usage', () => {
    const missing = run(['analyze', join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^hindsight: cannot read .*nope\.jsonl: no such file or directory\n$/);
    expect(missing.stdout).toBe('');
    const empty = run(['analyze', '-'], {}, '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe('hindsight: no line could be read: standard input is empty\n');
    const usage = run(['analyze', file, '--format', 'pdf']);
    expect(usage.code).toBe(2);
    expect(usage.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('writes -o FILE and nothing to stdout', () => {
    const out = join(dir, 'out.md');
    const r = run(['analyze', file, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toMatch(/^# Post-mortem: billing/);
  });

  it('colors --format text only when forced, and never with NO_COLOR', () => {
    expect(run(['analyze', file, '--format', 'text']).stdout).not.toContain('\u001b[');
    expect(run(['analyze', file, '--format', 'text'], { FORCE_COLOR: '1' }).stdout).toContain('\u001b[');
    expect(run(['analyze', file, '--format', 'text'], { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout).not.toContain('\u001b[');
  });

  it('stops quietly when the reader closes the pipe (| head), with no stack trace', async () => {
    for (const args of [['formats'], ['analyze', file, '--format', 'text']]) {
      const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      // The read end closed before the first write: every write fails with EPIPE.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(stderr, args.join(' ')).toBe('');
      expect(code, args.join(' ')).toBe(0);
    }
  });

  // Issue 19: the state advanced when the digest could not be written, and two digests at once
  // both printed the same run number.
  it.skipIf(!existsSync('/dev/full'))('digest: standard output on a full disk (/dev/full) leaves the state as it was', () => {
    const state = join(mkdtempSync(join(tmpdir(), 'hindsight-full-')), 'state.json');
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [cli, 'digest', file, '--state', state], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^hindsight: cannot write standard output: ENOSPC.*\n$/);
      expect(existsSync(state), 'no state after a first run whose digest was lost').toBe(false);
      expect(run(['digest', file, '--state', state]).stdout).toContain('> Run 1 (first run');
      const before = readFileSync(state, 'utf8');
      const again = spawnSync(process.execPath, [cli, 'digest', file, '--state', state], { stdio: ['ignore', full, 'pipe'], timeout: 30_000 });
      expect(again.status).toBe(2);
      expect(readFileSync(state, 'utf8')).toBe(before);
      expect(existsSync(`${state}.lock`), 'the lock is released').toBe(false);
    } finally {
      closeSync(full);
    }
  });

  it('digest: two runs at once on one state take turns and print different run numbers', async () => {
    const state = join(mkdtempSync(join(tmpdir(), 'hindsight-lock-')), 'state.json');
    const once = () =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [cli, 'digest', file, '--state', state], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.on('close', (code) => resolve({ code, stdout }));
      });
    const runs = await Promise.all([once(), once(), once()]);
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    const numbers = runs.map((r) => Number(/^> Run (\d+)/m.exec(r.stdout)?.[1])).sort();
    expect(numbers).toEqual([1, 2, 3]);
    expect(JSON.parse(readFileSync(state, 'utf8')).runs).toBe(3);
  });
});
