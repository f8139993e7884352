// `npm run bench`'s ClickHouse section (run on its own after the table): a generated otel_logs table
// of 10M rows in the embedded engine (chDB, test/e2e/clickhouse/, installed by .ci/run; skipped
// when it is not installed), analyzed as a clickhouse:// input, against exporting the same rows
// (the lines the input reads, to a file) and analyzing the file. It prints the time of each, the
// bytes that crossed from the engine, and the table's uncompressed size.
//   node scripts/bench-clickhouse.mjs [--rows N]   (default 10,000,000)
// The engine runs in this process; chDB's queryStream is the executor (the interface the HTTP
// client implements in src/sources/clickhouse/executor.ts), so the same SQL runs as on a server.
import { createRequire } from 'node:module';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENGINE = join(ROOT, 'test', 'e2e', 'clickhouse');
const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg !== -1 ? Number(process.argv[rowsArg + 1]) : 10_000_000;

let chdb;
try {
  chdb = createRequire(join(ENGINE, 'package.json'))('chdb');
} catch {
  process.stdout.write('skipped: chDB is not installed (npm install --prefix test/e2e/clickhouse)\n');
  process.exit(0);
}

const { main } = await import(pathToFileURL(join(ROOT, 'dist', 'cli.js')).href);
const { linesQuery, tableOf, whereOf } = await import(pathToFileURL(join(ROOT, 'dist', 'sources', 'clickhouse', 'queries.js')).href);
const { OTEL_COLUMNS } = await import(pathToFileURL(join(ROOT, 'dist', 'sources', 'clickhouse', 'target.js')).href);

const dir = mkdtempSync(join(tmpdir(), 'hindsight-bench-ch-'));
const session = new chdb.Session(join(dir, 'db'));

/** chDB's stream as hindsight's QueryExecutor, counting the bytes it hands back. */
const stats = { bytes: 0 };
const executor = {
  async *stream(sql, params) {
    for await (const chunk of session.queryStreamBind(sql, params, {})) {
      const raw = chunk.raw();
      stats.bytes += raw.byteLength;
      yield raw;
    }
  },
  async cancel() {},
  async close() {},
};

// Seven days of four services: request lines with ids and durations, jobs, warnings and errors
// (about 2% warning, 1% error), deterministic from the row number.
const ddl = readFileSync(join(ENGINE, 'otel_logs.sql'), 'utf8');
session.query(ddl);
const t0 = performance.now();
session.query(`INSERT INTO default.otel_logs (Timestamp, SeverityText, SeverityNumber, ServiceName, Body, LogAttributes)
SELECT
  toDateTime64('2026-02-01 00:00:00', 9, 'UTC') + toIntervalMicrosecond(intDiv(number * 604800000000, ${ROWS})) AS Timestamp,
  multiIf(h % 100 = 0, 'error', h % 100 < 3, 'warn', 'info') AS SeverityText,
  multiIf(h % 100 = 0, 17, h % 100 < 3, 13, 9) AS SeverityNumber,
  ['api', 'worker', 'web', 'billing'][1 + bitShiftRight(h, 8) % 4] AS ServiceName,
  multiIf(
    h % 100 = 0, ['Database session error: connection reset by peer', concat('Request failed: GET /api/tasks/', toString(bitShiftRight(h, 12) % 5000), ' 500'), concat('Job ', lower(hex(bitShiftRight(h, 20) % 65536)), ' failed after ', toString(bitShiftRight(h, 8) % 30), ' s: timeout')][1 + bitShiftRight(h, 16) % 3],
    h % 100 < 3, [concat('Slow request: GET /api/search took ', toString(1000 + bitShiftRight(h, 12) % 9000), ' ms'), concat('Retrying webhook ', toString(bitShiftRight(h, 14) % 100000), ' (attempt ', toString(1 + bitShiftRight(h, 9) % 5), ')')][1 + bitShiftRight(h, 16) % 2],
    [concat('Request completed: GET /api/tasks/', toString(bitShiftRight(h, 12) % 50000), ' 200 (', toString(bitShiftRight(h, 24) % 400), ' ms)'),
     concat('Request completed: POST /api/v1/sync 200 (', toString(bitShiftRight(h, 24) % 900), ' ms)'),
     concat('User ', toString(bitShiftRight(h, 12) % 20000), ' logged in from 10.0.', toString(bitShiftRight(h, 20) % 256), '.', toString(bitShiftRight(h, 28) % 256)),
     concat('Materialized ', toString(bitShiftRight(h, 12) % 500), ' rows for project ', lower(hex(bitShiftRight(h, 20) % 1048576))),
     concat('Cache hit ratio ', toString(bitShiftRight(h, 12) % 100), '%'),
     'Health check ok'][1 + bitShiftRight(h, 16) % 6]) AS Body,
  map('deploymentId', concat('d-', toString(bitShiftRight(h, 40) % 8)), 'requestId', lower(hex(h))) AS LogAttributes
FROM (SELECT number, cityHash64(number) AS h FROM numbers(${ROWS}))`);
const genMs = performance.now() - t0;
const [size] = JSON.parse(`[${session.query("SELECT sum(data_uncompressed_bytes) AS u, sum(data_compressed_bytes) AS c FROM system.parts WHERE database = 'default' AND table = 'otel_logs' AND active", 'JSONEachRow').trim()}]`);
const uncompressed = Number(size.u);

