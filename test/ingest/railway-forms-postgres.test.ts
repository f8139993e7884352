// The Railway form of a PostgreSQL log gives exactly what the log gives read as a stderr file.
// Railway captures a database service's output line by line: each tab-indented line of a
// multi-line statement or of a deadlock's DETAIL, and each DETAIL/HINT/STATEMENT/CONTEXT line,
// arrives as an entry of its own labelled `error` (test/helpers/railway-capture.ts). Every
// PostgreSQL stderr log among the fixtures (pgBadger's real logs, and a real PostgreSQL 15 under
// the e2e suite's fault script, test/fixtures/multiline/README.md) is turned into `railway logs
// --json` and plain `railway logs` output and read back: findings and stats.postgres must match.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readTimeline, runDetectors } from '../../src/pipeline.js';
import { sniffFormat } from '../../src/ingest/registry.js';
import { railwayJson } from '../../src/ingest/formats/railway-json.js';
import type { Finding } from '../../src/model.js';
import { linesOf, railwayJsonLines, railwayTextLines } from '../helpers/railway-capture.js';
import { runFormat } from './run-format.js';

// ../shared/fixtures/postgres is where the project's shared copy of pgBadger's logs lives beside a
// clone; test/fixtures/stacks holds the stack lab's PostgreSQL servers (test/fixtures/stacks/README.md).
const DIRS = ['test/fixtures/postgres', 'test/fixtures/multiline', 'test/fixtures/stacks', 'test/fixtures/postgres-15-clients', '../shared/fixtures/postgres'].filter((d) => existsSync(d));

/** Every PostgreSQL stderr log among the fixtures (as sniffed), each content once. */
const LOGS: { name: string; text: string }[] = [];
for (const dir of DIRS) {
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (/README|LICENSE|\.json$|\.jsonl$/.test(name) || !statSync(join(dir, name)).isFile()) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    if (LOGS.some((l) => l.text === text)) continue;
    if (sniffFormat(text.split(/\r?\n/).slice(0, 200))?.format.id === 'postgres') LOGS.push({ name: join(dir, name), text });
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'hindsight-railway-forms-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The log written as a file and in both Railway forms, each under the same service name (the file's stem). */
function forms(path: string, text: string): { file: string; json: string; text: string } {
  const stem = basename(path).replace(/\.(log|json|txt)$/, '');
  const lines = linesOf(text);
  const dir = join(tmp, String(LOGS.findIndex((l) => l.name === path)));
  const at = (form: string, ext: string, content: string[] | string) => {
    mkdirSync(join(dir, form), { recursive: true });
    const p = join(dir, form, stem + ext);
    writeFileSync(p, typeof content === 'string' ? content : content.join('\n') + '\n');
    return p;
  };
  return { file: at('file', '.log', text), json: at('json', '.jsonl', railwayJsonLines(lines)), text: at('text', '.txt', railwayTextLines(lines)) };
}

/** Findings without where their evidence is (the file path differs; the line numbers do not). */
function comparable(fs: Finding[]): unknown {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'location').map(([k, x]) => [k, strip(x)]));
    return v;
  };
  return fs.map((f) => strip(f));
}

async function read(path: string) {
  const { summary } = await readTimeline([path]);
  return { summary, findings: runDetectors(summary).findings };
}

describe('a PostgreSQL log in Railway form gives what the stderr file gives', () => {
  it('covers the fixtures: pgBadger\'s stderr logs and a real PostgreSQL 15 with a deadlock, an autovacuum report and multi-line statements', () => {
    const names = LOGS.map((l) => basename(l.name));
    expect(names).toEqual(expect.arrayContaining(['light.postgres.log', 'queryid.log', 'multiline_param.log', 'tempfile_only.log', 'postgres-15-faults.log', 'postgres-15-events.log', 'postgres.log']));
    expect(names.length).toBeGreaterThanOrEqual(12);
  });

  for (const { name, text } of LOGS) {
    it(name, async () => {
      const p = forms(name, text);
      const file = await read(p.file);
      expect(file.summary.inputs[0]!.format).toBe('postgres');
      for (const [form, path] of [['railway-json', p.json], ['railway-text', p.text]] as const) {
        const r = await read(path);
        const input = r.summary.inputs[0]!;
        expect(input.format, form).toBe(form);
        expect(input.lines, form).toBe(input.events + input.skipped);
        expect(r.summary.postgres, `${form}: stats.postgres`).toEqual(file.summary.postgres);
        expect(comparable(r.findings), `${form}: findings`).toEqual(comparable(file.findings));
        expect(r.summary.totals.bySource.postgres, `${form}: PostgreSQL records`).toBe(file.summary.totals.bySource.postgres);
      }
    });
  }
});

describe('multi-line PostgreSQL records arriving one Railway entry a line', () => {
  const log = readFileSync('test/fixtures/multiline/postgres-15-faults.log', 'utf8');
  const run = runFormat(railwayJson, railwayJsonLines(linesOf(log)));

  it('keeps a deadlock report whole: both processes and their statements, the hint, the context and the statement', () => {
    const d = run.events.find((e) => e.message === 'deadlock detected')!;
    expect(d.source).toBe('postgres');
    expect(d.level).toBe('error');
    expect(d.pg!.detail!.split('\n')).toHaveLength(4);
    expect(d.pg!.detail).toMatch(/^Process (\d+) waits for ShareLock on transaction \d+; blocked by process (\d+)\.\nProcess \d+ waits .*\nProcess \d+: UPDATE orders .*\nProcess \d+: UPDATE orders /);
    expect(d.pg!.hint).toBe('See server log for query details.');
    expect(d.pg!.context).toMatch(/^while updating tuple/);
    expect(d.pg!.statement).toMatch(/^UPDATE orders SET status/);
  });

  it('keeps an autovacuum report whole, at PostgreSQL\'s level', () => {
    const v = run.events.find((e) => e.message.startsWith('automatic vacuum of table'))!;
    expect(v.level).toBe('info');
    expect(v.message.split('\n').length).toBeGreaterThanOrEqual(8);
    expect(v.message).toContain('\nbuffer usage:');
  });

  it('keeps a multi-line slow statement and a failed one whole; no line becomes an application record', () => {
    const slow = run.events.find((e) => e.message.startsWith('duration:') && e.message.includes('count(*)'))!;
    expect(slow.message).toMatch(/statement: SELECT pg_sleep\(1\.1\),\n\s+count\(\*\)\n\s+FROM orders\n\s+WHERE status = 'paid'$/);
    const failed = run.events.find((e) => e.message.startsWith('relation "orderz" does not exist'))!;
    expect(failed.pg!.statement).toBe("SELECT id,\n       total\n  FROM orderz\n WHERE id = 1");
    expect(run.events.filter((e) => e.source !== 'postgres')).toEqual([]);
  });
});
