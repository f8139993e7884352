// The railway-json parser has four ways through a line: the byte scanner on a line in place in a
// piece of many lines (read-input's ASCII chunks), on a line's own bytes (ASCII lines of other
// chunks), on bytes made from the string (other lines), and JSON.parse (lines the scanner
// declines). All must give the same events.
import { describe, expect, it } from 'vitest';
import { railwayJson } from '../../../src/ingest/formats/railway-json.js';
import type { LogEvent } from '../../../src/model.js';
import type { LineParser } from '../../../src/ingest/format.js';
import { runFormat, readText } from '../run-format.js';
import { cutLongTexts } from '../../../src/ingest/long-text.js';

/** A small seeded PRNG, so that a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MESSAGES = [
  'Materialized 12 recurring task instances',
  'INFO:     10.1.2.3:4455 - "GET /health HTTP/1.1" 200 OK',
  'WARNING: slow query on tasks took 2.31s',
  '2026-02-07 19:11:58.120 UTC [812] LOG:  could not receive data from client: Connection reset by peer',
  '2026-02-07 19:11:58.300 UTC [815] ERROR:  duplicate key value violates unique constraint "tasks_pkey"',
  '2026-02-07 19:11:58.300 UTC [815] DETAIL:  Key (id)=(17) already exists.',
  'Traceback (most recent call last):',
  '  File "/app/main.py", line 3, in run',
  'ValueError: bad value',
  'Starting Container',
  'source=web.1 dyno=heroku.1.abc sample#memory_total=21.50MB sample#memory_rss=20.00MB',
  '[ERROR] sync: tick 4 lag=20ms',
  'level=warn msg="slow"',
  '',
  'tab\tand back\\slash and "quotes"',
  'unicode é ü 😀 ＊',
  'control \u0001 \u001f chars',
];
const TIMES = ['2026-02-07T19:12:02.412345678Z', '2026-02-07T19:12:02Z', '2026-02-07T19:12:02.5Z', '2026-02-07T19:12:02.412+01:00', '2026-02-07 19:12:02.412 UTC', 'not a time', '2026-13-07T19:12:02Z', 1770491522412, 1770491522, null];
const LEVELS = ['info', 'error', 'warn', 'debug', 'ERROR', 'Warning', 'notice', 'bogus', 30, 50, null];
const KEYS = ['deploymentId', 'deploymentInstanceId', 'route', 'status', 'user_id', 'é_key', 'ключ', 'tags', 'ctx', 'ok'];

/** A random Railway-like JSON line, sometimes with spaces, odd key orders, nested values or oddities. */
function line(r: () => number): string {
  const pick = <T,>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const members: [string, unknown][] = [];
  const mk = r();
  if (mk < 0.85) members.push(['message', pick(MESSAGES)]);
  else if (mk < 0.92) members.push(['msg', pick(MESSAGES)]);
  else if (mk < 0.96) members.push(['message', r() < 0.5 ? null : { event: pick(MESSAGES) }]);
  if (r() < 0.9) members.push([pick(['timestamp', 'timestamp', 'time', 'ts', '@timestamp']), pick(TIMES)]);
  if (r() < 0.9) members.push([r() < 0.85 ? 'level' : 'severity', pick(LEVELS)]);
  if (r() < 0.2) members.push([r() < 0.5 ? 'service' : 'serviceName', pick(['worker', '', 'api', 7])]);
  for (let k = Math.floor(r() * 4); k > 0; k--) {
    const v = pick<unknown>([pick(MESSAGES), Math.floor(r() * 1e6), -1.5e3, true, false, null, [1, 'x', { a: '}' }], { nested: { deep: '"' } }]);
    members.push([pick(KEYS), v]);
  }
  if (r() < 0.05 && members.length > 0) members.push([members[0]![0], 'repeated key']);
  for (let k = members.length - 1; k > 0; k--) {
    if (r() < 0.3) {
      const j = Math.floor(r() * (k + 1));
      [members[k], members[j]] = [members[j]!, members[k]!];
    }
  }
  const sp = r() < 0.1 ? ' ' : '';
  let text = '{' + sp + members.map(([k, v]) => JSON.stringify(k) + sp + ':' + sp + JSON.stringify(v)).join(',' + sp) + sp + '}';
  const odd = r();
  if (odd < 0.02) text = text.slice(0, Math.floor(r() * text.length));
  else if (odd < 0.03) text = '  ' + text + ' ';
  else if (odd < 0.035) text = text.replace('{', '[');
  else if (odd < 0.04) text = '';
  return text;
}

