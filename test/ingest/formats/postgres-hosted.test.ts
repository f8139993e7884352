// PostgreSQL from the big hosts' log services, in their documented export shapes filled with a
// real PostgreSQL 15 server's log (test/fixtures/postgres-hosted/README.md): each is recognised,
// and gives exactly the statistics and findings of the log it was made from, read as PostgreSQL
// wrote it (stderr with the service's prefix, or jsonlog for the services that ship fields).
// pgBadger's own counts on the two it reads are compared in test/timeline/postgres-stats.test.ts.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readTimeline, runDetectors } from '../../../src/pipeline.js';
import { sniffFormat } from '../../../src/ingest/registry.js';
import { cloudSql } from '../../../src/ingest/formats/cloud-sql.js';
import { awsCloudwatch } from '../../../src/ingest/formats/aws-cloudwatch.js';
import { azurePostgres } from '../../../src/ingest/formats/azure-postgres.js';
import type { Finding } from '../../../src/model.js';
import { readText, runFormat } from '../run-format.js';

const DIR = 'test/fixtures/postgres-hosted/';

/** What a run gives, without where its evidence is (the files differ; the records do not). */
async function read(path: string): Promise<{ format: string; lines: number; events: number; skipped: number; postgres: unknown; findings: unknown }> {
  const { summary } = await readTimeline([path], { service: 'shop-db' });
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'location' && k !== 'line').map(([k, x]) => [k, strip(x)]));
    return v;
  };
  const i = summary.inputs[0]!;
  return { format: i.format, lines: i.lines, events: i.events, skipped: i.skipped, postgres: strip(summary.postgres), findings: strip(runDetectors(summary).findings as Finding[]) };
}

