// A real PostgreSQL server under injected faults, its logs read back by hindsight in the three
// formats the server wrote at once (stderr, csvlog, jsonlog). Every injected fault must be found
// with the count the fault script caused, and the three formats must give the same findings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTimeline, runDetectors } from '../../src/pipeline.js';
import type { Finding } from '../../src/model.js';
import type { TimelineSummary } from '../../src/timeline/timeline.js';
import { FAULT_SETTINGS, PgServer } from './postgres-server.js';
import { injectFaults, type Injected } from './faults.js';
import { linesOf, railwayJsonLines, railwayTextLines } from '../helpers/railway-capture.js';

let server: PgServer | null = null;
let injected: Injected;
const runs: { format: string; path: string; summary: TimelineSummary; findings: Finding[] }[] = [];
const railwayRuns: typeof runs = [];

beforeAll(async () => {
  server = await PgServer.create(FAULT_SETTINGS);
  try {
    injected = await injectFaults(server);
    // A clean stop flushes the logging collector.
    server.stop('fast');
    const logs = server.logs();
    const files: [string, string | null][] = [['postgres', logs.stderr], ['postgres-csv', logs.csvlog], ['postgres-json', logs.jsonlog]];
    for (const [format, path] of files) {
      if (path === null) continue;
      const { summary } = await readTimeline([path]);
      const { findings } = runDetectors(summary);
      runs.push({ format, path, summary, findings });
    }
    // The stderr log as Railway would deliver it, one entry a line (test/helpers/railway-capture.ts).
    const lines = linesOf(readFileSync(logs.stderr, 'utf8'));
    for (const [format, ext, content] of [['railway-json', 'jsonl', railwayJsonLines(lines)], ['railway-text', 'txt', railwayTextLines(lines)]] as const) {
      mkdirSync(join(server.logDir, format));
      const path = join(server.logDir, format, `postgres.${ext}`);
      writeFileSync(path, content.join('\n') + '\n');
      const { summary } = await readTimeline([path]);
      railwayRuns.push({ format, path, summary, findings: runDetectors(summary).findings });
    }
    if (process.env.HINDSIGHT_E2E_KEEP) {
      const { cpSync } = await import('node:fs');
      cpSync(server.logDir, process.env.HINDSIGHT_E2E_KEEP, { recursive: true });
    }
  } finally {
    server.destroy();
  }
});

afterAll(() => {
  server?.destroy();
});

const finding = (fs: Finding[], detector: string, pred: (f: Finding) => boolean = () => true) => {
  const f = fs.find((x) => x.detector === detector && pred(x));
  expect(f, `${detector} finding`).toBeDefined();
  return f!;
};

/** Finding data without what legitimately differs between the files (input:line locations). */
function comparable(fs: Finding[]): unknown {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v !== null && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (k !== 'location') o[k] = strip(x);
      return o;
    }
    return v;
  };
  return fs.map((f) => ({ detector: f.detector, id: f.id, severity: f.severity, title: f.title, data: strip(f.data) }));
}

