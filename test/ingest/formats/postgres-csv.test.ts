// The `postgres-csv` format: csvlog rows of PostgreSQL 12 to 17, multi-line quoted fields, bad rows.
import { describe, expect, it } from 'vitest';
import { readText, runFormat } from '../run-format.js';
import { postgresCsv, CsvRowReader } from '../../../src/ingest/formats/postgres-csv.js';

/** A csvlog row as PostgreSQL writes it (log_time unquoted, text columns quoted), for a given major version. */
function row(version: 12 | 13 | 14 | 17, o: { ts: string; pid: number; sev: string; state: string; msg: string; detail?: string; query?: string; app?: string; queryId?: string }): string {
  const q = (s: string | undefined) => (s === undefined ? '' : `"${s.replace(/"/g, '""')}"`);
  const cols = [
    o.ts, q('app_user'), q('app_db'), String(o.pid), q('10.0.3.7:51234'), '65c3a1b2.1f4', '4', q('UPDATE'), '2026-02-07 19:00:00 UTC', '3/77', '0',
    o.sev, o.state, q(o.msg), q(o.detail), '', '', '', '', q(o.query), '', '', q(o.app ?? 'api'),
  ];
  if (version >= 13) cols.push(q('client backend'));
  if (version >= 14) cols.push('', o.queryId ?? '0');
  return cols.join(',');
}

describe('postgres-csv', () => {
  for (const version of [12, 13, 14, 17] as const) {
    it(`reads PostgreSQL ${version}'s column set`, async () => {
      const text = [
        row(version, { ts: '2026-02-07 19:21:03.120 UTC', pid: 311, sev: 'ERROR', state: '57014', msg: 'canceling statement due to statement timeout', query: 'UPDATE jobs SET state = \'done\'', queryId: '-812231' }),
        row(version, { ts: '2026-02-07 20:21:04.500 CET', pid: 312, sev: 'LOG', state: '00000', msg: 'duration: 12.5 ms  statement: SELECT 1' }),
      ].join('\n');
      const { summary, events } = await readText(text);
      expect(summary.format).toBe('postgres-csv');
      expect(summary.skipped).toBe(0);
      expect(events).toHaveLength(2);
      const [a, b] = events;
      expect(a!.ts).toBe(Date.UTC(2026, 1, 7, 19, 21, 3, 120));
      expect(a!.level).toBe('error');
      expect(a!.levelText).toBe('ERROR');
      expect(a!.pg).toMatchObject({ pid: 311, user: 'app_user', database: 'app_db', client: '10.0.3.7', sqlstate: '57014', sessionId: '65c3a1b2.1f4', application: 'api', statement: "UPDATE jobs SET state = 'done'" });
      expect(a!.attrs!.command_tag).toBe('UPDATE');
      if (version >= 13) expect(a!.attrs!.backend_type).toBe('client backend');
      if (version >= 14) expect(a!.attrs!.query_id).toBe('-812231');
      expect(b!.ts).toBe(Date.UTC(2026, 1, 7, 19, 21, 4, 500));
      expect(b!.level).toBe('info');
    });
  }

  it('joins quoted fields that span lines into one record, counting its lines', async () => {
    const text = [
      row(14, { ts: '2026-02-07 19:21:03.120 UTC', pid: 9, sev: 'ERROR', state: '40P01', msg: 'deadlock detected', detail: 'Process 9 waits for ShareLock on transaction 5; blocked by process 10.\nProcess 10 waits for ShareLock on transaction 4; blocked by process 9.', query: 'UPDATE a\n   SET "x" = 1\n WHERE id = 2' }),
      row(14, { ts: '2026-02-07 19:21:04.000 UTC', pid: 10, sev: 'LOG', state: '00000', msg: 'duration: 5.0 ms' }),
    ].join('\n');
    expect(text.split('\n')).toHaveLength(5);
    const { summary, events } = await readText(text);
    expect(summary.lines).toBe(5);
    expect(summary.records).toBe(2);
    expect(events[0]!.pg!.detail!.split('\n')).toHaveLength(2);
    expect(events[0]!.pg!.statement).toBe('UPDATE a\n   SET "x" = 1\n WHERE id = 2');
    expect(events[0]!.line).toBe(1);
    expect(events[1]!.line).toBe(5);
  });

  it('skips rows that are not csvlog, and an unterminated quoted field at the end, with reasons', () => {
    const good = row(14, { ts: '2026-02-07 19:21:03.120 UTC', pid: 9, sev: 'LOG', state: '00000', msg: 'checkpoint starting: time' });
    const run = runFormat(postgresCsv, [good, 'timestamp,user,db', '', good, '2026-02-07 19:21:05 UTC,"u","d",9,,,,,,,,LOG,00000,"never closed', 'still inside']);
    expect(run.events).toHaveLength(2);
    expect(run.skipped.map((s) => s.line)).toEqual([2, 3, 5, 6]);
    expect(run.skipped[0]!.reason).toMatch(/not a PostgreSQL csvlog row/);
    expect(run.skipped[1]!.reason).toBe('blank line');
    expect(run.skipped[2]!.reason).toMatch(/ends inside a quoted CSV field/);
  });

  it('splits CSV with doubled quotes and empty fields', () => {
    const r = new CsvRowReader();
    expect(r.feed('a,"b ""c"", d",,"",e,')).toBe(true);
    expect(r.fields).toEqual(['a', 'b "c", d', '', '', 'e', '']);
    const r2 = new CsvRowReader();
    expect(r2.feed('x,"multi')).toBe(false);
    expect(r2.feed('line",y')).toBe(true);
    expect(r2.fields).toEqual(['x', 'multi\nline', 'y']);
  });
});
