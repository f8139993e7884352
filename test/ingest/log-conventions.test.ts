// Every logging convention of the catalogue, on its library's real output: the captures in
// test/fixtures/conventions/ (README.md there names program, version and command). Each line's
// expected level is the one the program logged it at (the capture script's calls, in order).
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Level } from '../../src/model.js';
import { CONVENTIONS } from '../../src/ingest/log-conventions.js';
import { lastCueShape, levelCueOf, stderrLevelOf } from '../../src/ingest/level.js';
import { parsePgLine } from '../../src/ingest/postgres-line.js';
import { withoutTerminalCodes } from '../../src/ingest/terminal-codes.js';
import { railwayJson } from '../../src/ingest/formats/railway-json.js';
import { railwayText } from '../../src/ingest/formats/railway-text.js';
import { raw } from '../../src/ingest/formats/raw.js';
import { runFormat } from './run-format.js';
import { vocabularyTest } from '../../src/ingest/error-vocabulary.js';

const IN_VOCABULARY = vocabularyTest(['pool-exhaustion', 'worker-timeout', 'out-of-memory', 'process-exit', 'broker-outage', 'database-outage']);

const DIR = join(__dirname, '../fixtures/conventions');

/** One letter a line: T D I W E F for trace ... fatal, `-` for a line that announces no level. */
const EXPECTED: Record<string, string> = {
  // basicConfig's default, then four asctime formats; each logs debug, info, warning, error, critical.
  'python.txt': 'DIWEF'.repeat(5),
  'celery-worker.txt': 'IIIIIIWIIEII',
  'celery-beat.txt': 'IIII',
  'gunicorn.txt': 'IIIIEFIIIII',
  'gunicorn-access.txt': 'II',
  'uvicorn.txt': 'IIIIEIIIIII',
  // "Not Found: /missing" and "Internal Server Error: /boom" (django.request's log_response) name no level.
  'django.txt': 'I-W-E',
  // "Press CTRL+C to quit" (werkzeug, INFO) names none either.
  'flask.txt': 'WI-WIEI',
  'pino.txt': 'TDIWEF',
  'bunyan.txt': 'TDIWEF',
  // json, simple, cli (whose `http` line reads `http:undefinedGET`), json with timestamp, logstash.
  'winston.txt': 'TDDIIWE' + 'TDDIIWE' + 'TDD-IWE' + 'TDDIIWE' + 'TDDIIWE',
  'nestjs.txt': 'IIDDIWEF',
  'nextjs.txt': 'III-TWE',
  // LineFormatter, then JsonFormatter: debug, info, notice, warning, error, critical, alert, emergency.
  'monolog.txt': 'DIIWEFFF'.repeat(2),
  'laravel.txt': 'DIWEF',
  // php-fpm's own lines, the lines of its workers it passes on (Monolog's, PHP's errors: their own
  // level; a trace line with none keeps fpm's WARNING), nginx's FastCGI stderr (PHP's level) and upstream errors, and
  // the header of php-fpm's slow log (no level word: warn, as the WARNING that announces it).
  'php-fpm.txt': 'IIWDIEWEEWWWWWIIIIWEEEE' + 'W',
  // TextHandler, JSONHandler, the default logger: info, warn, error each (debug is below their level).
  'go-slog.txt': 'IWE'.repeat(3),
  // TextFormatter, JSONFormatter.
  'go-logrus.txt': 'TDIWE'.repeat(2),
  // JSON, ConsoleWriter.
  'go-zerolog.txt': 'TDIWE'.repeat(2),
  // log.Printf twice, then net/http's recovered panic: no level word (ON_STDERR has their level on stderr).
  'go-log.txt': '---',
  // redis-rb's deprecation notices and a rescue's warn: no level word (ON_STDERR).
  'ruby-warn.txt': '----',
  // NewProduction (info and up), NewDevelopment.
  'go-zap.txt': 'IWE' + 'DIWE',
  'rust-tracing.txt': 'TDIWE',
  'rust-env-logger.txt': 'TDIWE',
  'java-logback.txt': 'DIWE',
  'java-log4j2.txt': 'TDIWEF',
  'spring-boot.txt': 'TDIWE',
  'rails.txt': 'DIWEF',
  'sidekiq.txt': 'DIIWE',
  // Boot lines (stdout) and a Rack app's error (stderr): no level words, Railway's label stands.
  'puma.txt': '-'.repeat(10),
  // Two starts and a stop of redis-server 7.0.15 (stdout): no level is read from its symbol; its
  // `# WARNING ...` notice opens with a level word after the time, read as a warning.
  'redis.txt': '------W-' + '------W-' + '---',
  // debug, info, notice, warning, error, critical.
  'elixir.txt': 'DIIWEF',
  // The error log (a warn at start, notices, info, two errors), then the access log (200, 404, 502).
  'nginx.txt': 'W' + 'I'.repeat(6) + 'IEIEI' + 'I'.repeat(7) + 'III',
  // Caddy logs a 5xx request's access line at error.
  'caddy.txt': 'IWWIIIIIIEEIWII',
  // `npm install --production` (a warn), then `npm run migrate` with no such script (npm error lines).
  'npm.txt': 'WEEEEE',
  'node-warnings.txt': 'WWW',
  // Each warning, then the source line it quotes (indented: no level).
  'python-warnings.txt': 'W-W-W-',
  'python-json-logger.txt': 'DIWEF',
  'structlog.txt': 'DIWEF',
  'prisma.txt': 'WW',
};

