// clickhouse:// inputs on a real ClickHouse engine (chDB, embedded; test/e2e/clickhouse/), driven
// through the same executor interface and SQL as a server: the samples' Railway logs loaded into
// the OpenTelemetry exporter's otel_logs table analyze to the same findings as the files, --since,
// --until and --service select in the query, and the errors people meet are one line each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ChdbExecutor, loadChdb, OTEL_LOGS_DDL } from './clickhouse/chdb-executor.js';
import { otelRows } from './clickhouse/load.js';
import { runCli } from '../cli/run-cli.js';

const chdb = loadChdb();
const session = chdb === null ? null : new chdb.Session();
const executor = session === null ? null : new ChdbExecutor(session);
afterAll(() => session?.close());

/** The samples' Railway-JSON inputs (their other inputs are PostgreSQL files, text and metrics: not rows of a log table; docs/clickhouse.md). */
const SAMPLES: Record<string, string[]> = {
  whendoist: ['samples/whendoist/whendoist.jsonl', 'samples/whendoist/postgres.jsonl'],
  'restart-loop': ['samples/restart-loop/backend.jsonl'],
  'pg-guardrails': ['samples/pg-guardrails/api.jsonl'],
};

const db = (name: string) => name.replace(/-/g, '_');

beforeAll(async () => {
  if (session === null) return;
  for (const [name, files] of Object.entries(SAMPLES)) {
    session.query(`CREATE DATABASE IF NOT EXISTS ${db(name)}`);
    session.query(OTEL_LOGS_DDL.replace('default.otel_logs', `${db(name)}.otel_logs`));
    for (const f of files) await session.insert({ table: `${db(name)}.otel_logs`, values: otelRows(readFileSync(f, 'utf8'), f), format: 'JSONEachRow', settings: { date_time_input_format: 'best_effort' } });
  }
});

const analyze = (argv: string[], env: NodeJS.ProcessEnv = {}) => runCli(['analyze', '--format', 'json', ...argv], { clickhouse: () => executor!, env });

/**
 * What an analysis found and of what: the window, services, statistics, findings and conclusions,
 * with the evidence's input left out of its location (`whendoist.jsonl:40` against
 * `clickhouse:otel_logs/whendoist:40`): the line is kept, as a service's rows come back in its file's order.
 */
