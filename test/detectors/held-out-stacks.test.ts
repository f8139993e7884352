// Stacks hindsight was not developed on, run for real and captured as Railway delivers them
// (test/fixtures/stacks/{go,ruby,jvm,php}/README.md, test/e2e/stack-lab/held-out.ts): a healthy run gives no
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

/** The service's container churn is a high crash loop of `crashed` lives whose last one (the fixed deploy) is running. */
function expectCrashLoop(findings: Finding[], service: string, crashed: number): void {
  const churn = named(findings, 'container-churn').find((f) => (f.data as { service: string }).service === service);
  const data = churn!.data as { crashLoop: boolean; crashed: number; containers: { endedBy: string }[] };
  expect(churn!.severity).toBe('high');
  expect(data.crashLoop).toBe(true);
  expect(data.crashed).toBe(crashed);
  expect(data.containers.at(-1)!.endedBy).toBe('running');
}

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
    expectCrashLoop(findings, 'api', facts.crashLoop.starts + 1);
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

describe('JVM: an HTTP API on HikariCP and pgjdbc with logback, a log4j2 worker (test/fixtures/stacks/jvm)', () => {
  /** A line of a Java stack trace that was left on its own instead of joining its record. */
  const STACK_LINE = /^(?:\tat |\t\.\.\. \d+ (?:more|common frames omitted)|Caused by: )/;
  const atLeastMediumOf = (findings: Finding[]) => findings.filter(atLeastMedium).map((f) => f.detector).sort();

  it('healthy: no finding of medium or worse; the log4j2 worker\'s stderr lines read at their own level', async () => {
    const { summary, findings, facts } = await analyze('jvm/healthy');
    expect(facts.failed).toBe(0);
    expect(findings.filter(atLeastMedium).map((f) => f.title)).toEqual([]);
    // Everything on stderr is labelled error by Railway: only SLF4J's own notices (no level) stay errors.
    const errors = summary.events.filter((e) => e.service === 'jobs' && (e.level === 'error' || e.level === 'fatal'));
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.message).toMatch(/^SLF4J: /);
  });

  it('faults: medium or worse only for what was planted', async () => {
    const { findings } = await analyze('jvm/faults');
    expect(atLeastMediumOf(findings)).toEqual(
      ['connection-exhaustion', 'container-churn', 'database-outage', 'missing-relation', 'out-of-memory', 'process-exits', 'restart-loop'],
    );
    expect(named(findings, 'container-churn').filter(atLeastMedium).map((f) => (f.data as { service: string }).service)).toEqual(['api']);
  });

  it('faults: every Java stack trace (logback\'s, log4j2\'s, the JVM\'s own) is one record with the line that announced it', async () => {
    const { summary } = await analyze('jvm/faults');
    expect(summary.events.filter((e) => STACK_LINE.test(e.message))).toEqual([]);
    const failedStarts = summary.events.filter((e) => e.message.startsWith('Exception in thread "main" java.lang.IllegalStateException: Failed to configure payments\n'));
    expect(failedStarts).toHaveLength(4);
    for (const e of failedStarts) expect(e.message).toMatch(/\nCaused by: java\.lang\.IllegalArgumentException: STRIPE_API_KEY is not set\n\t\.\.\. 1 more$/);
    // logback's `... N common frames omitted` and log4j2's `... N more` end their causes inside the record.
    expect(summary.events.filter((e) => e.service === 'api' && /\n\t\.\.\. \d+ common frames omitted\nCaused by: java\.net\.ConnectException: Connection refused\n/.test(e.message)).length).toBeGreaterThan(0);
    expect(summary.events.filter((e) => e.service === 'jobs' && /^\S+ \[scheduler-1\] ERROR .*\n[\s\S]*\n\t\.\.\. 3 more$/.test(e.message)).length).toBeGreaterThan(0);
  });

  it('faults: HikariCP pool exhaustion, every failed request counted, none of the outage\'s timeouts among them', async () => {
    const { findings, facts } = await analyze('jvm/faults');
    const [pool] = named(findings, 'connection-exhaustion');
    const n = facts.poolExhaustion.failed;
    expect(n).toBe(5);
    expect(pool?.data).toMatchObject({ appPoolTimeouts: n, perService: { api: n }, byLibrary: { HikariCP: n } });
    expect((pool!.data as { poolTimeoutSeconds: number }).poolTimeoutSeconds).toBeCloseTo(1, 1);
  });

  it('faults: PostgreSQL stopped under both services: one outage each, in pgjdbc\'s words, at PostgreSQL\'s port, within the downtime', async () => {
    const { findings, facts } = await analyze('jvm/faults');
    const [outage] = named(findings, 'database-outage');
    const data = outage!.data as { perService: Record<string, number>; byLibrary: Record<string, number>; targets: string[]; periods: { service: string; seconds: number; lines: number }[] };
    expect(outage!.severity).toBe('medium');
    expect(data.perService).toEqual({ api: 1, jobs: 1 });
    expect(Object.keys(data.byLibrary).sort()).toEqual(['PostgreSQL (via the client)', 'PostgreSQL JDBC']);
    expect(data.targets).toHaveLength(1);
    const api = data.periods.find((p) => p.service === 'api')!;
    expect(api.lines).toBeGreaterThanOrEqual(facts.databaseDown.failedRequests);
    expect(api.seconds * 1000).toBeLessThanOrEqual(facts.databaseDown.downMs);
    expect(api.seconds * 1000).toBeGreaterThanOrEqual(facts.databaseDown.downMs - 2_000);
  });

  it('faults: the api\'s heap (ExitOnOutOfMemoryError, exit 3) a runtime crash, the worker\'s thread OOM an error the JVM outlived', async () => {
    const { findings, facts } = await analyze('jvm/faults');
    expect(facts.apiOom.exit.code).toBe(3);
    const [oom] = named(findings, 'out-of-memory');
    expect(oom?.data).toMatchObject({ count: 2, runtimeCrashes: 1, exceptions: 1, byLibrary: { JVM: 2 }, perService: { api: 1, jobs: 1 }, reasons: ['Java heap space'] });
    expect((oom!.data as { occurrences: unknown[] }).occurrences).toEqual([
      expect.objectContaining({ service: 'jobs', entries: ['jvm-out-of-memory-error'] }),
      expect.objectContaining({ service: 'api', entries: ['hotspot-exit-on-out-of-memory'], exitCode: facts.apiOom.exit.code }),
    ]);
  });

  it('faults: the missing table behind the export failures, from both sides', async () => {
    const { findings, facts } = await analyze('jvm/faults');
    const [missing] = named(findings, 'missing-relation');
    expect(missing?.data).toMatchObject({ relation: 'invoices', count: facts.exportFailures, driverSide: facts.exportFailures });
  });

  it('faults: the crash loop, each failing start an exit 1 and a crash (the OOM one too), the fixed deploy running', async () => {
    const { findings, facts } = await analyze('jvm/faults');
    const codes = facts.crashLoop.exits.map((e: { code: number }) => e.code);
    expect(codes).toEqual([1, 1, 1, 1]);
    const [exits] = named(findings, 'process-exits');
    expect(exits?.data).toMatchObject({ count: codes.length, byCode: { 'exit 1': codes.length }, perService: { api: codes.length } });
    expectCrashLoop(findings, 'api', facts.crashLoop.starts + 1);
  });
});