/**
 * The level of a capture's lines that announce none, as Railway labels them `error` (written to
 * stderr), where the program is known to write its ordinary lines there (log-conventions.ts,
 * `stderrLevel`): the label stands only when the words say error. Lines of other captures keep it.
 */
const ON_STDERR: Record<string, string> = {
  // Two start-up lines, then `http: panic serving ...`.
  'go-log.txt': 'IIE',
  // The sadd notice, the rescue's `sync failed: Error connecting ...` (no notice: the label stands),
  // the brpop notice and its own further line.
  'ruby-warn.txt': 'WEWW',
};

const LETTER: Record<string, Level | null> = { T: 'trace', D: 'debug', I: 'info', W: 'warn', E: 'error', F: 'fatal', '-': null };

function fixture(name: string): string[] {
  return readFileSync(join(DIR, name), 'utf8').split('\n').filter((l) => l.length > 0).map(withoutTerminalCodes);
}

describe('logging conventions, on captured output', () => {
  it('has an expectation for every capture', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.txt'));
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.keys(EXPECTED))('%s: every line at the level the program logged it', (name) => {
    const lines = fixture(name);
    const expected = EXPECTED[name]!;
    expect(lines.length).toBe(expected.length);
    expect(lines.map((l) => levelCueOf(l))).toEqual([...expected].map((c) => LETTER[c]));
  });

  it.each(CONVENTIONS.map((c) => [c.id, c] as const))('%s: its example is a captured line, read by its shape', (_id, c) => {
    const all = Object.keys(EXPECTED).flatMap(fixture);
    expect(all).toContain(c.example);
    expect(levelCueOf(c.example)).toBe(c.level);
    expect(lastCueShape()).toBe(c.shape === 'stream' ? null : c.shape);
  });

  it('every convention with a level on stderr has its recogniser, and a line of another capture is none of them', () => {
    for (const c of CONVENTIONS.filter((c) => c.stderrLevel !== undefined)) expect(stderrLevelOf(c.example), c.id).toBe(c.stderrLevel);
    for (const name of Object.keys(EXPECTED).filter((n) => ON_STDERR[n] === undefined)) {
      for (const l of fixture(name)) if (levelCueOf(l) === null) expect(stderrLevelOf(l), `${name}: ${l}`).toBeNull();
    }
  });

  it('gives no word two levels across conventions', () => {
    const seen = new Map<string, Level>();
    for (const c of CONVENTIONS) {
      for (const [w, l] of Object.entries(c.words ?? {})) {
        const key = `${c.shape === 'word-colon' || c.shape === 'symbol' || c.shape === 'ruby-letter' ? c.shape : 'shared'}:${w}`;
        expect(seen.get(key) ?? l, `${c.id}: ${w}`).toBe(l);
        seen.set(key, l);
      }
    }
  });
});