function comparable(report: string): unknown {
  const r = JSON.parse(report);
  const { window, services, stats, findings, conclusions } = r;
  return JSON.parse(JSON.stringify({ window, services, stats, findings, conclusions }).replace(/"location":"[^"]*:(\d+)"/g, '"location":"$1"'));
}

/** What an analysis of a window found: as `comparable`, without locations and the run's own conclusions. */
function selected(report: string): { stats: { records: number } } {
  const r = JSON.parse(report);
  const { window, services, stats, findings, filter } = r;
  const c = JSON.parse(JSON.stringify({ window, services, stats, findings, since: filter.since, until: filter.until }).replace(/"location":"[^"]*"/g, '"location":""'));
  return c;
}

describe.skipIf(chdb === null)('clickhouse:// on chDB', () => {
  for (const [name, files] of Object.entries(SAMPLES)) {
    it(`${name}: the same analysis as the files`, async () => {
      const fromFiles = await analyze(files);
      expect(fromFiles.code, fromFiles.stderr).toBe(0);
      const fromTable = await analyze([`clickhouse://localhost/${db(name)}?table=otel_logs`]);
      expect(fromTable.code, fromTable.stderr).toBe(0);
      expect(JSON.parse(fromFiles.stdout).findings.length).toBeGreaterThan(0);
      expect(comparable(fromTable.stdout)).toEqual(comparable(fromFiles.stdout));
    });
  }

  it('--since, --until and --service select as they do for files (relative times from the newest record)', async () => {
    const files = SAMPLES.whendoist!;
    for (const flags of [['--since', '2h'], ['--since', '2026-02-07T19:00:00Z', '--until', '2026-02-07T20:00:00.5Z'], ['--until', '1d']]) {
      const fromFiles = await analyze([...flags, ...files]);
      const fromTable = await analyze([...flags, 'clickhouse://localhost/whendoist']);
      expect(fromTable.code, fromTable.stderr).toBe(0);
      // The files are read whole and numbered by line; the table's rows outside the window are
      // never sent, so a row's number counts within the selection, and "every line was read" counts the rows sent.
      const a = selected(fromFiles.stdout);
      expect(a.stats.records).toBeGreaterThan(0);
      expect(selected(fromTable.stdout)).toEqual(a);
    }
    const one = await analyze(['--service', 'postgres', 'clickhouse://localhost/whendoist']);
    expect(one.code, one.stderr).toBe(0);
    expect(comparable(one.stdout)).toEqual(comparable((await analyze([files[1]!])).stdout));
  });

  it('digest reads a table as analyze does', async () => {
    const state = join(mkdtempSync(join(tmpdir(), 'hindsight-ch-digest-')), 'state.json');
    const first = await runCli(['digest', '--state', state, 'clickhouse://localhost/restart_loop'], { clickhouse: () => executor! });
    expect(first.code, first.stderr).toBe(0);
    const files = await runCli(['digest', '--dry-run', '--state', join(dirname(state), 'files.json'), ...SAMPLES['restart-loop']!]);
    expect(first.stdout.replace(/clickhouse:otel_logs\/backend/g, 'samples/restart-loop/backend.jsonl')).toBe(files.stdout);
  });

  it('says in one line what is wrong: an unknown table, a missing column, an empty selection, a limit', async () => {
    const unknown = await analyze(['clickhouse://localhost/whendoist?table=logs']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('hindsight: clickhouse://localhost:8123/whendoist?table=logs: no such table, or user default may not read it; name the table with ?table= and the database in the path\n');
    const column = await analyze(['clickhouse://localhost/whendoist?message=Message']);
    expect(column.code).toBe(2);
    expect(column.stderr).toMatch(/^hindsight: clickhouse:\/\/localhost:8123\/whendoist\?table=otel_logs has no column Message \(the message\): name it with \?message=<column> in the URL \(its columns: Timestamp, TimestampTime, .*docs\/clickhouse\.md\)\n$/);
    const none = await analyze(['--service', 'nobody', 'clickhouse://localhost/whendoist']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('hindsight: no record in clickhouse://localhost:8123/whendoist?table=otel_logs for nobody\n');
    session!.query('SET max_rows_to_read = 10');
    try {
      const limited = await analyze(['clickhouse://localhost/whendoist']);
      expect(limited.code).toBe(2);
      expect(limited.stderr).toMatch(/^hindsight: the query on clickhouse:\/\/localhost:8123\/whendoist\?table=otel_logs went over the server's limit on rows read \(max_rows_to_read\) \(TOO_MANY_ROWS: .*\): narrow it with --since\/--until or --service\n$/);
    } finally {
      session!.query('SET max_rows_to_read = 0');
    }
  });

  it('reads another layout through the column parameters', async () => {
    session!.query('CREATE TABLE whendoist.railway (at DateTime64(3), svc String, msg String, attrs Map(String, String)) ENGINE = MergeTree ORDER BY (svc, at)');
    session!.query("INSERT INTO whendoist.railway SELECT Timestamp, ServiceName, Body, mapUpdate(LogAttributes, map('level', SeverityText)) FROM whendoist.otel_logs");
    const fromTable = await analyze(['clickhouse://localhost/whendoist?table=railway&time=at&service=svc&message=msg&level=&attributes=attrs']);
    expect(fromTable.code, fromTable.stderr).toBe(0);
    expect(comparable(fromTable.stdout)).toEqual(comparable((await analyze(SAMPLES.whendoist!)).stdout));
  });

  it("reads OpenTelemetry's severity number when the severity text is empty", async () => {
    session!.query('CREATE DATABASE IF NOT EXISTS severity');
    session!.query(OTEL_LOGS_DDL.replace('default.otel_logs', 'severity.otel_logs'));
    // SeverityNumber's ranges (OpenTelemetry's log data model): 9 INFO, 13 WARN, 17 ERROR, 21 FATAL.
    session!.query(`INSERT INTO severity.otel_logs (Timestamp, SeverityText, SeverityNumber, ServiceName, Body) VALUES
      ('2026-02-07 19:00:00', '', 9, 'api', 'Server started'), ('2026-02-07 19:00:01', '', 13, 'api', 'Cache is cold'),
      ('2026-02-07 19:00:02', '', 17, 'api', 'Payment declined'), ('2026-02-07 19:00:03', '', 21, 'api', 'Out of file descriptors'),
      ('2026-02-07 19:00:04', 'info', 17, 'api', 'Text wins over number')`);
    const r = await analyze(['clickhouse://localhost/severity']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).stats.byLevel).toMatchObject({ info: 2, warn: 1, error: 1, fatal: 1 });
  });
});
