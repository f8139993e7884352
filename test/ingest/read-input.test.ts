import { describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PassThrough } from 'node:stream';
import { InputError } from '../../src/ingest/input-error.js';
import { expandInputs, serviceFromPath } from '../../src/ingest/input-paths.js';
import { hasInvalidUtf8 } from '../../src/ingest/open-input.js';
import { readInput } from '../../src/ingest/read-input.js';
import type { LogEvent, MetricSample } from '../../src/model.js';
import { readText } from './run-format.js';
import { runCli } from '../cli/run-cli.js';
import { MAX_TEXT_CHARS, cutLongText } from '../../src/ingest/long-text.js';

const MESSAGES = [
  'GET /api/tasks 200 in 12ms',
  'Materialization loop error: ',
  'INFO:     10.0.0.4:51234 - "POST /api/v1/sync HTTP/1.1" 200 OK',
  'worker 3 picked job 88121 from queue "emails"',
  'WARNING: slow query took 2.41s',
  'Database session error: connection reset',
  'cache miss for user 7f3e2a (tenant acme)',
];

/** Railway JSON lines with varied messages and nanosecond timestamps, one second apart. */
function railwayLines(n: number, startMs = Date.UTC(2026, 1, 7, 19, 0, 0)): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const ts = new Date(startMs + i * 1000).toISOString().replace('Z', '123456Z');
    const msg = MESSAGES[i % MESSAGES.length]!.replace(/\d+/, String(i));
    out.push(JSON.stringify({ message: msg, timestamp: ts, level: i % 3 === 0 ? 'error' : 'info', deploymentId: `d-${i % 4}` }));
  }
  return out;
}

async function tempFile(name: string, content: string | Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hindsight-read-'));
  const p = join(dir, name);
  await writeFile(p, content);
  return p;
}

async function readFile(path: string, options = {}) {
  const events: LogEvent[] = [];
  const metrics: MetricSample[] = [];
  const summary = await readInput(path, 0, { event: (e) => events.push(e), metric: (m) => metrics.push(m) }, options);
  expect(summary.lines).toBe(summary.events + summary.skipped);
  return { summary, events, metrics };
}

describe('readInput: empty and blank inputs', () => {
  it('reads an empty file as zero lines with a warning', async () => {
    const { summary, events } = await readFile(await tempFile('empty.log', ''));
    expect(summary.lines).toBe(0);
    expect(events).toEqual([]);
    expect(summary.formatReason).toBe('input is empty');
    expect(summary.warnings).toContain('the input is empty');
  });

  it('counts blank-only input as lines', async () => {
    const { summary } = await readText('\n\n  \n');
    expect(summary.lines).toBe(3);
    expect(summary.formatReason).toBe('input holds only blank lines');
  });

  it('strips a UTF-8 byte order mark from the first line', async () => {
    const lines = railwayLines(3);
    const { summary, events } = await readText('\uFEFF' + lines.join('\n') + '\n');
    expect(summary.format).toBe('railway-json');
    expect(events).toHaveLength(3);
    expect(summary.skipped).toBe(0);
  });
});

describe('readInput: binary data', () => {
  it('rejects a PNG with a clear error', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from('IHDR'), Buffer.alloc(200, 7)]);
    const p = await tempFile('screenshot.png', png);
    await expect(readFile(p)).rejects.toThrow(/looks like binary data.*PNG/);
    await expect(readFile(p)).rejects.toBeInstanceOf(InputError);
  });

  it('rejects random bytes', async () => {
    // A fixed linear congruential generator: the same "random" bytes every run.
    const buf = Buffer.alloc(20_000);
    let x = 12345;
    for (let i = 0; i < buf.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      buf[i] = x >>> 24;
    }
    await expect(readText(buf)).rejects.toThrow(/looks like binary data/);
  });

  it('refuses a JSON array of log records with the jq line that reads it, pretty-printed or compact', async () => {
    const records = [
      { msg: 'checkout failed: card declined', level: 'error', time: '2026-04-01T10:00:00Z', orderId: 7 },
      { msg: 'checkout ok', level: 'info', time: '2026-04-01T10:00:02Z', orderId: 8 },
    ];
    const hint = /standard input is a JSON array of log records; .*jq -c '\.\[\]' \| hindsight analyze/;
    await expect(readText(JSON.stringify(records, null, 2))).rejects.toThrow(hint);
    await expect(readText(JSON.stringify(records) + '\n')).rejects.toThrow(hint);
    // Bracketed level markers are not an array.
    const { summary } = await readText('[INFO] {"message": "boot"}\n[ERRO] failed\n');
    expect(summary.format).toBe('railway-text');
  });

  it('rejects xz data, naming it', async () => {
    await expect(readText(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2, 3]))).rejects.toThrow(/xz-compressed/);
  });

  it('skips a NUL-holding line inside a text log, with a reason', async () => {
    const lines = railwayLines(200);
    lines[150] = '{"message":"bad\u0000byte","timestamp":"2026-02-07T19:00:00Z"}';
    const { summary, events } = await readText(lines.join('\n') + '\n');
    expect(summary.skipped).toBe(1);
    expect(summary.skippedExamples[0]).toMatchObject({ line: 151, reason: 'binary data (NUL bytes)' });
    expect(events).toHaveLength(199);
  });
});