const quiet = { stdout: () => {}, stderr: (s) => process.stderr.write(s), env: {}, stdinIsTTY: false, clickhouse: () => executor };

// 1. The clickhouse:// input.
let t = performance.now();
const code = await main(['analyze', '--format', 'json', '--no-progress', 'clickhouse://localhost/default?table=otel_logs'], quiet);
const analyzeMs = performance.now() - t;
const analyzeBytes = stats.bytes;

// 2. The export: the same lines to a file (what `clickhouse-client --query ... > file` would do), then the file analyzed.
const file = join(dir, 'export.jsonl');
t = performance.now();
const out = createWriteStream(file);
const services = session.query("SELECT DISTINCT ServiceName FROM default.otel_logs ORDER BY ServiceName", 'TSVRaw').trim().split('\n');
const { where, params } = whereOf(OTEL_COLUMNS, {});
for (const service of services) {
  for await (const chunk of session.queryStreamBind(linesQuery(OTEL_COLUMNS, tableOf('default', 'otel_logs'), where, true), { ...params, service }, {})) {
    if (!out.write(chunk.raw())) await once(out, 'drain');
  }
}
out.end();
await once(out, 'finish');
const exportMs = performance.now() - t;
const exportBytes = statSync(file).size;
t = performance.now();
const fileCode = await main(['analyze', '--format', 'json', '--no-progress', file], { ...quiet, clickhouse: undefined });
const fileMs = performance.now() - t;

session.close();
rmSync(dir, { recursive: true, force: true });

const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
process.stdout.write(`otel_logs of ${ROWS.toLocaleString('en-US')} rows (generated in ${s(genMs)}): ${mb(uncompressed)} uncompressed, ${mb(Number(size.c))} compressed\n\n`);
process.stdout.write('run | time | bytes from the engine | share of the table\n--- | --- | --- | ---\n');
process.stdout.write(`analyze clickhouse:// (exit ${code}) | ${s(analyzeMs)} | ${mb(analyzeBytes)} | ${((100 * analyzeBytes) / uncompressed).toFixed(1)}%\n`);
process.stdout.write(`export the rows to a file | ${s(exportMs)} | ${mb(exportBytes)} | ${((100 * exportBytes) / uncompressed).toFixed(1)}%\n`);
process.stdout.write(`analyze the file (exit ${fileCode}) | ${s(fileMs)} | | \n`);
process.stdout.write(`\nexport + file: ${s(exportMs + fileMs)}; the clickhouse:// input: ${s(analyzeMs)}\n`);
