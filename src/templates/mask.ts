// The masker: one pass over a message's characters that replaces variable tokens by `<*>` and
// returns the message's "shape" (tokens joined by single spaces). No regex and no object per
// token: it runs on every message that the exact-message cache has not seen.
//
// A token is a run of non-space characters. Its leading brackets/quotes and trailing
// brackets/quotes/punctuation are kept; its core is classified:
//   key=value            → key=<*>   (an empty value stays `key=`: see the empty-tail rule)
//   key:value with digits → key:<*>  (`port:5432`)
//   contains a digit      → <*>      (numbers, ids, IPs and ports, durations, timestamps, versions, hex ids)
//   starts with `/`, has `://`, `\`, `@` between letters, a dot between letters, or is hex of 16+
//                         → <*>      (paths and routes, URLs, Windows paths, emails, host/file/class names)
//   a single quoted word  → '<*>'
// Adjacent bare `<*>` collapse into one, so a variable spanning several tokens ("12 Nov 2024
// 10:00:01") is one variable and messages whose variables differ in length share a shape.

export const WILDCARD = '<*>';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function isHexLetter(c: number): boolean {
  return (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Brackets and quotes that open a token and are kept around its core. */
function isLeadPunct(c: number): boolean {
  return c === 40 || c === 91 || c === 123 || c === 60 || c === 34 || c === 39 || c === 96;
}

/** Brackets, quotes and punctuation that close a token and are kept after its core. */
function isTrailPunct(c: number): boolean {
  return c === 41 || c === 93 || c === 125 || c === 62 || c === 44 || c === 59 || c === 58 || c === 46 || c === 33 || c === 63 || c === 34 || c === 39 || c === 96;
}

/**
 * The shape of `msg[from, to)`: variable tokens replaced by `<*>`, tokens joined by one space.
 * Pure function of the text, so the same message always has the same shape.
 */
export function maskMessage(msg: string, from = 0, to = msg.length): string {
  return scan(msg, from, to, false, 0) as string;
}

/**
 * A 53-bit hash of the shape of `msg[from, to)` computed without building it: equal to
 * `hashShape(maskMessage(msg, from, to), seed)`. The miner's hot path for messages not in its cache.
 */
export function maskHash(msg: string, seed: number, from = 0, to = msg.length): number {
  return scan(msg, from, to, true, seed) as number;
}

/** The hash `maskHash` gives a shape, from the shape's text. */
export function hashShape(shape: string, seed: number): number {
  let h1 = (0x811c9dc5 ^ seed) >>> 0;
  let h2 = (0x2545f491 + seed) >>> 0;
  for (let k = 0; k < shape.length; k++) {
    const c = shape.charCodeAt(k);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  return (h1 >>> 0) * 0x200000 + (h2 & 0x1fffff);
}

const WILD_CODES = [60, 42, 62];

// The hash step (FNV-1a in h1, a murmur-style mix in h2) is written out inline at each use below,
// not called as a helper: measured with bench-miner, interleaved runs, helpers cost 10-20% of the
// varied-message rate (scan is too large for V8 to inline them everywhere).
function scan(msg: string, from: number, to: number, hashing: boolean, seed: number): string | number {
  let out = '';
  let h1 = (0x811c9dc5 ^ seed) >>> 0;
  let h2 = (0x2545f491 + seed) >>> 0;
  let first = true;
  let prevWild = false;
  // The token being emitted: msg[pa, pb) + (`<*>` when wild) + msg[sa, sb), or a JSON string.
  let pa = 0;
  let pb = 0;
  let wild = false;
  let sa = 0;
  let sb = 0;
  let json: string | null = null;
  let i = from;
  while (i < to) {
    if (msg.charCodeAt(i) <= 32) {
      i++;
      continue;
    }
    const start = i;
    while (i < to && msg.charCodeAt(i) > 32) i++;
    const end = i;
    if (hashing) {
      // Fast path for the common tokens, hashed in the same pass: a plain word (letters, maybe
      // one trailing punctuation mark) is itself; a plain number is `<*>`. Anything else takes
      // the full classification below. Both paths give the same shape.
      let t1 = h1;
      let t2 = h2;
      if (!first) {
        t1 = Math.imul(t1 ^ 32, 0x01000193);
        t2 = Math.imul(t2 ^ 32, 0x5bd1e995);
        t2 ^= t2 >>> 13;
      }
      let k = start;
      const c0 = msg.charCodeAt(k);
      if (isLetter(c0)) {
        let hexLetters = true;
        for (; k < end; k++) {
          const c = msg.charCodeAt(k);
          if (!isLetter(c)) break;
          if (hexLetters && !isHexLetter(c)) hexLetters = false;
          t1 = Math.imul(t1 ^ c, 0x01000193);
          t2 = Math.imul(t2 ^ c, 0x5bd1e995);
          t2 ^= t2 >>> 13;
        }
        const trail = k === end - 1 && isTrailPunct(msg.charCodeAt(k));
        if ((k === end || trail) && !(hexLetters && k - start >= 16)) {
          if (trail) {
            const c = msg.charCodeAt(k);
            t1 = Math.imul(t1 ^ c, 0x01000193);
            t2 = Math.imul(t2 ^ c, 0x5bd1e995);
            t2 ^= t2 >>> 13;
          }
          h1 = t1;
          h2 = t2;
          first = false;
          prevWild = false;
          continue;
        }
      } else if (isDigit(c0)) {
        while (k < end) {
          const c = msg.charCodeAt(k);
          if (isDigit(c) || (c === 46 && k + 1 < end && isDigit(msg.charCodeAt(k + 1)))) k++;
          else break;
        }
        const trail = k === end - 1 && isTrailPunct(msg.charCodeAt(k));
        if (k === end || trail) {
          if (!trail && prevWild) continue;
          prevWild = !trail;
          for (let w = 0; w < 3; w++) {
            const c = WILD_CODES[w]!;
            t1 = Math.imul(t1 ^ c, 0x01000193);
            t2 = Math.imul(t2 ^ c, 0x5bd1e995);
            t2 ^= t2 >>> 13;
          }
          if (trail) {
            const c = msg.charCodeAt(k);
            t1 = Math.imul(t1 ^ c, 0x01000193);
            t2 = Math.imul(t2 ^ c, 0x5bd1e995);
            t2 ^= t2 >>> 13;
          }
          h1 = t1;
          h2 = t2;
          first = false;
          continue;
        }
      }
    }
    let cs = start;
    while (cs < end && isLeadPunct(msg.charCodeAt(cs))) cs++;
    let ce = end;
    while (ce > cs && isTrailPunct(msg.charCodeAt(ce - 1))) ce--;
    json = null;
    sa = sb = 0;
    if (msg.charCodeAt(start) === 123 && msg.indexOf('":', cs) !== -1 && msg.indexOf('":', cs) < end) {
      json = maskJsonToken(msg, start, end);
      wild = false;
    } else if (ce <= cs) {
      ((pa = start), (pb = end), (wild = false));
    } else {
      const q0 = cs > start ? msg.charCodeAt(cs - 1) : 0;
      // A quoted word is a value, unless it is a key (`"error":`).
      const quoted = (q0 === 34 || q0 === 39 || q0 === 96) && ce < end && msg.charCodeAt(ce) === q0 && msg.charCodeAt(ce + 1) !== 58 && msg.charCodeAt(ce + 1) !== 61;
      let digit = false;
      let eq = -1;
      let special = msg.charCodeAt(cs) === 47; // leading '/': a path or a route
      let open = -1;
      let prefixDigit = false;
      let hexOnly = true;
      for (let k = cs; k < ce; k++) {
        const c = msg.charCodeAt(k);
        if (isDigit(c)) {
          digit = true;
          if (open < 0) prefixDigit = true;
          continue;
        }
        if (isLetter(c)) {
          if (hexOnly && !isHexLetter(c)) hexOnly = false;
          continue;
        }
        hexOnly = false;
        if (c === 61) {
          if (eq < 0) eq = k;
        } else if (c === 58) {
          if (msg.charCodeAt(k + 1) === 47 && msg.charCodeAt(k + 2) === 47) special = true;
        } else if (c === 64) {
          if (k > cs && k + 1 < ce && isLetter(msg.charCodeAt(k - 1)) && isLetter(msg.charCodeAt(k + 1))) special = true;
        } else if (c === 92) special = true;
        else if ((c === 40 || c === 91) && open < 0) open = k;
      }
      if (eq > cs && !special) {
        if (isMessageKey(msg, cs, eq)) ((pa = start), (pb = end), (wild = false));
        else if (eq + 1 >= ce && !(eq + 1 < end && isQuote(msg.charCodeAt(eq + 1)))) ((pa = start), (pb = end), (wild = false));
        else {
          // key=value: the key is kept, a non-empty value is a variable; a quoted value runs to its closing quote.
          const q = msg.charCodeAt(eq + 1);
          if (isQuote(q)) {
            const close = msg.indexOf(String.fromCharCode(q), eq + 2);
            if (close === eq + 2) ((pa = start), (pb = end), (wild = false)); // key="" stays: an empty value
            else {
              if (close !== -1 && close >= end && close < to) {
                i = close + 1;
                while (i < to && msg.charCodeAt(i) > 32) i++;
              }
              ((pa = start), (pb = eq + 1), (wild = true));
            }
          } else ((pa = start), (pb = eq + 1), (wild = true), (sa = ce), (sb = end));
        }
      } else if (digit && !special && !quoted && isWordWithNumber(msg, cs, ce)) {
        // ssh2, eth0, SOCKS5, IPv4: a word; if it varies, the miner's frequency rule sees it
        ((pa = start), (pb = end), (wild = false));
      } else if (digit || special || quoted || (hexOnly && ce - cs >= 16)) {
        // name(args) / name[index]: the name is kept when only the arguments vary
        if (open > cs && !prefixDigit && !special && !quoted && allLetters(msg, cs, open) && open + 1 < ce) ((pa = start), (pb = open + 1), (wild = true), (sa = ce), (sb = end));
        else if (cs === start && ce === end) ((pa = pb = 0), (wild = true));
        else ((pa = start), (pb = cs), (wild = true), (sa = ce), (sb = end));
      } else ((pa = start), (pb = end), (wild = false));
    }
    if (json === null && wild && pa === pb && sa === sb) {
      if (prevWild) continue;
      prevWild = true;
    } else prevWild = false;
    if (!hashing) {
      const tok = json !== null ? json : wild ? msg.slice(pa, pb) + WILDCARD + msg.slice(sa, sb) : msg.slice(pa, pb);
      out = first ? tok : out + ' ' + tok;
      first = false;
      continue;
    }
    if (!first) {
      h1 = Math.imul(h1 ^ 32, 0x01000193);
      h2 = Math.imul(h2 ^ 32, 0x5bd1e995);
      h2 ^= h2 >>> 13;
    }
    first = false;
    const text = json ?? msg;
    const a = json !== null ? 0 : pa;
    const b = json !== null ? json.length : pb;
    for (let k = a; k < b; k++) {
      const c = text.charCodeAt(k);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 13;
    }
    if (wild) {
      for (let k = 0; k < 3; k++) {
        const c = WILD_CODES[k]!;
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995);
        h2 ^= h2 >>> 13;
      }
      for (let k = sa; k < sb; k++) {
        const c = msg.charCodeAt(k);
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995);
        h2 ^= h2 >>> 13;
      }
    }
  }
  return hashing ? (h1 >>> 0) * 0x200000 + (h2 & 0x1fffff) : out;
}


/**
 * A compact JSON object in one token (`{"level":"error","error":"boom"}`): keys kept, non-empty
 * values masked, empty strings kept (an empty error is its own template).
 */
function maskJsonToken(msg: string, start: number, end: number): string {
  let out = '';
  let i = start;
  let last = start;
  while (i < end) {
    const c = msg.charCodeAt(i);
    if (c === 34) {
      // a string: a key when a ':' follows it
      let j = i + 1;
      while (j < end && msg.charCodeAt(j) !== 34) j += msg.charCodeAt(j) === 92 ? 2 : 1;
      const isKey = msg.charCodeAt(j + 1) === 58;
      if (!isKey && j > i + 1) {
        out += msg.slice(last, i + 1) + WILDCARD;
        last = j;
      }
      i = j + 1;
      continue;
    }
    if (isDigit(c) || c === 45 || ((c === 116 || c === 102 || c === 110) && msg.charCodeAt(i - 1) === 58)) {
      // a number or true/false/null value
      let j = i + 1;
      while (j < end && msg.charCodeAt(j) !== 44 && msg.charCodeAt(j) !== 125 && msg.charCodeAt(j) !== 93) j++;
      out += msg.slice(last, i) + WILDCARD;
      last = j;
      i = j;
      continue;
    }
    i++;
  }
  return out + msg.slice(last, end);
}

function isQuote(c: number): boolean {
  return c === 34 || c === 39;
}

/** `msg=` / `message=`: in logfmt its value is the message text, not a variable. */
function isMessageKey(s: string, from: number, to: number): boolean {
  const n = to - from;
  if (n !== 3 && n !== 7) return false;
  const k = s.slice(from, to).toLowerCase();
  return k === 'msg' || k === 'message';
}

/** Two or more letters and then one or two digits: a word such as ssh2, eth0, SOCKS5, IPv4. */
function isWordWithNumber(s: string, from: number, to: number): boolean {
  let k = from;
  while (k < to && isLetter(s.charCodeAt(k))) k++;
  if (k - from < 2) return false;
  const d = to - k;
  if (d < 1 || d > 2) return false;
  for (; k < to; k++) if (!isDigit(s.charCodeAt(k))) return false;
  return true;
}

function allLetters(s: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (!isLetter(c) && c !== 95 && c !== 45) return false;
  }
  return to > from;
}

