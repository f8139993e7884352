// A scanner for one-line JSON objects (Railway's log lines): it finds where each top-level member
// is without building the object, so a reader can take the three fields it needs and leave the
// rest for later. JSON.parse of a whole 250-byte line costs more than everything else hindsight does
// with it; see docs/PERFORMANCE.md. Anything unusual makes the scan fail, and the caller falls back
// to JSON.parse, so the scanner never has to be right about rare shapes, only about failing on them.
import { viewOf } from './byte-view.js';
import { PLAIN_ATTRS } from '../model.js';
import { MAX_JSON_DEPTH } from './json-depth.js';

/** Kinds of member values. */
export const STRING = 1;
export const NUMBER = 2;
export const LITERAL = 3; // true, false, null
export const OBJECT = 4;
export const ARRAY = 5;

/** The members of the last scanned object (reused between lines: copy what you keep). */
export interface ScannedMembers {
  n: number;
  /** Start and end (exclusive) of each key, without its quotes. */
  keyStart: Int32Array;
  keyEnd: Int32Array;
  start: Int32Array;
  end: Int32Array;
  kind: Uint8Array;
  /** 1 for a string value holding a backslash (it needs unescaping), else 0. */
  escaped: Uint8Array;
  /** Whether the line holds a backslash anywhere. */
  escapes: boolean;
  /** The line's characters as bytes (see scanObject), from `off` on: valid until the next scan. */
  bytes: Uint8Array;
  off: number;
  /** Member index of each well-known log key (see WELL_KNOWN), -1 when absent. */
  known: Int32Array;
}

/** Keys log readers look for, found while scanning so that nobody compares keys afterwards. */
export const WELL_KNOWN = ['message', 'msg', 'timestamp', 'time', 'ts', '@timestamp', 'level', 'severity', 'service', 'serviceName'] as const;
export const K_MESSAGE = 0;
export const K_MSG = 1;
export const K_TIMESTAMP = 2;
export const K_TIME = 3;
export const K_TS = 4;
export const K_AT_TIMESTAMP = 5;
export const K_LEVEL = 6;
export const K_SEVERITY = 7;
export const K_SERVICE = 8;
export const K_SERVICE_NAME = 9;

const MAX_MEMBERS = 64;

// The well-known keys the last scan found (members.known is reset through them, not whole).
const knownIds = new Int8Array(MAX_MEMBERS);
let knownSet = 0;

export const members: ScannedMembers = {
  n: 0,
  keyStart: new Int32Array(MAX_MEMBERS),
  keyEnd: new Int32Array(MAX_MEMBERS),
  start: new Int32Array(MAX_MEMBERS),
  end: new Int32Array(MAX_MEMBERS),
  kind: new Uint8Array(MAX_MEMBERS),
  escaped: new Uint8Array(MAX_MEMBERS),
  escapes: false,
  bytes: Buffer.alloc(0),
  off: 0,
  known: new Int32Array(WELL_KNOWN.length).fill(-1),
};

/**
 * A line's characters as bytes. The scanner reads bytes rather than calling charCodeAt, which
 * costs several times more per character. read-input hands over the bytes of ASCII lines as they
 * are in its chunk; for other strings each UTF-16 unit is written as one byte here: ASCII as is, any
 * other unit as 128 + its low seven bits (never a JSON delimiter, so the grammar reads the same).
 */
let scratch: Buffer = Buffer.allocUnsafe(4096);

/** Characters `from` to `to` of `s` written into the scratch bytes from 0, one byte a UTF-16 unit (ASCII as is, others folded above 127). */
function bytesOf(s: string, from: number, to: number): Buffer {
  const n = to - from;
  let b = scratch;
  if (n > b.length) {
    b = Buffer.allocUnsafe(n);
    // Keep a larger scratch only up to 1 MiB: a several-MB line once should not pin its size.
    if (n <= 1 << 20) scratch = b;
  }
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(from + i);
    b[i] = c < 128 ? c : 128 | (c & 127);
  }
  return b;
}

/**
 * The well-known keys with their quotes (`"message"`), as three little-endian 32-bit words at 0,
 * 4 and length - 4 (overlapping when shorter). A key is one of them when its first letter picks
 * it and three loads match: no search for the key's end, no loop over its characters. The quotes
 * are part of the match, so `"service"` never matches the start of `"serviceName"`.
 */
