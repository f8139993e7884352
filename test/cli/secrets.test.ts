// Issue 19's secret reproductions, each as it was found: a secret that reached an output. Every
// command and output format is checked, in-process.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { railwayLine } from './railway-lines.js';
import { runCli } from './run-cli.js';

const T0 = Date.parse('2026-02-07T10:00:00Z');

/** The same error every 20 s for ten minutes (a burst the detectors report with evidence), carrying `message`. */
function errorsWith(message: string, attrs: Record<string, unknown> = {}): string {
  const lines: string[] = [];
  for (let i = 0; i < 30; i++) lines.push(railwayLine(T0 + i * 20_000, 'error', message, attrs));
  for (let i = 0; i < 60; i++) lines.push(railwayLine(T0 - 3_600_000 + i * 60_000, 'info', `Request completed: GET /items/${i % 7} 200 (5 ms)`));
  return lines.sort().join('\n') + '\n';
}

/** Every output of every command for `input`, concatenated (stdout and stderr, and the digest's state). */
async function everyOutput(input: string, extra: string[] = []): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-secrets-'));
  let all = '';
  for (const format of ['markdown', 'json', 'text']) {
    const r = await runCli(['analyze', '-', '--format', format, ...extra], { stdin: input });
    expect(r.code, r.stderr).toBe(0);
    all += r.stdout + r.stderr;
  }
  for (const format of ['table', 'json']) {
    const r = await runCli(['templates', '-', '--format', format, ...extra], { stdin: input });
    expect(r.code, r.stderr).toBe(0);
    all += r.stdout + r.stderr;
  }
  const per = await runCli(['templates', '-', '--per-line', ...extra], { stdin: input });
  all += per.stdout + per.stderr;
  const state = join(dir, 'state.json');
  const d = await runCli(['digest', '-', '--state', state, ...extra], { stdin: input });
  expect(d.code, d.stderr).toBe(0);
  all += d.stdout + d.stderr + readFileSync(state, 'utf8');
  return all;
}

