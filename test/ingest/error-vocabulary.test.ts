// Every vocabulary entry against its library's real output (test/fixtures/vocabulary/, where the
// README names program, version and command): each line of the fixture that an entry matches, with
// the values it captures, and lines of healthy runs that must match nothing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VOCABULARY, matchVocabulary, signalOfExitCode, vocabularyTest, type Incident } from '../../src/ingest/error-vocabulary.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/vocabulary/${name}`, import.meta.url), 'utf8');

/** Per entry: the values of each fixture line it matches, in file order. */
const EXPECTED: Record<string, Record<string, string | number>[]> = {
  'sqlalchemy-queuepool-limit': [{ poolSize: 2, overflow: 1, timeoutSeconds: 1 }],
  'psycopg2-pool-exhausted': [{}],
  'psycopg-pool-timeout': [{ timeoutSeconds: 1 }],
  'asyncpg-pool-acquire-timeout': [{}],
  'node-postgres-connect-timeout': [{}],
  'sequelize-acquire-timeout': [{}],
  'knex-acquire-timeout': [{}],
  'knex-acquire-connection-error': [{}],
  'mysql2-pool-no-connections': [{}, {}],
  'mysql2-pool-queue-limit': [{}, {}],
  'hikaricp-request-timed-out': [{ pool: 'HikariPool-1', timeoutMs: 507 }],
  'activerecord-connection-timeout': [{ timeoutSeconds: 5 }],
  'prisma-p2024-pool-timeout': [{ timeoutSeconds: 10, poolSize: 5 }],
  'prisma-p2028-transaction-start': [{}],
  'php-fpm-max-children-reached': [{ pool: 'www', workerLimit: 3 }],
  // Two requests refused while one ran (--limit-concurrency 2).
  'uvicorn-concurrency-limit': [{}, {}],
  'gunicorn-worker-timeout': [{ pid: 14185 }],
  'celery-soft-time-limit': [{ limitSeconds: 1, task: 'tasks.soft', taskId: '9bdc1071-f3b5-404c-86ef-7e1fbb9446f0' }],
  'celery-hard-time-limit': [{ limitSeconds: 2, task: 'tasks.hard', taskId: 'd6da4e98-4bb4-4115-803c-30d9dfd72d18' }],
  'celery-time-limit-exceeded': [{ limitSeconds: 2 }],
  'rq-job-timeout': [{ limitSeconds: 1 }],
  'puma-worker-timeout': [{ limitSeconds: 60, pid: 4242 }, { limitSeconds: 60, pid: 4242 }],
  'sidekiq-busy-threads-terminated': [{ threads: 3 }],
  'bullmq-job-stalled': [{}],
  'php-fpm-request-terminated': [{ pid: 12531, script: '/app/index.php', limitSeconds: 5.629713 }],
  'celery-pool-process-exited': [{ program: 'ForkPoolWorker-1', pid: 6141, signal: 'SIGKILL' }],
  'ioredis-max-retries': [{}, {}],
  'node-redis-socket-closed': [{}],
  'celery-broker-connection-lost': [{}],
  'celery-beat-apply-failed': [{ task: 'add-every-2s', reason: 'Error 111 connecting to 127.0.0.1:6391. Connection refused.' }],
  'celery-broker-cannot-connect': [1, 2, 3].map(() => ({ url: 'redis://127.0.0.1:6391/0', reason: 'Error 111 connecting to 127.0.0.1:6391. Connection refused.' })),
  'ioredis-unhandled-error': [1, 2, 3, 4, 5, 6].map(() => ({ reason: 'Error: connect ECONNREFUSED 127.0.0.1:6392', host: '127.0.0.1', port: 6392 })),
  'node-redis-client-error': [1, 2, 3, 4, 5, 6].map(() => ({ reason: 'Error: connect ECONNREFUSED 127.0.0.1:6392', host: '127.0.0.1', port: 6392 })),
  'redis-rb-cannot-connect': [1, 2, 3, 4, 5].map(() => ({ host: '127.0.0.1', port: 41343, reason: 'Errno::ECONNREFUSED' })),
  'redis-py-connection-error': [
    { reason: 'Connection closed by server.' },
    ...[1, 2, 3, 4, 5].map(() => ({ reason: 'Error 111 connecting to localhost:6392. Connection refused.', host: 'localhost', port: 6392 })),
  ],
  'v8-heap-out-of-memory': [{ reason: 'Reached heap limit', signal: 'SIGABRT', exitCode: 134 }],
  'v8-gc-trace': [
    { pid: 10005, heapMb: 10.2, committedMb: 26.9 },
    { pid: 10005, heapMb: 15.5, committedMb: 32.3 },
  ],
  'hotspot-exit-on-out-of-memory': [{ reason: 'Java heap space', exitCode: 3 }],
  'hotspot-crash-on-out-of-memory': [{ reason: 'Java heap space', signal: 'SIGABRT', exitCode: 134 }],
  'jvm-out-of-memory-error': [{ reason: 'Java heap space' }],
  'python-memoryerror': [{}],
  // nginx's FastCGI stderr and php-fpm's log of the same fatal error.
  'php-memory-limit': [{ bytes: 33554432 }, { bytes: 33554432 }],
  'go-runtime-out-of-memory': [{ exitCode: 2 }],
  'go-runtime-cannot-allocate': [{ bytes: 67108864, inUseBytes: 71106560 }],
  'go-panic': [
    { reason: 'config: STRIPE_API_KEY is not set', exitCode: 2 },
    { reason: 'runtime error: invalid memory address or nil pointer dereference', exitCode: 2 },
  ],
  'jvm-main-uncaught': [{ reason: 'java.lang.IllegalStateException: Failed to configure payments', exitCode: 1 }],
  'hotspot-fatal-error': [{ signal: 'SIGABRT', exitCode: 134 }],
  'go-fatal-error': [{ reason: 'concurrent map writes', exitCode: 2 }],
  'go-run-exit-status': [{ exitCode: 2 }, { exitCode: 2 }],
  'shell-killed': [
    { signal: 'SIGKILL', exitCode: 137 },
    { pid: 23443, signal: 'SIGKILL', exitCode: 137 },
  ],
  'nextjs-no-production-build': [{ exitCode: 1 }],
  'node-connect-refused': [{ host: '127.0.0.1', port: 45927 }, { host: '127.0.0.1', port: 36943 }],
  'pgjdbc-connection-refused': [{ host: '127.0.0.1', port: 37001 }],
  'postgres-shutting-down': [{}],
  'postgres-admin-terminated': [{}],
  'node-uncaught-exit': [
    { nodeVersion: '20.20.2', exitCode: 1 },
    { nodeVersion: '20.20.2', exitCode: 1 },
  ],
  'npm-error-code': [{ exitCode: 1 }, { exitCode: 1 }],
  'npm-error-signal': [{ signal: 'SIGKILL' }],
  'yarn-exit-code': [{ exitCode: 1 }, { exitCode: 137 }],
  'yarn-signal': [{ signal: 'SIGKILL' }],
  'pnpm-exit-code': [{ exitCode: 1 }, { exitCode: 137 }, { exitCode: 1 }, { exitCode: 137 }],
  'bun-exit-code': [{ script: 'start', exitCode: 1 }],
  'bun-signal': [{ script: 'kill', signal: 'SIGKILL' }],
  'supervisord-unexpected-exit': [{ program: 'api', exitCode: 3 }, { program: 'worker', signal: 'SIGKILL' }],
  'uvicorn-child-died': [{ pid: 6287 }],
  'uvicorn-child-failed-to-start': [{ pid: 17454 }],
  'gunicorn-worker-terminated-by-signal': [
    { pid: 7568, signal: 'SIGKILL' },
    { pid: 7777, signal: 'SIGSEGV' },
  ],
  'gunicorn-worker-sent-signal': [
    { pid: 18001, signal: 'SIGKILL' },
    { pid: 18033, signal: 'SIGSEGV' },
  ],
  'gunicorn-worker-exit-code': [{ pid: 18237, exitCode: 1 }],
  'puma-worker-parent-died': [{ exitCode: 1 }, { exitCode: 1 }],
  // request_terminate_timeout's SIGTERM, then a child killed with kill -9.
  'php-fpm-child-exited': [
    { program: 'www', pid: 12531, signal: 'SIGTERM' },
    { program: 'www', pid: 12309, signal: 'SIGKILL' },
  ],
  'libpq-connection-refused': [{ host: '127.0.0.1', port: 44009 }],
  'shell-aborted': [{ signal: 'SIGABRT', exitCode: 134 }, { pid: 23529, signal: 'SIGABRT', exitCode: 134 }],
  'shell-segfault': [{ signal: 'SIGSEGV', exitCode: 139 }, { pid: 23530, signal: 'SIGSEGV', exitCode: 139 }],
};

