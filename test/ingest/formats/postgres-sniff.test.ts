// Sniffing: each PostgreSQL format wins on its own inputs and loses on the others', and Railway
// inputs whose messages are PostgreSQL lines stay Railway inputs.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { sniffFormat, FORMATS } from '../../../src/ingest/registry.js';

const DIR = 'test/fixtures/postgres/';

const EXPECTED: Record<string, string> = {
  'anonymize.log': 'postgres-csv',
  'begin_end.log': 'postgres',
  'cnpg.log': 'cnpg',
  'csv_statement_without_duration.log': 'postgres-csv',
  'light.postgres.log': 'postgres',
  logplex: 'heroku-logplex',
  'multiline_param.log': 'postgres',
  'pg-timezones.log': 'postgres',
  'pg_rawcsv.log': 'postgres',
  'pg_vacuums.json': 'postgres-json',
  'postgresql_param_range.log': 'postgres',
  'queryid.log': 'postgres',
  'stmt_type.log': 'postgres',
  'tempfile_only.log': 'postgres',
  'weeknumber.log': 'postgres-csv',
};

function head(text: string): string[] {
  return text.split('\n').slice(0, 64).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

const PG_LINE = '2026-02-07 19:12:02.412 UTC [55] LOG:  could not receive data from client: Connection reset by peer';

/** Synthetic inputs of each format, and of the Railway formats that carry PostgreSQL lines. */
const SYNTHETIC: Record<string, string[]> = {
  postgres: [PG_LINE, '2026-02-07 19:12:03.000 UTC [56] FATAL:  terminating connection due to administrator command'],
  'postgres-csv': ['2026-02-07 19:12:02.412 UTC,"app","app",55,"10.0.0.1:5000",65c3a1b2.37,1,"idle",2026-02-07 19:00:00 UTC,,0,LOG,08006,"could not receive data from client: Connection reset by peer",,,,,,,,,"","client backend",,0'],
  'postgres-json': ['{"timestamp":"2026-02-07 19:12:02.412 UTC","pid":55,"error_severity":"LOG","message":"could not receive data from client: Connection reset by peer","backend_type":"client backend"}'],
  cnpg: ['{"level":"info","ts":1770491522.41,"logger":"postgres","msg":"record","logging_pod":"pg-1","record":{"log_time":"2026-02-07 19:12:02.412 UTC","process_id":"55","error_severity":"LOG","message":"could not receive data from client: Connection reset by peer"}}'],
  'postgres-syslog': ['Feb  7 19:12:02 db postgres[55]: [3-1] LOG:  could not receive data from client: Connection reset by peer', 'Feb  7 19:12:02 db systemd[1]: Started Session 4.'],
  'heroku-logplex': ['2026-02-07T19:12:02+00:00 app[postgres.55]: [DATABASE] [3-1]  sql_error_code = 08006 LOG:  could not receive data from client: Connection reset by peer', '2026-02-07T19:12:02+00:00 app[web.1]: GET /'],
  'railway-json': [
    JSON.stringify({ message: PG_LINE, timestamp: '2026-02-07T19:12:02.412345678Z', level: 'error', deploymentId: 'd1' }),
    JSON.stringify({ message: '2026-02-07 19:12:03.000 UTC [57] LOG:  checkpoint starting: time', timestamp: '2026-02-07T19:12:03.000000000Z', level: 'error', deploymentId: 'd1' }),
  ],
  'railway-text': [`2026-02-07T19:12:02  [err] ${PG_LINE}`, '2026-02-07T19:12:03  [inf] Starting Container'],
};

describe('sniffing PostgreSQL inputs', () => {
  it('has a test case for every fixture file', () => {
    const files = readdirSync(DIR).filter((f) => f !== 'LICENSE' && f !== 'README.md').sort();
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, id] of Object.entries(EXPECTED)) {
    it(`${file} is read as ${id}`, () => {
      const lines = head(readFileSync(DIR + file, 'utf8'));
      const best = sniffFormat(lines);
      expect(best?.format.id).toBe(id);
      // Every other format scores lower, so the choice does not hang on registry order.
      for (const f of FORMATS) if (f.id !== id) expect(f.sniff(lines).score, f.id).toBeLessThan(best!.score);
    });
  }

  for (const [id, lines] of Object.entries(SYNTHETIC)) {
    it(`a synthetic ${id} input is read as ${id}`, () => {
      expect(sniffFormat(lines)?.format.id).toBe(id);
    });
  }

  for (const id of ['postgres', 'postgres-csv', 'postgres-json', 'cnpg', 'postgres-syslog', 'heroku-logplex']) {
    it(`the example \`hindsight formats\` shows for ${id} is recognised as ${id}`, () => {
      const f = FORMATS.find((x) => x.id === id)!;
      expect(sniffFormat([f.example])?.format.id).toBe(id);
    });
  }

  it('with --pg-prefix, a custom prefix no built-in shape reads is recognised as postgres', () => {
    const lines = ['4242 2026-02-07 19:21:03.123 UTC psql LOG:  connection authorized: user=app database=app'];
    expect(sniffFormat(lines)?.format.id).not.toBe('postgres');
    const best = sniffFormat(lines, { pgPrefix: '%p %m %a ' });
    expect(best?.format.id).toBe('postgres');
    expect(best?.reason).toMatch(/--pg-prefix/);
  });
});
