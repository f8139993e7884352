// --jobs: several files read in worker threads give the same bytes as one after the other. The
// built CLI (worker threads run dist/read-worker.js), on the samples, a folder of the PostgreSQL
// fixtures with some of them gzipped (rotated logs), and bench-like generated inputs (the bench's
// own generators: Railway JSON lines, PostgreSQL sessions); errors and skipped inputs alike.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli } from '../helpers/built-cli.js';
// @ts-expect-error: the bench's generators are JavaScript without declarations.
import { railwayJsonLines } from '../../scripts/bench.mjs';
// @ts-expect-error: as above.
import { postgresSessionLines } from '../../scripts/bench-postgres.mjs';

const cli = builtCli();
const tmp = mkdtempSync(join(tmpdir(), 'hindsight-jobs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const p = spawnSync(process.execPath, [cli, 'analyze', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}

function take(gen: Generator<string>, n: number): string {
  const out: string[] = [];
  for (const l of gen) {
    out.push(l);
    if (out.length === n) break;
  }
  return out.join('\n') + '\n';
}

/** A folder of PostgreSQL logs: the shared fixtures (pgBadger's) and the stack lab's, every other one gzipped. */
function postgresFolder(): string {
  const dir = join(tmp, 'postgres');
  mkdirSync(dir, { recursive: true });
  const sources = ['../shared/fixtures/postgres', 'test/fixtures/postgres'].flatMap((d) => {
    try {
      return readdirSync(d).filter((f) => /\.log$/.test(f) && statSync(join(d, f)).size < 300_000).map((f) => join(d, f));
    } catch {
      return [];
    }
  });
  sources.slice(0, 8).forEach((f, i) => {
    const to = join(dir, `postgresql-${i}.log`);
    if (i % 2 === 1) writeFileSync(to + '.gz', gzipSync(readFileSync(f)));
    else copyFileSync(f, to);
  });
  return dir;
}

/** Bench-like inputs: Railway JSON in four files, and PostgreSQL sessions in two (one gzipped). */
function generated(): string {
  const dir = join(tmp, 'generated');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 4; i++) writeFileSync(join(dir, `api-${i}.jsonl`), take(railwayJsonLines(7 + i), 800));
  writeFileSync(join(dir, 'postgres-1.log'), take(postgresSessionLines(3), 1500));
  writeFileSync(join(dir, 'postgres-2.log.gz'), gzipSync(take(postgresSessionLines(4), 1500)));
  return dir;
}

describe('--jobs', () => {
  const cases: [string, () => string[]][] = [
    ['samples/restart-loop and pg-guardrails', () => ['samples/restart-loop', 'samples/pg-guardrails']],
    ['a folder of PostgreSQL logs, some gzipped', () => [postgresFolder()]],
    ['bench-like generated inputs', () => [generated()]],
  ];
  for (const [name, inputs] of cases) {
    it(`gives the same JSON with 1 and 2 threads: ${name}`, () => {
      const paths = inputs();
      const one = run([...paths, '--format', 'json', '--jobs', '1']);
      const two = run([...paths, '--format', 'json', '--jobs', '2']);
      expect(one.code).toBe(0);
      expect(two.stderr).toBe(one.stderr);
      expect(two.code).toBe(0);
      expect(two.stdout === one.stdout, 'the JSON reports differ').toBe(true);
      expect(JSON.parse(one.stdout).inputs.length).toBeGreaterThan(1);
    });
  }

  it('stops with the same error (exit 2, no stack trace), and skips the same inputs, whatever the threads', () => {
    const dir = join(tmp, 'errors');
    mkdirSync(dir, { recursive: true });
    copyFileSync('samples/pg-guardrails/api.jsonl', join(dir, 'api.jsonl'));
    writeFileSync(join(dir, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1]));
    const skipped = [run([dir, '--format', 'json', '--jobs', '1']), run([dir, '--format', 'json', '--jobs', '2'])];
    expect(skipped[0]!.code).toBe(0);
    expect(skipped[1]!.stdout).toBe(skipped[0]!.stdout);
    expect(skipped[0]!.stdout).toMatch(/image\.png/);
    const named = [run([join(dir, 'api.jsonl'), join(dir, 'image.png'), '--jobs', '1']), run([join(dir, 'api.jsonl'), join(dir, 'image.png'), '--jobs', '2'])];
    for (const r of named) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/image\.png/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(named[1]!.stderr).toBe(named[0]!.stderr);
    const bad = run(['samples/bot-workers', '--jobs', 'two']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--jobs two/);
  });
});
