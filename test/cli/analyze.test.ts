import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.js';
import { railwayDay, railwayLine } from './railway-lines.js';
import { FINDING_SEVERITY_RANK, type FindingSeverity } from '../../src/model.js';

const DAY = Date.parse('2026-05-04T00:00:00Z');
// eslint-disable-next-line no-control-regex -- an ANSI escape sequence is what the tests look for
const ANSI = /\u001b\[/;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'hindsight-cli-'));
}

function dayFile(dir: string, name = 'shop.jsonl'): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    railwayDay({ start: DAY, job: { message: 'Invoice batch done', periodMin: 20 }, emptyErrors: { prefix: 'Payment worker failed', everyMin: 50 }, burst: { atMin: 900, count: 9, path: '/pay' } }).join('\n') + '\n',
  );
  return file;
}

describe('hindsight analyze', () => {
  it('writes the markdown report to standard output by default', async () => {
    const r = await runCli(['analyze', dayFile(tmp())]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^# Post-mortem: shop, 2026-05-04 00:00 UTC to 2026-05-04 23:5\d UTC\n/);
    expect(r.stdout).toContain('## Appendix: Inputs');
  });

  it('reads standard input when no input is named', async () => {
    const lines = railwayDay({ start: DAY }).join('\n');
    const r = await runCli(['analyze', '--format', 'json'], { stdin: lines });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).inputs[0].path).toBe('-');
  });

  it('prints help instead of waiting when standard input is a terminal and no input is named', async () => {
    const r = await runCli(['analyze'], { stdinIsTTY: true });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^hindsight: no input: name log files/);
    expect(r.stderr).toContain('Usage: hindsight analyze');
    expect(r.stderr).toContain('Examples:');
  });

  it('writes to a file with -o and nothing to standard output', async () => {
    const dir = tmp();
    const out = join(dir, 'report.md');
    const r = await runCli(['analyze', dayFile(dir), '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toContain('## 1. Log Analysis');
  });

  it('takes the format from the -o file name when --format is not given, and --format over it', async () => {
    const dir = tmp();
    const file = dayFile(dir);
    await runCli(['analyze', file, '-o', join(dir, 'report.json')]);
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).schemaVersion).toBe(1);
    await runCli(['analyze', file, '-o', join(dir, 'summary.TXT')]);
    expect(readFileSync(join(dir, 'summary.TXT'), 'utf8')).toMatch(/^hindsight 0\.\d+\.\d+: shop\n/);
    await runCli(['analyze', file, '--format', 'markdown', '-o', join(dir, 'forced.json')]);
    expect(readFileSync(join(dir, 'forced.json'), 'utf8')).toMatch(/^# Post-mortem: shop/);
    await runCli(['analyze', file, '-o', join(dir, 'incident.report')]);
    expect(readFileSync(join(dir, 'incident.report'), 'utf8')).toMatch(/^# Post-mortem: shop/);
  });

  it('exits 1 with --fail-on exactly when a finding reaches the severity', async () => {
    const file = dayFile(tmp());
    const json = JSON.parse((await runCli(['analyze', file, '--format', 'json'])).stdout) as { findings: { severity: FindingSeverity }[] };
    const worst = Math.max(-1, ...json.findings.map((f) => FINDING_SEVERITY_RANK[f.severity]));
    for (const sev of ['critical', 'high', 'medium', 'low', 'info'] as FindingSeverity[]) {
      const r = await runCli(['analyze', file, '--fail-on', sev, '-o', join(tmp(), 'r.md')]);
      expect(r.code, `--fail-on ${sev}`).toBe(worst >= FINDING_SEVERITY_RANK[sev] ? 1 : 0);
    }
    const bad = await runCli(['analyze', file, '--fail-on', 'urgent']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^hindsight: option '--fail-on <severity>' argument 'urgent' is invalid/);
  });

  it('uses the title given with --title', async () => {
    const r = await runCli(['analyze', dayFile(tmp()), '--title', 'Payments <outage> 4 May']);
    expect(r.stdout.split('\n')[0]).toBe('# Payments &lt;outage&gt; 4 May');
  });

  describe('--format text', () => {
    it('is plain when standard output is not a terminal', async () => {
      const r = await runCli(['analyze', dayFile(tmp()), '--format', 'text']);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(ANSI);
      expect(r.stdout).toContain('┌');
      expect(r.stdout).toMatch(/\d+ lines from 1 input/);
    });

    it('counts one line, record and error in the singular', async () => {
      const r = await runCli(['analyze', '--format', 'text'], { stdin: '2026-02-07T19:12:02  [err] Worker crashed\n' });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('1 line from 1 input, 1 record, 1 error');
    });

    it('is colored on a terminal, and plain with NO_COLOR, --no-color or TERM=dumb', async () => {
      const file = dayFile(tmp());
      expect((await runCli(['analyze', file, '--format', 'text'], { stdoutIsTTY: true })).stdout).toMatch(ANSI);
      expect((await runCli(['analyze', file, '--format', 'text'], { stdoutIsTTY: true, env: { NO_COLOR: '1' } })).stdout).not.toMatch(ANSI);
      expect((await runCli(['analyze', file, '--format', 'text'], { stdoutIsTTY: true, env: { NO_COLOR: '' } })).stdout).toMatch(ANSI);
      expect((await runCli(['analyze', file, '--format', 'text', '--no-color'], { stdoutIsTTY: true })).stdout).not.toMatch(ANSI);
      expect((await runCli(['analyze', file, '--format', 'text'], { stdoutIsTTY: true, env: { TERM: 'dumb' } })).stdout).not.toMatch(ANSI);
      expect((await runCli(['analyze', file, '--format', 'text'], { stdoutIsTTY: false, env: { FORCE_COLOR: '1' } })).stdout).toMatch(ANSI);
      expect((await runCli(['analyze', file, '--format', 'text', '--no-color'], { env: { FORCE_COLOR: '1' } })).stdout).not.toMatch(ANSI);
    });
  });

  describe('--since / --until', () => {
    it('counts relative times back from the newest record of the files', async () => {
      const file = dayFile(tmp());
      const all = JSON.parse((await runCli(['analyze', file, '--format', 'json'])).stdout);
      const r = await runCli(['analyze', file, '--format', 'json', '--since', '2h']);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      const newest = Date.parse(all.window.end);
      expect(Date.parse(doc.filter.since)).toBe(newest - 2 * 3_600_000);
      expect(Date.parse(doc.window.start)).toBeGreaterThanOrEqual(newest - 2 * 3_600_000);
      expect(doc.window.end).toBe(all.window.end);
      expect(doc.filter.outsideWindow).toBeGreaterThan(0);
      expect(doc.stats.records + doc.filter.outsideWindow).toBe(all.stats.records);
    });

    it('accepts ISO 8601 times and dates (UTC when no zone is given)', async () => {
      const file = dayFile(tmp());
      const r = await runCli(['analyze', file, '--format', 'json', '--since', '2026-05-04T10:00', '--until', '2026-05-04T11:00:00Z']);
      const doc = JSON.parse(r.stdout);
      expect(doc.filter).toMatchObject({ since: '2026-05-04T10:00:00.000Z', until: '2026-05-04T11:00:00.000Z' });
      expect(Date.parse(doc.window.start)).toBeGreaterThanOrEqual(Date.parse('2026-05-04T10:00:00Z'));
      expect(Date.parse(doc.window.end)).toBeLessThanOrEqual(Date.parse('2026-05-04T11:00:00Z'));
      const d = await runCli(['analyze', file, '--format', 'json', '--until', '2026-05-03']);
      expect(d.code).toBe(2);
      expect(d.stderr).toMatch(/^hindsight: no record of .* falls in the window the start to 2026-05-03T00:00:00Z \(\d[\d,]* records and samples are outside it; they run from 2026-05-04T00:\d\d:\d\dZ to 2026-05-04T23:\d\d:\d\dZ\)\n$/);
      // Piped logs older than the window: --since counts back from now, and the message says so.
      const p = await runCli(['analyze', '--since', '2h'], { stdin: readFileSync(file, 'utf8') });
      expect(p.code).toBe(2);
      expect(p.stderr).toMatch(/^hindsight: no record of standard input falls in the window .* \(for standard input, --since and --until count back from now: give ISO times to choose another window\)\n$/);
    });

    it('rejects malformed times and empty windows with one line and exit code 2', async () => {
      const file = dayFile(tmp());
      for (const [args, msg] of [
        [['--since', 'yesterday'], /^hindsight: --since "yesterday": expected a duration such as 30s/],
        [['--since', '5x'], /^hindsight: --since "5x": expected/],
        [['--since', '1h', '--until', '2h'], /^hindsight: --since 1h is after --until 2h/],
      ] as const) {
        const r = await runCli(['analyze', file, ...args]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(msg);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
      }
    });
  });

  describe('errors', () => {
    it('makes a run with nothing readable an error, not an empty report', async () => {
      const dir = tmp();
      const empty = join(dir, 'empty.log');
      writeFileSync(empty, '');
      let r = await runCli(['analyze', empty]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^hindsight: no line could be read: .*empty\.log is empty\n$/);
      const text = join(dir, 'words.log');
      writeFileSync(text, 'just words\nmore words\n');
      r = await runCli(['analyze', text, '--input-format', 'railway-json']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^hindsight: no line could be read from .*words\.log: 2 lines, all skipped \(line 1: /);
    });

    it('says in one line when an input does not exist', async () => {
      const r = await runCli(['analyze', '/nonexistent/app.jsonl']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('hindsight: cannot read /nonexistent/app.jsonl: no such file or directory\n');
    });

    it("turns unknown options into one hindsight: line that points at the command's help", async () => {
      const r = await runCli(['analyze', '--bogus']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe("hindsight: unknown option '--bogus' (see hindsight analyze --help)\n");
      const t = await runCli(['templates', '--limit']);
      expect(t.stderr).toBe("hindsight: option '--limit <n>' argument missing (see hindsight templates --help)\n");
      const c = await runCli(['analyse']);
      expect(c.code).toBe(2);
      expect(c.stderr).toBe("hindsight: unknown command 'analyse' (Did you mean analyze?) (see hindsight --help)\n");
    });

    it('prints the program help with no arguments', async () => {
      const r = await runCli([]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('Usage: hindsight');
      expect(r.stderr).toContain('Examples:');
    });
  });

  it('has examples in the help of every command', async () => {
    for (const cmd of ['analyze', 'digest', 'formats', 'detectors']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toContain('Examples:');
    }
    const top = await runCli(['--help']);
    expect(top.stdout).toContain('Examples:');
  });

  describe('configuration', () => {
    it('reads hindsight.config.json from the working directory: aliases and ignored templates apply', async () => {
      const dir = tmp();
      const file = join(dir, 'web-prod-7f3a.jsonl');
      writeFileSync(file, [railwayLine(DAY, 'info', 'GET /healthz 200'), railwayLine(DAY + 1000, 'info', 'GET /healthz 200'), railwayLine(DAY + 2000, 'error', 'Order 17 failed')].join('\n') + '\n');
      writeFileSync(join(dir, 'hindsight.config.json'), JSON.stringify({ services: { 'web-prod-7f3a': 'web' }, ignoreTemplates: ['^GET /healthz'] }));
      const r = await runCli(['analyze', file, '--format', 'json'], { cwd: dir });
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.services).toEqual(['web']);
      expect(doc.filter.ignoredByConfig).toBe(2);
      expect(doc.stats.records).toBe(1);
    });

    it('names the unknown or ill-typed key and exits 2', async () => {
      const dir = tmp();
      const file = dayFile(dir);
      const cases: [unknown, RegExp][] = [
        [{ detector: {} }, /: detector: unknown key; known keys: detectors, services, periodicJobs, prices, ignoreTemplates$/],
        [{ detectors: { 'no-such-detector': {} } }, /: detectors\.no-such-detector: unknown detector; known detectors: /],
        [{ ignoreTemplates: ['(unclosed'] }, /: ignoreTemplates\[0\]: not a valid regular expression/],
        [{ services: { a: 3 } }, /: services\.a: expected a non-empty string$/],
        [{ periodicJobs: [{ match: 'x', periodSeconds: -1 }] }, /: periodicJobs\[0\]\.periodSeconds: expected a positive number$/],
        [[], /: \(top level\): expected an object$/],
      ];
      for (const [cfg, msg] of cases) {
        const path = join(dir, 'cfg.json');
        writeFileSync(path, JSON.stringify(cfg));
        const r = await runCli(['analyze', file, '--config', path]);
        expect(r.code, JSON.stringify(cfg)).toBe(2);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr.trim()).toMatch(msg);
      }
      writeFileSync(join(dir, 'broken.json'), '{ "detectors": ');
      const broken = await runCli(['analyze', file, '--config', join(dir, 'broken.json')]);
      expect(broken.code).toBe(2);
      expect(broken.stderr).toMatch(/broken\.json is not valid JSON/);
      const missing = await runCli(['analyze', file, '--config', join(dir, 'nope.json')]);
      expect(missing.stderr).toMatch(/^hindsight: cannot read the configuration .*nope\.json: no such file\n$/);
    });
  });
});
