// Issue 19: names and titles are inline text. A newline in a service name, a file name or --title
// injected headings into markdown, text and the digest; U+202E (right-to-left override) passed
// through to every output. Also the small ones: singular counts, and docs that match the code.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { railwayLine } from './railway-lines.js';
import { runCli } from './run-cli.js';

const T0 = Date.parse('2026-02-07T10:00:00Z');
const EVIL = 'api\n# Injected heading\r\n===\u202Egnp.exe';

function input(service: string): string {
  const lines: string[] = [];
  for (let i = 0; i < 30; i++) lines.push(railwayLine(T0 + i * 20_000, 'error', 'worker crashed: boom', { service }));
  for (let i = 0; i < 60; i++) lines.push(railwayLine(T0 - 3_600_000 + i * 60_000, 'info', `Request completed: GET /items/${i % 7} 200 (5 ms)`, { service: 'web' }));
  return lines.sort().join('\n') + '\n';
}

/** Lines of `out` that the names started: the injected heading, or a setext underline. */
function injected(out: string): string[] {
  return out.split('\n').filter((l) => /^[\s│|]*\\?#*\s*Injected heading|^\s*\\?={3,}/.test(l));
}

describe('issue 19: names and titles as inline text', () => {
  it('a newline in a service name, a file name or --title starts no line of its own in markdown, text or the digest; U+202E is shown escaped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-names-'));
    const file = join(dir, 'logs\n# Injected heading.jsonl');
    writeFileSync(file, input(EVIL));
    const outputs: string[] = [];
    for (const format of ['markdown', 'text', 'json']) {
      const r = await runCli(['analyze', file, '--format', format, '--title', 'Outage\n# Injected heading\u202E']);
      expect(r.code, r.stderr).toBe(0);
      outputs.push(r.stdout);
    }
    const d = await runCli(['digest', file, '--state', join(dir, 'state.json'), '--title', 'Nightly\n# Injected heading']);
    expect(d.code, d.stderr).toBe(0);
    outputs.push(d.stdout, readFileSync(join(dir, 'state.json'), 'utf8'));
    const t = await runCli(['templates', file]);
    outputs.push(t.stdout);
    for (const out of outputs) {
      expect(injected(out)).toEqual([]);
      expect(out).not.toContain('\u202E');
    }
    // Shown, not dropped: the reader sees that the name held a line break and an override.
    expect(outputs[0]).toContain('Outage␤# Injected heading\\[U+202E\\]');
    expect(outputs[1]).toContain('Outage␤# Injected heading[U+202E]');
    expect(outputs[0]).toMatch(/api␤\\?# Injected heading␍␤\\?===\\\[U\+202E\\\]gnp\.exe/);
    expect(outputs[3]).toContain('# Nightly␤# Injected heading\n');
  });
});

describe('issue 19: the small ones', () => {
  it('counts one record and one line in the singular', async () => {
    const one = railwayLine(T0, 'error', 'worker crashed: boom') + '\n';
    const md = await runCli(['analyze', '-'], { stdin: one });
    expect(md.stdout).toContain('1 line read · 1 record');
    expect(md.stdout).not.toMatch(/\b1 (records|lines)\b/);
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-names-'));
    const d = await runCli(['digest', '-', '--state', join(dir, 's.json')], { stdin: one });
    expect(d.stdout).toContain('· 1 record ·');
  });

  it('says "its first line" for a one-line input whose format is not recognised', async () => {
    const r = await runCli(['analyze', '-'], { stdin: '{"a": 1}\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('format not recognised from its first line.');
  });

  it('docs/formats.md quotes the error as the code writes it (the first 64 lines)', async () => {
    const r = await runCli(['analyze', '-'], { stdin: Array.from({ length: 100 }, (_, i) => `{"a": ${i}}`).join('\n') });
    const docs = readFileSync('docs/formats.md', 'utf8');
    const quoted = /hindsight: export\.jsonl: (format not recognised from its first [^.]+)\./.exec(docs);
    expect(quoted).not.toBeNull();
    expect(r.stderr).toContain(quoted![1]);
  });
});