/** Events as plain data (attributes read out, as readers do). */
function plain(evs: LogEvent[]): unknown[] {
  return evs.map((e) => ({ ...e, attrs: e.attrs === undefined ? undefined : Object.fromEntries(Object.keys(e.attrs).map((k) => [k, e.attrs![k]])), keys: Object.keys(e) }));
}

/** The events of a railway-json parser that `feed` gives its lines to. */
function eventsOf(feed: (p: LineParser) => void): LogEvent[] {
  const events: LogEvent[] = [];
  const p = railwayJson.create({
    service: 'svc',
    input: 0,
    options: {},
    sink: { event: (e) => events.push(e), metric() {}, consume() {}, skip() {} },
  });
  feed(p);
  p.end();
  return events;
}

/** The parser fed through lineAt with each line as its own string, its latin1 bytes inside one shared buffer. */
function runBytes(lines: string[]): LogEvent[] {
  const buf = Buffer.from(lines.join('\n') + '\n', 'latin1');
  return eventsOf((p) => {
    let at = 0;
    lines.forEach((l, i) => {
      p.lineAt!(l, 0, l.length, i + 1, buf, at);
      at += l.length + 1;
    });
  });
}

/** The parser fed through lineAt with every line in place inside one string of all lines (as read-input's pieces). */
function runInPlace(lines: string[]): LogEvent[] {
  const text = lines.join('\n');
  const buf = Buffer.from(text, 'latin1');
  return eventsOf((p) => {
    let at = 0;
    lines.forEach((l, i) => {
      p.lineAt!(text, at, at + l.length, i + 1, buf, 0);
      at += l.length + 1;
    });
  });
}

