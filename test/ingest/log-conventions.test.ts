// Every logging convention of the catalogue, on its library's real output: the captures in
// test/fixtures/conventions/ (README.md there names program, version and command). Each line's
// expected level is the one the program logged it at (the capture script's calls, in order).
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Level } from '../../src/model.js';
import { CONVENTIONS } from '../../src/ingest/log-conventions.js';
import { lastCueShape, levelCueOf } from '../../src/ingest/level.js';
import { parsePgLine } from '../../src/ingest/postgres-line.js';
import { withoutTerminalCodes } from '../../src/ingest/terminal-codes.js';
import { railwayJson } from '../../src/ingest/formats/railway-json.js';
import { railwayText } from '../../src/ingest/formats/railway-text.js';
import { raw } from '../../src/ingest/formats/raw.js';
import { runFormat } from './run-format.js';

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
  // TextHandler, JSONHandler, the default logger: info, warn, error each (debug is below their level).
  'go-slog.txt': 'IWE'.repeat(3),
  // TextFormatter, JSONFormatter.
  'go-logrus.txt': 'TDIWE'.repeat(2),
  // JSON, ConsoleWriter.
  'go-zerolog.txt': 'TDIWE'.repeat(2),
  // log.Printf twice, then net/http's recovered panic: no level word, Railway's label stands.
  'go-log.txt': '---',
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
  const at = (i: number) => new Date(Date.UTC(2026, 11, 7, 17, 0, 0) + i * 10_000).toISOString();

  it('railway-json: a level the line announces wins over the stderr label; lines that announce none keep it', () => {
    const run = runFormat(
      railwayJson,
      lines.map(([m], i) => JSON.stringify({ message: m, level: 'error', timestamp: at(i) })),
    );
    expect(run.events.map((e) => e.level)).toEqual(lines.map(([, l]) => l ?? 'error'));
    expect(run.events.every((e) => e.stream === 'error')).toBe(true);
  });

  it('railway-text: the same behind the dashboard copy form', () => {
    const run = runFormat(
      railwayText,
      lines.map(([m], i) => `${at(i).slice(0, 19)}  [err] ${m}`),
    );
    expect(run.events.map((e) => e.level)).toEqual(lines.map(([, l]) => l ?? 'error'));
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
