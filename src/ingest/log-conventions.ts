// The logging conventions whose lines announce their own level: which library writes them, what
// a line looks like, and how its level is read. Railway labels every line written to stderr
// `error`; a Celery worker or a uvicorn server writes its INFO lines there, so the level the line
// announces must win over the label (level.ts reads it, with one reader per shape below, chosen by
// the line's first characters). This file is data: the readers take their level words, symbols and
// JSON keys from it, `hindsight conventions` lists it, and test/ingest/log-conventions.test.ts
// checks every entry on the library's real output (test/fixtures/conventions/).
import type { Level } from '../model.js';

/**
 * How a line shows its level. Each shape is one reader in level.ts, chosen by the first characters
 * of the line, so a line is looked at by one reader, not tried against every convention.
 */
export type LevelShape =
  /** An upper-case level word opens the line: `INFO:root:...`, `WARNING:  ...`, `ERROR 2026-...`. */
  | 'word-first'
  /** A lower-case level word and a colon open the line: `info: ...`, `fail: Category[0]`. */
  | 'word-colon'
  /** A level word in brackets opens the line: `[error] ...`, `[INFO] ...`. */
  | 'bracketed-word'
  /** A time, then a few short tokens (logger, thread, pid), then the level word, bare or bracketed. */
  | 'after-time'
  /** A bracketed time opens the line; the level word follows inside or after it: `[time: INFO/Main]`, `[time] [pid] [INFO]`, `[time] app.INFO:`. */
  | 'after-bracketed-time'
  /** A tag, then the level word: `[Nest] 1234  - date   LOG [Ctx] ...` (after pid and time), `npm warn ...`. */
  | 'after-tag'
  /** Ruby's Logger: the level's first letter, a comma, the bracketed time: `I, [time #pid]  INFO -- : ...`. */
  | 'ruby-letter'
  /** A symbol opens the line: Next.js's `⚠ ...`, `⨯ ...`. */
  | 'symbol'
  /** The line is a JSON object with a level member (words, or numbers on the convention's scale). */
  | 'json'
  /** `key=value` pairs, one of them `level=`: `time=... level=info msg=...`. */
  | 'logfmt'
  /** A request line of the common/combined access log format: the server's record of a request, level info. */
  | 'access-log'
  /** Django's development server: `[date] "GET / HTTP/1.1" 404 2192`, logged at the status's level. */
  | 'status-line'
  /** A warning's category after the program's prefix: `path.py:3: DeprecationWarning: ...`, `(node:26512) Warning: ...`. */
  | 'warning-line'
  /** No level in the line: the program's stream is its level (listed so that nobody looks for one). */
  | 'stream';

export interface LogConvention {
  id: string;
  /** The library or program, with its language. */
  library: string;
  shape: LevelShape;
  /** How a line of it is recognised, for `hindsight conventions`. */
  recognisedBy: string;
  /** A line the library wrote, from its capture in test/fixtures/conventions/. */
  example: string;
  /** The level that example announces (null for 'stream': Railway's label stands). */
  level: Level | null;
  /**
   * The convention's own level words, beyond the shared ones in level.ts (`ERROR`, `warning`,
   * `CRITICAL`, ...). For 'word-colon' these are the only words read (so "note: ..." is no level);
   * for 'ruby-letter' the letters, for 'symbol' the symbols; otherwise they join the shared words.
   */
  words?: Readonly<Record<string, Level>>;
  /** For 'after-tag': the tag as written, brackets included (`[Nest]`, `npm`, `PHP`); `words` are read after it only. */
  tag?: string;
  /**
   * For 'after-bracketed-time' lines without a level word: the text right after the bracketed time
   * that marks them, read at the convention's `level` (php-fpm's slow log: `[time]  [pool www] pid N`).
   */
  afterTime?: string;
  /**
   * A program that passes other programs' lines on under a level of its own (php-fpm's caught
   * worker output is all WARNING, nginx logs FastCGI's stderr at [error]): the text after which the
   * carried line stands. The carried line's level wins when it announces one (level.ts).
   */
  carries?: string;
  /** For 'json': the members that hold the level (a word, or a number: pino's 10-60, Monolog's 100-600). */
  keys?: readonly string[];
  /**
   * The lines the program writes whenever it stops cleanly (on SIGTERM or SIGINT), from its source
   * or capture. A life of a program that announces its stop and ended without these lines was killed
   * or crashed; a program without them (a plain Node server) may end either way in silence. The
   * lifecycle rules that read these lines name the convention as their program
   * (src/detectors/shared/lifecycle.ts).
   */
  shutdown?: string;
  /**
   * For a program that writes its ordinary lines to stderr with no level of their own (Go's log
   * package, Ruby's Kernel#warn): the level of such a line, which Railway labels `error`, unless
   * its words say error (level.ts, stderrLevelOf). Lines of other programs with no level keep the label.
   */
  stderrLevel?: Level;
}

