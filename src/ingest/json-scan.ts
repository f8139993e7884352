// A scanner for one-line JSON objects (Railway's log lines): it finds where each top-level member
// is without building the object, so a reader can take the three fields it needs and leave the
// rest for later. JSON.parse of a whole 250-byte line costs more than everything else hindsight does
// with it; see docs/PERFORMANCE.md. Anything unusual makes the scan fail, and the caller falls back
// to JSON.parse, so the scanner never has to be right about rare shapes, only about failing on them.

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
  /** Whether the line holds a backslash anywhere (string values may need unescaping). */
  escapes: boolean;
  /** Member index of each well-known log key (see WELL_KNOWN), -1 when absent. */
  known: Int32Array;
  /** Two 32-bit Bloom words over the keys (see keyBits): a key with a clear bit is not a member. */
  keyMask: number;
  keyMask2: number;
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

function same(s: string, at: number, word: string): boolean {
  for (let i = 1; i < word.length; i++) if (s.charCodeAt(at + i) !== word.charCodeAt(i)) return false;
  return true;
}

/** Which well-known key the key at `ks` of length `len` is, or -1. */
function keyId(s: string, ks: number, len: number): number {
  const c = s.charCodeAt(ks);
  switch (len) {
    case 7:
      if (c === 109) return same(s, ks, 'message') ? K_MESSAGE : -1;
      if (c === 115) return same(s, ks, 'service') ? K_SERVICE : -1;
      return -1;
    case 9:
      return c === 116 && same(s, ks, 'timestamp') ? K_TIMESTAMP : -1;
    case 5:
      return c === 108 && same(s, ks, 'level') ? K_LEVEL : -1;
    case 3:
      return c === 109 && same(s, ks, 'msg') ? K_MSG : -1;
    case 4:
      return c === 116 && same(s, ks, 'time') ? K_TIME : -1;
    case 2:
      return c === 116 && s.charCodeAt(ks + 1) === 115 ? K_TS : -1;
    case 10:
      return c === 64 && same(s, ks, '@timestamp') ? K_AT_TIMESTAMP : -1;
    case 8:
      return c === 115 && same(s, ks, 'severity') ? K_SEVERITY : -1;
    case 11:
      return c === 115 && same(s, ks, 'serviceName') ? K_SERVICE_NAME : -1;
    default:
      return -1;
  }
}

const MAX_MEMBERS = 64;

export const members: ScannedMembers = {
  n: 0,
  keyStart: new Int32Array(MAX_MEMBERS),
  keyEnd: new Int32Array(MAX_MEMBERS),
  start: new Int32Array(MAX_MEMBERS),
  end: new Int32Array(MAX_MEMBERS),
  kind: new Uint8Array(MAX_MEMBERS),
  escapes: false,
  known: new Int32Array(WELL_KNOWN.length).fill(-1),
  keyMask: 0,
  keyMask2: 0,
};

// Two independent 5-bit hashes of a key (its length and a few of its characters), one bit in each
// mask word: with the ten keys of a busy log line, a key that is absent shows both bits set about
// one time in twenty.
// Only characters inside the key are read (a scan's neighbours are quotes, a lone key's are NaN).
function keyBitAt(s: string, ks: number, len: number): number {
  return len === 0 ? 1 : 1 << ((len * 5 + s.charCodeAt(ks) + 3 * s.charCodeAt(ks + len - 1)) & 31);
}

function keyBit2At(s: string, ks: number, len: number): number {
  return len < 2 ? 1 << (len + 1) : 1 << ((len * 3 + 7 * s.charCodeAt(ks + (len >> 1)) + s.charCodeAt(ks + len - 2)) & 31);
}

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function skipWs(s: string, i: number): number {
  while (isWs(s.charCodeAt(i))) i++;
  return i;
}

/** Index of the quote closing the string opened at `i`, or -1. */
function stringEnd(s: string, i: number, escapes: boolean): number {
  let q = s.indexOf('"', i + 1);
  if (!escapes) return q;
  while (q !== -1) {
    let b = q - 1;
    while (b > i && s.charCodeAt(b) === 92) b--;
    if (((q - 1 - b) & 1) === 0) return q;
    q = s.indexOf('"', q + 1);
  }
  return -1;
}

/** End (exclusive) of the nested object or array opened at `i`, or -1. */
function nestedEnd(s: string, i: number, escapes: boolean): number {
  let depth = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      const q = stringEnd(s, i, escapes);
      if (q === -1) return -1;
      i = q + 1;
      continue;
    }
    if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

/**
 * Scans a line holding one JSON object into `members`. Returns false when the line is not a plain
 * object this scanner is sure about (the caller then uses JSON.parse, which also gives the error).
 * Keys with escapes, duplicate-looking oddities and more than 64 members are left to JSON.parse.
 */
