// Multi-line records of real runtimes (test/fixtures/multiline/README.md: Python 3.11 tracebacks,
// Node 20 stacks with a cause, properties and the uncaught-exception output, Java 17 stack traces)
// read as a file and as Railway delivers them: one entry a line, stderr labelled error, in the
// `railway logs --json` and `railway logs` shapes. Each record is rejoined whole, the same way in
// every form.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { railwayJson } from '../../src/ingest/formats/railway-json.js';
import { railwayText } from '../../src/ingest/formats/railway-text.js';
import { postgresStderr } from '../../src/ingest/formats/postgres-stderr.js';
import type { LogEvent } from '../../src/model.js';
import { linesOf, railwayJsonLines, railwayTextLines } from '../helpers/railway-capture.js';
import { runFormat } from './run-format.js';

const capture = (name: string) => readFileSync(`test/fixtures/multiline/${name}`, 'utf8');

/** A record by its shape: how many lines, its first and last line (the text form strips a leading time). */
const shape = (e: LogEvent) => {
  const lines = e.message.split('\n');
  return { lines: lines.length, last: lines[lines.length - 1]!.replace(/^[\d-]+ [\d:,]+ /, '') };
};

/** The capture read as a file, as `railway logs --json` and as `railway logs`: the same records in each. */
function readAllForms(name: string, stream: 'stdout' | 'stderr' = 'stderr') {
  const text = capture(name);
  const lines = linesOf(text, stream);
  const file = runFormat(railwayText, lines.map((l) => l.text));
  const json = runFormat(railwayJson, railwayJsonLines(lines));
  const plain = runFormat(railwayText, railwayTextLines(lines));
  expect(plain.events.map(shape), 'railway logs vs --json').toEqual(json.events.map(shape));
  expect(file.events.map(shape), 'the file vs --json').toEqual(json.events.map(shape));
  expect(plain.events.map((e) => e.level), 'levels').toEqual(json.events.map((e) => e.level));
  // Every line is in a record but the blank ones.
  expect(json.eventLines + json.skipped.length).toBe(lines.length);
  expect(json.skipped.every((s) => s.reason === 'blank message')).toBe(true);
  return json.events;
}

