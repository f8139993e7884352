// The words programs use for the incidents hindsight reports, as data shared by the levels (a line
// the vocabulary knows as a failure says error) and the detectors: one
// entry per message of one library, grouped by incident, each with what its named groups capture
// (an exit code, a signal, a pool size, a timeout) and the fixture it was taken from. Every message
// here was printed by the real program or copied from the installed package's source (see
// test/fixtures/vocabulary/README.md); test/ingest/error-vocabulary.test.ts matches each entry
// against its fixture, so an entry cannot drift from what the library prints.
//
// Use: `matchVocabulary(message, incidents)` names the entry and its values; `vocabularyTest`
// gives the cheap message test detectors pass to candidateEvents; `vocabularyInterest` the
// expression to declare in `meta.interests` when the lines are info-level. Entries are written
// without flags other than `m` (the timeline tests interests without their flags),
// so each incident's union is one expression run once per message.

/** The incidents the vocabulary covers. */
export type Incident = 'pool-exhaustion' | 'worker-saturation' | 'worker-timeout' | 'task-start' | 'task-end' | 'out-of-memory' | 'process-exit' | 'broker-outage' | 'database-outage';

/** What an entry's named groups (or its `implies`) hold. */
export type VocabularyValue =
  | 'exitCode'
  | 'signal'
  | 'reason'
  | 'heapMb'
  | 'committedMb'
  | 'bytes'
  | 'inUseBytes'
  | 'pid'
  | 'program'
  | 'script'
  | 'nodeVersion'
  | 'pool'
  | 'poolSize'
  | 'overflow'
  | 'timeoutSeconds'
  | 'timeoutMs'
  | 'limitSeconds'
  | 'task'
  | 'taskId'
  | 'threads'
  | 'workerLimit'
  | 'host'
  | 'port'
  | 'url';

export interface VocabularyEntry {
  /** Stable id, `<library>-<what>`. */
  id: string;
  incident: Incident;
  /** The program or library that prints it. */
  library: string;
  /** The message; its named groups are among `captures`. Flags: at most `m`. */
  pattern: RegExp;
  /** The values the pattern's named groups capture (numbers are returned as numbers). */
  captures: readonly VocabularyValue[];
  /** Values the message means without saying them (Node's exit code after an uncaught exception). */
  implies?: Partial<Record<VocabularyValue, string | number>>;
  /**
   * A line that only adds numbers to an incident another line announces (V8's GC trace before its
   * heap out-of-memory): not an incident by itself.
   */
  detail?: true;
  /**
   * The id of another entry whose line the same failure also prints (knex warns of the acquire
   * timeout, then throws its KnexTimeoutError, which the app logs): the two together count once.
   */
  sameFailureAs?: string;
  /**
   * The process that exited is a child a supervisor inside the container runs and replaces (a
   * Celery pool process, a program of supervisord): its exit is not the container's end.
   */
  child?: true;
  /** The file under test/fixtures/vocabulary/ that holds the library's real output. */
  fixture: string;
}

/** An entry that matched, and the values it captured or implies. */
export interface VocabularyMatch {
  entry: VocabularyEntry;
  values: Partial<Record<VocabularyValue, string | number>>;
}