export function scanObject(s: string): boolean {
  const n = s.length;
  let i = skipWs(s, 0);
  if (s.charCodeAt(i) !== 123) return false;
  const escapes = s.indexOf('\\') !== -1;
  members.escapes = escapes;
  const known = members.known;
  known.fill(-1);
  let m = 0;
  let keyMask = 0;
  let keyMask2 = 0;
  i = skipWs(s, i + 1);
  if (s.charCodeAt(i) === 125) {
    members.n = 0;
    members.keyMask = 0;
    members.keyMask2 = 0;
    return skipWs(s, i + 1) === n;
  }
  for (;;) {
    if (s.charCodeAt(i) !== 34 || m === MAX_MEMBERS) return false;
    const kq = stringEnd(s, i, escapes);
    if (kq === -1) return false;
    const ks = i + 1;
    if (escapes) {
      const b = s.indexOf('\\', ks);
      if (b !== -1 && b < kq) return false;
    }
    i = kq + 1;
    if (s.charCodeAt(i) !== 58) {
      i = skipWs(s, i);
      if (s.charCodeAt(i) !== 58) return false;
    }
    i++;
    let c = s.charCodeAt(i);
    if (isWs(c)) {
      i = skipWs(s, i);
      c = s.charCodeAt(i);
    }
    let end: number;
    let kind: number;
    if (c === 34) {
      const q = stringEnd(s, i, escapes);
      if (q === -1) return false;
      end = q + 1;
      kind = STRING;
    } else if (c === 123 || c === 91) {
      end = nestedEnd(s, i, escapes);
      if (end === -1) return false;
      kind = c === 123 ? OBJECT : ARRAY;
    } else if ((c >= 48 && c <= 57) || c === 45) {
      end = i + 1;
      for (;;) {
        const d = s.charCodeAt(end);
        if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) end++;
        else break;
      }
      kind = NUMBER;
    } else if (c === 116 && s.startsWith('true', i)) {
      end = i + 4;
      kind = LITERAL;
    } else if (c === 102 && s.startsWith('false', i)) {
      end = i + 5;
      kind = LITERAL;
    } else if (c === 110 && s.startsWith('null', i)) {
      end = i + 4;
      kind = LITERAL;
    } else return false;
    const id = keyId(s, ks, kq - ks);
    keyMask |= keyBitAt(s, ks, kq - ks);
    keyMask2 |= keyBit2At(s, ks, kq - ks);
    // A repeated key: the last one wins, as in JSON.parse.
    if (id !== -1) known[id] = m;
    members.keyStart[m] = ks;
    members.keyEnd[m] = kq;
    members.start[m] = i;
    members.end[m] = end;
    members.kind[m] = kind;
    m++;
    i = end;
    let sep = s.charCodeAt(i);
    if (isWs(sep)) {
      i = skipWs(s, i);
      sep = s.charCodeAt(i);
    }
    if (sep === 44) {
      i++;
      if (isWs(s.charCodeAt(i))) i = skipWs(s, i);
      continue;
    }
    if (sep === 125) {
      members.n = m;
      members.keyMask = keyMask;
      members.keyMask2 = keyMask2;
      return skipWs(s, i + 1) === n;
    }
    return false;
  }
}

/** Whether the key of member `k` of line `s` is `name`. */
export function keyIs(s: string, k: number, name: string): boolean {
  return members.keyEnd[k]! - members.keyStart[k]! === name.length && s.startsWith(name, members.keyStart[k]!);
}

/** The key of member `k` of line `s`. */
export function memberKey(s: string, k: number): string {
  return s.slice(members.keyStart[k]!, members.keyEnd[k]!);
}

/** The string value of member `k` of line `s` (unescaped), or null when it is not a valid string. */
export function memberString(s: string, k: number): string | null {
  const a = members.start[k]!;
  const b = members.end[k]!;
  if (members.escapes) {
    const raw = s.slice(a, b);
    if (raw.indexOf('\\') !== -1) {
      try {
        return JSON.parse(raw) as string;
      } catch {
        return null;
      }
    }
    return raw.slice(1, -1);
  }
  return s.slice(a + 1, b - 1);
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

/** Holds a line until its attributes are first read. */
class LazyTarget {
  parsed: Record<string, unknown> | null = null;
  constructor(
    readonly raw: string,
    readonly keyMask: number,
    readonly keyMask2: number,
  ) {}
}

function materialize(t: LazyTarget): Record<string, unknown> {
  if (t.parsed === null) {
    let o: unknown;
    try {
      o = JSON.parse(t.raw);
    } catch {
      o = null;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      // The scanner is more lenient than JSON.parse (raw control characters in strings): take
      // the members it found.
      const r: Record<string, unknown> = {};
      if (scanObject(t.raw)) for (let k = 0; k < members.n; k++) r[memberKey(t.raw, k)] = memberValue(t.raw, k);
      o = r;
    }
    t.parsed = o as Record<string, unknown>;
  }
  return t.parsed;
}

/**
 * Whether key `k` certainly is not a member of the unparsed line: one of its bits is clear in the
 * masks the scan left (keys with escapes never pass the scan, so every key was hashed as written). Detectors
 * probe a few keys (`httpStatus`, `request_id`...) on every kept event; most lines lack them, and
 * answering that from the mask spares a JSON.parse per event.
 */
function surelyAbsent(t: LazyTarget, k: string | symbol): boolean {
  // Inherited names (toString, constructor...) resolve through the prototype, as on a plain object.
  if (t.parsed !== null || typeof k !== 'string' || k in Object.prototype) return false;
  return (t.keyMask & keyBitAt(k, 0, k.length)) === 0 || (t.keyMask2 & keyBit2At(k, 0, k.length)) === 0;
}

const lazyHandler: ProxyHandler<LazyTarget> = {
  get: (t, k) => (surelyAbsent(t, k) ? undefined : (materialize(t) as Record<string | symbol, unknown>)[k]),
  has: (t, k) => !surelyAbsent(t, k) && k in materialize(t),
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
 * The attributes of a JSON line as an object that is parsed on first use. Most events are
 * counted and forgotten; only the few that detectors look at pay for their attributes.
 * The masks are `members.keyMask`/`keyMask2` of a successful scan of `line` (-1, the default,
 * knows nothing).
 */
export function lazyAttrs(line: string, keyMask = -1, keyMask2 = -1): Record<string, unknown> {
  return new Proxy(new LazyTarget(line, keyMask, keyMask2), lazyHandler) as unknown as Record<string, unknown>;
}
