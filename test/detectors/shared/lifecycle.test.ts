import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTimeline, ms, type TestEvent } from '../../helpers/timeline.js';
import { runFormat } from '../../ingest/run-format.js';
import { railwayDeployments } from '../../../src/ingest/formats/railway-deployments.js';
import { classifyLifecycle, containerLives, LIFECYCLE_INTERESTS, lifecycleMarkers, lifecycleOf, lifecycleTransitions } from '../../../src/detectors/shared/lifecycle.js';

const tl = (events: TestEvent[]) => buildTimeline(events, [], [...LIFECYCLE_INTERESTS]);

describe('classifyLifecycle', () => {
  it.each([
    ['Starting Container', 'start', 'container'],
    ['Stopping Container', 'stop', 'container'],
    ['INFO:     Started server process [1]', 'start', 'process'],
    ['INFO:     Application startup complete.', 'ready', 'process'],
    ['INFO:     Shutting down', 'stop', 'process'],
    ['INFO:     Finished server process [7]', 'stop', 'process'],
    ['[2026-02-07 19:00:00 +0000] [1] [INFO] Handling signal: term', 'stop', 'process'],
    ['[2026-02-07 19:00:00 +0000] [9] [INFO] Booting worker with pid: 9', 'start', 'worker'],
    ['State changed from up to down', 'stop', 'container'],
    ['State changed from starting to crashed', 'failure', 'container'],
    ['Stopping all processes with SIGTERM', 'stop', 'container'],
    ['database system is ready to accept connections', 'ready', 'process'],
  ])('%s → %s', (msg, kind, scope) => {
    const c = classifyLifecycle(msg);
    expect(c?.kind).toBe(kind);
    expect(c?.scope).toBe(scope);
  });

  it('reads start-up seconds, versions and exit codes', () => {
    expect(classifyLifecycle('Startup complete (3.2s)')?.startupSeconds).toBe(3.2);
    expect(classifyLifecycle('startup: Startup complete (850ms)')?.startupSeconds).toBe(0.85);
    expect(classifyLifecycle('Started PetClinicApplication in 4.25 seconds (process running for 5.1)')?.startupSeconds).toBe(4.25);
    expect(classifyLifecycle('Starting Whendoist v0.39.8')?.version).toBe('0.39.8');
    expect(classifyLifecycle('Process exited with status 137')?.exitCode).toBe(137);
  });

  it('reads kills and exit codes printed by start scripts, and PostgreSQL\'s crash recovery at boot', () => {
    expect(classifyLifecycle('/app/start.sh: line 9:    17 Killed                  uvicorn main:app')).toMatchObject({ kind: 'exit', exitCode: 137, signal: 'SIGKILL' });
    expect(classifyLifecycle('uvicorn exited with code 137')).toMatchObject({ kind: 'exit', exitCode: 137 });
    expect(classifyLifecycle('background worker "logical replication launcher" (PID 42) exited with exit code 1')).toMatchObject({ kind: 'stop', scope: 'worker' });
    expect(classifyLifecycle('database system was not properly shut down; automatic recovery in progress')).toMatchObject({ kind: 'failure', previous: true });
  });

  it('reads process ends in the error vocabulary\'s words, from the programs\' captured output (test/fixtures/vocabulary)', () => {
    const line = (file: string, re: RegExp) => readFileSync(join(import.meta.dirname, '../../fixtures/vocabulary', file), 'utf8').split('\n').find((l) => re.test(l))!;
    expect(classifyLifecycle(line('npm.txt', /^npm error code/))).toMatchObject({ kind: 'exit', exitCode: 1, label: 'npm-error-code' });
    expect(classifyLifecycle(line('yarn.txt', /exit code 137/))).toMatchObject({ kind: 'exit', exitCode: 137, label: 'yarn-exit-code' });
    expect(classifyLifecycle(line('shell.txt', /^Killed$/))).toMatchObject({ kind: 'exit', exitCode: 137, signal: 'SIGKILL', label: 'shell-killed' });
    expect(classifyLifecycle(line('v8-heap.txt', /FATAL ERROR/))).toMatchObject({ kind: 'exit', exitCode: 134, label: 'v8-heap-out-of-memory' });
    // A MemoryError is an exception the program may survive: no end of life by itself.
    expect(classifyLifecycle(line('python-memoryerror.txt', /^MemoryError/))).toBeNull();
  });

  it('reads the exit of a child a supervisor runs inside the container (a Celery pool process, a supervisord program) as a worker\'s, not the container\'s', () => {
    const line = (file: string, re: RegExp) => readFileSync(join(import.meta.dirname, '../../fixtures/vocabulary', file), 'utf8').split('\n').find((l) => re.test(l))!;
    expect(classifyLifecycle(line('celery-worker.txt', /ForkPoolWorker-\d' pid:\d+ exited with/))).toMatchObject({ kind: 'failure', scope: 'worker', signal: 'SIGKILL', label: 'celery-pool-process-exited' });
    expect(classifyLifecycle(line('supervisord.txt', /exit status 3; not expected/))).toMatchObject({ kind: 'exit', scope: 'worker', exitCode: 3 });
    expect(classifyLifecycle(line('supervisord.txt', /terminated by SIGKILL; not expected/))).toMatchObject({ kind: 'failure', scope: 'worker', signal: 'SIGKILL' });
    // The shell's report is the end of the start command itself: the container's process.
    expect(classifyLifecycle(line('shell.txt', /^Killed$/))).toMatchObject({ scope: 'process' });
  });

  it('keeps a Celery worker\'s container running when its pool process is killed at a hard time limit, and ends it at a shell\'s Killed (the stack lab\'s python/faults worker)', () => {
    // Lines of test/e2e/stack-lab's python/faults run (Celery 5.2.6 on Debian's Python 3.11), as Railway delivers them.
    const worker = (extra: TestEvent[]) =>
      lifecycleOf(
        tl([
          { at: '2026-12-07T17:43:11.447Z', message: 'Starting Container', source: 'platform', service: 'worker' },
          { at: '2026-12-07T17:43:34.747Z', message: "[2026-12-07 17:43:34,745: ERROR/MainProcess] Process 'ForkPoolWorker-2' pid:21231 exited with 'signal 9 (SIGKILL)'", level: 'error', service: 'worker' },
          ...extra,
        ]),
      ).lives;
    const running = worker([]);
    expect(running).toHaveLength(1);
    expect(running[0]!.stop).toBeNull();
    // dash's report of the start command killed (test/fixtures/vocabulary/shell.txt) ends it as a failure.
    const killed = worker([{ at: '2026-12-07T17:44:00Z', message: 'Killed', level: 'error', service: 'worker' }]);
    expect(killed).toHaveLength(1);
    expect(killed[0]!.stop).toMatchObject({ failed: true, signal: 'SIGKILL' });
  });

  it('ignores ordinary lines', () => {
    expect(classifyLifecycle('Shutting down scheduler thread pool early')).toBeNull();
    expect(classifyLifecycle('Scheduler: Shutting down')).toBeNull();
    expect(classifyLifecycle('2026-02-07 19:21:14,602 - uvicorn.error - INFO - Shutting down')?.kind).toBe('stop');
    expect(classifyLifecycle('Shutting down...')?.kind).toBe('stop');
    expect(classifyLifecycle('Starting materialization run')).toBeNull();
    expect(classifyLifecycle('GET /health 200')).toBeNull();
  });
});

describe('transitions and lives', () => {
  it('joins the lines of one start and one stop, and pairs them', () => {
    const t = tl([
      { at: '2026-02-08T02:57:21Z', message: 'Starting Container', source: 'platform' },
      { at: '2026-02-08T02:57:26Z', message: 'Starting Whendoist v0.39.8' },
      { at: '2026-02-08T02:57:27Z', message: 'Startup complete (3.2s)' },
      { at: '2026-02-08T02:57:30Z', message: 'Stopping Container', source: 'platform' },
      { at: '2026-02-08T02:57:30.500Z', message: 'INFO:     Shutting down' },
      { at: '2026-02-08T02:57:31Z', message: 'INFO:     Finished server process [1]' },
    ]);
    const lc = lifecycleOf(t);
    expect(lc.markers).toHaveLength(6);
    expect(lc.starts).toHaveLength(1);
    expect(lc.stops).toHaveLength(1);
    expect(lc.starts[0]!.startupSeconds).toBe(3.2);
    expect(lc.starts[0]!.version).toBe('0.39.8');
    expect(lc.lives).toHaveLength(1);
    expect(lc.lives[0]!.lifetimeMs).toBe(9000);
    expect(lc.lives[0]!.pairedBy).toBe('order');
  });

  it('pairs by deployment instance when the lines carry one (overlapping zero-downtime deploy)', () => {
    const a = { deploymentId: 'dep-a', deploymentInstanceId: 'inst-a' };
    const b = { deploymentId: 'dep-b', deploymentInstanceId: 'inst-b' };
    const t = tl([
      { at: '2026-03-01T10:00:00Z', message: 'Starting Container', source: 'platform', attrs: a },
      { at: '2026-03-01T12:00:00Z', message: 'Starting Container', source: 'platform', attrs: b },
      { at: '2026-03-01T12:00:20Z', message: 'Stopping Container', source: 'platform', attrs: a },
      { at: '2026-03-01T12:00:25Z', message: 'Stopping Container', source: 'platform', attrs: b },
    ]);
    const lives = lifecycleOf(t).lives;
    expect(lives.map((l) => [l.instance, l.lifetimeMs, l.pairedBy])).toEqual([
      ['inst-a', 2 * 3600_000 + 20_000, 'deployment'],
      ['inst-b', 25_000, 'deployment'],
    ]);
  });

  it('without ids, a stop ends the oldest running container', () => {
    const t = tl([
      { at: '2026-03-01T10:00:00Z', message: 'Starting Container', source: 'platform' },
      { at: '2026-03-01T12:00:00Z', message: 'Starting Container', source: 'platform' },
      { at: '2026-03-01T12:00:20Z', message: 'Stopping Container', source: 'platform' },
    ]);
    const lives = lifecycleOf(t).lives;
    expect(lives[0]!.lifetimeMs).toBe(2 * 3600_000 + 20_000);
    expect(lives[1]!.stop).toBeNull();
  });

  it('without ids, a container that keeps writing after a stop survived it: the stop was an older container\'s', () => {
    const t = tl([
      { at: '2026-03-01T10:00:00Z', message: 'Starting Container', source: 'platform' },
      { at: '2026-03-01T10:00:05Z', message: 'INFO:     Application startup complete.' },
      { at: '2026-03-01T10:00:11Z', message: 'Stopping Container', source: 'platform' },
      { at: '2026-03-01T10:00:11.100Z', message: 'INFO:     Shutting down' },
      { at: '2026-03-01T10:05:00Z', message: 'GET /dashboard 200' },
      { at: '2026-03-01T11:00:00Z', message: 'GET /dashboard 200' },
    ]);
    const lives = lifecycleOf(t).lives;
    expect(lives.map((l) => [l.start?.ts ?? null, l.stop?.ts ?? null])).toEqual([
      [null, ms('2026-03-01T10:00:11Z')],
      [ms('2026-03-01T10:00:00Z'), null],
    ]);
  });

  it('marks failed boots and non-zero exits', () => {
    const t = tl([
      { at: '2026-03-01T10:00:00Z', message: 'State changed from crashed to starting', service: 'web' },
      { at: '2026-03-01T10:00:03Z', message: 'Starting process with command `gunicorn app:app`', service: 'web' },
      { at: '2026-03-01T10:00:05Z', message: 'Process exited with status 1', service: 'web' },
      { at: '2026-03-01T10:00:05Z', message: 'State changed from starting to crashed', service: 'web' },
      { at: '2026-03-01T11:00:00Z', message: 'Stopping all processes with SIGTERM', service: 'web' },
      { at: '2026-03-01T11:00:01Z', message: 'Process exited with status 143', service: 'web' },
    ]);
    const lc = lifecycleOf(t);
    expect(lc.starts).toHaveLength(1);
    expect(lc.starts[0]!.failed).toBe(true);
    expect(lc.stops).toHaveLength(1);
    expect(lc.stops[0]!.failed).toBe(false);
    expect(lc.stops[0]!.exitCode).toBe(143);
  });

  it('a PostgreSQL boot after a crash is a start after a failure, not a failed start; a clean PG shutdown is not a failure', () => {
    const t = tl([
      { at: '2026-03-01T10:00:00Z', message: 'received fast shutdown request', service: 'pg', source: 'postgres' },
      { at: '2026-03-01T10:00:00.100Z', message: 'background worker "logical replication launcher" (PID 42) exited with exit code 1', service: 'pg', source: 'postgres' },
      { at: '2026-03-01T10:00:00.300Z', message: 'database system is shut down', service: 'pg', source: 'postgres' },
      { at: '2026-03-01T12:00:00Z', message: 'database system was interrupted; last known up at 2026-03-01 11:58:00 UTC', service: 'pg', source: 'postgres' },
      { at: '2026-03-01T12:00:00.500Z', message: 'database system was not properly shut down; automatic recovery in progress', service: 'pg', source: 'postgres' },
      { at: '2026-03-01T12:00:01Z', message: 'database system is ready to accept connections', service: 'pg', source: 'postgres' },
    ]);
    const lc = lifecycleOf(t);
    expect(lc.stops).toHaveLength(1);
    expect(lc.stops[0]!.failed).toBe(false);
    expect(lc.starts).toHaveLength(1);
    expect(lc.starts[0]).toMatchObject({ failed: false, afterFailure: true, readyTs: ms('2026-03-01T12:00:01Z') });
  });

  it('repeated container starts without stops are separate starts', () => {
    const events: TestEvent[] = [0, 20, 40, 80].map((s) => ({ at: ms('2026-03-01T10:00:00Z') + s * 1000, message: 'Starting Container', source: 'platform' as const }));
    const t = tl(events);
    const tr = lifecycleTransitions(lifecycleMarkers(t));
    expect(tr.filter((x) => x.kind === 'start')).toHaveLength(4);
    expect(containerLives(tr)).toHaveLength(4);
  });
});

describe("Railway's record of a crashed deployment", () => {
  it('is a crash from the record (platform, status CRASHED), never from a line of the app with the same words', () => {
    // deployments.json as `hindsight pull railway` writes it (pull.ts writeDeployments).
    const doc = [
      '{"source":"hindsight pull railway","project":{"id":"p1","name":"shop"},"environment":{"id":"e1","name":"production"},"window":{"since":"2026-02-07T00:00:00.000Z","until":"2026-02-08T00:00:00.000Z"},"deployments":[',
      '{"id":"dep-a","service":"api","serviceId":"s1","status":"CRASHED","createdAt":"2026-02-07T10:00:00.000Z","statusUpdatedAt":"2026-02-07T12:00:00.000Z","stoppedAt":"2026-02-07T12:00:00.000Z"},',
      '{"id":"dep-b","service":"api","serviceId":"s1","status":"SUCCESS","createdAt":"2026-02-07T12:05:00.000Z","statusUpdatedAt":"2026-02-07T12:06:00.000Z","stoppedAt":null}',
      ']}',
    ];
    const platform = runFormat(railwayDeployments, doc).events.map((e): TestEvent => ({ at: e.ts, message: e.message, level: e.level, service: e.service, source: e.source, attrs: e.attrs }));
    const app: TestEvent = { at: '2026-02-07T13:00:00Z', service: 'api', level: 'error', message: 'Deployment dep-c crashed', attrs: { deploymentId: 'dep-b', status: 'CRASHED' } };
    const markers = lifecycleMarkers(tl([...platform, app]));
    expect(markers.map((m) => [m.label, m.kind, m.deployment, new Date(m.ts).toISOString()])).toEqual([['railway-deployment-crashed', 'failure', 'dep-a', '2026-02-07T12:00:00.000Z']]);
    expect(classifyLifecycle('Deployment dep-c crashed')).toBeNull();
  });
});