describe('readInput: encodings and compression', () => {
  it('keeps lines with invalid UTF-8 and warns', async () => {
    const lines = railwayLines(5).map((l) => Buffer.from(l + '\n'));
    lines[2] = Buffer.concat([Buffer.from('{"message":"caf'), Buffer.from([0xe9, 0xff]), Buffer.from('","timestamp":"2026-02-07T19:00:02Z","level":"info"}\n')]);
    const { summary, events } = await readText(Buffer.concat(lines));
    expect(events).toHaveLength(5);
    expect(events[2]!.message).toBe('caf\uFFFD\uFFFD');
    expect(summary.warnings.some((w) => /not valid UTF-8/.test(w))).toBe(true);
  });

  it('does not warn about a multi-byte character split across chunks', async () => {
    const text = railwayLines(3).join('\n').replace('Materialization', 'Matérialisation €') + '\n';
    const buf = Buffer.from(text);
    const euro = buf.indexOf(Buffer.from('€'));
    // Cut inside the 3-byte euro sign and inside the 2-byte é.
    const e = buf.indexOf(Buffer.from('é'));
    const chunks = [buf.subarray(0, e + 1), buf.subarray(e + 1, euro + 2), buf.subarray(euro + 2)];
    const { summary, events } = await readText(chunks);
    expect(summary.warnings).toEqual([]);
    expect(events.map((x) => x.message)).toContain('Matérialisation € loop error: ');
  });

  it('hasInvalidUtf8 ignores characters cut at the chunk edges only', () => {
    const b = Buffer.from('a€b€');
    expect(hasInvalidUtf8(b.subarray(0, 3))).toBe(false); // ends inside €
    expect(hasInvalidUtf8(b.subarray(2))).toBe(false); // starts inside €
    expect(hasInvalidUtf8(Buffer.from([0x61, 0xff, 0x62]))).toBe(true);
  });

  it('reads a .gz file', async () => {
    const lines = railwayLines(1000);
    const p = await tempFile('api.jsonl.gz', gzipSync(lines.join('\n') + '\n'));
    const { summary, events } = await readFile(p);
    expect(summary.format).toBe('railway-json');
    expect(events).toHaveLength(1000);
    expect(events[0]!.service).toBe('api');
    expect(summary.warnings).toEqual([]);
  });

  it('keeps what a truncated .gz held, with a warning', async () => {
    const lines = railwayLines(20_000);
    const gz = gzipSync(lines.join('\n') + '\n');
    const p = await tempFile('api.jsonl.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    const { summary, events } = await readFile(p);
    expect(summary.warnings.some((w) => /gzip data is truncated or corrupt/.test(w))).toBe(true);
    expect(events.length).toBeGreaterThan(1000);
    expect(events.length).toBeLessThan(20_000);
    // What was kept is the beginning of the input, in order.
    expect(events[0]!.line).toBe(1);
    expect(events[events.length - 2]!.line).toBe(events.length - 1);
    // The line the damage cut is counted and said to be incomplete, not "not valid JSON".
    expect(summary.skippedExamples.map((s) => s.reason)).toEqual(['incomplete line (the gzip data ended inside it)']);
  });
});

describe('readInput: line shapes', () => {
  it('handles CRLF line endings', async () => {
    const { summary, events } = await readText(railwayLines(4).join('\r\n') + '\r\n');
    expect(summary.format).toBe('railway-json');
    expect(events).toHaveLength(4);
    for (const e of events) expect(e.message.endsWith('\r')).toBe(false);
  });

  it('reads a JSON line with a 5 MB message, split across chunks, and keeps its first 64 KiB for analysis', async () => {
    const big = 'x'.repeat(5_000_000);
    const lines = railwayLines(3);
    lines.splice(1, 0, JSON.stringify({ message: `payload ${big}`, timestamp: '2026-02-07T19:00:00.5Z', level: 'info' }));
    const buf = Buffer.from(lines.join('\n') + '\n');
    const chunks: Buffer[] = [];
    for (let i = 0; i < buf.length; i += 1 << 20) chunks.push(buf.subarray(i, i + (1 << 20)));
    const { summary, events } = await readText(chunks);
    expect(summary.lines).toBe(4);
    expect(events).toHaveLength(4);
    expect(events[1]!.message).toBe(`payload ${big.slice(0, 65_536 - 8)}…`);
    expect(summary.warnings).toEqual(['1 record longer than 65,536 characters (the first at line 2): templates, detectors and the report read its first 65,536; the lines are counted whole']);
    expect(events[2]!.line).toBe(3);
  });

  it('skips a line over the maximum length, within a chunk and across chunks', async () => {
    const lines = railwayLines(6);
    lines[1] = JSON.stringify({ message: 'y'.repeat(3000), timestamp: '2026-02-07T19:00:01Z' });
    lines[4] = JSON.stringify({ message: 'z'.repeat(5000), timestamp: '2026-02-07T19:00:04Z' });
    const buf = Buffer.from(lines.join('\n') + '\n');
    // Chunks of 1 KiB so that the long lines span several of them.
    const chunks: Buffer[] = [];
    for (let i = 0; i < buf.length; i += 1024) chunks.push(buf.subarray(i, i + 1024));
    const { summary, events } = await readText(chunks, { maxLineLength: 2000 });
    expect(summary.lines).toBe(6);
    expect(summary.skipped).toBe(2);
    expect(summary.skippedExamples.map((s) => s.line)).toEqual([2, 5]);
    expect(summary.skippedExamples[0]!.reason).toBe('line longer than 2000 bytes');
    // The tail of a long line is not mistaken for a line of its own.
    expect(events.map((e) => e.line)).toEqual([1, 3, 4, 6]);
  });

  it('joins a line split at every possible chunk boundary', async () => {
    const text = railwayLines(3).join('\n') + '\n';
    const buf = Buffer.from(text);
    for (let cut = 1; cut < buf.length; cut += 7) {
      const { events } = await readText([buf.subarray(0, cut), buf.subarray(cut)]);
      expect(events.map((e) => e.message)).toEqual(railwayLines(3).map((l) => JSON.parse(l).message));
    }
  });

  it('reads a file of several 1 MiB chunks through the reused buffer without mixing lines', async () => {
    // Lines of varied length, so that partial lines of every size straddle the chunk edges.
    const lines = railwayLines(12_000).map((l, i) => (i % 97 === 0 ? l.replace('"level"', `"pad":"${'x'.repeat(i % 5000)}","level"`) : l));
    const path = await tempFile('big.jsonl', lines.join('\n') + '\n');
    const { events, summary } = await readFile(path);
    expect(summary.lines).toBe(lines.length);
    expect(summary.skipped).toBe(0);
    expect(events.map((e) => e.message)).toEqual(lines.map((l) => JSON.parse(l).message));
    expect(events.filter((e, i) => i % 97 === 0).every((e, k) => String(e.attrs?.pad).length === (k * 97) % 5000)).toBe(true);
  });

  it('keeps a last line without a newline', async () => {
    const { events } = await readText(railwayLines(3).join('\n'));
    expect(events).toHaveLength(3);
  });

  it('keeps timestamps out of order as written, window from min and max', async () => {
    const lines = railwayLines(5);
    const shuffled = [lines[3]!, lines[0]!, lines[4]!, lines[1]!, lines[2]!];
    const { summary, events } = await readText(shuffled.join('\n'));
    expect(events.map((e) => e.line)).toEqual([1, 2, 3, 4, 5]);
    const t0 = Date.UTC(2026, 1, 7, 19, 0, 0);
    expect(events.map((e) => e.ts! - t0)).toEqual([3000, 0, 4000, 1000, 2000]);
    expect(summary.firstTs).toBe(t0);
    expect(summary.lastTs).toBe(t0 + 4000);
  });

  it('reads lines without timestamps with a null time', async () => {
    const { summary, events } = await readText('[INFO] worker started\n[ERRO] job 12 failed: timeout\nplain line\n');
    expect(summary.format).toBe('railway-text');
    expect(events.map((e) => e.ts)).toEqual([null, null, null]);
    expect(events.map((e) => e.level)).toEqual(['info', 'error', 'info']);
    expect(summary.firstTs).toBeNull();
  });
});

describe('readInput: inputs', () => {
  it('expands a directory, skipping docs and hidden files, recursing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hindsight-dir-'));
    await writeFile(join(dir, 'api.jsonl'), railwayLines(2).join('\n'));
    await writeFile(join(dir, 'README.md'), '# notes');
    await writeFile(join(dir, '.DS_Store'), 'x');
    await mkdir(join(dir, 'pg'));
    await writeFile(join(dir, 'pg', 'postgres.log'), 'x');
    await mkdir(join(dir, '.git'));
    await writeFile(join(dir, '.git', 'HEAD'), 'x');
    const files = await expandInputs([dir, '-']);
    expect(files).toEqual([join(dir, 'api.jsonl'), join(dir, 'pg', 'postgres.log'), '-']);
  });

  it('says when a directory holds no log files, or a path does not exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hindsight-dir-'));
    await writeFile(join(dir, 'notes.md'), '# notes');
    await expect(expandInputs([dir])).rejects.toThrow(/no log files/);
    await expect(expandInputs([join(dir, 'nope.log')])).rejects.toThrow(/no such file or directory/);
  });

  it('reads a file once however it is reached, goes round a symbolic link loop once, and passes over empty subdirectories', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hindsight-dir-'));
    await writeFile(join(dir, 'api.jsonl'), railwayLines(2).join('\n'));
    await mkdir(join(dir, 'archive'));
    await mkdir(join(dir, 'nested', 'deeper'), { recursive: true });
    await symlink(dir, join(dir, 'nested', 'deeper', 'back-to-top'));
    await symlink(join(dir, 'api.jsonl'), join(dir, 'nested', 'api-link.jsonl'));
    expect(await expandInputs([dir])).toEqual([join(dir, 'api.jsonl')]);
    expect(await expandInputs([join(dir, 'api.jsonl'), dir, dir])).toEqual([join(dir, 'api.jsonl')]);
  });

  it('takes a pipe as it is: process substitution (<(railway logs --json)), /dev/stdin', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hindsight-dir-'));
    const fifo = join(dir, 'logs.pipe');
    execFileSync('mkfifo', [fifo]);
    expect(await expandInputs([fifo, '/dev/stdin'])).toEqual([fifo, '/dev/stdin']);
  });

  it('names a dangling symbolic link instead of failing inside', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hindsight-dir-'));
    await writeFile(join(dir, 'api.jsonl'), railwayLines(2).join('\n'));
    await symlink(join(dir, 'rotated-away.log'), join(dir, 'current.log'));
    await expect(expandInputs([dir])).rejects.toThrow(new RegExp(`cannot read ${join(dir, 'current.log')}: a symbolic link to .*rotated-away\\.log, which does not exist`));
  });

  it('reads - from the injected stdin, service "stdin" unless --service', async () => {
    const { events } = await readText(railwayLines(2).join('\n'));
    expect(events.map((e) => e.service)).toEqual(['stdin', 'stdin']);
    const forced = await readText(railwayLines(2).join('\n'), { service: 'api' });
    expect(forced.events.map((e) => e.service)).toEqual(['api', 'api']);
  });

  it('names the service after the file', () => {
    expect(serviceFromPath('/x/api.jsonl')).toBe('api');
    expect(serviceFromPath('logs/postgres-2026-02-07.log.gz')).toBe('postgres-2026-02-07');
    for (const pipe of ['/dev/fd/63', '/dev/stdin', '/proc/self/fd/0']) expect(serviceFromPath(pipe)).toBe('stdin');
    expect(serviceFromPath('/srv/fd/12')).toBe('12');
    expect(serviceFromPath('-')).toBe('stdin');
  });

  it('rejects unrecognised JSON naming the known formats and --input-format', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: i, kind: 'order', total: i * 3.5 }));
    const err = await readText(lines.join('\n')).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/format not recognised/);
    expect(err.message).toMatch(/railway-json/);
    expect(err.message).toMatch(/--input-format/);
  });

  it('reads anything with --input-format raw', async () => {
    const lines = Array.from({ length: 3 }, (_, i) => JSON.stringify({ id: i }));
    const { summary, events } = await readText(lines.join('\n'), { inputFormat: 'raw' });
    expect(summary.formatReason).toBe('forced with --input-format');
    expect(events).toHaveLength(3);
  });

  it('rejects an unknown --input-format', async () => {
    await expect(readText('x\n', { inputFormat: 'nope' })).rejects.toThrow(/unknown input format "nope"; known formats: railway-json/);
  });
});