const EMPTY_KEYS = ['error', 'err', 'message', 'msg', 'reason', 'detail', 'exception', 'cause'];

/**
 * True when the message ends where its variable part should be: a label followed by `:`, `=` or
 * `-` and nothing after ("Materialization loop error: "), or a JSON-ish error/message field whose
 * value is the empty string (`"error": ""`).
 */
export function hasEmptyTail(msg: string): boolean {
  let e = msg.length;
  while (e > 0 && msg.charCodeAt(e - 1) <= 32) e--;
  if (e === 0) return false;
  const last = msg.charCodeAt(e - 1);
  if (last === 58 || last === 61) {
    // a label before it: a letter, digit, quote or closing bracket
    const p = e >= 2 ? msg.charCodeAt(e - 2) : 0;
    return isLetter(p) || isDigit(p) || p === 34 || p === 39 || p === 41 || p === 93 || p === 95;
  }
  if (last === 45 || last === 8212) {
    // "label -" (a dash after a space, not a word ending in '-')
    return e >= 3 && msg.charCodeAt(e - 2) === 32 && msg.charCodeAt(e - 3) > 32;
  }
  // "error": "" / 'error': '' / error=""
  let k = msg.indexOf('""');
  while (k > 0) {
    let j = k - 1;
    while (j >= 0 && msg.charCodeAt(j) === 32) j--;
    const sep = msg.charCodeAt(j);
    if (sep === 58 || sep === 61) {
      j--;
      if (msg.charCodeAt(j) === 34) j--;
      let s = j;
      while (s >= 0 && (isLetter(msg.charCodeAt(s)) || msg.charCodeAt(s) === 95)) s--;
      const key = msg.slice(s + 1, j + 1).toLowerCase();
      for (const w of EMPTY_KEYS) if (key === w || key.endsWith('_' + w) || key.endsWith(w)) return true;
    }
    k = msg.indexOf('""', k + 2);
  }
  return false;
}