const QUOTED = WELL_KNOWN.map((w) => Buffer.from(`"${w}"`, 'latin1'));
const KW_LEN = Int32Array.from(QUOTED, (q) => q.length);
const KW_O1 = Int32Array.from(QUOTED, (q) => Math.min(4, q.length - 4));
const KW0 = Int32Array.from(QUOTED, (q) => q.readInt32LE(0));
const KW1 = Int32Array.from(QUOTED, (q) => q.readInt32LE(Math.min(4, q.length - 4)));
const KW2 = Int32Array.from(QUOTED, (q) => q.readInt32LE(q.length - 4));
// Well-known key ids grouped by first letter: BY_FIRST[FIRST_AT[c] ...] for FIRST_N[c] entries.
const BY_FIRST = Int8Array.from(WELL_KNOWN.map((_, id) => id).sort((x, y) => WELL_KNOWN[x]!.charCodeAt(0) - WELL_KNOWN[y]!.charCodeAt(0)));
const FIRST_AT = new Int8Array(256).fill(-1);
const FIRST_N = new Int8Array(256);
for (let k = BY_FIRST.length - 1; k >= 0; k--) {
  const c = WELL_KNOWN[BY_FIRST[k]!]!.charCodeAt(0);
  FIRST_AT[c] = k;
  FIRST_N[c]!++; // c is a char code: inside the 256 entries
}

/**
 * The well-known key whose quoted form starts at byte `p` of `dv` (the key's first letter `c`),
 * within `room` bytes, or -1.
 */
function quotedKnownKey(dv: DataView, p: number, room: number, c: number): number {
  const first = FIRST_AT[c]!;
  if (first === -1) return -1;
  const last = first + FIRST_N[c]!;
  for (let k = first; k < last; k++) {
    const id = BY_FIRST[k]!;
    const len = KW_LEN[id]!;
    if (len <= room && dv.getInt32(p, true) === KW0[id] && dv.getInt32(p + KW_O1[id]!, true) === KW1[id] && dv.getInt32(p + len - 4, true) === KW2[id]) return id;
  }
  return -1;
}

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function skipWs(b: Uint8Array, off: number, i: number, n: number): number {
  while (i < n && isWs(b[off + i]!)) i++;
  return i;
}

/** Index of the quote closing the string opened at `i` of `s` before `n` (escapes considered), or -1. */
function stringEnd(s: string, b: Uint8Array, off: number, i: number, n: number, escapes: boolean): number {
  let q = s.indexOf('"', i + 1);
  if (!escapes) return q < n ? q : -1;
  while (q !== -1 && q < n) {
    let k = q - 1;
    while (k > i && b[off + k] === 92) k--;
    if (((q - 1 - k) & 1) === 0) return q;
    q = s.indexOf('"', q + 1);
  }
  return -1;
}

/**
 * End (exclusive) of the nested object or array opened at `i`, before `n`, or -1; also -1 when it
 * nests deeper than MAX_JSON_DEPTH (the line then goes through JSON.parse, whose caller bounds it).
 */