export const VOCABULARY: readonly VocabularyEntry[] = [
  // --- Pool exhaustion: the application's pool had no free connection in time -----------------
  {
    id: 'sqlalchemy-queuepool-limit',
    incident: 'pool-exhaustion',
    library: 'SQLAlchemy',
    pattern: /QueuePool limit of size (?<poolSize>\d+) overflow (?<overflow>-?\d+) reached, connection timed out, timeout (?<timeoutSeconds>[0-9.]+)/,
    captures: ['poolSize', 'overflow', 'timeoutSeconds'],
    fixture: 'sqlalchemy.txt',
  },
  {
    id: 'psycopg2-pool-exhausted',
    incident: 'pool-exhaustion',
    library: 'psycopg2',
    pattern: /PoolError: connection pool exhausted/,
    captures: [],
    fixture: 'psycopg2.txt',
  },
  {
    id: 'psycopg-pool-timeout',
    incident: 'pool-exhaustion',
    library: 'psycopg_pool',
    pattern: /PoolTimeout: couldn't get a connection after (?<timeoutSeconds>[0-9.]+) sec/,
    captures: ['timeoutSeconds'],
    fixture: 'psycopg-pool.txt',
  },
  {
    // asyncpg raises a bare TimeoutError from asyncio.wait_for: only the traceback's frame in
    // pool.py's _acquire says it was the pool.
    id: 'asyncpg-pool-acquire-timeout',
    incident: 'pool-exhaustion',
    library: 'asyncpg',
    pattern: /asyncpg\/pool\.py", line \d+, in _acquire\b[\s\S]{0,2000}?^(?:asyncio\.(?:exceptions\.)?)?TimeoutError\b/m,
    captures: [],
    fixture: 'asyncpg.txt',
  },
  {
    // pg-pool's message, also what TypeORM and Drizzle (over node-postgres) pass on.
    id: 'node-postgres-connect-timeout',
    incident: 'pool-exhaustion',
    library: 'node-postgres (pg-pool)',
    pattern: /timeout exceeded when trying to connect/,
    captures: [],
    fixture: 'node-postgres.txt',
  },
  {
    id: 'sequelize-acquire-timeout',
    incident: 'pool-exhaustion',
    library: 'Sequelize',
    pattern: /\b(?:Sequelize)?ConnectionAcquireTimeoutError\b/,
    captures: [],
    fixture: 'sequelize.txt',
  },
  {
    id: 'knex-acquire-timeout',
    incident: 'pool-exhaustion',
    library: 'knex',
    pattern: /Knex: Timeout acquiring a connection\. The pool is probably full\./,
    captures: [],
    fixture: 'knex.txt',
  },
  {
    // knex's own warning at every failed acquire (its logger, stdout), tarn's timeout inside:
    // what is left of the failure when the app's logger drops the error's message (winston's
    // json format writes `logger.error(err)` as `"message":""`).
    id: 'knex-acquire-connection-error',
    incident: 'pool-exhaustion',
    library: 'knex',
    pattern: /Acquire connection error: \w*Error: operation timed out for an unknown reason/,
    captures: [],
    sameFailureAs: 'knex-acquire-timeout',
    fixture: 'knex-winston.txt',
  },
  {
    // mysql2 (and mysql, whose pool it copies) with waitForConnections: false: every connection
    // busy. The default pool waits without limit and says nothing.
    id: 'mysql2-pool-no-connections',
    incident: 'pool-exhaustion',
    library: 'mysql2 / mysql',
    pattern: /(?:^|Error: )No connections available\./m,
    captures: [],
    fixture: 'mysql2.txt',
  },
  {
    // The same pools with a queueLimit: that many requests already wait for a connection.
    id: 'mysql2-pool-queue-limit',
    incident: 'pool-exhaustion',
    library: 'mysql2 / mysql',
    pattern: /(?:^|Error: )Queue limit reached\./m,
    captures: [],
    fixture: 'mysql2.txt',
  },
  {
    id: 'hikaricp-request-timed-out',
    incident: 'pool-exhaustion',
    library: 'HikariCP',
    pattern: /(?<!\S)(?<pool>\S{1,128}) - Connection is not available, request timed out after (?<timeoutMs>\d+)ms\./,
    captures: ['pool', 'timeoutMs'],
    fixture: 'hikaricp.txt',
  },
  {
    id: 'activerecord-connection-timeout',
    incident: 'pool-exhaustion',
    library: 'ActiveRecord',
    pattern: /could not obtain a connection from the pool within (?<timeoutSeconds>[0-9.]+) seconds \(waited [0-9.]+ seconds\); all pooled connections were in use/,
    captures: ['timeoutSeconds'],
    fixture: 'activerecord.txt',
  },
  {
    // The query engine's user-facing P2024; the limit is the engine's connection_limit.
    id: 'prisma-p2024-pool-timeout',
    incident: 'pool-exhaustion',
    library: 'Prisma',
    pattern: /Timed out fetching a new connection from the connection pool\.(?: More info: \S{1,200} \(Current connection pool timeout: (?<timeoutSeconds>\d+), connection limit: (?<poolSize>\d+)\))?/,
    captures: ['timeoutSeconds', 'poolSize'],
    fixture: 'prisma-p2024.txt',
  },
  {
    // P2028: an interactive transaction waited longer than maxWait for a connection.
    id: 'prisma-p2028-transaction-start',
    incident: 'pool-exhaustion',
    library: 'Prisma',
    pattern: /Transaction API error: Unable to start a transaction in the given time\./,
    captures: [],
    fixture: 'prisma.txt',
  },

  // --- Worker saturation: every worker of the server busy, new requests queued or refused ------
  {
    // php-fpm's process manager at pm.max_children: a new request waits in the socket's backlog
    // until a child is free.
    id: 'php-fpm-max-children-reached',
    incident: 'worker-saturation',
    library: 'php-fpm',
    pattern: /\[pool (?<pool>[^\]\n]{1,64})\] server reached pm\.max_children setting \((?<workerLimit>\d+)\), consider raising it/,
    captures: ['pool', 'workerLimit'],
    fixture: 'php-fpm.txt',
  },
  {
    // uvicorn's --limit-concurrency: the request is answered 503 (protocols/http/*_impl.py); the
    // line does not say the limit.
    id: 'uvicorn-concurrency-limit',
    incident: 'worker-saturation',
    library: 'uvicorn',
    pattern: /Exceeded concurrency limit\./,
    captures: [],
    fixture: 'uvicorn-concurrency.txt',
  },

  // --- Worker timeouts: a worker or task killed or interrupted for running too long ------------
  {
    id: 'gunicorn-worker-timeout',
    incident: 'worker-timeout',
    library: 'gunicorn',
    pattern: /WORKER TIMEOUT \(pid:(?<pid>\d+)\)/,
    captures: ['pid'],
    fixture: 'gunicorn.txt',
  },
  {
    id: 'celery-soft-time-limit',
    incident: 'worker-timeout',
    library: 'Celery',
    pattern: /Soft time limit \((?<limitSeconds>[0-9.]+)s\) exceeded for (?<task>[\w.]+)\[(?<taskId>[0-9a-f-]+)\]/,
    captures: ['limitSeconds', 'task', 'taskId'],
    fixture: 'celery-worker.txt',
  },
  {
    id: 'celery-hard-time-limit',
    incident: 'worker-timeout',
    library: 'Celery',
    pattern: /Hard time limit \((?<limitSeconds>[0-9.]+)s\) exceeded for (?<task>[\w.]+)\[(?<taskId>[0-9a-f-]+)\]/,
    captures: ['limitSeconds', 'task', 'taskId'],
    fixture: 'celery-worker.txt',
  },
  {
    // php-fpm's request_terminate_timeout (sapi/fpm/fpm/fpm_request.c): the request's child is
    // killed (SIGTERM, then its exit line); the time is how long the request had run when the
    // master's check saw it, at most a second past the setting.
    id: 'php-fpm-request-terminated',
    incident: 'worker-timeout',
    library: 'php-fpm',
    pattern: /\[pool [^\]\n]{1,64}\] child (?<pid>\d+), script '(?<script>[^'\n]{1,500})' \(request: "[^"\n]{0,2000}"\) execution timed out \((?<limitSeconds>[0-9.]+) sec\), terminating/,
    captures: ['pid', 'script', 'limitSeconds'],
    fixture: 'php-fpm.txt',
  },
  {
    // The same hard limit as the pool's handler reports it, just before the line above.
    id: 'celery-time-limit-exceeded',
    incident: 'worker-timeout',
    library: 'Celery',
    pattern: /Task handler raised error: TimeLimitExceeded\((?<limitSeconds>[0-9.]+),?\)/,
    captures: ['limitSeconds'],
    detail: true,
    fixture: 'celery-worker.txt',
  },
  {
    id: 'rq-job-timeout',
    incident: 'worker-timeout',
    library: 'RQ',
    pattern: /JobTimeoutException: Task exceeded maximum timeout value \((?<limitSeconds>\d+) seconds\)/,
    captures: ['limitSeconds'],
    fixture: 'rq.txt',
  },
  {
    id: 'puma-worker-timeout',
    incident: 'worker-timeout',
    library: 'puma',
    pattern: /Terminating timed out worker \(worker failed to (?:check in|boot) within (?<limitSeconds>\d+) seconds\): (?<pid>\d+)/,
    captures: ['limitSeconds', 'pid'],
    fixture: 'puma.txt',
  },
  {
    // At shutdown, jobs still running after Sidekiq's timeout are killed and pushed back.
    id: 'sidekiq-busy-threads-terminated',
    incident: 'worker-timeout',
    library: 'Sidekiq',
    pattern: /Terminating (?<threads>\d+) busy worker threads/,
    captures: ['threads'],
    fixture: 'sidekiq.txt',
  },
  {
    // The failed reason BullMQ gives a job whose lock expired too often (an event loop blocked by it).
    id: 'bullmq-job-stalled',
    incident: 'worker-timeout',
    library: 'BullMQ',
    pattern: /job stalled more than allowable limit/,
    captures: [],
    fixture: 'bullmq.txt',
  },

  // --- Tasks received and finished (pairs by task id: a task received and never finished hung) -
  {
    id: 'celery-task-received',
    incident: 'task-start',
    library: 'Celery',
    pattern: /\bTask (?<task>[\w.]+)\[(?<taskId>[0-9a-f-]{8,})\] received/,
    captures: ['task', 'taskId'],
    fixture: 'celery-worker.txt',
  },
  {
    id: 'celery-task-finished',
    incident: 'task-end',
    library: 'Celery',
    pattern: /\bTask (?<task>[\w.]+)\[(?<taskId>[0-9a-f-]{8,})\] (?:succeeded in|raised |retry: |ignored|rejected)|Hard time limit \([0-9.]+s\) exceeded for (?<task2>[\w.]+)\[(?<taskId2>[0-9a-f-]{8,})\]/,
    captures: ['task', 'taskId'],
    fixture: 'celery-worker.txt',
  },

  // --- Broker and cache: the client lost or could not reach Redis -----------------------------
  {
    id: 'ioredis-unhandled-error',
    incident: 'broker-outage',
    library: 'ioredis',
    pattern: /\[ioredis\] Unhandled error event: (?<reason>[^\n]{0,500}?(?:(?<host>[\w.-]{1,253}):(?<port>\d{1,5}))?)\s{0,8}$/m,
    captures: ['reason', 'host', 'port'],
    fixture: 'ioredis.txt',
  },
  {
    // A command rejected while ioredis reconnects (maxRetriesPerRequest).
    id: 'ioredis-max-retries',
    incident: 'broker-outage',
    library: 'ioredis',
    pattern: /Reached the max retries per request limit \(which is \d+\)/,
    captures: [],
    fixture: 'ioredis.txt',
  },
  {
    id: 'node-redis-socket-closed',
    incident: 'broker-outage',
    library: 'node-redis',
    pattern: /SocketClosedUnexpectedlyError: Socket closed unexpectedly/,
    captures: [],
    fixture: 'node-redis.txt',
  },
  {
    // node-redis's README handler, `client.on('error', err => console.log('Redis Client Error', err))`,
    // which most apps copy: each failed reconnect of the client.
    id: 'node-redis-client-error',
    incident: 'broker-outage',
    library: 'node-redis',
    pattern: /^Redis Client Error (?<reason>\w{0,64}Error: [^\n]{0,500}?(?:(?<host>[\w.-]{1,253}):(?<port>\d{1,5}))?)\s{0,8}$/m,
    captures: ['reason', 'host', 'port'],
    fixture: 'node-redis.txt',
  },
  {
    // redis-rb 4 (lib/redis/client.rb): `Error connecting to Redis on #{location} (#{error.class})`,
    // in Sidekiq's log at each failed fetch and heartbeat (`Redis::CannotConnectError: ...`).
    id: 'redis-rb-cannot-connect',
    incident: 'broker-outage',
    library: 'redis-rb',
    pattern: /Error connecting to Redis on (?<host>[\w.-]{1,253}):(?<port>\d{1,5}) \((?<reason>[\w:]{1,100})\)/,
    captures: ['host', 'port', 'reason'],
    fixture: 'redis-rb.txt',
  },
  {
    id: 'redis-py-connection-error',
    incident: 'broker-outage',
    library: 'redis-py',
    pattern: /redis\.exceptions\.(?:ConnectionError|TimeoutError): (?<reason>Error \d+ connecting to (?<host>[\w.-]+):(?<port>\d+)\.[^\n]*|Connection closed by server\.|Timeout[^\n]*)/,
    captures: ['reason', 'host', 'port'],
    fixture: 'redis-py.txt',
  },
  {
    id: 'celery-broker-connection-lost',
    incident: 'broker-outage',
    library: 'Celery',
    pattern: /consumer: Connection to broker lost\. Trying to re-establish the connection/,
    captures: [],
    fixture: 'celery-worker.txt',
  },
  {
    id: 'celery-broker-cannot-connect',
    incident: 'broker-outage',
    library: 'Celery',
    pattern: /consumer: Cannot connect to (?<url>[a-z+]{1,32}:\/\/\S{0,500}?): (?<reason>[^\n]{0,500}?)\.?$/m,
    captures: ['url', 'reason'],
    fixture: 'celery-worker.txt',
  },
  {
    id: 'celery-beat-apply-failed',
    incident: 'broker-outage',
    library: 'Celery beat',
    pattern: /Message Error: Couldn't apply scheduled task (?<task>\S+): (?<reason>[^\n]*)/,
    captures: ['task', 'reason'],
    fixture: 'celery-beat.txt',
  },

  // --- Out of memory -------------------------------------------------------------------------
  {
    id: 'v8-heap-out-of-memory',
    incident: 'out-of-memory',
    library: 'Node.js (V8)',
    pattern: /FATAL ERROR: (?<reason>[^\n]{0,500}?) ?Allocation failed - JavaScript heap out of memory/,
    captures: ['reason'],
    // V8 aborts the process: SIGABRT, exit 134 when a shell reports it.
    implies: { signal: 'SIGABRT', exitCode: 134 },
    fixture: 'v8-heap.txt',
  },
  {
    id: 'v8-gc-trace',
    incident: 'out-of-memory',
    library: 'Node.js (V8)',
    // "[10005:0x17664e20]  238 ms: Mark-Compact 15.5 (32.3) -> 15.5 (32.3) MB, ...": the heap
    // used (and committed) after the last collections, printed under "<--- Last few GCs --->".
    pattern: /\[(?<pid>\d+):0x[0-9a-f]+\]\s+\d+ ms: (?:Mark-Compact|Mark-Compact \(reduce\)|Scavenge|Mark-sweep) [0-9.]+ \([0-9.]+\) -> (?<heapMb>[0-9.]+) \((?<committedMb>[0-9.]+)\) MB/,
    captures: ['pid', 'heapMb', 'committedMb'],
    detail: true,
    fixture: 'v8-heap.txt',
  },
  {
    // HotSpot with -XX:+ExitOnOutOfMemoryError (a container's usual flag): the JVM ends at once,
    // no shutdown hook runs, exit 3 (debug.cpp, report_java_out_of_memory).
    id: 'hotspot-exit-on-out-of-memory',
    incident: 'out-of-memory',
    library: 'JVM',
    pattern: /^Terminating due to java\.lang\.OutOfMemoryError: (?<reason>[^\n]+)/m,
    captures: ['reason'],
    implies: { exitCode: 3 },
    fixture: 'jvm-oom-flags.txt',
  },
  {
    // -XX:+CrashOnOutOfMemoryError: a fatal error report (hs_err) and SIGABRT.
    id: 'hotspot-crash-on-out-of-memory',
    incident: 'out-of-memory',
    library: 'JVM',
    pattern: /^Aborting due to java\.lang\.OutOfMemoryError: (?<reason>[^\n]+)/m,
    captures: ['reason'],
    implies: { signal: 'SIGABRT', exitCode: 134 },
    fixture: 'jvm-oom-flags.txt',
  },
  {
    // Thrown and caught, or uncaught on a thread the JVM outlives: the process may run on.
    id: 'jvm-out-of-memory-error',
    incident: 'out-of-memory',
    library: 'JVM',
    pattern: /java\.lang\.OutOfMemoryError(?:: (?<reason>[^\n]+))?/,
    captures: ['reason'],
    fixture: 'jvm.txt',
  },
  {
    id: 'python-memoryerror',
    incident: 'out-of-memory',
    library: 'Python',
    // The last line of the traceback: the exception type at the start of a line.
    pattern: /^MemoryError(?::|\s*$)/m,
    captures: [],
    fixture: 'python-memoryerror.txt',
  },
  {
    id: 'go-runtime-out-of-memory',
    incident: 'out-of-memory',
    library: 'Go runtime',
    pattern: /^fatal error: (?:runtime: )?out of memory/m,
    captures: [],
    implies: { exitCode: 2 },
    fixture: 'go-runtime.txt',
  },
  {
    // PHP's memory_limit (Zend/zend_alloc.c): the request ends with this fatal error, the php-fpm
    // child lives on. php-fpm logs it (`PHP message: `) and hands it to nginx as FastCGI stderr:
    // two lines of one failure.
    id: 'php-memory-limit',
    incident: 'out-of-memory',
    library: 'PHP (memory_limit)',
    pattern: /Allowed memory size of (?<bytes>\d+) bytes exhausted/,
    captures: ['bytes'],
    fixture: 'php-fpm.txt',
  },
  {
    id: 'go-runtime-cannot-allocate',
    incident: 'out-of-memory',
    library: 'Go runtime',
    pattern: /runtime: out of memory: cannot allocate (?<bytes>\d+)-byte block \((?<inUseBytes>\d+) in use\)/,
    captures: ['bytes', 'inUseBytes'],
    detail: true,
    fixture: 'go-runtime.txt',
  },
  // --- Process exits -------------------------------------------------------------------------
  {
    // dash (Debian's /bin/sh, the shell of `sh -c` start commands) prints "Killed" alone; bash
    // "bash: line 1: 23443 Killed   <command>". It shows SIGKILL only: a stop timeout, `kill -9`,
    // `timeout -s KILL`, a supervisor or the kernel's OOM killer (out-of-memory says so only
    // when an out-of-memory line of the service stands beside it).
    id: 'shell-killed',
    incident: 'process-exit',
    library: 'sh / bash',
    pattern: /^(?:\S+: line \d+: +(?<pid>\d+) )?Killed(?: {2,}\S.*)?$/m,
    captures: ['pid'],
    implies: { signal: 'SIGKILL', exitCode: 137 },
    fixture: 'shell.txt',
  },
  {
    // A Go program's unrecovered panic (runtime/panic.go printpanics: `panic: ` and the value, then
    // the goroutines' stacks); the runtime exits with status 2. A panic net/http recovers in a
    // handler is logged as `http: panic serving ...` and ends nothing.
    id: 'go-panic',
    incident: 'process-exit',
    library: 'Go runtime',
    pattern: /^panic: (?<reason>[^\n]*)/m,
    captures: ['reason'],
    implies: { exitCode: 2 },
    fixture: 'go-panic.txt',
  },
  {
    // The JVM's report of an exception that ended `main` (ThreadGroup.uncaughtException): the
    // launcher then exits with status 1 once no other non-daemon thread runs, which is the case of a
    // start that fails before it serves. Only `main`: another thread's uncaught exception ends that
    // thread, and the JVM runs on.
    id: 'jvm-main-uncaught',
    incident: 'process-exit',
    library: 'JVM',
    pattern: /^Exception in thread "main" (?<reason>[^\n]*)/m,
    captures: ['reason'],
    implies: { exitCode: 1 },
    fixture: 'jvm-main.txt',
  },
  {
    // HotSpot's fatal error report (a crash in native code, a JVM bug, -XX:+CrashOnOutOfMemoryError):
    // `#` lines on stdout, an hs_err file, then abort (SIGABRT, exit 134).
    id: 'hotspot-fatal-error',
    incident: 'process-exit',
    library: 'JVM',
    pattern: /^# A fatal error has been detected by the Java Runtime Environment:/m,
    captures: [],
    implies: { signal: 'SIGABRT', exitCode: 134 },
    fixture: 'jvm-fatal-error.txt',
  },
  {
    // A Go runtime error no program can recover (`throw`: concurrent map writes, a deadlock of every
    // goroutine), exit status 2; its out-of-memory form is out-of-memory's.
    id: 'go-fatal-error',
    incident: 'process-exit',
    library: 'Go runtime',
    pattern: /^fatal error: (?!(?:runtime: )?out of memory)(?<reason>[^\n]*)/m,
    captures: ['reason'],
    implies: { exitCode: 2 },
    fixture: 'go-panic.txt',
  },
  {
    // `go run` reports the status of the program it built and ran (as a start command does: `go run .`).
    id: 'go-run-exit-status',
    incident: 'process-exit',
    library: 'go run',
    pattern: /^exit status (?<exitCode>\d+)$/m,
    captures: ['exitCode'],
    fixture: 'go-panic.txt',
  },
  {
    // The last line Node prints for an uncaught exception or an unhandled rejection (Node ≥ 18).
    id: 'node-uncaught-exit',
    incident: 'process-exit',
    library: 'Node.js',
    pattern: /^Node\.js v(?<nodeVersion>\d+\.\d+\.\d+)\s*$/m,
    captures: ['nodeVersion'],
    // Node's documented exit code for an uncaught fatal exception.
    implies: { exitCode: 1 },
    fixture: 'node.txt',
  },
  {
    // `next start` without a build: next/dist/server/lib/start-server.js prints the error and calls
    // process.exit(1), after its own "Ready in" line (Node prints no trailer).
    id: 'nextjs-no-production-build',
    incident: 'process-exit',
    library: 'Next.js',
    pattern: /Could not find a production build in the '[^'\n]{1,200}' directory\./,
    captures: [],
    implies: { exitCode: 1 },
    fixture: 'nextjs.txt',
  },
  {
    id: 'npm-error-code',
    incident: 'process-exit',
    library: 'npm',
    // npm ≥ 10 "npm error code 1", npm ≤ 9 "npm ERR! code 1" (a script of install or exec failed;
    // npm ≥ 9 prints nothing for a failed `npm start`). Codes that are words (ENOENT) are not exits.
    pattern: /^npm (?:error|ERR!) code (?<exitCode>\d+)\s*$/m,
    captures: ['exitCode'],
    fixture: 'npm.txt',
  },
  {
    id: 'npm-error-signal',
    incident: 'process-exit',
    library: 'npm',
    pattern: /^npm (?:error|ERR!) signal (?<signal>SIG[A-Z0-9]+)\s*$/m,
    captures: ['signal'],
    fixture: 'npm.txt',
  },
  {
    id: 'yarn-exit-code',
    incident: 'process-exit',
    library: 'yarn 1',
    pattern: /^error Command failed with exit code (?<exitCode>\d+)\./m,
    captures: ['exitCode'],
    fixture: 'yarn.txt',
  },
  {
    id: 'yarn-signal',
    incident: 'process-exit',
    library: 'yarn 1',
    pattern: /^error Command failed with signal "(?<signal>SIG[A-Z0-9]+)"\./m,
    captures: ['signal'],
    fixture: 'yarn.txt',
  },
  {
    // pnpm 9 " ELIFECYCLE  Command failed with exit code 1." (thin spaces, U+2009), pnpm 12
    // "[ELIFECYCLE] Command failed with exit code 1.".
    id: 'pnpm-exit-code',
    incident: 'process-exit',
    library: 'pnpm',
    pattern: /ELIFECYCLE\]?\s+Command failed with exit code (?<exitCode>\d+)\./,
    captures: ['exitCode'],
    fixture: 'pnpm.txt',
  },
  {
    id: 'bun-exit-code',
    incident: 'process-exit',
    library: 'bun',
    pattern: /^error: script "(?<script>[^"\n]+)" exited with code (?<exitCode>\d+)/m,
    captures: ['script', 'exitCode'],
    fixture: 'bun.txt',
  },
  {
    id: 'bun-signal',
    incident: 'process-exit',
    library: 'bun',
    pattern: /^error: script "(?<script>[^"\n]+)" was terminated by signal (?<signal>SIG[A-Z0-9]+)/m,
    captures: ['script', 'signal'],
    fixture: 'bun.txt',
  },
  {
    // "exited: api (exit status 3; not expected)", "exited: worker (terminated by SIGKILL; not
    // expected)"; an expected exit ("exit status 0; expected") is a stop, not a crash.
    id: 'supervisord-unexpected-exit',
    incident: 'process-exit',
    library: 'supervisord',
    pattern: /\bexited: (?<program>\S+) \((?:exit status (?<exitCode>\d+)|terminated by (?<signal>SIG[A-Z0-9]+)(?: \(core dumped\))?); not expected\)/,
    captures: ['program', 'exitCode', 'signal'],
    child: true,
    fixture: 'supervisord.txt',
  },
  {
    // Celery's prefork pool (billiard, common.human_status): "Process 'ForkPoolWorker-1' pid:6141
    // exited with 'signal 9 (SIGKILL)'" or "... 'exitcode 1'". A hard time limit ends this way too.
    id: 'celery-pool-process-exited',
    incident: 'process-exit',
    library: 'Celery (billiard)',
    pattern: /Process '(?<program>[^'\n]+)' pid:(?<pid>\d+) exited with '(?:signal \d+ \((?<signal>SIG[A-Z0-9]+)\)|exitcode (?<exitCode>\d+))'/,
    captures: ['program', 'pid', 'signal', 'exitCode'],
    child: true,
    fixture: 'celery-worker.txt',
  },
  {
    // The supervisor of `uvicorn --workers N` (uvicorn ≥ 0.30, uvicorn/supervisors/multiprocess.py):
    // a worker that exited, or stopped answering its ping and was killed, is replaced. The line names
    // no code or signal.
    id: 'uvicorn-child-died',
    incident: 'process-exit',
    library: 'uvicorn (--workers)',
    pattern: /Child process \[(?<pid>\d+)\] died/,
    captures: ['pid'],
    child: true,
    fixture: 'uvicorn-workers.txt',
  },
  {
    // A worker that exited before it served (its lifespan start-up failed): the supervisor stops, since
    // every restart would fail the same way.
    id: 'uvicorn-child-failed-to-start',
    incident: 'process-exit',
    library: 'uvicorn (--workers)',
    pattern: /Child process \[(?<pid>\d+)\] failed to start, stopping the parent process\./,
    captures: ['pid'],
    fixture: 'uvicorn-workers.txt',
  },
  {
    // gunicorn 20 reaping a worker a signal ended (gunicorn/arbiter.py, reap_workers): 9 for kill -9
    // and the OOM killer, 11 for a crash in native code. The master boots a replacement.
    id: 'gunicorn-worker-terminated-by-signal',
    incident: 'process-exit',
    library: 'gunicorn 20',
    pattern: /Worker with pid (?<pid>\d+) was terminated due to signal (?<signal>\d+)/,
    captures: ['pid', 'signal'],
    child: true,
    fixture: 'gunicorn-workers.txt',
  },
  {
    // The same in gunicorn ≥ 21, named ("SIGKILL! Perhaps out of memory?", "SIGSEGV!"; SIGTERM at a stop).
    id: 'gunicorn-worker-sent-signal',
    incident: 'process-exit',
    library: 'gunicorn ≥ 21',
    pattern: /Worker \(pid:(?<pid>\d+)\) was sent (?<signal>SIG[A-Z0-9]+)!/,
    captures: ['pid', 'signal'],
    child: true,
    fixture: 'gunicorn-workers.txt',
  },
  {
    id: 'gunicorn-worker-exit-code',
    incident: 'process-exit',
    library: 'gunicorn ≥ 21',
    pattern: /Worker \(pid:(?<pid>\d+)\) exited with code (?<exitCode>\d+)/,
    captures: ['pid', 'exitCode'],
    child: true,
    fixture: 'gunicorn-workers.txt',
  },
  {
    // A cluster worker whose master is gone (killed with SIGKILL, so it could not stop them) exits
    // with code 1 (puma/cluster/worker.rb). puma writes nothing when a worker dies: its master boots
    // another with the same index ("- Worker 0 (PID: 5806) booted in 0.04s, phase: 0").
    id: 'puma-worker-parent-died',
    incident: 'process-exit',
    library: 'puma (cluster mode)',
    pattern: /! Detected parent died, dying/,
    captures: [],
    implies: { exitCode: 1 },
    child: true,
    fixture: 'puma-server.txt',
  },
  {
    // php-fpm's master reaping a child (sapi/fpm/fpm/fpm_children.c) that a signal ended (kill -9, the
    // OOM killer, request_terminate_timeout's SIGTERM) or that exited with a code other than 0; it
    // starts another. SIGQUIT is fpm's own stop of an idle child (pm = dynamic), logged at NOTICE.
    id: 'php-fpm-child-exited',
    incident: 'process-exit',
    library: 'php-fpm',
    pattern: /\[pool (?<program>[^\]\n]{1,64})\] child (?<pid>\d+) exited (?:on signal (?!3 )(?<signal>\d+) \(SIG|with code (?!0 )(?<exitCode>\d+) )/,
    captures: ['program', 'pid', 'signal', 'exitCode'],
    child: true,
    fixture: 'php-fpm.txt',
  },
  {
    id: 'shell-aborted',
    incident: 'process-exit',
    library: 'sh / bash',
    pattern: /^(?:\S+: line \d+: +(?<pid>\d+) )?Aborted(?: \(core dumped\))?(?: {2,}\S.*)?$/m,
    captures: ['pid'],
    implies: { signal: 'SIGABRT', exitCode: 134 },
    fixture: 'shell.txt',
  },
  {
    id: 'shell-segfault',
    incident: 'process-exit',
    library: 'sh / bash',
    pattern: /^(?:\S+: line \d+: +(?<pid>\d+) )?Segmentation fault(?: \(core dumped\))?(?: {2,}\S.*)?$/m,
    captures: ['pid'],
    implies: { signal: 'SIGSEGV', exitCode: 139 },
    fixture: 'shell.txt',
  },

  // --- Database outages: the application's connections to PostgreSQL refused or cut ---------------
  {
    // Node's own words for a refused TCP connection, whatever the client (node-postgres under
    // TypeORM, knex, Sequelize, Drizzle): database-outage counts it when the port is PostgreSQL's.
    id: 'node-connect-refused',
    incident: 'database-outage',
    library: 'Node.js (net)',
    pattern: /\bconnect ECONNREFUSED (?<host>\[[0-9a-fA-F:]{2,39}\]|[\w.-]{1,253}):(?<port>\d{1,5})\b/,
    captures: ['host', 'port'],
    fixture: 'postgres-down-node.txt',
  },
  {
    // pgjdbc (the PostgreSQL JDBC driver, under HikariCP or any pool) when nothing listens at the
    // address: PSQLException, often the cause of the pool's own timeout.
    id: 'pgjdbc-connection-refused',
    incident: 'database-outage',
    library: 'PostgreSQL JDBC',
    pattern: /Connection to (?<host>\[[0-9a-fA-F:]{2,39}\]|[\w.-]{1,253}):(?<port>\d{1,5}) refused\. Check that the hostname and port are correct and that the postmaster is accepting TCP\/IP connections\./,
    captures: ['host', 'port'],
    fixture: 'pgjdbc-refused.txt',
  },
  {
    // libpq's refused connection (PostgreSQL ≥ 14's wording), whatever the client on top: PHP's PDO
    // (SQLSTATE[08006] [7]), psycopg2, the pg gem. Quotes may come escaped (a JSON-encoded context).
    id: 'libpq-connection-refused',
    incident: 'database-outage',
    library: 'libpq (PDO, psycopg2, pg gem)',
    pattern: /connection to server at \\?"(?<host>[^"\\\n]{1,253})\\?"(?: \([^)\n]{1,64}\))?, port (?<port>\d{1,5}) failed: Connection refused/,
    captures: ['host', 'port'],
    fixture: 'libpq-pdo.txt',
  },
  {
    // PostgreSQL refusing a new session while it stops (SQLSTATE 57P03), as the client relays it.
    id: 'postgres-shutting-down',
    incident: 'database-outage',
    library: 'PostgreSQL (via the client)',
    pattern: /the database system is shutting down/,
    captures: [],
    fixture: 'postgres-down-node.txt',
  },
  {
    // A session ended by the server's fast shutdown (SQLSTATE 57P01), as the client relays it.
    id: 'postgres-admin-terminated',
    incident: 'database-outage',
    library: 'PostgreSQL (via the client)',
    pattern: /terminating connection due to administrator command/,
    captures: [],
    fixture: 'postgres-down-node.txt',
  },
];

