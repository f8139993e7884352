// psycopg2 and SQLAlchemy 1.4 errors against a real PostgreSQL 15 (test/fixtures/postgres-15-clients/
// README.md, db_errors.py): libpq's text under the error (`LINE n:` and its caret, HINT, DETAIL,
// CONTEXT) and SQLAlchemy's (`[SQL: ...]` over the statement's lines, `[parameters: ...]`,
// `(Background on this error at: ...)`) stay in the traceback's record, in the program's stderr
// read as a file and in its Railway form (stdout entries of SQLAlchemy's echo between), and both
// give the same findings with the server's log.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { railwayJson } from '../../src/ingest/formats/railway-json.js';
import { railwayText } from '../../src/ingest/formats/railway-text.js';
import { readTimeline, runDetectors } from '../../src/pipeline.js';
import type { Finding, LogEvent } from '../../src/model.js';
import { runFormat } from './run-format.js';

const DIR = 'test/fixtures/postgres-15-clients';
const read = (name: string) => readFileSync(join(DIR, name), 'utf8');
/** A record's text without the time a logger put in front (the text form takes it as the record's time). */
const text = (e: LogEvent) => e.message.replace(/^[\d-]+ [\d:,]+ /, '');
const lastLine = (e: LogEvent) => e.message.slice(e.message.lastIndexOf('\n') + 1);

function bothForms(run: 'app' | 'bare') {
  const entries = read(`db-errors-${run}.jsonl`).split('\n').filter(Boolean);
  const json = runFormat(railwayJson, entries);
  const file = runFormat(railwayText, read(`db-errors-${run}.stderr`).split('\n'));
  const stderr = json.events.filter((e) => e.stream === 'error');
  expect(stderr.map(text)).toEqual(file.events.map(text));
  expect(stderr.map((e) => e.level)).toEqual(file.events.map((e) => e.level));
  expect(json.eventLines + json.skipped.length).toBe(entries.length);
  return { json, stderr };
}

describe("a database driver's error text stays in its traceback", () => {
  for (const run of ['app', 'bare'] as const) {
    it(`${run === 'app' ? 'logging.basicConfig on stderr' : 'logging unconfigured (last resort on stderr, the echo on stdout)'}: five tracebacks, five records, in both forms`, () => {
      const { stderr } = bothForms(run);
      const tracebacks = stderr.filter((e) => e.message.includes('Traceback (most recent call last):'));
      expect(tracebacks).toHaveLength(5);
      expect(tracebacks.every((e) => e.level === 'error')).toBe(true);
      const [syntax, typo, duplicate, charge, orders] = tracebacks;
      expect(syntax!.message).toMatch(/\npsycopg2\.errors\.SyntaxError: syntax error at or near "SELEC"\nLINE 1: SELEC id FROM users\n {8}\^$/);
      expect(typo!.message.split('\n').slice(-3)).toEqual(['LINE 1: SELECT emial FROM users WHERE id = 1', '               ^', 'HINT:  Perhaps you meant to reference the column "users.email".']);
      expect(lastLine(duplicate!)).toBe('DETAIL:  Key (id)=(1) already exists.');
      expect(charge!.message).toContain('\npsycopg2.errors.RaiseException: negative amount -5\nHINT:  amounts are in cents, never below 0\nCONTEXT:  PL/pgSQL function charge(integer) line 1 at RAISE\nThe above exception');
      expect(charge!.message).toContain("\n[SQL: SELECT charge(%(amount)s)]\n[parameters: {'amount': -5}]\n");
      // The uncaught one is a record of its own, its statement whole inside SQLAlchemy's brackets.
      expect(orders!.message.startsWith('Traceback (most recent call last):')).toBe(true);
      expect(orders!.message).toContain('\n[SQL: \n        SELECT u.id, u.email\n        FROM users u\n        JOIN orders o ON o.user_id = u.id\n        WHERE o.total > %(total)s\n    ]\n');
      for (const t of [charge!, orders!]) expect(lastLine(t)).toMatch(/^\(Background on this error at: https:\/\/sqlalche\.me\/e\/14\/\w+\)$/);
      // No line of the driver's text is a record of its own.
      expect(stderr.filter((e) => /^(?:LINE \d|HINT|DETAIL|CONTEXT|\[|\(Background| )/.test(e.message))).toEqual([]);
    });
  }

  it("SQLAlchemy's echo: a statement over several lines is one info record, on stdout or in the logger's stderr", () => {
    const onStdout = bothForms('bare').json.events.filter((e) => e.stream === 'info' && e.message.includes('sqlalchemy.engine.Engine'));
    const onStderr = bothForms('app').stderr.filter((e) => e.message.includes('INFO sqlalchemy.engine.Engine'));
    for (const echo of [onStdout, onStderr]) {
      expect(echo.every((e) => e.level === 'info' && e.source === 'app')).toBe(true);
      expect(echo.find((e) => e.message.includes('\n        JOIN orders o ON o.user_id = u.id\n'))!.message.split('\n')).toHaveLength(5);
      expect(echo.map((e) => e.message.replace(/^.*sqlalchemy\.engine\.Engine:? /, '').split('\n')[0])).toContain('ROLLBACK');
    }
  });
});

describe('the program with the server, as a file and in Railway form: the same findings', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hindsight-driver-errors-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  /**
   * Findings without where their evidence is (the file names differ) and the evidence's times: a
   * line that carries no time (an uncaught traceback) has Railway's capture time in one form and
   * the time of the line before it in the other, a few milliseconds apart.
   */
  const comparable = (fs: Finding[]) => JSON.parse(JSON.stringify(fs, (k, v) => (k === 'location' || k === 'services' || k === 'timestamp' ? undefined : v)));

  for (const run of ['app', 'bare'] as const) {
    it(run, async () => {
      // Railway's `Starting Container` is no line of the program's: the file has no such line.
      const json = read(`db-errors-${run}.jsonl`).split('\n').filter((l) => l !== '' && !l.includes('"Starting Container"'));
      const jsonPath = join(tmp, `${run}.jsonl`);
      const filePath = join(tmp, `${run}.log`);
      writeFileSync(jsonPath, json.join('\n') + '\n');
      writeFileSync(filePath, read(`db-errors-${run}.stderr`));
      const server = join(DIR, 'postgres-15-db-errors.log');
      const findings = async (app: string) => runDetectors((await readTimeline([server, app])).summary).findings;
      const file = await findings(filePath);
      expect(file.map((f) => f.id)).toContain('missing-relation:orders');
      const missing = file.find((f) => f.id === 'missing-relation:orders')!;
      // The server's log holds both runs' errors; the program's, one run's.
      expect(missing.data).toMatchObject({ count: 2, driverSide: 1 });
      expect(comparable(await findings(jsonPath))).toEqual(comparable(file));
    });
  }
});
