import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/run-cli.js';
import { railwayDay } from '../cli/railway-lines.js';
import { compare, nextState, renderDigest } from '../../src/digest/digest.js';
import type { DigestState } from '../../src/digest/state.js';
import type { Finding } from '../../src/model.js';
import { buildTimeline } from '../helpers/timeline.js';

const D1 = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

/** Three days of one app: day 2 adds a burst and a new warning; day 3 is quiet. */
function threeDays(dir: string): string[] {
  const job = { message: 'Ledger reconciliation finished', periodMin: 30 };
  const days = [
    railwayDay({ start: D1, job, emptyErrors: { prefix: 'Ledger sync failed', everyMin: 40 } }),
    railwayDay({ start: D1 + DAY, job, emptyErrors: { prefix: 'Ledger sync failed', everyMin: 25 }, burst: { atMin: 700, count: 14, path: '/transfer' }, novel: { message: 'Exchange rate feed stale for EUR', count: 6 } }),
    railwayDay({ start: D1 + 2 * DAY, job }),
  ];
  // The same file name each day, as a nightly export would write it: the service is "ledger".
  return days.map((lines, i) => {
    mkdirSync(join(dir, `day${i + 1}`));
    const f = join(dir, `day${i + 1}`, 'ledger.jsonl');
    writeFileSync(f, lines.join('\n') + '\n');
    return f;
  });
}

function section(md: string, name: string): string {
  const i = md.indexOf(`## ${name}`);
  if (i < 0) return '';
  const j = md.indexOf('\n## ', i + 3);
  return md.slice(i, j < 0 ? undefined : j);
}