describe('readInput: stopping on a signal', () => {
  it('stops after the chunk during which shouldStop turned true, keeping what was read', async () => {
    const lines = railwayLines(5000);
    const buf = Buffer.from(lines.join('\n') + '\n');
    const chunks: Buffer[] = [];
    for (let i = 0; i < buf.length; i += 16 * 1024) chunks.push(buf.subarray(i, i + 16 * 1024));
    let seen = 0;
    const { summary, events } = await readText(chunks, { onProgress: () => seen++, shouldStop: () => seen >= 3 });
    expect(seen).toBe(3);
    expect(summary.warnings.some((w) => /stopped by a signal/.test(w))).toBe(true);
    expect(events.length).toBeGreaterThan(100);
    expect(events.length).toBeLessThan(5000);
    // The line cut by the stop is counted as skipped, not parsed as if whole.
    expect(summary.skippedExamples.at(-1)?.reason).toBe('incomplete line (reading was interrupted)');
  });

  it('stops a quiet stdin that never ends', async () => {
    const stdin = new PassThrough();
    stdin.write(railwayLines(3).join('\n') + '\n');
    let stop = false;
    setTimeout(() => (stop = true), 150);
    const events: LogEvent[] = [];
    const summary = await readInput('-', 0, { event: (e) => events.push(e), metric: () => {} }, { stdin, shouldStop: () => stop });
    expect(events).toHaveLength(3);
    expect(summary.lines).toBe(3);
    expect(summary.warnings.some((w) => /stopped by a signal after 3 lines/.test(w))).toBe(true);
  });
});