describe('railway-json: the ways through a line agree', () => {
  const r = rng(20260207);
  const lines = Array.from({ length: 2500 }, () => line(r));

  it('bytes of the line and bytes made from the string give the same events (ASCII lines)', () => {
    // eslint-disable-next-line no-control-regex -- ASCII is every code from 0 to 127
    const ascii = lines.filter((l) => /^[\x00-\x7f]*$/.test(l));
    expect(ascii.length).toBeGreaterThan(1200);
    const fromString = runFormat(railwayJson, ascii).events;
    expect(plain(runBytes(ascii))).toEqual(plain(fromString));
  });

  it('lines read in place inside one long string give the same events as lines of their own', () => {
    // eslint-disable-next-line no-control-regex -- ASCII is every code from 0 to 127
    const ascii = lines.filter((l) => /^[\x00-\x7f]*$/.test(l));
    expect(plain(runInPlace(ascii))).toEqual(plain(runFormat(railwayJson, ascii).events));
  });

  it('the scanner and JSON.parse give the same events', () => {
    // Control characters are the one thing the scanner accepts and JSON.parse does not (documented).
    // eslint-disable-next-line no-control-regex -- the control characters are what the filter leaves out
    let valid = lines.filter((l) => !/[\u0000-\u001f]/.test(l) && l.trimStart().startsWith('{"'));
    expect(valid.length).toBeGreaterThan(1200);
    // A first key holding an escape: the scanner declines the line, JSON.parse reads it. (An
    // entry with a blank message is skipped only without fields of its own, which the added key
    // would be: those lines are left out.)
    const blank = (l: string) => {
      let o: { message?: unknown; msg?: unknown };
      try {
        o = JSON.parse(l) as typeof o;
      } catch {
        return false;
      }
      const m = o.message ?? o.msg;
      return typeof m === 'string' && m.trim() === '';
    };
    valid = valid.filter((l) => !blank(l));
    const declined = valid.map((l) => l.replace('{', '{"k\\u0041":1,'));
    const strip = (evs: LogEvent[]) => plain(evs).map((e) => ({ ...(e as Record<string, unknown>), attrs: Object.fromEntries(Object.entries((e as { attrs?: object }).attrs ?? {}).filter(([k]) => k !== 'kA')) }));
    expect(strip(runFormat(railwayJson, valid).events)).toEqual(strip(runFormat(railwayJson, declined).events));
  });

  it('read-input gives the events of the line-by-line parser, with ASCII and UTF-8 chunks mixed', async () => {
    const sample = lines.filter((l) => l.trim().length > 0);
    const head = Array.from({ length: 64 }, (_, i) => JSON.stringify({ message: `warm-up ${i}`, timestamp: '2026-02-07T19:12:02Z', level: 'info' }));
    const all = [...head, ...sample];
    const text = all.join('\n') + '\n';
    // Chunks cut at arbitrary places: some all ASCII, some holding multi-byte characters.
    const bytes = Buffer.from(text);
    const chunks: Buffer[] = [];
    for (let at = 0, k = 0; at < bytes.length; k++) {
      const n = [7, 300, 4096, 65536][k % 4]!;
      chunks.push(bytes.subarray(at, at + n));
      at += n;
    }
    const viaRead = await readText(chunks, { service: 'svc' });
    const direct = runFormat(railwayJson, all);
    expect(viaRead.summary.format).toBe('railway-json');
    expect(plain(viaRead.events)).toEqual(plain(direct.events));
    expect(viaRead.summary.skipped).toBe(direct.skipped.length);
  });

  it('read-input reads ASCII chunks in pieces: CRLF ends, lines longer than a piece, pieces across chunks', async () => {
    // eslint-disable-next-line no-control-regex -- ASCII is every code from 0 to 127
    const ascii = lines.filter((l) => l.trim().length > 0 && /^[\x00-\x7f]*$/.test(l));
    const long = (n: number) => JSON.stringify({ message: 'x'.repeat(n), timestamp: '2026-02-07T19:12:02Z', level: 'error', note: 'long' });
    const head = Array.from({ length: 64 }, (_, i) => JSON.stringify({ message: `warm-up ${i}`, timestamp: '2026-02-07T19:12:02Z', level: 'info' }));
    // Lines longer than the 64 KiB piece, and one exactly filling it, among ordinary ones.
    // A line that is not JSON: skipped, its text shown without the CR of a CRLF end.
    const all = [...head, 'not json {', ...ascii.slice(0, 700), long(70_000), ...ascii.slice(700, 1400), long(65_536 - 80), long(200_000), ...ascii.slice(1400)];
    const direct = runFormat(railwayJson, all);
    // read-input cuts the 70,000 and 200,000 character messages for analysis (long-text.ts).
    for (const ev of direct.events) cutLongTexts(ev);
    for (const eol of ['\n', '\r\n']) {
      const bytes = Buffer.from(all.join(eol) + eol, 'latin1');
      for (const size of [1 << 20, 100_003]) {
        const chunks: Buffer[] = [];
        for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
        const viaRead = await readText(chunks, { service: 'svc' });
        expect(viaRead.summary.lines).toBe(all.length);
        expect(plain(viaRead.events)).toEqual(plain(direct.events));
        expect(viaRead.summary.skipped).toBe(direct.skipped.length);
        expect(viaRead.summary.skippedExamples[0]).toMatchObject({ line: 65, text: 'not json {' });
      }
    }
  });
});
