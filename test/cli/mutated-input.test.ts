// Bad input never crashes hindsight: lines of the samples and the PostgreSQL fixtures, cut, spliced
// and sprinkled with JSON punctuation, control bytes, invalid UTF-8 and half escape sequences, go
// through the whole command in every input format. Each run must end with exit code 0 and a report
// in which lines = events + skipped for every input, or exit code 2 and one `hindsight:` line.
// Seeded: the same inputs every run; a failure prints the seed and the run to reproduce it.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from './run-cli.js';

const SOURCES = ['samples', 'test/fixtures/postgres'].flatMap(function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return walk(p);
    return /README|LICENSE/.test(n) ? [] : [p];
  });
});
const FORMATS = ['auto', 'railway-json', 'railway-text', 'railway-http', 'postgres', 'railway-metrics', 'metrics-csv', 'prometheus', 'raw'];
const JUNK = ['\\', '"', '{', '}', '[', ']', ',', ':', '\n', '\r\n', '\t', '\u0000', '\u001b[31m', '\u001b]0;x', '\u001b', '\ufffd', 'é', '😀', '\ud800', 'null', '1e999', '9999-99-99T99:99:99Z', '2026-02-07 19:12:02.412 UTC [12] ', 'ERROR:  ', 'DETAIL:  ', 'Traceback (most recent call last):\n', 'sample#memory_total=12MB '];

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return Math.floor(((s >>> 8) / 2 ** 24) * n);
  };
}

/** A few lines of `text` mangled in a few ways; as bytes (latin1, so that any byte can appear). */
function mutate(text: string, r: (n: number) => number): Buffer {
  const lines = text.split('\n').slice(r(50), 200);
  for (let k = 1 + r(8); k > 0 && lines.length > 0; k--) {
    const i = r(lines.length);
    const l = lines[i]!;
    const p = r(l.length + 1);
    switch (r(7)) {
      case 0: lines[i] = l.slice(0, p); break;
      case 1: lines[i] = l.slice(0, p) + JUNK[r(JUNK.length)] + l.slice(p); break;
      case 2: lines[i] = l.slice(0, p) + l.slice(p + 1 + r(20)); break;
      case 3: lines.splice(i, 0, lines[r(lines.length)]!); break;
      case 4: lines[i] = l.slice(0, p) + String.fromCharCode(r(256)) + l.slice(p + 1); break;
      case 5: lines[i] = l.replace(/\d/g, () => String(r(10))); break;
      default: lines.splice(i, 1);
    }
  }
  const bytes = Buffer.from(lines.join('\n'), 'latin1');
  return r(8) === 0 ? Buffer.concat([bytes, Buffer.from([0xff, 0xfe, 0xc3])]) : bytes;
}

describe('mutated inputs', () => {
  it('end in a report that accounts for every line, or in one clear error line', async () => {
    const texts = SOURCES.map((p) => readFileSync(p, 'latin1'));
    const r = rng(20261123);
    const codes = { ok: 0, usage: 0 };
    for (let run = 0; run < 160; run++) {
      const source = r(SOURCES.length);
      let input = mutate(texts[source]!, r);
      if (r(10) === 0) {
        const gz = gzipSync(input);
        input = r(2) === 0 ? gz : gz.subarray(0, r(gz.length));
      }
      const format = FORMATS[r(FORMATS.length)]!;
      const args = ['analyze', '-', '--format', 'json', ...(format === 'auto' ? [] : ['--input-format', format])];
      const what = `run ${run}: ${SOURCES[source]} ${args.join(' ')}`;
      const res = await runCli(args, { stdin: input });
      expect(res.stderr, what).not.toMatch(/internal error|\n\s+at /);
      if (res.code === 2) {
        codes.usage++;
        expect(res.stderr, what).toMatch(/^hindsight: [^\n]+\n$/);
        continue;
      }
      codes.ok++;
      expect(res.code, `${what}\n${res.stderr}`).toBe(0);
      const report = JSON.parse(res.stdout) as { inputs: { lines: number; events: number; skipped: number }[] };
      for (const i of report.inputs) expect(i.lines, what).toBe(i.events + i.skipped);
    }
    // Both ends are exercised: inputs still read, and inputs refused.
    expect(codes.ok).toBeGreaterThan(30);
    expect(codes.usage).toBeGreaterThan(30);
  });
});