describe('hindsight on a real PostgreSQL server under injected faults', () => {
  it('read all three log formats the server wrote', () => {
    expect(runs.map((r) => r.format)).toEqual(server!.major >= 15 ? ['postgres', 'postgres-csv', 'postgres-json'] : ['postgres', 'postgres-csv']);
    for (const r of runs) {
      expect(r.summary.inputs[0]!.format, r.path).toBe(r.format);
      expect(r.summary.inputs[0]!.skipped, `${r.format} skipped lines`).toBe(0);
      expect(r.summary.totals.bySource.postgres).toBeGreaterThan(50);
    }
  });

  describe.each(['postgres', 'postgres-csv', 'postgres-json'])('%s', (format) => {
    const run = () => {
      const r = runs.find((x) => x.format === format);
      if (!r) throw new Error(`no ${format} log (PostgreSQL ${server?.major} has no jsonlog before 15)`);
      return r;
    };

    it('finds the slow statements, grouped by normalized statement', () => {
      const f = finding(run().findings, 'slow-queries');
      expect(f.data.executions).toBe(injected.slowExecutions);
      expect(f.data.statementCount).toBe(injected.slowStatements);
      const st = f.data.statements as { statement: string; slowCount: number; count: number; meanMs: number; maxMs: number; p95Ms: number }[];
      expect(st.map((s) => s.statement).sort()).toEqual(['select id, total from orders where id = ? and pg_sleep(?) is not null', 'select pg_sleep(?)']);
      const sleep = st.find((s) => s.statement === 'select pg_sleep(?)')!;
      expect(sleep.slowCount).toBe(3);
      expect(sleep.maxMs).toBeGreaterThanOrEqual(1150);
      expect(sleep.p95Ms).toBeLessThanOrEqual(sleep.maxMs);
      expect(run().summary.postgres.queries.withDuration).toBe(injected.slowExecutions);
    });

    it('finds the lock wait, the lock timeout and the deadlock', () => {
      const f = finding(run().findings, 'lock-contention');
      expect(f.data.deadlocks).toBe(injected.deadlocks);
      expect(f.data.lockTimeouts).toBe(injected.lockTimeouts);
      expect(f.data.acquired).toBe(injected.lockWaitsAcquired);
      expect(f.data.lockWaits).toBe(injected.lockWaitsLogged);
      expect(f.severity).toBe('high');
      const pg = run().summary.postgres;
      expect(pg.deadlocks).toBe(injected.deadlocks);
      expect(pg.lockWaits.acquired).toBe(injected.lockWaitsAcquired);
      expect(pg.cancelled.lockTimeout).toBe(injected.lockTimeouts);
    });

    it('finds the statement timeouts and the idle-in-transaction timeout', () => {
      const st = finding(run().findings, 'timeouts', (x) => x.data.kind === 'statement-timeout');
      expect(st.data.count).toBe(injected.statementTimeouts);
      expect(st.data.statements).toEqual([{ statement: 'select pg_sleep(?)', count: injected.statementTimeouts }]);
      const idle = finding(run().findings, 'timeouts', (x) => x.data.kind === 'idle-in-transaction-timeout');
      expect(idle.data.count).toBe(injected.idleInTransactionTimeouts);
      expect(run().summary.postgres.cancelled.statementTimeout).toBe(injected.statementTimeouts);
    });

    it('finds the refused connections and the peak of sessions', () => {
      const f = finding(run().findings, 'connection-exhaustion');
      expect(f.data.byKind).toEqual({ 'reserved-slots': injected.reservedSlotRefusals, 'too-many-clients': injected.tooManyClients });
      expect(f.data.serverRefusals).toBe(injected.reservedSlotRefusals + injected.tooManyClients);
      expect(f.data.peakSessions).toBe(injected.peakSessions);
      expect(run().summary.postgres.tooManyClients).toBe(injected.reservedSlotRefusals + injected.tooManyClients);
    });

    it('counts the clients reset mid-connection', () => {
      expect(run().summary.postgres.clientResets).toBe(injected.clientResets);
    });

    it('finds the crash recovery after the immediate shutdown', () => {
      const f = finding(run().findings, 'postgres-crash-recovery');
      expect(f.data.recoveries).toBe(injected.immediateShutdowns);
      expect(f.data.causes).toEqual({ 'immediate-shutdown': injected.immediateShutdowns });
      const ep = (f.data.episodes as { redoStart: string | null; redoDone: string | null; endOfWal: string | null; ready: string | null }[])[0]!;
      expect(ep.redoStart).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
      expect(ep.redoDone).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
      expect(ep.ready).not.toBeNull();
      expect(run().summary.postgres.serverStarts).toBe(1 + injected.immediateShutdowns);
    });

    it('reports the immediate shutdown as ungraceful and the final fast shutdown as graceful', () => {
      const f = finding(run().findings, 'ungraceful-shutdown');
      expect(f.data).toMatchObject({ immediate: injected.immediateShutdowns, ungraceful: injected.immediateShutdowns, graceful: 1 });
    });
  });

  it('gives the stderr log\'s findings and stats.postgres from its Railway forms (one entry a line, labelled error)', () => {
    const stderr = runs.find((r) => r.format === 'postgres')!;
    expect(railwayRuns.map((r) => r.summary.inputs[0]!.format)).toEqual(['railway-json', 'railway-text']);
    for (const r of railwayRuns) {
      expect(r.summary.postgres, `${r.format}: stats.postgres`).toEqual(stderr.summary.postgres);
      expect(comparable(r.findings), `${r.format} vs the stderr file`).toEqual(comparable(stderr.findings));
    }
  });

  it('gives the same findings for the three formats', () => {
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const [first, ...rest] = runs;
    for (const r of rest) expect(comparable(r.findings), `${r.format} vs ${first!.format}`).toEqual(comparable(first!.findings));
  });
});