describe('conventions through the Railway formats', () => {
  // Railway labels every stderr line `error`: each capture as Railway would give it, 10 s apart so
  // that no line joins another's record.
  const lines = Object.keys(EXPECTED).flatMap((name) => fixture(name).map((l, i) => [l, LETTER[EXPECTED[name]![i]!]!] as const));
  const onStderr = Object.keys(EXPECTED).flatMap((name) => fixture(name).map((_, i) => LETTER[EXPECTED[name]![i]!] ?? LETTER[ON_STDERR[name]?.[i] ?? 'E']!));
  const at = (i: number) => new Date(Date.UTC(2026, 11, 7, 17, 0, 0) + i * 10_000).toISOString();

  it('railway-json: a level the line announces wins over the stderr label; lines that announce none keep it', () => {
    const run = runFormat(
      railwayJson,
      lines.map(([m], i) => JSON.stringify({ message: m, level: 'error', timestamp: at(i) })),
    );
    expect(run.events.map((e) => e.level)).toEqual(onStderr);
    expect(run.events.every((e) => e.stream === 'error')).toBe(true);
  });

  it('railway-text: the same behind the dashboard copy form', () => {
    const run = runFormat(
      railwayText,
      lines.map(([m], i) => `${at(i).slice(0, 19)}  [err] ${m}`),
    );
    expect(run.events.map((e) => e.level)).toEqual(onStderr);
  });

  it.each(['monolog.txt', 'python-json-logger.txt'])("%s: a structured record's own level member wins over the stderr label, as Railway flattens it", (name) => {
    const records = fixture(name).map((l, i) => [l, LETTER[EXPECTED[name]![i]!]] as const).filter(([l]) => l.startsWith('{'));
    const flattened = records.map(([l], i) => JSON.stringify({ ...(JSON.parse(l) as Record<string, unknown>), level: 'error', timestamp: at(i) }));
    const expected = records.map(([, level]) => level);
    expect(runFormat(railwayJson, flattened).events.map((e) => e.level)).toEqual(expected);
    // The same through JSON.parse's path (a line the scanner leaves to it: an escaped key).
    const escaped = flattened.map((l) => l.slice(0, -1) + ',"not\\u0065":1}');
    expect(runFormat(railwayJson, escaped).events.map((e) => e.level)).toEqual(expected);
  });

  it("monolog.txt: Monolog's numeric level kept as the program wrote it (Railway maps only a word) is read on Monolog's scale, not pino's", () => {
    const records = fixture('monolog.txt').map((l, i) => [l, LETTER[EXPECTED['monolog.txt']![i]!]] as const).filter(([l]) => l.startsWith('{'));
    const kept = records.map(([l], i) => JSON.stringify({ ...(JSON.parse(l) as Record<string, unknown>), timestamp: at(i) }));
    expect(kept[0]).toContain('"level":100');
    expect(runFormat(railwayJson, kept).events.map((e) => e.level)).toEqual(records.map(([, level]) => level));
  });

  it('raw: a bare line at the level it announces, info otherwise', () => {
    const run = runFormat(raw, lines.map(([m]) => m));
    expect(run.events.map((e) => e.level)).toEqual(lines.map(([, l]) => l ?? 'info'));
  });

  it("Railway's info is only stdout too; a level of the record's own (not info or error) is kept", () => {
    const run = runFormat(railwayJson, [
      JSON.stringify({ message: '[2026-12-07 17:07:33 +0000] [21595] [ERROR] Error handling request /boom', level: 'info', timestamp: at(0) }),
      JSON.stringify({ message: 'INFO: cache warm', level: 'warn', timestamp: at(1) }),
    ]);
    expect(run.events.map((e) => e.level)).toEqual(['error', 'warn']);
  });

  it("a nested `level` or a number on no severity scale is not the line's level", () => {
    // Node 20's console.log(JSON.stringify({ msg: 'player advanced', game: { level: 3 } })), and the
    // same with the key inside a string: no level of the line's own, so Railway's stderr label stands.
    const plain = ['{"msg":"player advanced","game":{"level":3}}', '{"msg":"player advanced","note":"\\"level\\":50","game":{"level":3}}'];
    expect(plain.map((l) => levelCueOf(l))).toEqual([null, null]);
    const run = runFormat(railwayJson, plain.map((m, i) => JSON.stringify({ message: m, level: 'error', timestamp: at(i) })));
    expect(run.events.map((e) => e.level)).toEqual(['error', 'error']);
    // A top-level level after a nested one is still read; a top-level number off every scale is none.
    const pino = fixture('pino.txt').find((l) => l.startsWith('{"level":50'))!;
    expect(levelCueOf(`{"game":{"level":3},${pino.slice(1)}`)).toBe('error');
    expect(levelCueOf(pino.replace('"level":50', '"level":3'))).toBeNull();
  });

  it('Sidekiq lines (`pid=... tid=... INFO: `, one space) are no PostgreSQL records and come out in order', () => {
    const sidekiq = fixture('sidekiq.txt');
    expect(sidekiq.map((l) => parsePgLine(l))).toEqual(sidekiq.map(() => null));
    const run = runFormat(railwayJson, sidekiq.map((m, i) => JSON.stringify({ message: m, level: 'error', timestamp: at(i) })));
    expect(run.events.map((e) => e.line)).toEqual(sidekiq.map((_, i) => i + 1));
    expect(run.events.every((e) => e.source !== 'postgres')).toBe(true);
  });
});

