// The Node shapes lab's captures (test/fixtures/stacks/node-shapes/, README there): NestJS, Express
// with winston and morgan, bunyan and Next.js, over TypeORM, knex, Sequelize and Drizzle on
// node-postgres, each read as `hindsight analyze` reads a service's `railway logs --json` and its
// PostgreSQL's. A healthy run gives no finding of medium or worse and counts no error; a faults run
// gives each planted incident with the numbers the fault script caused.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTimeline, runDetectors } from '../../src/pipeline.js';
import { FINDING_SEVERITY_RANK, type Finding } from '../../src/model.js';

const ROOT = new URL('../fixtures/stacks/node-shapes/', import.meta.url).pathname;

async function analyze(run: string): Promise<{ findings: Finding[]; errors: number; facts: Record<string, unknown> }> {
  const dir = join(ROOT, run);
  const { summary } = await readTimeline([join(dir, 'api.jsonl'), join(dir, 'postgres.jsonl')]);
  const facts = JSON.parse(readFileSync(join(dir, 'facts.json'), 'utf8')) as Record<string, unknown>;
  return { findings: runDetectors(summary).findings, errors: summary.totals.byLevel.error + summary.totals.byLevel.fatal, facts };
}

const worse = (fs: Finding[], than: 'medium') => fs.filter((f) => FINDING_SEVERITY_RANK[f.severity] >= FINDING_SEVERITY_RANK[than]).map((f) => f.title);
const one = (fs: Finding[], detector: string) => {
  const found = fs.filter((f) => f.detector === detector && f.severity !== 'low');
  expect(found, detector).toHaveLength(1);
  return found[0]!;
};

describe('node shapes: healthy runs', () => {
  for (const run of ['nest-color/healthy', 'winston-json/healthy', 'winston-simple-morgan-dev/healthy', 'bunyan/healthy', 'next/healthy']) {
    it(`${run}: no finding of medium or worse, no error counted`, async () => {
      const { findings, errors, facts } = await analyze(run);
      expect(facts.failed).toBe(0);
      expect(worse(findings, 'medium')).toEqual([]);
      expect(errors).toBe(0);
    });
  }
});

/** Per faults run: the pool library, its timeouts (planted 5, and background requests that waited in the same seconds), and exits. */
const FAULTS: { run: string; library: string; poolTimeouts: number; exits: number }[] = [
  { run: 'nest-color/faults', library: 'node-postgres (pg-pool)', poolTimeouts: 6, exits: 4 },
  { run: 'nest-json/faults', library: 'node-postgres (pg-pool)', poolTimeouts: 6, exits: 4 },
  { run: 'winston-json/faults', library: 'knex', poolTimeouts: 6, exits: 4 },
  { run: 'winston-timestamp-json/faults', library: 'knex', poolTimeouts: 7, exits: 4 },
  { run: 'bunyan/faults', library: 'Sequelize', poolTimeouts: 6, exits: 4 },
  // Next.js logs an unhandled rejection and serves on: its exits are the 3 starts without a build.
  { run: 'next/faults', library: 'node-postgres (pg-pool)', poolTimeouts: 7, exits: 3 },
];

describe('node shapes: planted faults', () => {
  for (const { run, library, poolTimeouts, exits } of FAULTS) {
    it(`${run}: pool exhaustion by ${library}, the heap OOM, every failed exit, the crash loop`, async () => {
      const { findings, facts } = await analyze(run);
      const pool = facts.poolExhaustion as { failed: number };
      const ce = one(findings, 'connection-exhaustion').data as { appPoolTimeouts: number; byLibrary: Record<string, number> };
      expect(ce.appPoolTimeouts).toBe(poolTimeouts);
      expect(ce.appPoolTimeouts).toBeGreaterThanOrEqual(pool.failed);
      expect(ce.byLibrary).toEqual({ [library]: poolTimeouts });

      const oom = one(findings, 'out-of-memory').data as { runtimeCrashes: number; heapMb: number };
      expect(oom.runtimeCrashes).toBe(1);
      // The lab's --max-old-space-size: 96 MB (Next.js: 192), the last collection within 15 % of it.
      const limit = run.startsWith('next/') ? 192 : 96;
      expect(oom.heapMb).toBeGreaterThan(limit * 0.85);
      expect(oom.heapMb).toBeLessThanOrEqual(limit);

      const pe = one(findings, 'process-exits').data as { count: number; byCode: Record<string, number> };
      expect(pe).toMatchObject({ count: exits, byCode: { 'exit 1': exits } });

      // PostgreSQL stopped for 6 s under traffic: one outage of about that length, every failed request in it.
      const down = facts.databaseDown as { downMs: number; failed: number };
      const db = one(findings, 'database-outage').data as { outages: number; longestSeconds: number; failedLines: number };
      expect(db.outages).toBe(1);
      expect(db.longestSeconds).toBeGreaterThanOrEqual(down.downMs / 1000 - 2);
      expect(db.longestSeconds).toBeLessThanOrEqual(down.downMs / 1000);
      expect(db.failedLines).toBeGreaterThanOrEqual(down.failed);

      const churn = one(findings, 'container-churn');
      expect(churn.title).toMatch(/^Crash Loop/);
      // Every crashed life ended: the OOM, the rejection (where it ends the process), the 3 failed boots.
      const crashedLives = (churn.data as { containers: { endedBy: string }[] }).containers.filter((c) => c.endedBy === 'crash').length;
      expect(crashedLives).toBe(exits + 1);
      expect((churn.data as { containers: { endedBy: string }[] }).containers.filter((c) => c.endedBy === 'running')).toHaveLength(1);
    });
  }

  it('winston\'s json format drops the error\'s message (`logger.error(err)`): the empty errors are found, the records counted', async () => {
    const { findings } = await analyze('winston-json/faults');
    const empty = one(findings, 'empty-error-message');
    // 6 knex timeouts and 8 refused connections while PostgreSQL was down, each `"message":""`.
    expect((empty.data as { count: number }).count).toBe(14);
  });

  it('winston with format.errors(): knex\'s error and its own warning count once; its `cause: {}` is no empty error', async () => {
    const { findings } = await analyze('winston-timestamp-json/faults');
    expect(findings.filter((f) => f.detector === 'empty-error-message')).toEqual([]);
  });
});
