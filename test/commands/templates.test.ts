import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/run-cli.js';
import { generate } from '../templates/eval/generate.js';
import { groupScores } from '../templates/eval/metrics.js';
import { SYSTEMS } from '../templates/eval/systems.js';

describe('hindsight templates', () => {
  it('--per-line --input-format raw: one output line per input line, final templates', async () => {
    const sys = SYSTEMS.find((s) => s.name === 'OpenSSH')!;
    const { messages, labels } = generate(sys, 500, 7);
    messages[10] = '';
    labels[10] = '';
    const r = await runCli(['templates', '--per-line', '--input-format', 'raw', '-'], { stdin: messages.join('\n') + '\n' });
    expect(r.code).toBe(0);
    const out = r.stdout.split('\n').slice(0, -1);
    expect(out.length).toBe(messages.length);
    for (const l of out) expect(l).toMatch(/^\d+\t/);
    const s = groupScores(labels, out.map((l) => l.split('\t')[0]!));
    expect(s.ga).toBeGreaterThan(0.9);
    // a line and its template agree: the template text is the same for the same id
    const byId = new Map<string, string>();
    for (const l of out) {
      const [id, text] = l.split('\t');
      if (byId.has(id!)) expect(byId.get(id!)).toBe(text);
      byId.set(id!, text!);
    }
  });

  it('continuation lines of a multi-line record get the record template', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-tpl-'));
    const f = join(dir, 'app.log');
    const lines = [
      '2026-02-01T10:00:00.000Z ERROR Job failed',
      'Traceback (most recent call last):',
      '  File "app.py", line 3, in <module>',
      'ValueError: boom',
      '2026-02-01T10:00:01.000Z INFO Job 7 finished in 12ms',
    ];
    writeFileSync(f, lines.join('\n') + '\n');
    const r = await runCli(['templates', '--per-line', f]);
    expect(r.code).toBe(0);
    const ids = r.stdout.split('\n').slice(0, -1).map((l) => l.split('\t')[0]);
    expect(ids.length).toBe(lines.length);
    expect(new Set(ids.slice(0, 4)).size).toBe(1);
    expect(ids[4]).not.toBe(ids[0]);
  });

  it('table and json list templates with counts, --max-templates caps them', async () => {
    const input = ['alpha one happened', 'bravo two happened', 'charlie three happened', 'alpha one happened'].join('\n') + '\n';
    const j = await runCli(['templates', '--format', 'json', '--input-format', 'raw', '--max-templates', '2', '-'], { stdin: input });
    expect(j.code).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc.records).toBe(4);
    expect(doc.overflow).toBe(1);
    expect(doc.templates[0].count).toBe(2);
    const t = await runCli(['templates', '--input-format', 'raw', '-'], { stdin: input });
    expect(t.stdout).toContain('alpha one happened');
    expect(t.stdout).toMatch(/3 templates from 4 records/);
  });

  it('rejects a bad --max-templates', async () => {
    const r = await runCli(['templates', '--max-templates', 'x', '--input-format', 'raw', '-'], { stdin: 'a\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--max-templates');
  });
});

describe('templates table', () => {
  it('fits the width it is given: the example column only when there is room for it', async () => {
    const { templatesTable } = await import('../../src/commands/templates.js');
    const { readTimeline } = await import('../../src/pipeline.js');
    const { summary } = await readTimeline(['samples/bot-workers']);
    for (const width of [80, 100, 120, 160, 200]) {
      const out = templatesTable(summary, 5, false, width);
      const lines = out.split('\n').filter((l) => /^[│┌├└]/.test(l));
      expect(Math.max(...lines.map((l) => l.length)), `width ${width}`).toBeLessThanOrEqual(width);
      expect(out.includes('example'), `width ${width}`).toBe(width >= 150);
      expect(out.includes('last seen'), `width ${width}`).toBe(width >= 110);
      expect(out).toMatch(/│ 2025-02-14 09:29:45 │/);
    }
  });
});