describe('hindsight digest over three consecutive days', () => {
  it('reports new, ongoing and resolved findings, new templates and the error rate, and keeps the state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-digest-'));
    const state = join(dir, 'state.json');
    const [day1, day2, day3] = threeDays(dir);

    const r1 = await runCli(['digest', day1!, '--state', state]);
    expect(r1.stderr).toBe('');
    expect(r1.code).toBe(0);
    expect(r1.stdout).toContain('> Run 1 (first run: nothing to compare with yet)');
    expect(section(r1.stdout, 'New templates')).toMatch(/First run: \d+ templates recorded/);
    const s1 = JSON.parse(readFileSync(state, 'utf8')) as DigestState;
    expect(s1.runs).toBe(1);
    const emptyId = Object.keys(s1.findings).find((id) => s1.findings[id]!.detector === 'empty-error-message');
    expect(emptyId, 'day 1 has errors with empty messages').toBeDefined();
    expect(section(r1.stdout, 'New')).toContain(emptyId!);

    const r2 = await runCli(['digest', day2!, '--state', state]);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toContain('> Run 2 ·');
    const ongoing2 = section(r2.stdout, 'Ongoing');
    expect(ongoing2).toContain(emptyId!);
    // 36 empty errors on day 1 (every 40 min), 58 on day 2 (every 25 min): the trend says so.
    expect(ongoing2).toMatch(/counts 36 → 58 ↑/);
    const new2 = section(r2.stdout, 'New');
    expect(new2).toContain('error-cluster');
    const templates2 = section(r2.stdout, 'New templates');
    expect(templates2).toMatch(/\| 6 \| warn \| ledger \| `Exchange rate feed stale for EUR` \|/);
    expect(templates2).toContain('`Request failed: GET <*>`');
    expect(templates2).not.toContain('Ledger reconciliation finished');
    expect(section(r2.stdout, 'Error rate')).toMatch(/previous run: 36 errors .*: \*\*up 2(\.\d)?×\*\*\./);

    const r3 = await runCli(['digest', day3!, '--state', state]);
    expect(r3.code).toBe(0);
    const resolved3 = section(r3.stdout, 'Resolved');
    expect(resolved3).toContain(emptyId!);
    expect(resolved3).toMatch(/counts 36 → 58 → 0/);
    expect(resolved3).toContain('error-cluster');
    expect(section(r3.stdout, 'New (0)')).toContain('Nothing new since the previous run.');
    expect(section(r3.stdout, 'Error rate')).toMatch(/^## Error rate\n\n0 errors \(0% of records, 0 per hour\); previous run: 72 errors/m);
    const s3 = JSON.parse(readFileSync(state, 'utf8')) as DigestState;
    expect(s3.runs).toBe(3);
    expect(s3.findings[emptyId!]!.counts).toEqual([36, 58, 0]);
    expect(s3.findings[emptyId!]!.lastRun).toBe(2);
    // Written atomically: no temporary file is left beside the state.
    expect(readdirSync(dir).filter((n) => n.includes('.tmp'))).toEqual([]);
  });

  it('exits 1 with --fail-on when a new finding reaches the severity, and still updates the state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-digest-'));
    const state = join(dir, 'state.json');
    const [day1, day2, day3] = threeDays(dir);
    await runCli(['digest', day1!, '--state', state]);
    const r2 = await runCli(['digest', day2!, '--state', state, '--fail-on', 'high']);
    expect(r2.code, 'the burst of day 2 is new and high').toBe(1);
    expect(JSON.parse(readFileSync(state, 'utf8')).runs).toBe(2);
    const r3 = await runCli(['digest', day3!, '--state', state, '--fail-on', 'low']);
    expect(r3.code, 'nothing new on day 3').toBe(0);
  });

  it("quotes the inputs' warnings under its header (a nightly fetch cut at 500 lines)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-digest-'));
    const [day1, day2] = threeDays(dir);
    // The last 500 lines of two days of logs, as a bare `railway logs --json | ...` would fetch them.
    const lines = [day1!, day2!].flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
    expect(lines.length).toBeGreaterThan(500);
    const cut = lines.slice(-500).join('\n') + '\n';
    const r = await runCli(['digest', '--state', join(dir, 'state.json')], { stdin: cut });
    expect(r.code).toBe(0);
    const head = r.stdout.slice(0, r.stdout.indexOf('## Error rate'));
    expect(head).toContain('> **Input `standard input`:** exactly 500 lines, the cap of a piped railway logs');
  });

  it('leaves the state alone with --dry-run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-digest-'));
    const state = join(dir, 'state.json');
    const [day1, day2] = threeDays(dir);
    await runCli(['digest', day1!, '--state', state]);
    const before = readFileSync(state, 'utf8');
    const r = await runCli(['digest', day2!, '--state', state, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('> Run 2 ·');
    expect(r.stdout).not.toContain('overlap');
    const again = await runCli(['digest', day1!, '--state', state, '--dry-run']);
    expect(again.stdout).toContain('*This run covers exactly the window of the previous run: the same logs were digested twice, so nothing can be new.*');
    // The same counts as before: said in words, not with an arrow that reads as a count left out.
    expect(section(again.stdout, 'Ongoing')).toMatch(/counts (\d+) → \1, unchanged \(/);
    expect(again.stdout).not.toMatch(/→ \(/);
    expect(readFileSync(state, 'utf8')).toBe(before);
  });

  it('refuses a corrupt or foreign state with one line and exit code 2, and keeps it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-digest-'));
    const [day1] = threeDays(dir);
    const cases: [string, RegExp][] = [
      ['{"schemaVersion": 1, "runs": ', /^hindsight: the digest state .*state\.json is corrupt \(not JSON: .*\); move it away to start over\n$/],
      ['{"hello": "world"}', /^hindsight: the digest state .* is not a hindsight digest state \(schemaVersion undefined, expected 1\)/],
      ['{"schemaVersion": 1, "runs": 2, "lastRun": null, "findings": {"x": {"counts": "many"}}, "templates": []}', /finding x is malformed/],
    ];
    for (const [text, msg] of cases) {
      const state = join(dir, 'state.json');
      writeFileSync(state, text);
      const r = await runCli(['digest', day1!, '--state', state]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(msg);
      expect(readFileSync(state, 'utf8')).toBe(text);
    }
    const r = await runCli(['digest', day1!, '--state', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hindsight: cannot read the digest state .*: it is a directory\n$/);
    const missing = await runCli(['digest', day1!]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("hindsight: required option '--state <file>' not specified (see hindsight digest --help)\n");
  });

  // A folder that cannot be created: /proc/self exists but takes no new folder (and reading the state there finds none).
  it.runIf(existsSync('/proc/self'))('says when the state cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-digest-'));
    const [day1] = threeDays(dir);
    const r = await runCli(['digest', day1!, '--state', '/proc/self/hindsight/state.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hindsight: cannot write the digest state .*state\.json: /);
  });

  it("issue 19: creates the state's folder on a first run, as --help's example --state .hindsight/state.json needs", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-digest-'));
    const [day1] = threeDays(dir);
    const r = await runCli(['digest', day1!, '--state', join(dir, '.hindsight', 'state.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, '.hindsight', 'state.json'))).toBe(true);
  });

  it('issue 19: says in --help that --state is required', async () => {
    const r = await runCli(['digest', '--help']);
    expect(r.stdout).toMatch(/--state <file>\s+required/);
  });
});

describe('digest comparison', () => {
  const finding = (id: string, count: number, severity: Finding['severity'] = 'medium'): Finding => ({
    detector: id.split(':')[0]!, id, severity, title: `Title of ${id}`, summary: 'password=hunter22 leaked', pattern: '', rootCause: '', impact: '', recommendation: '', evidence: [], data: { count },
  });
  const t = buildTimeline([{ at: D1, message: 'x' }]);

  it('calls a finding that comes back after a gap new, and says when it was last seen', () => {
    // A detector that counts its findings (timeouts: data.count), so the counts are the findings' own.
    let state: DigestState | null = null;
    for (const fs of [[finding('timeouts:1', 3)], [], [finding('timeouts:1', 5)]]) {
      const d = compare(state, t, fs);
      state = nextState(state, d, t, fs);
      if (d.run === 3) {
        expect(d.fresh.map((c) => [c.id, c.returnedAfterRun])).toEqual([['timeouts:1', 1]]);
        expect(d.ongoing).toEqual([]);
        expect(renderDigest(d)).toContain('back after last being seen in run 1');
      }
    }
    expect(state!.findings['timeouts:1']!.counts).toEqual([3, 0, 5]);
  });

  it('orders by severity, redacts what it prints and stores, and forgets long-resolved findings', () => {
    let state: DigestState | null = null;
    const d1 = compare(state, t, [finding('low:1', 1, 'low'), finding('crit:1', 1, 'critical')]);
    expect(d1.fresh.map((c) => c.id)).toEqual(['crit:1', 'low:1']);
    expect(renderDigest(d1)).not.toContain('hunter22');
    state = nextState(state, d1, t, [finding('low:1', 1, 'low'), finding('crit:1', 1, 'critical')]);
    for (let i = 0; i < 31; i++) {
      const d = compare(state, t, []);
      state = nextState(state, d, t, []);
    }
    expect(state!.findings['crit:1']).toBeUndefined();
    expect(state!.runs).toBe(32);
  });
});
