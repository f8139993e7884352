// Splits an input's chunks into lines: each line is cut at its newline byte and decoded on its own,
// or, for a parser that reads lines in place, an ASCII chunk is decoded a piece of many lines at a
// time. Only a partial last line is carried between chunks, as bytes, and this object holds it.
import { isAscii } from 'node:buffer';
import type { LineParser } from './format.js';
import { hasInvalidUtf8, latin1, utf8 } from './open-input.js';

/**
 * Bytes of an ASCII chunk decoded at once for a parser that reads lines in place: under V8's
 * 128 KiB limit for ordinary objects, so that the string is made in the young generation and
 * dies there once its lines are parsed.
 */
const PIECE = 64 * 1024;

/** Where the lines go (line numbers count from 1, every line read has one). */
export interface LineTarget {
  /** The chosen parser when it reads lines in place (`lineAt`): null before it is chosen, and for other parsers. */
  readonly inPlace: LineParser | null;
  /** A line as a string of its own; `mayHaveNul`: its bytes may hold NUL. */
  line(text: string, n: number, mayHaveNul: boolean): void;
  /** A line counted and not parsed (too long). */
  skip(n: number, reason: string, text: string): void;
  /** The input's last line, cut by the end of reading (an interruption, damaged gzip): counted and not parsed as if whole. */
  cutLine(n: number, reason: string, text: string): void;
}

export class LineSplitter {
  /** The number of the last line handed over or skipped: the lines read so far. */
  lineNo = 0;
  /** Chunks holding bytes that are not UTF-8 (decoded as U+FFFD). */
  invalidUtf8Chunks = 0;
  // The start of a line whose end is in a later chunk: byte pieces, not yet decoded.
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private carryTooLong = false;
  private carryNul = false;
  private carryAscii = true;
  // Whether the line being handed over may hold NUL bytes (checked per chunk with memchr, so
  // ordinary text pays nothing per line).
  private mayHaveNul = false;

  /** `maxLine`: lines longer than this many bytes are skipped. */
  constructor(
    private readonly target: LineTarget,
    private readonly maxLine: number,
  ) {}

  /** Hands over the lines a chunk ends (the carried one first) and carries its incomplete last line. */
  push(chunk: Buffer): void {
    const chunkNul = chunk.indexOf(0) !== -1;
    const ascii = isAscii(chunk);
    const validUtf8 = ascii || !hasInvalidUtf8(chunk);
    if (!validUtf8) this.invalidUtf8Chunks++;
    let start = 0;
    let nl = chunk.indexOf(10);
    if (nl !== -1 && (this.carryBytes > 0 || this.carryTooLong)) {
      if (this.carryTooLong) this.skipTooLong(++this.lineNo);
      else {
        this.carry.push(chunk.subarray(0, nl));
        const line = Buffer.concat(this.carry);
        this.mayHaveNul = this.carryNul || chunkNul;
        this.bytes(line, 0, line.length, this.carryAscii && ascii, false);
      }
      this.carry = [];
      this.carryBytes = 0;
      this.carryTooLong = false;
      this.carryNul = false;
      this.carryAscii = true;
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    this.mayHaveNul = chunkNul;
    while (nl !== -1) {
      // (The target's parser may be chosen by a line of this chunk.)
      const p = this.target.inPlace;
      if (ascii && !chunkNul && p !== null) {
        start = this.pieces(chunk, start, nl, p);
        break;
      }
      this.bytes(chunk, start, nl, ascii, validUtf8);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length && !this.carryTooLong) {
      // A copy: the next chunk may be read into the same buffer.
      this.carry.push(Buffer.from(chunk.subarray(start)));
      this.carryBytes += chunk.length - start;
      this.carryNul = this.carryNul || chunkNul;
      this.carryAscii = this.carryAscii && ascii;
      if (this.carryBytes > this.maxLine) {
        this.carry = [];
        this.carryBytes = 0;
        this.carryTooLong = true;
      }
    }
  }

  /**
   * At the end of the input: the carried last line (one without a final newline) is handed over,
   * or, when `cut` says why reading ended inside it, counted as cut.
   */
  end(cut: string | null): void {
    if (this.carryTooLong) this.skipTooLong(++this.lineNo);
    else if (this.carryBytes > 0) {
      const last = Buffer.concat(this.carry);
      this.mayHaveNul = this.carryNul;
      if (cut !== null) this.target.cutLine(++this.lineNo, cut, last.toString('utf8'));
      else this.bytes(last, 0, last.length, this.carryAscii, false);
    }
    this.carry = [];
  }

  // For a format that reads strings, each line is decoded on its own from the bytes between two
  // newlines: a flat string, not a slice of a 1 MiB chunk string (an external string, whose
  // slices read slower). A parser that reads lines in place (lineAt) gets whole ASCII chunks in
  // pieces (pieces()), and here the lines of other chunks that are ASCII, where byte i is
  // character i: a line of valid UTF-8 decoded to as many characters as it has bytes.
  private bytes(buf: Buffer, start: number, end: number, ascii: boolean, validUtf8: boolean): void {
    const n = ++this.lineNo;
    if (end - start > this.maxLine) {
      this.skipTooLong(n);
      return;
    }
    if (end > start && buf[end - 1] === 13) end--;
    const text = ascii ? latin1(buf, start, end) : utf8(buf, start, end);
    const p = this.target.inPlace;
    if (p !== null && !this.mayHaveNul && n > 1 && (ascii || (validUtf8 && text.length === end - start))) {
      p.lineAt!(text, 0, text.length, n, buf, start);
    } else this.target.line(text, n, this.mayHaveNul);
  }

  /**
   * The complete lines of an ASCII chunk from `start` (the first ending at newline `nl`) for a
   * parser that reads lines in place: decoded PIECE bytes at a time, each line handed over as
   * a range of its piece. Decoding a line costs a call into the runtime (~90 ns); a piece costs
   * one for ~450 short lines, and the newlines are found in the piece (a string search, no slower
   * than a Buffer's). Returns where the incomplete last line starts.
   */
  private pieces(chunk: Buffer, start: number, nl: number, p: LineParser): number {
    const maxLine = this.maxLine;
    while (nl !== -1) {
      // The piece ends at the last newline within PIECE bytes, or at the first when a line is longer.
      const last = nl - start < PIECE ? chunk.lastIndexOf(10, start + PIECE) : nl;
      const piece = latin1(chunk, start, last);
      const n = last - start;
      let from = 0;
      for (;;) {
        let to = piece.indexOf('\n', from);
        if (to === -1) to = n;
        const lineNo = ++this.lineNo;
        if (to - from > maxLine) this.skipTooLong(lineNo);
        else p.lineAt!(piece, from, to > from && chunk[start + to - 1] === 13 ? to - 1 : to, lineNo, chunk, start);
        if (to === n) break;
        from = to + 1;
      }
      start = last + 1;
      nl = chunk.indexOf(10, start);
    }
    return start;
  }

  private skipTooLong(n: number): void {
    this.target.skip(n, `line longer than ${this.maxLine} bytes`, '');
  }
}