describe('PostgreSQL from hosted log services', () => {
  const cases: [string, string, string][] = [
    ['cloud-sql.jsonl', 'cloud-sql', 'source/cloudsql-prefix.log'],
    ['aws-cloudwatch.json', 'aws-cloudwatch', 'source/rds-prefix.log'],
    ['aws-cloudwatch-export.log', 'postgres', 'source/rds-prefix.log'],
    ['azure.jsonl', 'azure-postgres', 'source/cloudsql-prefix.json'],
    ['supabase.jsonl', 'supabase', 'source/cloudsql-prefix.json'],
  ];
  for (const [file, format, source] of cases) {
    it(`${file} is read as ${format} and gives what ${source} gives`, async () => {
      const lines = readFileSync(DIR + file, 'utf8').split('\n').slice(0, 200);
      expect(sniffFormat(lines)?.format.id).toBe(format);
      const hosted = await read(DIR + file);
      const original = await read(DIR + source);
      expect(hosted.format).toBe(format);
      expect([hosted.lines, hosted.skipped]).toEqual([hosted.events, 0]);
      expect(hosted.postgres).toEqual(original.postgres);
      expect(hosted.findings).toEqual(original.findings);
      // Not an empty agreement: the server's incidents are there.
      const detectors = (hosted.findings as { detector: string }[]).map((f) => f.detector);
      expect(detectors).toEqual(expect.arrayContaining(['lock-contention', 'connection-exhaustion', 'postgres-crash-recovery', 'slow-queries', 'timeouts']));
    });
  }

  it('the CloudWatch events one JSON object a line (jq -c .events[]) give what the document gives', async () => {
    const doc = JSON.parse(readFileSync(DIR + 'aws-cloudwatch.json', 'utf8')) as { events: unknown[] };
    const { summary, events } = await readText(doc.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    expect(summary.format).toBe('aws-cloudwatch');
    expect(summary.skipped).toBe(0);
    expect(events.filter((e) => e.source === 'postgres')).toHaveLength(summary.records);
    const whole = await readTimeline([DIR + 'aws-cloudwatch.json']);
    expect(summary.records).toBe(whole.summary.inputs[0]!.records);
  });

  it('Cloud SQL: a jsonPayload holding a jsonlog record, and a textPayload without the time (its time is the entry\'s)', () => {
    const jsonlog = readFileSync(DIR + 'source/cloudsql-prefix.json', 'utf8').split('\n').find((l) => l.includes('"deadlock detected"'))!;
    const entry = (payload: Record<string, unknown>) => JSON.stringify({ insertId: 'a1', logName: 'projects/acme/logs/cloudsql.googleapis.com%2Fpostgres.log', resource: { type: 'cloudsql_database' }, timestamp: '2026-12-07T17:48:40.250Z', ...payload });
    const r = runFormat(cloudSql, [
      entry({ jsonPayload: JSON.parse(jsonlog) }),
      entry({ textPayload: '[2801]: [4-1] db=shop,user=app LOG:  duration: 1052.390 ms  statement: SELECT pg_sleep(1.05)' }),
      entry({ textPayload: 'not a postgres line' }),
    ]);
    expect(r.events.map((e) => [e.message.split('\n')[0], e.pg?.severity, e.pg?.pid])).toEqual([
      ['deadlock detected', 'ERROR', JSON.parse(jsonlog).pid],
      ['duration: 1052.390 ms  statement: SELECT pg_sleep(1.05)', 'LOG', 2801],
    ]);
    expect(r.events[0]!.pg!.detail).toMatch(/^Process \d+ waits for ShareLock/);
    expect(r.events[1]!.ts).toBe(Date.UTC(2026, 11, 7, 17, 48, 40, 250));
    expect(r.skipped.map((s) => s.reason)).toEqual(['textPayload is not a PostgreSQL log line']);
  });

  it('Azure: the Log Analytics form (AzureDiagnostics rows) and records without a prefix', () => {
    const r = runFormat(azurePostgres, [
      JSON.stringify({ TimeGenerated: '2026-12-07T17:48:45.100Z', Category: 'PostgreSQLLogs', errorLevel_s: 'ERROR', Message: 'canceling statement due to statement timeout', processId_d: 3001, sqlerrcode_s: '57014' }),
      JSON.stringify({ TimeGenerated: '2026-12-07T17:48:45.100Z', Category: 'PostgreSQLLogs', errorLevel_s: 'STATEMENT', Message: 'SELECT pg_sleep(5)', processId_d: 3001, sqlerrcode_s: '57014' }),
      JSON.stringify({ time: '2026-12-07T17:48:46.000Z', category: 'PostgreSQLLogs', properties: { errorLevel: 'FATAL', message: 'sorry, too many clients already', processId: 3002, sqlerrcode: '53300' } }),
      JSON.stringify({ time: '2026-12-07T17:48:46.000Z', category: 'PostgreSQLLogs', properties: { errorLevel: 'VERBOSE', message: 'x' } }),
    ]);
    expect(r.events.map((e) => [e.message, e.pg?.severity, e.pg?.pid, e.pg?.sqlstate, e.pg?.statement, e.ts])).toEqual([
      ['canceling statement due to statement timeout', 'ERROR', 3001, '57014', 'SELECT pg_sleep(5)', Date.UTC(2026, 11, 7, 17, 48, 45, 100)],
      ['sorry, too many clients already', 'FATAL', 3002, '53300', undefined, Date.UTC(2026, 11, 7, 17, 48, 46)],
    ]);
    expect(r.skipped).toHaveLength(1);
  });

  it('CloudWatch: events whose message is not PostgreSQL are counted in a warning, not read', () => {
    const ev = (message: string, i: number) => ({ logStreamName: 'shop-db', timestamp: 1796665729000 + i, message, ingestionTime: 1796665729800 + i, eventId: String(i) });
    const r = runFormat(awsCloudwatch, JSON.stringify({ events: [ev('2026-12-07 17:48:49 UTC::@:[3597]:LOG:  checkpoint starting: time', 0), ev('some agent line', 1)] }, null, 4).split('\n'));
    expect(r.events.map((e) => e.message)).toEqual(['checkpoint starting: time']);
    expect(r.warnings).toEqual(['1 CloudWatch event is not a PostgreSQL log line (left out)']);
  });
});