describe('issue 19: secrets', () => {
  it('a connection string straddling the cut of a long message is redacted whole (markdown, JSON, text, templates, digest)', async () => {
    // The evidence keeps 400 characters, examples 500, kept events 8192: the first ten characters
    // of the password before each cut, the rest after it.
    for (const cut of [400, 500, 8192]) {
      const msg = 'x'.repeat(cut - 10 - ' postgres://app:'.length) + ' postgres://app:Straddle9Pass@db.internal:5432/main failed';
      const out = await everyOutput(errorsWith(msg));
      expect(out).not.toContain('Straddl');
    }
  });

  it('a JWT straddling the cut is redacted whole', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjoxNzcwMDAwMDAwfQ.Qm9ndXNTaWduYXR1cmVGb3JUZXN0c09ubHkxMjM0NTY3OA';
    const out = await everyOutput(errorsWith('y'.repeat(360) + ' token rejected: ' + jwt));
    for (const part of jwt.split('.')) expect(out).not.toContain(part.slice(0, 12));
  });

  it("SQL's PASSWORD '...' is redacted in every detector's evidence and in templates", async () => {
    const out = await everyOutput(errorsWith("statement failed: ALTER ROLE app WITH LOGIN PASSWORD 'Sql9Secret!x'"));
    expect(out).not.toContain('Sql9Secret');
  });

  it("secrets in real PostgreSQL 15 statements reach no statement table, report, JSON, template or digest", async () => {
    // test/fixtures/secrets/README.md: what PostgreSQL 15 logged for statements carrying secrets.
    const log = readFileSync('test/fixtures/secrets/postgres-15-statements.log', 'utf8');
    const secrets = [
      'Hunter2SecretPw', 'rotatedPw9xk2', 'bobsecretpw77', 'dollarQuotedPw1', 'escapedPwQ3', // ROLE / USER ... PASSWORD '...', E'...', $pw$...$pw$
      'ghp_abcdefghij', 'sk_live_abcdef', // a token as a setting's value, in set_config()
      'mappingPw4242', 'mappingPw5353', // a user mapping's OPTIONS (password '...')
      'bareTokenWord', // SET app.token TO word
      'dblinkPw551', 'innerPw993', 'replPw8181', 'subPw7272', 'copyPw6363', // password= in conninfo strings
      'curlPw6464', // COPY ... TO PROGRAM 'curl -u admin:...'
      'uriPw4545', 'insertPw3434',
      'hunter2bare', // ALTER ROLE app PASSWORD hunter2bare: in the STATEMENT, and quoted by PostgreSQL's syntax error
    ];
    for (const s of secrets) expect(log, `the capture holds ${s}`).toContain(s);
    const out = await everyOutput(log);
    expect(out).toContain('app.token');
    // Also not in the statements as they are normalised (lower case) for the statement tables and templates.
    for (const s of secrets) expect(out.toLowerCase()).not.toContain(s.toLowerCase());
    expect(out).toContain('ALTER ROLE app PASSWORD [REDACTED]');
    expect(out).toContain('syntax error at or near \\"[REDACTED]\\" at character 25');
  });

  it('a token not quoted in a statement is redacted before the statement is normalised (lower case, digits masked)', async () => {
    // PostgreSQL 15's log_min_duration_statement line (the prefix of the captures beside); the token
    // is an identifier here, which normalising would lower-case into a shape redaction no longer knows.
    const token = 'AKIAIOSFODNN7EXAMPLE';
    const lines = Array.from({ length: 30 }, (_, i) => `2026-12-07 20:${String(10 + i).padStart(2, '0')}:00.000 UTC [${10727 + i}] postgres@postgres LOG:  duration: 1500.${i} ms  statement: SELECT ${token} FROM hooks WHERE id = ${i}`);
    const out = await everyOutput(lines.join('\n') + '\n');
    expect(out).toContain('from hooks where id = ?');
    expect(out.toLowerCase()).not.toContain('iosfodnn');
  });

  it('a token as the name of a metrics CSV column is redacted before it becomes a measurement name (lower case)', async () => {
    const token = 'AKIAIOSFODNN7EXAMPLE';
    const rows = Array.from({ length: 20 }, (_, i) => `2026-02-07T10:${String(i).padStart(2, '0')}:00Z,${200 + i},${i}`);
    const out = await everyOutput(['timestamp,memory_mb,' + token, ...rows].join('\n') + '\n', ['--input-format', 'metrics-csv']);
    expect(out.toLowerCase()).not.toContain(token.toLowerCase());
  });

  it('templates redacts service names', async () => {
    const input = errorsWith('worker crashed', { service: 'api password=SvcName77leak' });
    const table = await runCli(['templates', '-'], { stdin: input });
    const json = await runCli(['templates', '-', '--format', 'json'], { stdin: input });
    expect(table.stdout + json.stdout).not.toContain('SvcName77leak');
    expect(JSON.parse(json.stdout).templates.length).toBeGreaterThan(0);
  });

  it.each([
    ['a bare AWS secret access key', 'aws: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY rejected', 'wJalrXUtnFEMI'],
    ['a Slack webhook URL', 'POST https://hooks.slack.com/services/T024BE7LD/B01234567/abcdefghijklmnopqrstuvwx failed', 'abcdefghijklmnopqrstuvwx'],
    ['a Discord webhook URL', 'POST https://discord.com/api/webhooks/1234567890/Abc-def_ghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZab failed', 'Abc-def_ghij'],
    ['a token as the user of a URL (git credentials)', 'git fetch https://ghx0aBcDeFgHiJkLmNoPqRsTuVwXyZ012345@github.com/acme/api.git failed', 'ghx0aBcDeFgHiJkL'],
    ['a Sentry DSN', 'sentry init https://4f5e6d7c8b9a0f1e2d3c4b5a69788796@o450123.ingest.sentry.io/4504 failed', '4f5e6d7c8b9a0f1e'],
    ['a Stripe webhook secret', 'stripe signature check with whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw failed', 'MfKQ9r8GKYqr'],
    ['an Azure AccountKey', 'blob: DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;EndpointSuffix=core.windows.net failed', 'Eby8vdM02xNO'],
    ['pass=', 'smtp login user=mailer pass=Mai1erPw! failed', 'Mai1erPw'],
    ['passphrase:', 'key load failed, passphrase: correct-horse-battery', 'correct-horse'],
    ['a Telegram bot token', 'telegram 7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw3 unauthorized', 'AAHdqTcvCH1v'],
    // The template masker takes the key glued after `=` for a variable (`f=<*>`): templates are
    // made from the message redacted first.
    ['a word secret whose key the masker takes for a value (f=secret: word)', 'flags f=secret: quietriver loaded', 'quietriver'],
    ['a word secret whose key the masker takes for a value (env=DB_TOKEN: word)', 'env=DB_TOKEN: quietriver set', 'quietriver'],
  ])('%s is redacted', async (_name, message, secret) => {
    expect(await everyOutput(errorsWith(message))).not.toContain(secret);
  });

  it('a secret in --title, --service or a file name is redacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-secrets-'));
    const file = join(dir, 'api token=Fi1eNameLeak.jsonl');
    writeFileSync(file, errorsWith('worker crashed'));
    const r = await runCli(['analyze', file, '--title', 'outage password=Tit1eLeak', '--service', 'x']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/Fi1eNameLeak|Tit1eLeak/);
    const missing = await runCli(['analyze', join(dir, 'gone password=Err0rLeak.log')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).not.toContain('Err0rLeak');
    // Commander's own errors quote the value given.
    const bad = await runCli(['analyze', file, '--format', 'token=Opt1onLeak99']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^hindsight: .*\[REDACTED\]/);
    expect(bad.stderr).not.toContain('Opt1onLeak99');
  });
});