const NUMERIC: ReadonlySet<VocabularyValue> = new Set(['exitCode', 'heapMb', 'committedMb', 'bytes', 'inUseBytes', 'pid', 'poolSize', 'overflow', 'timeoutSeconds', 'timeoutMs', 'limitSeconds', 'threads', 'workerLimit', 'port']);

interface IncidentIndex {
  entries: VocabularyEntry[];
  /** The union of the entries' patterns without their group names: one run decides "none". */
  any: RegExp;
  /** `any` as a message test, one function per set of incidents (candidateEvents caches by it). */
  test: (message: string) => boolean;
}

const INDEX = new Map<string, IncidentIndex>();

function indexOf(incidents: readonly Incident[]): IncidentIndex {
  const key = incidents.join(',');
  let ix = INDEX.get(key);
  if (ix === undefined) {
    const entries = VOCABULARY.filter((e) => incidents.includes(e.incident));
    const any = new RegExp(entries.map((e) => `(?:${unnamed(e.pattern.source)})`).join('|'), 'm');
    ix = { entries, any, test: (message) => any.test(message) };
    INDEX.set(key, ix);
  }
  return ix;
}

/** A pattern's source with its named groups made plain, so that several can share one expression. */
function unnamed(source: string): string {
  return source.replace(/\(\?<(?![=!])[A-Za-z]\w*>/g, '(?:');
}

/**
 * The first entry of `incidents` that matches `message` (incidents and entries in vocabulary
 * order; `detail` lines only when `withDetail`), with its captured and implied values.
 */
export function matchVocabulary(message: string, incidents: readonly Incident[], withDetail = false): VocabularyMatch | null {
  const ix = indexOf(incidents);
  if (!ix.any.test(message)) return null;
  for (const entry of ix.entries) {
    if (entry.detail && !withDetail) continue;
    const m = entry.pattern.exec(message);
    if (m === null) continue;
    const values: VocabularyMatch['values'] = { ...entry.implies };
    for (const name of entry.captures) {
      // A pattern with alternatives names a value once per alternative: `task`, `task2`...
      const v = m.groups?.[name] ?? m.groups?.[name + '2'];
      if (v === undefined) continue;
      // A signal the line gives by number ("terminated due to signal 9") is named as the others are.
      values[name] = NUMERIC.has(name) ? Number(v) : name === 'signal' && /^\d+$/.test(v) ? (SIGNALS[Number(v)] ?? `signal ${v}`) : v;
    }
    return { entry, values };
  }
  return null;
}

/** A message test for `candidateEvents`: true when some entry of `incidents` may match. */
export function vocabularyTest(incidents: readonly Incident[]): (message: string) => boolean {
  return indexOf(incidents).test;
}

/** The expression to declare in `meta.interests` for info-level lines of `incidents`. */
export function vocabularyInterest(incidents: readonly Incident[]): RegExp {
  return indexOf(incidents).any;
}

const SIGNALS: Readonly<Record<number, string>> = { 1: 'SIGHUP', 2: 'SIGINT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' };

/** The signal behind a shell's exit code above 128 (137 → SIGKILL), or null. */
export function signalOfExitCode(code: number): string | null {
  return code > 128 && code < 160 ? (SIGNALS[code - 128] ?? `signal ${code - 128}`) : null;
}