/** Entries that match many lines of a capture: how many, and some of them. */
const MANY: Record<string, { count: number; includes: Record<string, string | number>[] }> = {
  // 16 tasks received: 13 of tasks.add (beat every 2 s), soft, hard and hang.
  'celery-task-received': {
    count: 16,
    includes: [
      { task: 'tasks.add', taskId: '467d1f69-6254-4161-909c-e7273cb23d8e' },
      { task: 'tasks.hang', taskId: 'cd12d377-155f-4744-8a5b-0ac453d4cd54' },
    ],
  },
  // 14 ended: 12 tasks.add succeeded (one was still queued at shutdown), soft raised, hard killed; hang never.
  'celery-task-finished': {
    count: 14,
    includes: [
      { task: 'tasks.add', taskId: '467d1f69-6254-4161-909c-e7273cb23d8e' },
      { task: 'tasks.soft', taskId: '9bdc1071-f3b5-404c-86ef-7e1fbb9446f0' },
      { task: 'tasks.hard', taskId: 'd6da4e98-4bb4-4115-803c-30d9dfd72d18' },
    ],
  },
};

const INCIDENTS: Incident[] = [...new Set(VOCABULARY.map((e) => e.incident))];

describe('error vocabulary: each entry on its library\'s real output', () => {
  it('every entry is tested here, ids are unique, patterns carry no flag but m', () => {
    expect([...Object.keys(EXPECTED), ...Object.keys(MANY)].sort()).toEqual(VOCABULARY.map((e) => e.id).sort());
    expect(new Set(VOCABULARY.map((e) => e.id)).size).toBe(VOCABULARY.length);
    for (const e of VOCABULARY) expect(e.pattern.flags.replace('m', ''), e.id).toBe('');
  });

  for (const entry of VOCABULARY) {
    it(`${entry.id} (${entry.library}) in ${entry.fixture}`, () => {
      // An entry that spans lines (a traceback) is matched on the whole capture, the others line by line.
      const text = fixture(entry.fixture);
      const found = (/\[\\s\\S\]/.test(entry.pattern.source) ? [text] : text.split('\n'))
        .map((line) => matchVocabulary(line, [entry.incident], true))
        .filter((m) => m !== null && m.entry.id === entry.id)
        .map((m) => m!.values);
      const many = MANY[entry.id];
      if (many === undefined) expect(found).toEqual(EXPECTED[entry.id]);
      else {
        expect(found).toHaveLength(many.count);
        for (const v of many.includes) expect(found).toContainEqual(v);
      }
    });
  }

  it('a whole multi-line record matches as its lines do (a traceback ending in MemoryError, V8\'s report)', () => {
    expect(matchVocabulary(fixture('python-memoryerror.txt'), ['out-of-memory'])?.entry.id).toBe('python-memoryerror');
    expect(matchVocabulary(fixture('v8-heap.txt'), ['out-of-memory'])?.values).toMatchObject({ reason: 'Reached heap limit' });
    // Detail lines only when asked for.
    expect(matchVocabulary('[10005:0x17664e20]      238 ms: Mark-Compact 15.5 (32.3) -> 15.5 (32.3) MB, 3.81 / 0.00 ms', ['out-of-memory'])).toBeNull();
  });

  it('lines of healthy runs and look-alikes match nothing', () => {
    const healthy = [
      // supervisord's expected exit and start lines (same run as the fixture).
      '2026-12-07 17:07:46,298 INFO spawned: \'api\' with pid 22736',
      'INFO exited: api (exit status 0; expected)',
      // npm codes that are not exit codes, yarn and pnpm's own info lines.
      'npm error code ENOENT',
      'npm error code E404',
      'yarn run v1.22.22',
      'info Visit https://yarnpkg.com/en/docs/cli/run for documentation about this command.',
      '$ node server.js',
      // The supervisors' own lines around a worker's end and a stop (uvicorn 0.54.0, gunicorn 26.2.0, puma 5.6.5: the fixtures' runs).
      ...fixture('uvicorn-workers.txt').split('\n').filter((l) => /Waiting for child|Terminated child|Started server process|(?:Started|Stopping) parent process/.test(l)),
      ...fixture('gunicorn-workers.txt').split('\n').filter((l) => /Booting worker|Worker exiting|Handling signal/.test(l)),
      ...fixture('puma-server.txt').split('\n').filter((l) => /booted in|Gracefully|Goodbye/.test(l)),
      // An application's own words.
      'Killed 3 stale sessions',
      'Worker killed by user request',
      'Node.js v20.20.2 detected, starting server',
      'Aborted transaction rolled back',
      'MemoryError count: 0',
      'the task raised MemoryError earlier',
      'GC: Mark-Compact finished',
      'OutOfMemoryError avoided by streaming',
      // A panic net/http recovered in a handler (the server runs on), and the frame of a Go stack (captured).
      '2026/12/07 23:00:33 http: panic serving 127.0.0.1:59910: assignment to entry in nil map',
      'panic({0x7c0fe0, 0x8bc680})',
      'the import will panic: use --force',
      // php-fpm's own lines around a child's life and a stop (the php-fpm.txt run), libpq refused for too many clients.
      ...fixture('php-fpm.txt').split('\n').filter((l) => /child \d+ started|executing too slow|about to trace|Terminating|bye-bye/.test(l)),
      fixture('libpq-pdo.txt').split('\n')[1]!,
    ];
    const test = vocabularyTest(INCIDENTS);
    for (const line of healthy) {
      expect(matchVocabulary(line, INCIDENTS, true), line).toBeNull();
      expect(test(line), line).toBe(false);
    }
  });

  it('every entry runs in time linear in its line: 64 KiB put into a line it matches costs well under 50 ms', () => {
    // Found by review: a lazy reason followed by an optional host:port and `$` (ioredis, node-redis,
    // Celery's "Cannot connect to") took 4-13 s on one such line. Each entry's first fixture line,
    // with 64 KiB of fillers made to backtrack put into its matched text and after it.
    const fillers = ['a', 'a:', '1', 'a:1 ', ' ', 'x.'];
    for (const entry of VOCABULARY) {
      const lines = /\[\\s\\S\]/.test(entry.pattern.source) ? [fixture(entry.fixture)] : fixture(entry.fixture).split('\n');
      const line = lines.find((l) => entry.pattern.test(l))!;
      const m = entry.pattern.exec(line)!;
      for (const filler of fillers) {
        const long = filler.repeat(Math.ceil(65_536 / filler.length));
        for (const at of [m.index + Math.ceil(m[0].length / 2), m.index + m[0].length]) {
          const text = line.slice(0, at) + long + line.slice(at);
          entry.pattern.exec(text); // warm-up
          // The fastest of three: a run the scheduler paused (a loaded machine) is slow once, a
          // pattern that backtracks over the line is slow every time (seconds, not milliseconds).
          let fastest = Infinity;
          for (let run = 0; run < 3 && fastest >= 50; run++) {
            const t0 = performance.now();
            entry.pattern.exec(text);
            matchVocabulary(text, [entry.incident], true);
            fastest = Math.min(fastest, performance.now() - t0);
          }
          expect(fastest, `${entry.id} with ${JSON.stringify(filler)}`).toBeLessThan(50);
        }
      }
    }
  });

  it('exit codes above 128 name their signal', () => {
    expect([137, 134, 143, 139, 1, 255].map(signalOfExitCode)).toEqual(['SIGKILL', 'SIGABRT', 'SIGTERM', 'SIGSEGV', null, null]);
  });
});