describe("a program's ordinary lines on stderr (Go's log, Ruby's Kernel#warn) are not errors for Railway's label alone", () => {
  const jsonl = (run: string) => readFileSync(join(DIR, '../stacks', run), 'utf8').split('\n').filter(Boolean);
  const GO_TIME = '2026/12/07 22:57:04 ';

  it('the held-out Go and Ruby captures: log.Printf lines are info and redis-rb notices warn; the panics, fatal errors and failures stay errors', () => {
    // test/fixtures/stacks/go/README.md, test/fixtures/stacks/ruby/README.md (Go 1.19, redis-rb 4.8.0).
    const go = runFormat(railwayJson, [...jsonl('go/faults/jobs.jsonl'), ...jsonl('go/faults/api.jsonl')]).events;
    const goLog = go.filter((e) => /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /.test(e.message));
    expect(goLog.map((e) => [e.level, e.message.slice(20, 40)])).toEqual([
      ['info', 'jobs starting, pid 1'],
      ['info', 'connected, running e'],
      ['error', 'http: panic serving '],
      ['error', 'http: panic serving '],
    ]);
    expect(go.filter((e) => e.message.startsWith('panic: ') || e.message.startsWith('fatal error: ')).every((e) => e.level === 'error')).toBe(true);
    const worker = runFormat(railwayJson, jsonl('ruby/faults/worker.jsonl')).events.filter((e) => e.stream === 'error');
    const notices = worker.filter((e) => e.message.includes('(called from: '));
    // 77 brpop notices (each with its own further line) and 10 sadd notices in this capture.
    expect(notices).toHaveLength(87);
    expect(notices.every((e) => e.level === 'warn')).toBe(true);
    // Whatever else the worker wrote to stderr keeps the label.
    expect(worker.filter((e) => !e.message.includes('(called from: ')).every((e) => e.level === 'error')).toBe(true);
  });

  it("the error vocabulary's failures written by Go's log stay errors, and a runtime's own fatal lines are never read as log lines", () => {
    // test/fixtures/vocabulary/README.md: each library's real output.
    const vocab = join(DIR, '../vocabulary');
    let read = 0;
    for (const f of readdirSync(vocab).filter((n) => n.endsWith('.txt'))) {
      for (const l of readFileSync(join(vocab, f), 'utf8').split('\n')) {
        const level = stderrLevelOf(GO_TIME + l);
        if (level === null || !IN_VOCABULARY(GO_TIME + l)) continue;
        read++;
        expect(level, `${f}: ${l}`).toBe('error');
      }
      for (const l of f.startsWith('go-') ? readFileSync(join(vocab, f), 'utf8').split('\n') : []) expect(stderrLevelOf(l), l).toBeNull();
    }
    expect(read).toBeGreaterThan(80);
  });
});
