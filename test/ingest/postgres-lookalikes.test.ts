// Lines of other programs that look like PostgreSQL's (test/fixtures/postgres-lookalikes/README.md):
// they open with a time or a bracketed pid, carry a pid in brackets and a level word with a colon,
// or quote what PostgreSQL said (`FATAL:  database "nope" does not exist`). PostgreSQL writes its
// severity right after its log_line_prefix, with a colon and two spaces; a prefix holds no level
// word. These are read as the program's own lines; the server's lines of the same run stay PostgreSQL's.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePgLine } from '../../src/ingest/postgres-line.js';
import { railwayJson } from '../../src/ingest/formats/railway-json.js';
import { postgresStderr } from '../../src/ingest/formats/postgres-stderr.js';
import { sniffFormat } from '../../src/ingest/registry.js';
import { runFormat } from './run-format.js';

const DIR = 'test/fixtures/postgres-lookalikes';
const lines = (name: string) => readFileSync(join(DIR, name), 'utf8').split('\n').filter(Boolean);

describe('lines of other programs are not PostgreSQL records', () => {
  it("gunicorn's logger quoting libpq's FATAL, Python logging's `[pid] LEVEL: ` (with and without a time before it): no line parses as PostgreSQL's", () => {
    for (const name of ['gunicorn.stderr', 'python-pid.stderr']) expect(lines(name).filter((l) => parsePgLine(l) !== null), name).toEqual([]);
  });

  it('nor does any line of the logging conventions\' real captures (test/fixtures/conventions)', () => {
    const dir = 'test/fixtures/conventions';
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.txt'))) {
      expect(readFileSync(join(dir, name), 'utf8').split('\n').filter((l) => parsePgLine(l) !== null), name).toEqual([]);
    }
  });

  it('in Railway form they are the app\'s records, at the level the program wrote', () => {
    const gunicorn = runFormat(railwayJson, lines('gunicorn.jsonl'));
    const python = runFormat(railwayJson, lines('python-pid.jsonl'));
    expect([...gunicorn.events, ...python.events].filter((e) => e.source === 'postgres')).toEqual([]);
    const fatal = gunicorn.events.find((e) => e.message.includes('FATAL:  database "nope" does not exist'))!;
    expect([fatal.source, fatal.level]).toEqual(['app', 'error']);
    expect(python.events.filter((e) => e.source === 'app').map((e) => e.level)).toEqual(['info', 'info', 'warn', 'warn', 'info', 'info', 'error', 'error']);
  });

  it('a file of them is not sniffed as a PostgreSQL log; the server\'s log of the same runs is, with their FATAL lines', () => {
    expect(sniffFormat(lines('python-pid.stderr'))?.format.id).not.toBe('postgres');
    expect(sniffFormat(lines('gunicorn.stderr'))?.format.id).not.toBe('postgres');
    const server = runFormat(postgresStderr, lines('postgres-15.log'));
    expect(server.skipped).toEqual([]);
    expect(server.events.filter((e) => e.levelText === 'FATAL').map((e) => e.message)).toEqual(Array(4).fill('database "nope" does not exist'));
  });
});