describe('long texts (issue 19: a 60 MB line took 74-100 s and 2.5 GB)', () => {
  it('cuts a message at the last separator before the bound, never inside a token near it', () => {
    const secret = 'postgres://app:' + 'p'.repeat(40) + '@db.internal:5432/app';
    const filler = 'word '.repeat(Math.ceil((MAX_TEXT_CHARS - 20) / 5));
    const cut = cutLongText(filler.slice(0, MAX_TEXT_CHARS - 20) + ' ' + secret + ' tail');
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).not.toContain('postgres://');
    expect(cut.length).toBeLessThanOrEqual(MAX_TEXT_CHARS + 1);
    expect(cutLongText('short')).toBe('short');
    // A surrogate pair is not split.
    const emoji = 'a'.repeat(MAX_TEXT_CHARS - 1) + '😀'.repeat(10);
    expect(cutLongText(emoji)).toBe('a'.repeat(MAX_TEXT_CHARS - 1) + '…');
  });
});

describe('metric values out of range (issue 19: "-500--201 MB" and "3.0,000,...e+303 MB")', () => {
  it('leaves out samples no metric can have, with one warning naming the first, and reports the rest', async () => {
    const t = Date.UTC(2026, 5, 1) / 1000;
    const points = [0.2, -0.5, 3e300, 0.25, -0.201, 0.3].map((value, i) => ({ ts: t + i * 60, value }));
    const doc = JSON.stringify({ service: 'web', measurements: { MEMORY_USAGE_GB: points, CPU_USAGE: [{ ts: t, value: 1e9 }, { ts: t + 60, value: 0.5 }] } });
    const { summary, metrics } = await readText(doc + '\n');
    expect(metrics.map((m) => `${m.measurement} ${m.value}`)).toEqual(['memory 200', 'memory 250', 'memory 300', 'cpu 0.5']);
    expect(summary.samples).toBe(4);
    expect(summary.warnings).toEqual(['4 metric samples with a value no such metric can have (negative, or beyond a petabyte or 100,000 vCPU; the first: memory -500 MB) were left out']);
    const r = await runCli(['analyze'], { stdin: doc + '\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('- **Range:** 200-300 MB, mean 250 MB');
    // Beyond the warning that names the first one left out, no impossible figure is printed.
    expect(r.stdout.replace(/.*metric samples with a value no such metric can have.*\n/g, '')).not.toMatch(/e\+\d|\d--\d|Infinity|[\s(]-\d[\d.,]* MB/);
  });
});