const NPM_LEVELS = { error: 'error', warn: 'warn', info: 'info', http: 'info', verbose: 'debug', debug: 'debug', silly: 'trace' } as const;

export const CONVENTIONS: readonly LogConvention[] = [
  {
    id: 'python-logging',
    library: "Python logging (basicConfig's default, and formats that open with the level)",
    shape: 'word-first',
    recognisedBy: '`LEVEL:logger:message` (basicConfig), or a format that opens with `%(levelname)s`',
    example: 'INFO:app.jobs:Error connecting is retried on the next tick, info about it follows',
    level: 'info',
  },
  {
    id: 'python-asctime',
    library: 'Python logging with an asctime format (`%(asctime)s - %(name)s - %(levelname)s - %(message)s` and alike)',
    shape: 'after-time',
    recognisedBy: 'a time, then up to a few tokens (logger name, `-`), then the upper-case level word',
    example: '2026-12-07 17:07:13,668 - app.jobs - WARNING - queue is 80 percent full',
    level: 'warn',
  },
  {
    id: 'celery',
    library: 'Celery worker and beat (Python)',
    shape: 'after-bracketed-time',
    recognisedBy: '`[2026-12-07 17:07:18,250: LEVEL/ProcessName] ...`',
    example: '[2026-12-07 17:07:18,250: INFO/ForkPoolWorker-1] tasks.tick[0194388d-3607-4196-9069-49cc24450345]: tick ran',
    level: 'info',
    shutdown: 'the worker: `worker: Warm shutdown (MainProcess)` on SIGTERM or SIGINT, `worker: Cold shutdown (MainProcess)` on SIGQUIT (celery/apps/worker.py); beat writes nothing when it stops',
  },
  {
    id: 'gunicorn',
    library: 'gunicorn (Python)',
    shape: 'after-bracketed-time',
    recognisedBy: '`[2026-12-07 17:07:31 +0000] [pid] [LEVEL] ...`',
    example: '[2026-12-07 17:07:31 +0000] [21595] [INFO] Booting worker with pid: 21595',
    level: 'info',
    shutdown: '`Handling signal: term`, `Worker exiting (pid: N)`, `Shutting down: Master` (gunicorn/arbiter.py)',
  },
  {
    id: 'uvicorn',
    library: 'uvicorn (Python)',
    shape: 'word-first',
    recognisedBy: '`LEVEL:` padded with spaces: `INFO:     Started server process [22440]`',
    example: 'INFO:     127.0.0.1:53744 - "GET / HTTP/1.1" 200 OK',
    level: 'info',
    shutdown: '`Shutting down`, `Waiting for application shutdown.`, `Application shutdown complete.`, `Finished server process [N]` (uvicorn/server.py); with `--workers`, `Received SIGTERM, exiting.` and `Stopping parent process [N]` (uvicorn/supervisors/multiprocess.py)',
  },
  {
    id: 'django-server',
    library: "Django's development server (runserver; logger django.server)",
    shape: 'status-line',
    recognisedBy: '`[07/Dec/2026 11:08:09] "GET /missing HTTP/1.1" 404 2192`: Django logs a 5xx at ERROR, a 4xx at WARNING, others at INFO (django/core/servers/basehttp.py)',
    example: '[07/Dec/2026 11:08:09] "GET /missing HTTP/1.1" 404 2192',
    level: 'warn',
  },
  {
    id: 'flask',
    library: "Flask's app.logger (`[%(asctime)s] %(levelname)s in %(module)s: %(message)s`)",
    shape: 'after-bracketed-time',
    recognisedBy: '`[2026-12-07 17:08:22,060] LEVEL in module: ...`',
    example: '[2026-12-07 17:08:22,060] WARNING in flaskapp: cache cold, info about it in the docs',
    level: 'warn',
  },
  {
    id: 'werkzeug',
    library: "werkzeug, Flask's development server (Python)",
    shape: 'access-log',
    recognisedBy: 'its request lines, `127.0.0.1 - - [07/Dec/2026 17:08:22] "GET / HTTP/1.1" 200 -`, are logged at INFO whatever the status; ` * Running on ...` lines at INFO',
    example: '127.0.0.1 - - [07/Dec/2026 17:08:22] "GET /boom HTTP/1.1" 500 -',
    level: 'info',
  },
  {
    id: 'pino',
    library: 'pino (Node)',
    shape: 'json',
    recognisedBy: 'a JSON object with a numeric `level`: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal (as the message text, or flattened by Railway)',
    example: '{"level":30,"time":1796663312105,"pid":24859,"hostname":"vm","req":{"method":"GET","url":"/health"},"msg":"request completed"}',
    level: 'info',
    keys: ['level'],
  },
  {
    id: 'bunyan',
    library: 'bunyan (Node)',
    shape: 'json',
    recognisedBy: "a JSON object with a numeric `level` on pino's scale (10-60) and `\"v\":0`",
    example: '{"name":"api","hostname":"vm","pid":24888,"level":40,"msg":"Error connecting is retried","time":"2026-12-07T17:08:32.390Z","v":0}',
    level: 'warn',
    keys: ['level'],
  },
  {
    id: 'winston-json',
    library: "winston's json and logstash formats (Node)",
    shape: 'json',
    recognisedBy: 'a JSON object with a `level` word: `{"level":"info","message":"..."}`',
    example: '{"level":"info","message":"info about the job","timestamp":"2026-12-07T17:08:32.282Z"}',
    level: 'info',
    keys: ['level'],
    words: NPM_LEVELS,
  },
  {
    id: 'winston-simple',
    library: "winston's simple and cli formats (Node)",
    shape: 'word-colon',
    recognisedBy: 'an npm level word (error, warn, info, http, verbose, debug, silly) and a colon: `info: ...`',
    example: 'info: info about the job',
    level: 'info',
    words: NPM_LEVELS,
  },
  {
    id: 'nestjs',
    library: "NestJS's ConsoleLogger (Node)",
    shape: 'after-tag',
    recognisedBy: '`[Nest] pid  - date, time PM   LEVEL [Context] ...` (LOG, ERROR, WARN, DEBUG, VERBOSE, FATAL)',
    example: '[Nest] 25336  - 12/07/2026, 5:08:38 PM     LOG [Jobs] info about the job',
    level: 'info',
    tag: '[Nest]',
    words: { log: 'info', verbose: 'debug' },
  },
  {
    id: 'nextjs',
    library: "Next.js's server log (Node)",
    shape: 'symbol',
    recognisedBy: "the prefix symbol of next/dist/build/output/log: `⚠` warn, `⨯` error; `▲`, `○`, `✓`, `»` are info",
    example: '⚠ Invalid next.config.js options detected',
    level: 'warn',
    words: { '⚠': 'warn', '⨯': 'error', '▲': 'info', '○': 'info', '✓': 'info', '»': 'trace' },
  },
  {
    id: 'monolog',
    library: "PHP Monolog's LineFormatter (the default)",
    shape: 'after-bracketed-time',
    recognisedBy: '`[2026-12-07T17:15:56.865326+00:00] channel.LEVEL: message context extra`',
    example: '[2026-12-07T17:16:04.284033+00:00] app.WARNING: Error connecting is retried [] []',
    level: 'warn',
  },
  {
    id: 'monolog-json',
    library: "PHP Monolog's JsonFormatter",
    shape: 'json',
    recognisedBy: '`"level_name":"INFO"`, or `"level"` on Monolog\'s scale (100 DEBUG, 200 INFO, 250 NOTICE, 300 WARNING, 400 ERROR, 500 CRITICAL, 550 ALERT, 600 EMERGENCY); flattened by Railway, `level_name` is read beside its `level`',
    example: '{"message":"info about the job","context":{"job":42},"level":200,"level_name":"INFO","channel":"app","datetime":"2026-12-07T17:16:04.284113+00:00","extra":{}}',
    level: 'info',
    keys: ['level_name', 'level'],
  },
  {
    id: 'laravel',
    library: "Laravel's log (Monolog's LineFormatter as Illuminate\\Log\\LogManager builds it)",
    shape: 'after-bracketed-time',
    recognisedBy: '`[2026-12-07 17:16:04] environment.LEVEL: message`',
    example: '[2026-12-07 17:16:04] production.INFO: info about the job {"job":42} ',
    level: 'info',
  },
  {
    id: 'php-fpm',
    library: "php-fpm's own log (PHP's FastCGI process manager, `error_log = /proc/self/fd/2` as the official image sets it)",
    shape: 'after-bracketed-time',
    recognisedBy: '`[08-Dec-2026 02:08:58] NOTICE: fpm is running, pid 9582` (DEBUG, NOTICE, WARNING, ERROR, ALERT)',
    example: '[08-Dec-2026 02:10:10] WARNING: [pool www] server reached pm.max_children setting (3), consider raising it',
    level: 'warn',
    shutdown: '`Terminating ...` (SIGTERM, SIGINT) or `Finishing ...` (SIGQUIT: a graceful stop), then `exiting, bye-bye!` (sapi/fpm/fpm/fpm_events.c, fpm.c)',
  },
  {
    id: 'php-fpm-workers',
    library: "php-fpm's caught worker output (`catch_workers_output = yes`): what a PHP worker writes to its stderr (Monolog on php://stderr, PHP's error log)",
    shape: 'after-bracketed-time',
    recognisedBy: '`[time] WARNING: [pool www] child N said into stderr: "..."`: php-fpm logs every such line at WARNING; the carried line\'s own level wins (a Monolog `app.DEBUG:`, PHP\'s `PHP Fatal error:`), and without one fpm\'s WARNING stands',
    example: '[08-Dec-2026 02:08:58] WARNING: [pool www] child 9587 said into stderr: "[2026-12-08T02:08:58.745797+00:00] app.DEBUG: orders listed {"count":5} []"',
    level: 'debug',
    carries: 'said into stderr: "',
  },
  {
    id: 'php-fpm-slowlog',
    library: "php-fpm's slow log (`request_slowlog_timeout`, `slowlog = /proc/self/fd/2`): the stack of a request that ran too long",
    shape: 'after-bracketed-time',
    recognisedBy: '`[time]  [pool www] pid N` (two spaces, no level), then `script_filename = ...` and a frame a line, `[0x...] function() file:line`, joined to it; at warn, the level of php-fpm\'s `executing too slow` line that announces it',
    example: '[08-Dec-2026 02:10:17]  [pool www] pid 12249',
    level: 'warn',
    afterTime: '  [pool ',
  },
  {
    id: 'php-errors',
    library: "PHP's error log (`log_errors`): `PHP Warning:  ...`, `PHP Fatal error:  ...`, passed on by php-fpm as `PHP message: ...`",
    shape: 'after-tag',
    recognisedBy: '`PHP` and the error\'s type: Fatal error, Parse error, Recoverable fatal error (error: the request ends, not the process), Warning (warn), Deprecated, Notice, Strict Standards (info)',
    example: '[08-Dec-2026 02:10:30] WARNING: [pool www] child 12309 said into stderr: "NOTICE: PHP message: PHP Fatal error:  Allowed memory size of 33554432 bytes exhausted (tried to allocate 2097152 bytes) in /work/wt/i13-php/test/e2e/stack-lab/php/index.php on line 67"',
    level: 'error',
    tag: 'PHP',
    words: { fatal: 'error', parse: 'error', recoverable: 'error', warning: 'warn', deprecated: 'info', notice: 'info', strict: 'info' },
    carries: 'PHP message: ',
  },
  {
    id: 'go-slog',
    library: 'Go\'s log/slog TextHandler (golang.org/x/exp/slog, whose handlers log/slog took over)',
    shape: 'logfmt',
    recognisedBy: '`time=... level=INFO msg=...`',
    example: 'time=2026-12-07T17:29:09.102Z level=WARN msg="Error connecting is retried"',
    level: 'warn',
  },
  {
    id: 'go-slog-default',
    library: 'Go\'s slog default logger (through package log)',
    shape: 'after-time',
    recognisedBy: '`2026/12/07 17:29:05 LEVEL message`',
    example: '2026/12/07 17:29:09 INFO info about the job job=42',
    level: 'info',
  },
  {
    id: 'go-log',
    library: 'Go\'s standard log package (log.Printf, log.Fatalf; net/http\'s own messages)',
    shape: 'stream',
    recognisedBy:
      'no level of its own: `2026/12/07 22:57:04 message` on stderr for every line, log.Print and log.Fatal alike, so a line Railway labels `error` is info unless its words say error (`http: panic serving ...`, `failed to connect`) (a word after the time is read as slog\'s level)',
    example: '2026/12/07 22:57:04 connected, running every 2s',
    level: null,
    stderrLevel: 'info',
  },
  {
    id: 'go-slog-json',
    library: 'Go\'s slog JSONHandler',
    shape: 'json',
    recognisedBy: '`{"time":...,"level":"INFO","msg":...}`',
    example: '{"time":"2026-12-07T17:29:09.105697181Z","level":"ERROR","msg":"query failed","err":"connection refused"}',
    level: 'error',
    keys: ['level'],
  },
  {
    id: 'logrus',
    library: 'Go logrus\'s TextFormatter (when not on a terminal)',
    shape: 'logfmt',
    recognisedBy: '`time="..." level=warning msg="..."`',
    example: 'time="2026-12-07T17:29:09Z" level=info msg="info about the job" job=42',
    level: 'info',
  },
  {
    id: 'logrus-json',
    library: 'Go logrus\'s JSONFormatter',
    shape: 'json',
    recognisedBy: '`{"level":"info","msg":...,"time":...}`',
    example: '{"level":"warning","msg":"Error connecting is retried","time":"2026-12-07T17:29:09Z"}',
    level: 'warn',
    keys: ['level'],
  },
  {
    id: 'zerolog',
    library: 'Go zerolog',
    shape: 'json',
    recognisedBy: '`{"level":"info",...,"message":...}`',
    example: '{"level":"warn","time":"2026-12-07T17:29:09Z","message":"Error connecting is retried"}',
    level: 'warn',
    keys: ['level'],
  },
  {
    id: 'zerolog-console',
    library: 'Go zerolog\'s ConsoleWriter',
    shape: 'after-time',
    recognisedBy: '`5:29PM WRN message` (TRC, DBG, INF, WRN, ERR, FTL, PNC)',
    example: '5:29PM INF info about the job job=42',
    level: 'info',
    words: { trc: 'trace', dbg: 'debug', inf: 'info', wrn: 'warn', err: 'error', ftl: 'fatal', pnc: 'fatal' },
  },
  {
    id: 'zap',
    library: 'Go zap\'s NewProduction (JSON)',
    shape: 'json',
    recognisedBy: '`{"level":"info","ts":...,"caller":...,"msg":...}` (dpanic is error)',
    example: '{"level":"info","ts":1796664549.1288996,"caller":"go/main.go:64","msg":"info about the job","job":42}',
    level: 'info',
    keys: ['level'],
    words: { dpanic: 'error' },
  },
  {
    id: 'zap-development',
    library: 'Go zap\'s NewDevelopment (console encoder)',
    shape: 'after-time',
    recognisedBy: '`2026-12-07T17:29:05.887Z<TAB>WARN<TAB>caller<TAB>message`',
    example: '2026-12-07T17:29:09.135Z	WARN	go/main.go:72	Error connecting is retried',
    level: 'warn',
  },
  {
    id: 'rust-tracing',
    library: 'Rust tracing-subscriber\'s fmt (default format)',
    shape: 'after-time',
    recognisedBy: '`2026-12-07T17:30:59.810649Z  INFO target: message`',
    example: '2026-12-07T17:30:59.810649Z  INFO logs: info about the job job=42',
    level: 'info',
  },
  {
    id: 'rust-env-logger',
    library: 'Rust env_logger',
    shape: 'after-bracketed-time',
    recognisedBy: '`[2026-12-07T17:30:59Z INFO  target] message`',
    example: '[2026-12-07T17:30:59Z WARN  logs] Error connecting is retried',
    level: 'warn',
  },
  {
    id: 'logback',
    library: 'Java logback\'s default (BasicConfigurator, TTLLLayout)',
    shape: 'after-time',
    recognisedBy: '`17:29:36.629 [thread] LEVEL logger - message`',
    example: '17:29:36.629 [main] INFO com.example.jobs.Worker - info about the job 42',
    level: 'info',
  },
  {
    id: 'log4j2',
    library: 'Java log4j2 PatternLayout with its default pattern (`%d{HH:mm:ss.SSS} [%t] %-5level %logger{36} - %msg%n`)',
    shape: 'after-time',
    recognisedBy: '`17:29:40.284 [main] WARN  logger - message`',
    example: '17:29:40.284 [main] WARN  com.example.jobs.Worker - Error connecting is retried',
    level: 'warn',
  },
  {
    id: 'spring-boot',
    library: 'Spring Boot\'s console pattern (on logback)',
    shape: 'after-time',
    recognisedBy: '`2026-12-07T17:29:42.407Z  INFO 41327 --- [main] logger : message`',
    example: '2026-12-07T17:29:42.407Z  INFO 41327 --- [           main] com.example.jobs.Worker                  : info about the job 42',
    level: 'info',
  },
  {
    id: 'rails',
    library: 'Ruby on Rails\' production logger (Ruby\'s Logger::Formatter, tagged)',
    shape: 'ruby-letter',
    recognisedBy: 'the level\'s first letter, a comma, the bracketed time: `I, [2026-12-07T17:29:55.611990 #19064]  INFO -- : message`',
    example: 'I, [2026-12-07T17:29:58.667861 #19184]  INFO -- : [3f2a9c1e-7d41-4b8e-9a55-0c1d2e3f4a5b] Started GET "/health" for 10.0.0.7 at 2026-12-07 17:30:00 +0000',
    level: 'info',
    words: { D: 'debug', I: 'info', W: 'warn', E: 'error', F: 'fatal' },
  },
  {
    id: 'sidekiq',
    library: 'Sidekiq\'s logger (Ruby)',
    shape: 'after-time',
    recognisedBy: '`2026-12-07T17:29:59.444Z pid=19206 tid=efu class=HardJob jid=... INFO: message`',
    example: '2026-12-07T17:29:59.444Z pid=19206 tid=efu class=HardJob jid=b4a577edbccf1d805744efa9 INFO: start',
    level: 'info',
  },
  {
    id: 'ruby-warn',
    library: "Ruby's Kernel#warn: redis-rb's deprecation notices (Redis.deprecate!, lib/redis.rb), on stderr",
    shape: 'stream',
    recognisedBy:
      "no level of its own: redis-rb's notices say `deprecated` or end with `(called from: path:line:in `method')`; Railway labels them `error`, read as warn unless their words say error",
    example: "Redis#sadd will always return an Integer in Redis 5.0.0. Use Redis#sadd? instead.(called from: redis_warn.rb:6:in `<main>')",
    level: null,
    stderrLevel: 'warn',
  },
  {
    id: 'puma',
    library: 'puma (Ruby)',
    shape: 'stream',
    recognisedBy: 'no level of its own: boot lines go to stdout, `Rack app (...)` errors to stderr, so Railway\'s label is right and is kept',
    example: '2026-12-07 17:30:05 +0000 Rack app ("GET /boom" - (127.0.0.1)): #<RuntimeError: boom>',
    level: null,
    shutdown: 'single mode `- Gracefully stopping, waiting for requests to finish` (lib/puma/single.rb); cluster mode `=== puma shutdown: <time> ===`, `- Goodbye!` (lib/puma/launcher.rb)',
  },
  {
    id: 'redis',
    library: 'Redis server (its own log, on stdout in a container)',
    shape: 'stream',
    recognisedBy:
      '`pid:role date time symbol message` (`4958:M 07 Dec 2026 22:54:49.873 * Ready to accept connections`): the symbol (`.` debug, `-` verbose, `*` notice, `#` warning) is not read, so Railway\'s label (info: Redis writes to stdout) stands, except for a message that opens with a level word after the time (`# WARNING Memory overcommit must be enabled!`, read at warn)',
    example: '4958:M 07 Dec 2026 22:54:49.873 * Ready to accept connections',
    level: null,
    shutdown: "`Received SIGTERM scheduling shutdown...`, `User requested shutdown...`, `Redis is now ready to exit, bye bye...` (server.c)",
  },
  {
    id: 'elixir',
    library: 'Elixir\'s Logger (default console format)',
    shape: 'after-time',
    recognisedBy: '`17:30:19.189 [info] message` (metadata may stand before the level)',
    example: '17:30:19.189 [warning] Error connecting is retried',
    level: 'warn',
  },
  {
    id: 'nginx-error',
    library: 'nginx\'s error log',
    shape: 'after-time',
    recognisedBy: '`2026/12/07 17:30:20 [error] 20008#20008: ...` (debug, info, notice, warn, error, crit, alert, emerg)',
    example: '2026/12/07 17:30:19 [notice] 20006#20006: start worker process 20008',
    level: 'info',
    shutdown:
      'at `notice` (the level of its Docker image, which also logs its start): `signal 3 (SIGQUIT) received from N, shutting down` (graceful) or `signal 15 (SIGTERM) received from N, exiting` (fast), then `exit` (src/os/unix/ngx_process_cycle.c)',
    // A PHP app's errors reach nginx as FastCGI stderr, which nginx logs at [error] whatever PHP said.
    carries: 'FastCGI sent in stderr: "',
  },
  {
    id: 'nginx-access',
    library: 'nginx\'s access log (combined), and any server\'s common or combined log',
    shape: 'access-log',
    recognisedBy: '`127.0.0.1 - - [07/Dec/2026:17:30:20 +0000] "GET / HTTP/1.1" 200 ...`: a served request is info, whatever its status',
    example: '127.0.0.1 - - [07/Dec/2026:17:30:20 +0000] "GET /api/x HTTP/1.1" 502 157 "-" "curl/7.88.1"',
    level: 'info',
  },
  {
    id: 'caddy',
    library: 'Caddy\'s log (JSON)',
    shape: 'json',
    recognisedBy: '`{"level":"info","ts":...,"logger":...,"msg":...}`',
    example: '{"level":"info","ts":1796664628.4147692,"logger":"http.log","msg":"server running","name":"srv0","protocols":["h1","h2","h3"]}',
    level: 'info',
    keys: ['level'],
  },
  {
    id: 'npm',
    library: 'npm (its own messages: npm warn, npm error, npm notice; npm WARN and npm ERR! before npm 10)',
    shape: 'after-tag',
    recognisedBy: '`npm` and a level word: `npm warn config production Use --omit=dev instead.`',
    example: 'npm warn config production Use `--omit=dev` instead.',
    level: 'warn',
    tag: 'npm',
  },
  {
    id: 'node-warnings',
    library: "Node's process warnings (process.emitWarning, deprecations)",
    shape: 'warning-line',
    recognisedBy: '`(node:PID) [CODE] SomethingWarning: ...`, and the `(Use `node --trace-warnings ...`)` hint after the first',
    example: '(node:28478) [DEP0005] DeprecationWarning: Buffer() is deprecated due to security and usability issues. Please use the Buffer.alloc(), Buffer.allocUnsafe(), or Buffer.from() methods instead.',
    level: 'warn',
  },
  {
    id: 'python-warnings',
    library: "Python's warnings module",
    shape: 'warning-line',
    recognisedBy: '`/path/file.py:LINE: SomethingWarning: ...` (also `<string>:2:`, `sys:1:`), joined with the message\'s further lines, the indented source line it quotes and a ResourceWarning\'s tracemalloc lines into one record',
    example: '/tmp/i13l-app/main.py:4: RuntimeWarning: pool size 50 is above the server limit',
    level: 'warn',
  },
  {
    id: 'python-json-logger',
    library: "python-json-logger's JsonFormatter (Python logging as JSON)",
    shape: 'json',
    recognisedBy: '`"levelname": "INFO"`; flattened by Railway, `levelname` is read beside its `level`',
    example: '{"asctime": "2026-12-07 17:57:30,091", "levelname": "INFO", "name": "app.jobs", "message": "info about the job", "job": 42}',
    level: 'info',
    keys: ['levelname'],
  },
  {
    id: 'structlog',
    library: "structlog's JSONRenderer with add_log_level (Python)",
    shape: 'json',
    recognisedBy: '`{"event": ..., "level": "warning", ...}`',
    example: '{"event": "Error connecting is retried", "level": "warning", "timestamp": "2026-12-07T17:57:30.219077Z"}',
    level: 'warn',
    keys: ['level'],
  },
  {
    id: 'prisma',
    library: "Prisma Client's log (Node)",
    shape: 'after-tag',
    recognisedBy: '`prisma:warn ...`, `prisma:error ...`, `prisma:info ...` (@prisma/client runtime/client.js writes its tag and a space before the message)',
    example: 'prisma:warn info about the job is only a phrase here',
    level: 'warn',
    tag: 'prisma:',
  },
];
