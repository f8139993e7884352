// Stacks hindsight was not developed on, run for real and captured as Railway delivers them
// (test/fixtures/stacks/go/README.md, test/fixtures/stacks/ruby/README.md, test/e2e/stack-lab/held-out.ts): a healthy run gives no
// finding of medium or worse, and each planted fault is found with the numbers the fault script
// counted (facts.json).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTimeline, runDetectors } from '../../src/pipeline.js';
import { FINDING_SEVERITY_RANK, type Finding } from '../../src/model.js';

const STACKS = join(import.meta.dirname, '../fixtures/stacks');

async function analyze(run: string) {
  const dir = join(STACKS, run);
  const paths = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => join(dir, f));
  const { summary } = await readTimeline(paths);
  const facts = JSON.parse(readFileSync(join(dir, 'facts.json'), 'utf8'));
  return { summary, findings: runDetectors(summary).findings, facts };
}

const atLeastMedium = (f: Finding) => FINDING_SEVERITY_RANK[f.severity] >= FINDING_SEVERITY_RANK.medium;
const named = (findings: Finding[], detector: string) => findings.filter((f) => f.detector === detector);

describe('Go: net/http with zap, a logrus worker, pgx (test/fixtures/stacks/go)', () => {
  it('healthy: no finding of medium or worse', async () => {
    const { findings, facts } = await analyze('go/healthy');
    expect(facts.failed).toBe(0);
    expect(findings.filter(atLeastMedium).map((f) => f.title)).toEqual([]);
  });

  it('faults: a panic\'s goroutine stacks are one record with it, never an empty error of their own', async () => {
    const { summary, findings } = await analyze('go/faults');
    expect(named(findings, 'empty-error-message')).toEqual([]);
    const api = summary.events.filter((e) => e.service === 'api');
    // Every goroutine header joined the panic or fatal error that printed it.
    expect(api.filter((e) => e.message.startsWith('goroutine '))).toEqual([]);
    const panics = api.filter((e) => e.message.startsWith('panic: config: STRIPE_API_KEY is not set\ngoroutine 1 [running]:\nmain.main()'));
    expect(panics).toHaveLength(4);
    const served = api.filter((e) => e.message.includes('http: panic serving'));
    expect(served).toHaveLength(2);
    for (const e of served) expect(e.message).toMatch(/\ncreated by net\/http\.\(\*Server\)\.Serve\n\t\S+server\.go:\d+ \+0x[0-9a-f]+$/);
  });

  it('faults: the Go runtime\'s out-of-memory crash, with its numbers, apart from the panics of the next starts', async () => {
    const { findings, facts } = await analyze('go/faults');
    expect(facts.oom.exit.code).toBe(2);
    const [oom] = named(findings, 'out-of-memory');
    expect(oom?.data).toMatchObject({ count: 1, runtimeCrashes: 1, byLibrary: { 'Go runtime': 1 }, perService: { api: 1 }, reasons: [] });
    expect((oom!.data as { occurrences: unknown[] }).occurrences).toEqual([
      expect.objectContaining({ entries: ['go-runtime-out-of-memory'], bytes: 8388608, inUseBytes: 62455808, exitCode: 2 }),
    ]);
  });

  it('faults: pool exhaustion, in the only words pgxpool has for it (the context\'s deadline), every failed request counted', async () => {
    const { findings, facts } = await analyze('go/faults');
    const app = named(findings, 'timeouts').find((f) => (f.data as { kind: string }).kind === 'app-timeout');
    expect(app?.data).toMatchObject({ count: facts.poolExhaustion.failed, perService: { api: facts.poolExhaustion.failed } });
  });

  it('faults: the crash loop, each panicking start a crash (the OOM one too), the fixed deploy running', async () => {
    const { findings, facts } = await analyze('go/faults');
    expect(facts.crashLoop.exits.map((e: { code: number }) => e.code)).toEqual([2, 2, 2, 2]);
    const churn = named(findings, 'container-churn').find((f) => (f.data as { service: string }).service === 'api');
    const data = churn!.data as { crashLoop: boolean; crashed: number; containers: { endedBy: string }[] };
    expect(churn!.severity).toBe('high');
    expect(data.crashLoop).toBe(true);
    expect(data.crashed).toBe(facts.crashLoop.starts + 1);
    expect(data.containers.at(-1)!.endedBy).toBe('running');
  });
});

describe('Ruby: puma with ActiveRecord, Sidekiq (test/fixtures/stacks/ruby)', () => {
  it('healthy: no finding of medium or worse', async () => {
    const { findings, facts } = await analyze('ruby/healthy');
    expect(facts.failed).toBe(0);
    expect(findings.filter(atLeastMedium).map((f) => f.title)).toEqual([]);
  });

  it('faults: ActiveRecord pool exhaustion on web, every failed request counted', async () => {
    const { findings, facts } = await analyze('ruby/faults');
    const [pool] = named(findings, 'connection-exhaustion');
    expect(pool?.data).toMatchObject({ appPoolTimeouts: facts.poolExhaustion.failed, perService: { web: facts.poolExhaustion.failed }, byLibrary: { ActiveRecord: facts.poolExhaustion.failed } });
  });

  it('faults: puma\'s worker timeout with its limit, and the Sidekiq job cut at shutdown', async () => {
    const { findings, facts } = await analyze('ruby/faults');
    const workers = named(findings, 'timeouts').find((f) => (f.data as { kind: string }).kind === 'worker-timeout');
    expect(workers?.data).toMatchObject({ count: 2, perService: { web: facts.workerTimeouts, worker: 1 }, byLibrary: { puma: 1, Sidekiq: 1 }, limits: ['6 s'] });
  });

  it('faults: the Redis outage on Sidekiq\'s side, in redis-rb\'s words, within the server\'s downtime', async () => {
    const { findings, facts } = await analyze('ruby/faults');
    const [outage] = named(findings, 'broker-outage');
    const data = outage?.data as { outages: number; perService: Record<string, number>; byLibrary: Record<string, number>; longestSeconds: number };
    expect(data).toMatchObject({ outages: 1, perService: { worker: 1 } });
    expect(Object.keys(data.byLibrary)).toEqual(['redis-rb']);
    expect(data.longestSeconds * 1000).toBeLessThanOrEqual(facts.redisOutage.downMs);
  });
});
