// The line splitter on its own: whatever the chunk boundaries, the lines handed over are the
// input's lines (LF or CRLF), numbered, each once, with the carry state held between chunks.
// Input: test/fixtures/postgres/cnpg.log, CloudNativePG's JSON log (pgBadger's test corpus, see
// the README there), which holds multi-byte UTF-8.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LineParser } from '../../src/ingest/format.js';
import { LineSplitter, type LineTarget } from '../../src/ingest/line-splitter.js';

const CNPG = readFileSync(fileURLToPath(new URL('../fixtures/postgres/cnpg.log', import.meta.url)));

/** A target that records what it is handed: lines as strings, or in place when `inPlace`. */
function recorder(inPlace: boolean) {
  const lines: [number, string][] = [];
  const skips: [number, string][] = [];
  const parser: LineParser = {
    line: (text, n) => void lines.push([n, text]),
    lineAt: (text, from, to, n) => void lines.push([n, text.slice(from, to)]),
    end: () => {},
  };
  const target: LineTarget = {
    inPlace: inPlace ? parser : null,
    line: (text, n) => void lines.push([n, text]),
    skip: (n, reason) => void skips.push([n, reason]),
    cutLine: (n, reason) => void skips.push([n, reason]),
  };
  return { lines, skips, target };
}

function split(bytes: Buffer, chunk: number, inPlace: boolean, maxLine = 1 << 26, cut: string | null = null) {
  const r = recorder(inPlace);
  const s = new LineSplitter(r.target, maxLine);
  for (let at = 0; at < bytes.length; at += chunk) s.push(bytes.subarray(at, at + chunk));
  s.end(cut);
  return { ...r, lineNo: s.lineNo, invalid: s.invalidUtf8Chunks };
}

/** The lines of a text as numbered pairs (a final newline ends the last line). */
function expected(text: string): [number, string][] {
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((l, i) => [i + 1, l.endsWith('\r') ? l.slice(0, -1) : l]);
}

describe('LineSplitter', () => {
  it('hands over every line once, in order, at any chunk boundaries (multi-byte characters cut between chunks)', () => {
    const head = CNPG.subarray(0, 24_000);
    const want = expected(head.toString('utf8'));
    expect(want.length).toBeGreaterThan(20);
    for (const size of [1, 3, 97, 4096, 1 << 20]) {
      const got = split(head, size, false);
      expect(got.lines).toEqual(want);
      expect(got.lineNo).toBe(want.length);
      expect(got.skips).toEqual([]);
      expect(got.invalid).toBe(0);
    }
  });

  it('gives a parser that reads in place the same lines, CRLF ends removed, pieces across chunks', () => {
    // ASCII lines only (in-place reading is for ASCII chunks), with CRLF ends.
    const ascii = CNPG.toString('utf8').split('\n').filter((l) => /^[\x20-\x7e]+$/.test(l)).slice(0, 400).join('\r\n') + '\r\n';
    const want = expected(ascii);
    for (const size of [5, 1000, 70_000, 1 << 20]) expect(split(Buffer.from(ascii), size, true).lines).toEqual(want);
  });

  it('skips a line longer than the limit even when it spans chunks, and counts a last line cut by the end of reading', () => {
    const lines = CNPG.toString('utf8').split('\n').slice(0, 6);
    const long = lines.findIndex((l) => Buffer.byteLength(l) > 300);
    expect(long).toBeGreaterThanOrEqual(0);
    const text = lines.join('\n');
    const got = split(Buffer.from(text), 64, false, 300, 'incomplete line (reading was interrupted)');
    const n = lines.length;
    expect(got.lineNo).toBe(n);
    const tooLong = lines.flatMap((l, i) => (Buffer.byteLength(l) > 300 && i < n - 1 ? [[i + 1, 'line longer than 300 bytes']] : []));
    expect(got.skips.slice(0, tooLong.length)).toEqual(tooLong);
    // The last line had no newline: cut (or too long) rather than parsed as if whole.
    expect(got.lines.map(([k]) => k)).not.toContain(n);
    expect(got.lines.length + got.skips.length).toBe(n);
  });
});