describe('PHP: nginx and php-fpm with Monolog and PDO, a Monolog JSON worker (test/fixtures/stacks/php)', () => {
  it('healthy: no finding of medium or worse, though php-fpm and nginx label every line they pass on WARNING and [error]', async () => {
    const { summary, findings, facts } = await analyze('php/healthy');
    expect(facts.failed).toBe(0);
    expect(findings.filter(atLeastMedium).map((f) => f.title)).toEqual([]);
    // Monolog's DEBUG lines and PHP's warnings, carried by php-fpm and nginx, at their own level.
    const web = summary.events.filter((e) => e.service === 'web');
    expect(web.filter((e) => e.level === 'error' || e.level === 'fatal').map((e) => e.message)).toEqual([]);
    expect(web.some((e) => e.message.includes('PHP Warning:  Undefined array key') && e.level === 'warn')).toBe(true);
    // The worker's Monolog JSON keeps its numeric level (200): info, not an error.
    expect(summary.events.filter((e) => e.service === 'worker' && e.level !== 'info')).toEqual([]);
  });

  it("faults: nginx's FastCGI message of an uncaught exception, which Railway splits, is one record with its stack trace", async () => {
    const { summary, facts } = await analyze('php/faults');
    expect(facts.uncaught.statuses).toEqual([500, 500]);
    const uncaught = summary.events.filter((e) => e.service === 'web' && e.message.includes('FastCGI sent in stderr: "PHP message: PHP Fatal error:  Uncaught DomainException'));
    expect(uncaught).toHaveLength(2);
    for (const e of uncaught) expect(e.message).toMatch(/:27\nStack trace:\n#0 \S+\(\d+\): invoiceTotal\(\)\n#1 \{main\}\n  thrown in \S+ on line 27" while reading response header from upstream/);
    expect(summary.events.filter((e) => e.message === 'Stack trace:' || /^#\d+ /.test(e.message))).toEqual([]);
  });

  it("faults: php-fpm's slow log, one record a slow request with its script and frame, at warn (no error of Railway's label)", async () => {
    const { summary } = await analyze('php/faults');
    const dumps = summary.events.filter((e) => e.service === 'web' && e.message.includes(']  [pool www] pid '));
    // The two reports past nginx's timeout and the export past request_terminate_timeout.
    expect(dumps.map((e) => [e.level, e.message.split('\n').length])).toEqual([['warn', 3], ['warn', 3], ['warn', 3]]);
    expect(dumps.map((e) => /\] (\w+)\(\) /.exec(e.message)?.[1])).toEqual(['query', 'query', 'usleep']);
    expect(summary.events.filter((e) => e.message.startsWith('script_filename') || e.message.startsWith('[0x'))).toEqual([]);
  });

  it("faults: PHP's memory_limit, once though php-fpm and nginx both log it, with the limit", async () => {
    const { findings, facts } = await analyze('php/faults');
    expect(facts.memoryExhausted.statuses).toEqual([500]);
    const [oom] = named(findings, 'out-of-memory');
    expect(oom?.data).toMatchObject({ count: 1, runtimeCrashes: 0, byLibrary: { 'PHP (memory_limit)': 1 }, perService: { web: 1 } });
    expect((oom!.data as { occurrences: unknown[] }).occurrences).toEqual([expect.objectContaining({ entries: ['php-memory-limit'], bytes: 32 * 1024 * 1024 })]);
  });

  it('faults: medium or worse only for what was planted', async () => {
    const { findings } = await analyze('php/faults');
    expect(findings.filter(atLeastMedium).map((f) => f.detector).sort()).toEqual([
      'connection-exhaustion',
      'container-churn',
      'database-outage',
      'error-cluster',
      'out-of-memory',
      'process-exits',
      'timeouts',
      'timeouts',
      'ungraceful-shutdown',
      'worker-saturation',
    ]);
  });

  it("faults: php-fpm at pm.max_children while six slow requests shared three children: medium, with the pool's limit", async () => {
    const { findings, facts } = await analyze('php/faults');
    const [full] = named(findings, 'worker-saturation');
    expect(full?.severity).toBe('medium');
    expect(full?.data).toMatchObject({ count: 1, episodes: 1, byLibrary: { 'php-fpm': 1 }, perService: { web: 1 }, limits: { 'php-fpm pool www': facts.maxChildren.children } });
    expect(full?.summary).toContain('php-fpm pool www at 3');
  });

  it("faults: the request past request_terminate_timeout (the child's SIGTERM left to it) and nginx's two 504s", async () => {
    const { findings, facts } = await analyze('php/faults');
    const kind = (k: string) => named(findings, 'timeouts').find((f) => (f.data as { kind: string }).kind === k)?.data;
    expect(facts.terminated.statuses).toEqual([502]);
    expect(kind('worker-timeout')).toMatchObject({ count: 1, perService: { web: 1 }, byLibrary: { 'php-fpm': 1 } });
    expect((kind('worker-timeout') as { limits: string[] }).limits[0]).toMatch(/^5\.\d+ s$/);
    expect(facts.gatewayTimeouts.statuses).toEqual([504, 504]);
    expect(kind('http-504')).toMatchObject({ count: 2, perService: { web: 2 } });
  });

  it('faults: the child killed with SIGKILL is the one failed exit; the SIGTERM at the time limit is the timeout\'s', async () => {
    const { findings, facts } = await analyze('php/faults');
    const [exits] = named(findings, 'process-exits');
    expect(exits?.data).toMatchObject({ count: 1, byCode: { SIGKILL: 1 }, byReporter: { 'php-fpm': 1 }, leftToTimeouts: 1, leftToOutOfMemory: 0 });
    expect((exits!.data as { exits: { pid: number }[] }).exits.map((e) => e.pid)).toEqual([facts.childKilled.child]);
  });

  it('faults: PostgreSQL down in libpq\'s words (PDO on web, Monolog\'s context.exception on the worker), and too many clients counted once', async () => {
    const { findings, facts } = await analyze('php/faults');
    const [outage] = named(findings, 'database-outage');
    const data = outage?.data as { outages: number; perService: Record<string, number>; longestSeconds: number; periods: { service: string; lines: number }[] };
    expect(data).toMatchObject({ outages: 2, perService: { web: 1, worker: 1 } });
    // Every failed request on web is a line of its outage.
    expect(data.periods.find((p) => p.service === 'web')?.lines).toBe(facts.databaseDown.failedRequests);
    expect(data.longestSeconds * 1000).toBeLessThanOrEqual(facts.databaseDown.downMs);
    const [refused] = named(findings, 'connection-exhaustion');
    // PostgreSQL's own refusals: the web's 5 failed requests, the worker's job and the lab's probe past the limit.
    expect(refused?.data).toMatchObject({ serverRefusals: facts.tooManyConnections.failedRequests + 2, perService: { postgres: 7, web: 5, worker: 1 } });
  });

  it('faults: one ungraceful stop, the killed container; the SIGTERM and SIGQUIT redeploys are clean and no crash loop', async () => {
    const { findings, facts } = await analyze('php/faults');
    expect(facts.cleanStops.map((s: { exit: { code: number } }) => s.exit.code)).toEqual([0, 0]);
    const [stops] = named(findings, 'ungraceful-shutdown');
    expect(stops?.data).toMatchObject({ service: 'web', stops: 3, graceful: 2, ungraceful: 1, killed: 0, sigkillAfterSigterm: 0 });
    const churn = named(findings, 'container-churn').find((f) => (f.data as { service: string }).service === 'web');
    expect(churn?.data).toMatchObject({ crashLoop: false, crashed: 1, replacements: 2 });
    expect((churn!.data as { containers: { endedBy: string }[] }).containers.map((c) => c.endedBy)).toEqual(['replaced', 'crash', 'replaced', 'running']);
  });
});
