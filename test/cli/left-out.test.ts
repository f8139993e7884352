// Issue 19: every output says what was left out and why. `--format text` said "No problems found"
// without saying that --since/--until or an ignoreTemplates rule left records out; one compressed
// or binary file inside a directory aborted the whole run; a corrupt .gz was reported as "empty".
// Lines: the synthetic `railway logs --json` day of railway-lines.ts; the archives are made here
// with node:zlib and the magic bytes of xz (what `xz` writes first).
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { railwayDay } from './railway-lines.js';
import { runCli } from './run-cli.js';

const DAY0 = Date.parse('2026-06-01T00:00:00Z');
const quietDay = () => railwayDay({ start: DAY0, job: { message: 'Ledger reconciliation finished', periodMin: 30 } }).join('\n') + '\n';

describe('what was left out, and why (issue 19)', () => {
  it('--format text, the report and the digest say what --since/--until and ignoreTemplates left out, next to "No problems found"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-left-out-'));
    const file = join(dir, 'ledger.jsonl');
    writeFileSync(file, quietDay());
    const since = await runCli(['analyze', file, '--format', 'text', '--since', '2026-06-01T12:00:00Z']);
    expect(since.code).toBe(0);
    expect(since.stdout).toContain('No problems found.');
    expect(since.stdout).toMatch(/\n\d+ records and samples outside the window given with --since\/--until were left out\.\n/);
    writeFileSync(join(dir, 'hindsight.config.json'), JSON.stringify({ ignoreTemplates: ['^Request completed'] }));
    const ignored = await runCli(['analyze', file, '--format', 'text'], { cwd: dir });
    expect(ignored.stdout).toContain("288 records matched the configuration's ignoreTemplates and were left out.");
    const md = await runCli(['analyze', file], { cwd: dir });
    expect(md.stdout.slice(0, md.stdout.indexOf('---'))).toContain("288 records matched the configuration's ignoreTemplates and were left out.");
    const digest = await runCli(['digest', file, '--state', join(dir, 'state.json'), '--since', '2026-06-01T12:00:00Z'], { cwd: dir });
    expect(digest.code).toBe(0);
    expect(digest.stdout.slice(0, digest.stdout.indexOf('## '))).toMatch(/\*\d+ records and samples outside the window given with --since\/--until were left out\. 144 records matched the configuration's ignoreTemplates and were left out\.\*/);
  });

  it('a binary or compressed file inside a directory is skipped with a warning; named, it is an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-dir-'));
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    writeFileSync(join(logs, 'ledger.jsonl'), quietDay());
    const xz = join(logs, 'old.jsonl.xz');
    writeFileSync(xz, Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46]));
    writeFileSync(join(logs, 'photo.bin'), Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 7) % 32)));
    const r = await runCli(['analyze', logs, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const inputs = (JSON.parse(r.stdout) as { inputs: { path: string; format: string; lines: number; warnings: string[] }[] }).inputs;
    expect(inputs.map((i) => [i.path.slice(logs.length + 1), i.format, i.lines])).toEqual([
      ['ledger.jsonl', 'railway-json', quietDay().split('\n').length - 1],
      ['old.jsonl.xz', 'not read', 0],
      ['photo.bin', 'not read', 0],
    ]);
    expect(inputs[1]!.warnings).toEqual(['not read, looks like binary data, not a log: xz-compressed data (decompress it first: only gzip is read directly)']);
    expect(inputs[2]!.warnings[0]).toMatch(/^not read, looks like binary data, not a log \(\d+ (NUL|control) bytes? in the first/);
    const text = await runCli(['analyze', logs, '--format', 'text']);
    expect(text.stdout).toContain(`warning: ${xz}: not read, looks like binary data`);
    const named = await runCli(['analyze', xz]);
    expect(named.code).toBe(2);
    expect(named.stderr).toBe(`hindsight: ${xz}: looks like binary data, not a log: xz-compressed data (decompress it first: only gzip is read directly)\n`);
  });

  it('a corrupt .gz is said to be corrupt, not empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-gz-'));
    const broken = join(dir, 'ledger.jsonl.gz');
    // A gzip header followed by bytes that are no deflate stream.
    writeFileSync(broken, Buffer.concat([gzipSync('x').subarray(0, 10), Buffer.from('garbage, not deflate data at all')]));
    const r = await runCli(['analyze', broken]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hindsight: no line could be read: .*ledger\.jsonl\.gz: the gzip data is corrupt \(.+\): nothing could be read from it\n$/);
    const ok = join(dir, 'ok.jsonl');
    writeFileSync(ok, quietDay());
    const both = await runCli(['analyze', ok, broken, '--format', 'json']);
    const warnings = (JSON.parse(both.stdout) as { inputs: { warnings: string[] }[] }).inputs[1]!.warnings;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^the gzip data is corrupt/);
  });
});