describe('multi-line records of real runtimes, one Railway entry a line', () => {
  it('Python: logging.exception with a chained traceback ("direct cause", "During handling") is one record; an uncaught traceback after a WARNING is its own', () => {
    const ev = readAllForms('python-worker.stderr');
    expect(ev.map((e) => [e.level, e.message.split('\n')[0]!.replace(/^[\d-]+ [\d:,]+ /, '')])).toEqual([
      ['info', 'INFO worker: worker started with 3 jobs'],
      ['info', 'INFO worker: job done'],
      ['error', 'ERROR worker: job failed'],
      ['info', 'INFO worker: job done'],
      ['error', 'ERROR worker: cleanup failed'],
      ['warn', 'WARNING worker: queue empty, stopping'],
      ['error', 'Traceback (most recent call last):'],
    ]);
    const failed = ev[2]!.message;
    expect(failed).toContain('\njson.decoder.JSONDecodeError: Expecting');
    expect(failed).toContain('\nThe above exception was the direct cause of the following exception:\nTraceback (most recent call last):');
    expect(shape(ev[2]!).last).toBe(`RuntimeError: job '{"id": 2' is not JSON`);
    expect(ev[4]!.message).toContain("\nKeyError: 'missing'\nDuring handling of the above exception, another exception occurred:\nTraceback");
    expect(shape(ev[4]!).last).toBe('ZeroDivisionError: division by zero');
    expect(shape(ev[6]!)).toEqual({ lines: 6, last: 'ConnectionError: broker unreachable: [Errno 111] Connection refused' });
  });

  it("Python: a warning of the warnings module is one record at warn level, with its message's further lines, its source line and a ResourceWarning's tracemalloc hint, whatever its category", () => {
    const ev = readAllForms('python-warnings.stderr');
    const strip = (l: string) => l.replace(/^[\d-]+ [\d:,]+ /, '');
    expect(ev.map((e) => [e.level, strip(e.message.split('\n')[0]!).replace(/:.*/, ''), e.message.split('\n').length])).toEqual([
      ['info', 'INFO warner', 1],
      ['warn', '/tmp/i13py/app/warner.py', 4],
      ['warn', '/tmp/i13py/app/warner.py', 2],
      ['info', 'INFO warner', 1],
      ['warn', '<string>', 2],
      ['error', 'ERROR warner', 1],
      ['warn', '/tmp/i13py/app/warner.py', 3],
      ['warn', 'WARNING warner', 1],
      ['warn', 'sys', 1],
    ]);
    expect(ev[1]!.message.split('\n').slice(1, 3)).toEqual(['this is not recommended!', 'Set POOL_PER_PROCESS=1.']);
    expect(ev[1]!.message).toContain('RetryBudgetWarning: the pool is shared');
    expect(ev[4]!.message).toBe('<string>:2: RuntimeWarning: compiled rule is slow\nconsider caching it');
    expect(shape(ev[6]!).last).toBe('ResourceWarning: Enable tracemalloc to get the object allocation traceback');
  });

  it("Node: V8's fatal heap out of memory with its native stack (sixteen numbered frames, the tenth on not indented) is one record", () => {
    // test/fixtures/vocabulary/v8-heap.txt: Node.js 20.20.2, `node --max-old-space-size=16 -e ...` (see its README).
    const ev = readAllForms('../vocabulary/v8-heap.txt');
    expect(ev.map((e) => e.message.split('\n')[0]!.slice(0, 24))).toEqual([
      '<--- Last few GCs --->',
      '[10005:0x17664e20]      ',
      '[10005:0x17664e20]      ',
      '<--- JS stacktrace --->',
      'FATAL ERROR: Reached hea',
    ]);
    const fatal = ev[4]!.message.split('\n');
    expect(fatal).toHaveLength(18);
    expect(fatal[1]).toBe('----- Native stack trace -----');
    expect(fatal[17]).toBe('16: 0x195e476  [node]');
  });

  it("Node: console.error of an Error with a [cause] and properties, a bare TypeError, and the uncaught exception's throw site, caret, stack and version are three records", () => {
    const ev = readAllForms('node-server.stderr');
    expect(ev.map((e) => e.level)).toEqual(['error', 'error', 'error']);
    expect(ev[0]!.message.split('\n')[0]).toBe('GET /users/42 failed: Error: could not load user 42');
    expect(ev[0]!.message).toContain("\n  [cause]: Error: connect ECONNREFUSED 127.0.0.1:6379\n      at connect (/tmp/app/server.js:4:15)");
    expect(ev[0]!.message).toContain("\n    code: 'ECONNREFUSED',\n    port: 6379\n  }\n}");
    expect(shape(ev[1]!)).toEqual({ lines: 8, last: '    at node:internal/main/run_main_module:28:49' });
    expect(ev[2]!.message.split('\n')).toEqual([
      '/tmp/app/server.js:21',
      '  cfg.db.url.trim();',
      '         ^',
      "TypeError: Cannot read properties of undefined (reading 'url')",
      '    at Timeout._onTimeout (/tmp/app/server.js:21:10)',
      '    at listOnTimeout (node:internal/timers:581:17)',
      '    at process.processTimers (node:internal/timers:519:7)',
      'Node.js v20.20.2',
    ]);
  });

  it("Node: an unhandled 'error' event (throw site in node:events, Emitted 'error' event on, the error's properties) is one record", () => {
    const ev = readAllForms('node-client.stderr');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.message).toMatch(/^node:events:\d+\n\s+throw er; \/\/ Unhandled 'error' event\n\s+\^\nError: connect ECONNREFUSED 127\.0\.0\.1:1\n/);
    expect(ev[0]!.message).toContain("\nEmitted 'error' event on Socket instance at:\n");
    expect(ev[0]!.message).toContain("\n  code: 'ECONNREFUSED',");
    expect(shape(ev[0]!).last).toBe('Node.js v20.20.2');
  });

  it('Java: a stack trace under its heading (Caused by, Suppressed, ... N more) and an uncaught one are two records', () => {
    const ev = readAllForms('java-billing.stderr');
    expect(ev.map((e) => e.message.split('\n').slice(0, 2))).toEqual([
      ['SEVERE: billing run failed', 'java.lang.IllegalStateException: invoice 7 not charged'],
      ['Exception in thread "main" java.io.UncheckedIOException: nightly batch aborted', '\tat Billing.main(Billing.java:40)'],
    ]);
    expect(ev[0]!.message).toContain('\nCaused by: java.io.IOException: connection reset by peer while charging invoice 7\n');
    expect(ev[0]!.message).toContain('\n\tSuppressed: java.io.IOException: close failed: broken pipe\n');
    expect(shape(ev[0]!)).toEqual({ lines: 12, last: '\t\t... 2 more' });
    expect(shape(ev[1]!)).toEqual({ lines: 11, last: '\t\t... 3 more' });
    expect(ev.map((e) => e.level)).toEqual(['error', 'error']);
  });

  it("Ruby: a backtrace written under the line that named the error (Logger, puts) joins it on stdout; an uncaught exception's first frame starts a record, its `from` frames in it", () => {
    // test/fixtures/multiline/README.md: Ruby 3.1.2 (Debian), programs/billing.rb.
    const out = readAllForms('ruby-billing.stdout', 'stdout');
    expect(out.map((e) => [e.level, e.message.split('\n').length, e.message.split('\n')[0]!.replace(/^.*-- : /, '')])).toEqual([
      ['info', 1, 'billing started'],
      ['warn', 1, 'IOError: card gateway closed the connection for charge 4242'],
      ['warn', 3, "billing.rb:11:in `charge'"],
      ['info', 1, 'next invoice'],
      ['error', 4, 'charge failed: card gateway closed the connection for charge 7 (IOError)'],
      ['info', 3, 'could not parse invoice id: invalid value for Integer(): "seven"'],
      ['info', 1, 'nightly run'],
    ]);
    expect(shape(out[4]!).last).toBe("billing.rb:28:in `<main>'");
    const err = readAllForms('ruby-billing.stderr');
    // full_message of a rescued error, then the uncaught one and its cause (Ruby prints each with its frames).
    expect(err.map((e) => [e.level, e.message.split('\n').length, e.message.split('\n')[0]])).toEqual([
      ['error', 3, "billing.rb:11:in `charge': card gateway closed the connection for charge 9 (IOError)"],
      ['error', 3, "billing.rb:47:in `rescue in nightly': nightly batch aborted (RuntimeError)"],
      ['error', 4, "billing.rb:11:in `charge': card gateway closed the connection for charge 11 (IOError)"],
    ]);
  });

  it("Sidekiq: the backtrace it logs on stdout under `WARN: <first frame>` is one record per error, no frame a record of its own (the stack lab's capture)", () => {
    // test/fixtures/stacks/ruby/README.md: Sidekiq 6.4.1, redis-rb 4.8.0, Ruby 3.1.2, Redis stopped for 5 s and a job that raises.
    const r = runFormat(railwayJson, readFileSync('test/fixtures/stacks/ruby/faults/worker.jsonl', 'utf8').split('\n').filter(Boolean));
    expect(r.events.filter((e) => /^\/\S+:\d+:in /.test(e.message))).toEqual([]);
    const traces = r.events.filter((e) => / WARN: \/\S+\.rb:\d+:in /.test(e.message));
    expect(traces.length).toBeGreaterThan(3);
    // Each holds its whole backtrace: the job's ends in Sidekiq's thread start, the fetch errors' in its watchdog.
    for (const t of traces) expect(shape(t).last).toMatch(/sidekiq\/(?:util|processor)\.rb:\d+:in `(?:block in safe_thread|run)'$/);
    const job = traces.find((t) => t.message.includes('worker.rb:22:in `perform'))!;
    expect(job.message.split('\n').length).toBeGreaterThan(10);
  });

  it("PL/pgSQL: an error raised in nested functions keeps PostgreSQL's CONTEXT lines (one a call) in its record, through psycopg2, SQLAlchemy and node-postgres, and in PostgreSQL's own log", () => {
    // test/fixtures/multiline/README.md: PostgreSQL 15.18, psycopg2 2.9.5 and SQLAlchemy 1.4.46
    // on Debian's Python 3.11, node-postgres 8.23.1 on Node 20 (programs/capture_plpgsql.ts).
    const context = ['SQL statement "SELECT charge(id)"', 'PL/pgSQL function settle(integer) line 3 at PERFORM', 'SQL statement "SELECT settle(7)"', 'PL/pgSQL function nightly() line 3 at PERFORM'];
    const worker = runFormat(railwayJson, capture('plpgsql-worker.jsonl').split('\n').filter(Boolean));
    const workerFile = runFormat(railwayText, capture('plpgsql-worker.stderr').split('\n'));
    const text = (e: LogEvent) => e.message.replace(/^[\d-]+ [\d:,]+ /, '');
    expect(worker.events.filter((e) => e.stream === 'error').map(text)).toEqual(workerFile.events.map(text));
    expect(worker.events.map((e) => [e.level, e.message.split('\n')[0]!.replace(/^[\d-]+ [\d:,]+ /, '')])).toEqual([
      ['info', 'Starting Container'],
      ['info', 'INFO billing: nightly run started'],
      ['error', 'ERROR billing: nightly run failed'],
      ['info', 'INFO billing: report started'],
      ['error', 'ERROR billing: report failed'],
      ['error', 'ERROR billing: nightly run failed (SQLAlchemy)'],
      ['info', 'INFO billing: retrying once'],
      ['error', 'Traceback (most recent call last):'],
    ]);
    const lines = (e: LogEvent) => e.message.split('\n');
    expect(lines(worker.events[2]!).slice(-5)).toEqual(['CONTEXT:  PL/pgSQL function charge(integer) line 4 at RAISE', ...context]);
    expect(lines(worker.events[4]!).slice(-2)).toEqual(['CONTEXT:  PL/pgSQL function ratio(integer,integer) line 3 at RETURN', 'PL/pgSQL function report() line 4 at assignment']);
    // SQLAlchemy: the driver's error, the chained traceback, its own copy of the text and its [SQL: ] block, all one record.
    expect(lines(worker.events[5]!).filter((l) => l === context[3])).toHaveLength(2);
    expect(shape(worker.events[5]!).last).toBe('(Background on this error at: https://sqlalche.me/e/14/2j85)');
    expect(shape(worker.events[7]!).last).toBe('(Background on this error at: https://sqlalche.me/e/14/2j85)');
    expect(lines(worker.events[7]!)).toContain('PL/pgSQL function settle(integer) line 3 at PERFORM');
    // node-postgres: console.error prints `where` as a string concatenation, indented; the uncaught one ends in Node's version.
    const api = runFormat(railwayJson, capture('plpgsql-api.jsonl').split('\n').filter(Boolean));
    // Its 53 lines of stderr (two blank): two records, as in the stderr file.
    expect(api.events.filter((e) => e.stream === 'error').map((e) => [lines(e)[0], lines(e).length])).toEqual([
      ['nightly run failed: error: invoice 7 not charged', 26],
      ['/work/wt/i13-records/node_modules/pg/lib/client.js:694', 27],
    ]);
    expect(api.events.filter((e) => e.stream === 'error').map(text)).toEqual(runFormat(railwayText, capture('plpgsql-api.stderr').split('\n')).events.map(text));
    // PostgreSQL's own log: the tab-indented lines of CONTEXT stay in their ERROR's record.
    // Read as its stderr file and in the Railway form (each tab-indented line an entry of its own): the same contexts.
    const pgText = capture('postgres-15-plpgsql.log');
    // (in the order they were written: a format may hand a session's records over later than another's)
    const pgErrors = (events: LogEvent[]) => events.filter((e) => e.level === 'error').sort((a, b) => a.ts! - b.ts!).map((e) => [e.message, e.pg?.context?.split('\n').length, e.pg?.statement]);
    const pgFile = pgErrors(runFormat(postgresStderr, pgText.split('\n')).events);
    expect(pgFile).toEqual([
      ['invoice 7 not charged', 5, 'SELECT nightly()'],
      ['division by zero', 2, 'SELECT report()'],
      ['invoice 7 not charged', 5, 'SELECT nightly()'],
      ['invoice 9 not charged', 3, 'SELECT settle(9)'],
      ['invoice 7 not charged', 5, 'SELECT nightly()'],
      ['division by zero', 2, 'SELECT report()'],
    ]);
    expect(pgErrors(runFormat(railwayJson, railwayJsonLines(linesOf(pgText))).events)).toEqual(pgFile);
  });

  it("Celery: the worker's traceback quoted in the exception between \"\"\" lines stays in its record (the stack lab's capture)", () => {
    const r = runFormat(railwayJson, readFileSync('test/fixtures/stacks/python/faults/worker.jsonl', 'utf8').split('\n').filter(Boolean));
    const failed = r.events.find((e) => e.message.includes('Task handler raised error: TimeLimitExceeded'))!;
    expect(failed.message.split('\n').filter((l) => l === '"""')).toHaveLength(2);
    expect(failed.message.split('\n').filter((l) => l === 'Traceback (most recent call last):')).toHaveLength(2);
    expect(failed.message.endsWith('billiard.exceptions.TimeLimitExceeded: TimeLimitExceeded(2.0,)\n"""')).toBe(true);
    expect(r.events.filter((e) => e.message.startsWith('"""'))).toEqual([]);
  });

  it('a line of stdout never continues a record of stderr, nor cuts it', () => {
    const r = runFormat(railwayJson, railwayJsonLines([
      { text: 'ERROR worker: job failed', stream: 'stderr' },
      { text: '  progress 50%', stream: 'stdout' },
      { text: 'Traceback (most recent call last):', stream: 'stderr' },
    ]));
    expect(r.events.map((e) => e.message)).toEqual(['ERROR worker: job failed\nTraceback (most recent call last):', '  progress 50%']);
  });

  it("gunicorn threads: stdout's request logs and prints between the lines of stderr's tracebacks leave each traceback whole, as in the stderr file", () => {
    // test/fixtures/multiline/README.md: gunicorn 20.1 (gthread) and Flask 2.2 on Python 3.11,
    // background threads dying of a KeyError while request threads print, captured as Railway does.
    const json = runFormat(railwayJson, capture('gunicorn-threads.jsonl').split('\n').filter(Boolean));
    const file = runFormat(railwayText, capture('gunicorn-threads.stderr').split('\n'));
    const text = (e: LogEvent) => e.message.replace(/^[\d-]+ [\d:,]+ /, '');
    const stderr = json.events.filter((e) => e.stream === 'error');
    // Entries of stdout came between lines of a traceback on stderr three times in this capture.
    const entries = capture('gunicorn-threads.jsonl').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: string; message: string });
    const cuts = entries.filter((e, i) => i > 0 && e.level === 'error' && /^ |^Trace/.test(e.message) && entries[i - 1]!.level === 'info');
    expect(cuts.length).toBe(3);
    expect(stderr.map(text)).toEqual(file.events.map(text));
    // `railway logs` prints no times: the same records.
    const plain = runFormat(railwayText, railwayTextLines(entries.map((e) => ({ text: e.message, stream: e.level === 'error' ? 'stderr' : 'stdout' }))));
    expect(plain.events.map(text)).toEqual(json.events.map(text));
    expect(json.eventLines + json.skipped.length).toBe(entries.length);
    // Six threads died and six reports failed: twelve tracebacks, no piece of one a record of its
    // own (two threads also wrote into each other on stderr itself, in the file as well).
    expect(stderr.filter((e) => e.message.includes('\nTraceback (most recent call last):\n'))).toHaveLength(12);
    expect(stderr.filter((e) => /^(?: |KeyError)/.test(e.message))).toEqual([]);
    expect(json.events.filter((e) => e.stream === 'info').every((e) => !e.message.includes('\n'))).toBe(true);
  });

  it('the window: a line joins its stream\'s record across at most 500 lines of other streams and within 2 s of its first line', () => {
    // Lines of gunicorn-threads.stderr / .jsonl.
    const head = [{ text: 'Exception in thread settle-1:', stream: 'stderr' }, { text: 'Traceback (most recent call last):', stream: 'stderr' }] as const;
    const frame = { text: '  File "/usr/lib/python3.11/threading.py", line 1038, in _bootstrap_inner', stream: 'stderr' } as const;
    const prints = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `progress 1: step ${i % 25} of 25`, stream: 'stdout' as const }));
    const records = (lines: string[]) => runFormat(railwayText, lines).events.filter((e) => e.stream === 'ERRO').length;
    expect(records(railwayTextLines([...head, ...prints(499), frame]))).toBe(1);
    expect(records(railwayTextLines([...head, ...prints(501), frame]))).toBe(2);
    const at = (ms: number, line: { text: string; stream: 'stdout' | 'stderr' }) => JSON.stringify({ message: line.text, level: line.stream === 'stderr' ? 'error' : 'info', timestamp: new Date(Date.UTC(2026, 11, 7, 22, 56, 4) + ms).toISOString() });
    const timed = (late: number) => runFormat(railwayJson, [at(0, head[0]), at(0, head[1]), at(500, prints(1)[0]!), at(late, frame)]).events.filter((e) => e.stream === 'error').length;
    expect(timed(1900)).toBe(1);
    expect(timed(2100)).toBe(2);
  });
});
