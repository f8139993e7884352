import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTimeline, ms, type TestEvent } from '../../helpers/timeline.js';
import { runFormat } from '../../ingest/run-format.js';
import { railwayDeployments } from '../../../src/ingest/formats/railway-deployments.js';
import { CONVENTIONS } from '../../../src/ingest/log-conventions.js';
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

  it('reads the start, ready and stop lines of puma, uvicorn\'s --workers supervisor and Redis, from their captured output, with the program that wrote them', () => {
    const lines = (dir: string, file: string) => readFileSync(join(import.meta.dirname, '../../fixtures', dir, file), 'utf8').split('\n');
    const first = (dir: string, file: string, re: RegExp) => {
      const l = lines(dir, file).map((x) => (x.startsWith('{') ? String((JSON.parse(x) as { message: string }).message) : x)).find((x) => re.test(x));
      expect(l, String(re)).toBeDefined();
      return classifyLifecycle(l!);
    };
    const puma = (re: RegExp) => first('vocabulary', 'puma-server.txt', re);
    expect(puma(/cluster mode/)).toMatchObject({ kind: 'start', scope: 'process', pid: 5751, program: 'puma' });
    expect(puma(/single mode/)).toMatchObject({ kind: 'start', scope: 'process', program: 'puma' });
    expect(puma(/Use Ctrl-C/)).toMatchObject({ kind: 'ready', program: 'puma' });
    expect(puma(/Worker 0 \(PID: 5806\) booted/)).toMatchObject({ kind: 'start', scope: 'worker' });
    for (const re of [/Gracefully stopping/, /=== puma shutdown/, /Goodbye/]) expect(puma(re)).toMatchObject({ kind: 'stop', scope: 'process', program: 'puma' });
    expect(puma(/Detected parent died/)).toMatchObject({ kind: 'exit', scope: 'worker', exitCode: 1, label: 'puma-worker-parent-died' });
    const uvicorn = (re: RegExp) => first('vocabulary', 'uvicorn-workers.txt', re);
    expect(uvicorn(/Started parent process/)).toMatchObject({ kind: 'start', pid: 6276, program: 'uvicorn' });
    expect(uvicorn(/Received SIGTERM, exiting/)).toMatchObject({ kind: 'stop', signal: 'SIGTERM', program: 'uvicorn' });
    expect(uvicorn(/Stopping parent process/)).toMatchObject({ kind: 'stop', pid: 6276, program: 'uvicorn' });
    expect(uvicorn(/Child process \[\d+\] died/)).toMatchObject({ kind: 'failure', scope: 'worker', label: 'uvicorn-child-died' });
    expect(uvicorn(/failed to start, stopping the parent/)).toMatchObject({ kind: 'failure', scope: 'process', label: 'uvicorn-child-failed-to-start' });
    const gunicorn = (re: RegExp) => first('vocabulary', 'gunicorn-workers.txt', re);
    expect(gunicorn(/terminated due to signal 9/)).toMatchObject({ kind: 'failure', scope: 'worker', signal: '9' });
    expect(gunicorn(/was sent SIGKILL/)).toMatchObject({ kind: 'failure', scope: 'worker', signal: 'SIGKILL' });
    const redis = (re: RegExp) => first('lives', 'redis-restart.jsonl', re);
    expect(redis(/just started/)).toMatchObject({ kind: 'start', scope: 'process', program: 'redis', pid: expect.any(Number) });
    expect(redis(/Ready to accept connections/)).toMatchObject({ kind: 'ready', program: 'redis' });
    expect(redis(/Received SIGTERM scheduling shutdown/)).toMatchObject({ kind: 'stop', signal: 'SIGTERM', program: 'redis', pid: expect.any(Number) });
    expect(redis(/User requested shutdown/)).toMatchObject({ kind: 'stop', program: 'redis' });
    expect(redis(/ready to exit, bye bye/)).toMatchObject({ kind: 'stop', program: 'redis' });
  });

  it('reads a start and a stop line of every program the catalogue says announces its clean stops, naming it', () => {
    // One captured start and stop line each (test/fixtures/vocabulary and lives, READMEs there).
    const captured: Record<string, [string, string]> = {
      gunicorn: ['[2026-12-07 22:55:47 +0000] [7554] [INFO] Starting gunicorn 20.1.0', '[2026-12-07 22:55:54 +0000] [7554] [INFO] Shutting down: Master'],
      uvicorn: ['INFO:     Started parent process [6276]', 'INFO:     Finished server process [6288]'],
      puma: ['[5751] Puma starting in cluster mode...', '[5751] - Goodbye!'],
      redis: ['4958:C 07 Dec 2026 22:54:49.866 # Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=4958, just started', '5538:M 07 Dec 2026 23:05:59.939 # Redis is now ready to exit, bye bye...'],
      celery: [' -------------- celery@vm v5.2.6 (dawn-chorus)', 'worker: Warm shutdown (MainProcess)'],
      'nginx-error': ['2026/12/08 02:41:51 [notice] 14990#14990: nginx/1.22.1', '2026/12/08 02:52:53 [notice] 14990#14990: signal 15 (SIGTERM) received from 14695, exiting'],
      // test/fixtures/conventions/php-fpm.txt (php-fpm 8.2.36).
      'php-fpm': ['[08-Dec-2026 02:08:58] NOTICE: fpm is running, pid 9582', '[08-Dec-2026 02:10:47] NOTICE: exiting, bye-bye!'],
    };
    expect(CONVENTIONS.filter((c) => c.shutdown !== undefined).map((c) => c.id).sort()).toEqual(Object.keys(captured).sort());
    for (const [program, [start, stop]] of Object.entries(captured)) {
      expect(classifyLifecycle(start), start).toMatchObject({ kind: 'start', program });
      expect(classifyLifecycle(stop), stop).toMatchObject({ kind: 'stop', program });
    }
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

  // A Node server's lines (pino through Railway, as in test/fixtures/lives/node-kill9.jsonl): no stop
  // line of its own, so only the platform's lines and the order say which container ended.
  const node = (at: string, message: string): TestEvent => ({ at, message, service: 'api' });
  const platform = (at: string, message: string): TestEvent => ({ at, message, service: 'api', source: 'platform' });

  it('without ids, a life overtaken by a start that stops first ended before that start, at its last line (no handover stops the new container)', () => {
    const lives = lifecycleOf(
      tl([
        platform('2026-03-01T10:00:00Z', 'Starting Container'),
        node('2026-03-01T10:00:01Z', 'Server listening at http://127.0.0.1:3000'),
        node('2026-03-01T10:00:09Z', 'request completed'),
        platform('2026-03-01T10:00:12Z', 'Starting Container'),
        node('2026-03-01T10:00:13Z', 'Server listening at http://127.0.0.1:3000'),
        node('2026-03-01T10:00:20Z', 'request completed'),
        platform('2026-03-01T10:20:00Z', 'Stopping Container'),
      ]),
    ).lives;
    expect(lives.map((l) => [l.start!.ts, l.stop?.ts ?? null, l.ended ?? null, l.endKnown ?? null, l.lastSeen ?? null, l.lifetimeMs])).toEqual([
      [ms('2026-03-01T10:00:00Z'), null, 'restarted', 'unknown', ms('2026-03-01T10:00:09Z'), null],
      [ms('2026-03-01T10:00:12Z'), ms('2026-03-01T10:20:00Z'), null, null, null, 20 * 60_000 - 12_000],
    ]);
  });

  it('without ids, a life overtaken twice ended before the first overtaking start; a handover within minutes is a replacement', () => {
    const lives = lifecycleOf(
      tl([
        platform('2026-03-01T10:00:00Z', 'Starting Container'),
        platform('2026-03-01T11:00:00Z', 'Starting Container'),
        platform('2026-03-01T11:00:30Z', 'Stopping Container'),
        platform('2026-03-01T12:00:00Z', 'Starting Container'),
        platform('2026-03-01T13:00:00Z', 'Starting Container'),
        platform('2026-03-01T13:00:20Z', 'Stopping Container'),
      ]),
    ).lives;
    expect(lives.map((l) => [l.stop?.ts ?? null, l.ended ?? null])).toEqual([
      [ms('2026-03-01T11:00:30Z'), null],
      [null, 'restarted'],
      [ms('2026-03-01T13:00:20Z'), null],
      [null, null],
    ]);
    expect(lives[1]!.next!.ts).toBe(ms('2026-03-01T12:00:00Z'));
  });

  it('without ids, a new container that crashed leaves the one it overtook serving; the logs going on for a handover\'s length without its stop end it', () => {
    const events = [
      platform('2026-03-01T10:00:00Z', 'Starting Container'),
      node('2026-03-01T10:00:01Z', 'Server listening at http://127.0.0.1:3000'),
      platform('2026-03-01T11:00:00Z', 'Starting Container'),
      node('2026-03-01T11:00:02Z', 'npm error code 1'),
      platform('2026-03-01T11:00:05Z', 'Stopping Container'),
    ];
    expect(lifecycleOf(tl(events)).lives.map((l) => [l.start!.failed, l.stop?.ts ?? null, l.ended ?? null])).toEqual([
      [false, null, null],
      [true, ms('2026-03-01T11:00:05Z'), null],
    ]);
    // A redeploy whose old container's stop is not in the logs yet, and one whose logs went on.
    const handover = [platform('2026-03-01T10:00:00Z', 'Starting Container'), platform('2026-03-01T11:00:00Z', 'Starting Container'), node('2026-03-01T11:05:00Z', 'request completed')];
    expect(lifecycleOf(tl(handover)).lives.map((l) => l.ended ?? null)).toEqual([null, null]);
    expect(lifecycleOf(tl([...handover, node('2026-03-01T11:30:00Z', 'request completed')])).lives.map((l) => l.ended ?? null)).toEqual(['restarted', null]);
  });

  it('with ids, a start of the same deployment ends the life it overtook; replicas starting side by side do not', () => {
    const d = { deploymentId: 'dep-a' };
    const lives = lifecycleOf(
      tl([
        { ...platform('2026-03-01T10:00:00Z', 'Starting Container'), attrs: d },
        { ...platform('2026-03-01T10:00:02Z', 'Starting Container'), attrs: d },
        { ...platform('2026-03-01T11:00:00Z', 'Starting Container'), attrs: d },
      ]),
    ).lives;
    expect(lives.map((l) => l.ended ?? null)).toEqual(['restarted', 'restarted', null]);
  });

  it('a worker a supervisor replaces at once is no restart of the server (uvicorn 0.54 --workers, one worker killed with kill -9)', () => {
    // The lines of test/fixtures/vocabulary/uvicorn-workers.txt's first run, as printed; uvicorn's own
    // format carries no time, so they are given one a second apart, and the stop a minute later.
    const run = readFileSync(join(import.meta.dirname, '../../fixtures/vocabulary/uvicorn-workers.txt'), 'utf8').split('\n').slice(0, 27);
    const t0 = ms('2026-03-01T10:00:00Z');
    const events = run.map((message, i) => ({ at: t0 + i * 1000 + (i >= 13 ? 60_000 : 0), message, service: 'web' }));
    const lives = lifecycleOf(tl(events)).lives;
    // One life, from "Uvicorn running on" (line 1) to "Received SIGTERM, exiting." (line 14, a minute later).
    expect(lives.map((l) => [l.start!.pid, l.ended ?? null, l.stop?.failed ?? null, l.lifetimeMs])).toEqual([[6276, null, false, 73_000]]);
    // The dead worker is kept as evidence of the life it belonged to.
    expect(lives[0]!.start!.markers.map((m) => m.label)).toContain('uvicorn-child-died');
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