function nestedEnd(s: string, b: Uint8Array, off: number, i: number, n: number, escapes: boolean): number {
  let depth = 0;
  while (i < n) {
    const c = b[off + i]!;
    if (c === 34) {
      const q = stringEnd(s, b, off, i, n, escapes);
      if (q === -1) return -1;
      i = q + 1;
      continue;
    }
    if (c === 123 || c === 91) {
      // The member is one level below the line's object.
      if (++depth >= MAX_JSON_DEPTH) return -1;
    } else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

/** Whether the bytes at `b[off + i]` spell `word` (ASCII). */
function bytesAre(b: Uint8Array, off: number, i: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (b[off + i + k] !== word.charCodeAt(k)) return false;
  return true;
}

// The last backslash search: lines read in place (see scanObject) share one long string, and a
// line without a backslash must not search the rest of that string again for each line.
let bsText = '';
let bsFrom = 0;
let bsAt = -1;

/** Index of the first backslash of `s` at or after `from` (-1 when none), reusing the last search when it answers. */
function nextBackslash(s: string, from: number): number {
  if (s === bsText && from >= bsFrom && (bsAt === -1 || bsAt >= from)) return bsAt;
  bsText = s;
  bsFrom = from;
  bsAt = s.indexOf('\\', from);
  return bsAt;
}

/**
 * Scans a line holding one JSON object into `members`. Returns false when the line is not a plain
 * object this scanner is sure about (the caller then uses JSON.parse, which also gives the error).
 * Keys with escapes, duplicate-looking oddities and more than 64 members are left to JSON.parse.
 * The line is `s` from `from` to `to` (exclusive): read-input hands over lines in place in a
 * string of many lines, and every index in `members` is an index of `s`.
 * `bytes`/`off`: the characters as bytes, `bytes[off + i]` being character i of `s`, when the
 * caller has them (ASCII text as read); otherwise they are made from the line.
 */
export function scanObject(s: string, bytes?: Uint8Array, off = 0, from = 0, to = s.length): boolean {
  const n = to;
  let b: Uint8Array;
  if (bytes === undefined) {
    b = bytesOf(s, from, to);
    off = -from;
  } else b = bytes;
  members.bytes = b;
  members.off = off;
  let i = b[off + from] === 123 ? from : skipWs(b, off, from, n);
  if (i >= n || b[off + i] !== 123) return false;
  // Where the next backslash is: a string ending before it holds no escape (most strings).
  let bs = nextBackslash(s, from);
  const escapes = bs !== -1 && bs < n;
  if (!escapes) bs = n;
  members.escapes = escapes;
  const known = members.known;
  for (let k = 0; k < knownSet; k++) known[knownIds[k]!] = -1;
  knownSet = 0;
  const view = viewOf(b);
  const keyStart = members.keyStart;
  const keyEnd = members.keyEnd;
  const start = members.start;
  const endOf = members.end;
  const kinds = members.kind;
  const escaped = members.escaped;
  let m = 0;
  i++;
  if (i < n && isWs(b[off + i]!)) i = skipWs(b, off, i, n);
  if (i < n && b[off + i] === 125) {
    members.n = 0;
    return skipWs(b, off, i + 1, n) === n;
  }
  for (;;) {
    if (i >= n || b[off + i] !== 34 || m === MAX_MEMBERS) return false;
    const ks = i + 1;
    const id = quotedKnownKey(view, off + i, n - i, b[off + ks]!);
    let kq: number;
    if (id !== -1) kq = i + KW_LEN[id]! - 1;
    else {
      // A backslash before the key's closing quote declines the line (escaped keys are JSON.parse's).
      kq = s.indexOf('"', ks);
      if (kq === -1 || kq > bs) return false;
    }
    i = kq + 1;
    if (i >= n) return false;
    if (b[off + i] !== 58) {
      i = skipWs(b, off, i, n);
      if (i >= n || b[off + i] !== 58) return false;
    }
    i++;
    if (i >= n) return false;
    let c = b[off + i]!;
    if (isWs(c)) {
      i = skipWs(b, off, i, n);
      if (i >= n) return false;
      c = b[off + i]!;
    }
    let end: number;
    let kind: number;
    let esc = 0;
    if (c === 34) {
      let q = s.indexOf('"', i + 1);
      if (q > bs) {
        // A backslash inside: this quote may be escaped.
        q = stringEnd(s, b, off, i, n, true);
        esc = 1;
      }
      if (q === -1 || q >= n) return false;
      end = q + 1;
      kind = STRING;
      if (esc === 1) {
        bs = nextBackslash(s, end);
        if (bs === -1 || bs > n) bs = n;
      }
    } else if (c === 123 || c === 91) {
      end = nestedEnd(s, b, off, i, n, escapes);
      if (end === -1) return false;
      kind = c === 123 ? OBJECT : ARRAY;
      if (bs < end) {
        bs = nextBackslash(s, end);
        if (bs === -1 || bs > n) bs = n;
      }
    } else if ((c >= 48 && c <= 57) || c === 45) {
      end = i + 1;
      while (end < n) {
        const d = b[off + end]!;
        if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) end++;
        else break;
      }
      kind = NUMBER;
    } else if (c === 116 && i + 4 <= n && bytesAre(b, off, i, 'true')) {
      end = i + 4;
      kind = LITERAL;
    } else if (c === 102 && i + 5 <= n && bytesAre(b, off, i, 'false')) {
      end = i + 5;
      kind = LITERAL;
    } else if (c === 110 && i + 4 <= n && bytesAre(b, off, i, 'null')) {
      end = i + 4;
      kind = LITERAL;
    } else return false;
    // A repeated key: the last one wins, as in JSON.parse.
    if (id !== -1) {
      known[id] = m;
      knownIds[knownSet++] = id;
    }
    keyStart[m] = ks;
    keyEnd[m] = kq;
    start[m] = i;
    endOf[m] = end;
    kinds[m] = kind;
    escaped[m] = esc;
    m++;
    i = end;
    if (i >= n) return false;
    let sep = b[off + i]!;
    if (isWs(sep)) {
      i = skipWs(b, off, i, n);
      if (i >= n) return false;
      sep = b[off + i]!;
    }
    if (sep === 44) {
      i++;
      if (i < n && isWs(b[off + i]!)) i = skipWs(b, off, i, n);
      continue;
    }
    if (sep === 125) {
      members.n = m;
      return i + 1 === n || skipWs(b, off, i + 1, n) === n;
    }
    return false;
  }
}

/** The key of member `k` of line `s`. */
export function memberKey(s: string, k: number): string {
  return s.slice(members.keyStart[k]!, members.keyEnd[k]!);
}

/** Escaped strings longer than this go to JSON.parse whole: pieces joined by the million cost more in garbage than they save. */
const LONG_STRING = 64 * 1024;

/** The string value of member `k` of line `s` (unescaped), or null when it is not a valid string. */
export function memberString(s: string, k: number): string | null {
  if (members.escaped[k] === 1) {
    const a = members.start[k]! + 1;
    const z = members.end[k]! - 1;
    // Most escaped log strings only escape quotes ("GET /x HTTP/1.1", "tasks_pkey"): when every
    // backslash is one before a quote, dropping them is the whole unescape. Joining the pieces
    // between them costs a fraction of JSON.parse, and about half of replaceAll (whose result
    // is flattened on first read anyway). Anything else (\\, \n, \u...) goes to JSON.parse,
    // which also validates, and so do very long strings.
    if (z - a <= LONG_STRING) {
      let bs = nextBackslash(s, a);
      let out = '';
      let p = a;
      while (bs !== -1 && bs < z && members.bytes[members.off + bs + 1] === 34) {
        out += s.slice(p, bs);
        p = bs + 1;
        bs = nextBackslash(s, bs + 2);
      }
      if (bs === -1 || bs >= z) return out + s.slice(p, z);
    }
    try {
      return JSON.parse(s.slice(a - 1, z + 1)) as string;
    } catch {
      return null;
    }
  }
  return s.slice(members.start[k]! + 1, members.end[k]! - 1);
}

/** The value of member `k` of line `s`, parsed (numbers, literals, nested values). */
export function memberValue(s: string, k: number): unknown {
  const kind = members.kind[k];
  if (kind === STRING) return memberString(s, k);
  const raw = s.slice(members.start[k]!, members.end[k]!);
  if (kind === NUMBER) {
    const v = Number(raw);
    return Number.isFinite(v) ? v : raw;
  }
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Holds a line (characters `from` to `to` of `text`) until its attributes are first read. */
class LazyTarget {
  parsed: Record<string, unknown> | null = null;
  constructor(
    public text: string,
    readonly from: number,
    readonly to: number,
  ) {}
}

function materialize(t: LazyTarget): Record<string, unknown> {
  if (t.parsed === null) {
    const raw = t.from === 0 && t.to === t.text.length ? t.text : t.text.slice(t.from, t.to);
    // Parsed, the line is no longer needed: the text may be many lines read in one piece.
    t.text = '';
    let o: unknown;
    try {
      o = JSON.parse(raw);
    } catch {
      o = null;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      // The scanner is more lenient than JSON.parse (raw control characters in strings): take
      // the members it found.
      const r: Record<string, unknown> = {};
      if (scanObject(raw)) for (let k = 0; k < members.n; k++) r[memberKey(raw, k)] = memberValue(raw, k);
      o = r;
    }
    t.parsed = o as Record<string, unknown>;
  }
  return t.parsed;
}

const lazyHandler: ProxyHandler<LazyTarget> = {
  get: (t, k) => (k === PLAIN_ATTRS ? materialize(t) : (materialize(t) as Record<string | symbol, unknown>)[k]),
  has: (t, k) => k in materialize(t),
  ownKeys: (t) => Reflect.ownKeys(materialize(t)),
  getOwnPropertyDescriptor(t, k) {
    const d = Object.getOwnPropertyDescriptor(materialize(t), k);
    if (d !== undefined) d.configurable = true;
    return d;
  },
  getPrototypeOf: () => Object.prototype,
  // Attributes are never mutated after ingest (model.ts).
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
};

/**
 * The attributes of a JSON line (characters `from` to `to` of `text`) as an object that is parsed
 * on first use. Most events are counted and forgotten; only the few that detectors look at pay
 * for their attributes.
 */
export function lazyAttrs(text: string, from = 0, to = text.length): Record<string, unknown> {
  return new Proxy(new LazyTarget(text, from, to), lazyHandler) as unknown as Record<string, unknown>;
}
