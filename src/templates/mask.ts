// The masker: one pass over a message's characters that replaces variable tokens by `<*>` and
// returns the message's "shape" (tokens joined by single spaces). No regex and no object per
// token: it runs on every message that the exact-message cache has not seen.
//
// A token is a run of non-space characters. Its leading brackets/quotes and trailing
// brackets/quotes/punctuation are kept; its core is classified:
//   key=value            → key=<*>   (an empty value stays `key=`: see the empty-tail rule)
//   key:value with digits → key:<*>  (`onFlush:1709999999123`, `retryQueue,size:3`: the key starts
//                                      with a letter; `db1:5432`, `api.internal:8443` are host:port, one <*>)
//   letters + a long number → letters<*> (`syncSteps1709999999123|12`), name.number → name.<*>
//   contains a digit      → <*>      (numbers, ids, IPs and ports, durations, timestamps, versions, hex ids)
//   starts with `/`, has `://`, `\`, `@` between letters, or is hex of 16+, or a relative path
//                         → <*>      (paths and routes, URLs, Windows paths, emails, `global/pg_control`)
//   a single quoted word  → '<*>'  (not a key: `{"id": 5`)
//   a quoted name, phrase or value with spaces → "<*>" (`"Order Items"`, `'858 kB'`,
//                           `"MOVED 3999 127.0.0.1:6381"`; not a request line: `"GET /x HTTP/1.1"`)
// Dotted names (`chrome.exe`) are left to the miner's word rules. Some tokens belong to the
// variable before them: a unit (`812 B`, `1.3 secs`, `40 %`, `5 second(s)`, `write=0.019 s`, a zone after a time), a parenthesised
// size (`512 bytes (0.5 KB)`) and the rest of a path after a space (`/tmp/celery worker.pid`). An
// empty quoted value (`""`) is a value, unless it is an error field's (the empty-tail rule). An
// object printed in a message (`{ id: 7 }`, `[ 'a', 1 ]`, `<Request 76a342>`) is one variable, a
// list (`['a', 'b']`) is `[<*>]`; so is a date in words (`Tue Mar  4 10:20:11 UTC 2025`, `Apr 5,
// 2020`), and so is an empty `()`/`[]` or two spaces after a word inside a message (a slot with
// no value: `cannot execute  within`). Adjacent bare `<*>` collapse into one, so a
// variable spanning several tokens is one variable and messages whose variables differ in length
// share a shape.

export const WILDCARD = '<*>';

// Character classes as bits of one table: the classification runs on every character of a new
// message, and a table read keeps each test a few bytes of bytecode, so that V8 inlines all of them
// into scan() (a chain of 13 comparisons per test took scan() past V8's inlining budget).
const DIGIT = 1;
const LETTER = 2;
const HEX_LETTER = 4;
const LEAD = 8;
const TRAIL = 16;
/** The first character of a unit (see UNITS). */
const UNIT_START = 32;
/** A capital that starts a month or weekday name (see NAME_INITIALS). */
const NAME_START = 64;
const CLASSES = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLASSES[c] = DIGIT;
for (let c = 65; c <= 90; c++) CLASSES[c] = LETTER;
for (let c = 97; c <= 122; c++) CLASSES[c] = LETTER;
for (const c of 'abcdefABCDEF') CLASSES[c.charCodeAt(0)]! |= HEX_LETTER;
/** Brackets and quotes that open a token and are kept around its core. */
for (const c of '([{<"\'`') CLASSES[c.charCodeAt(0)]! |= LEAD;
/** Brackets, quotes and punctuation that close a token and are kept after its core. */
for (const c of ')]}>,;:.!?"\'`') CLASSES[c.charCodeAt(0)]! |= TRAIL;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return c < 128 && (CLASSES[c]! & LETTER) !== 0;
}

function isHexLetter(c: number): boolean {
  return c < 128 && (CLASSES[c]! & HEX_LETTER) !== 0;
}

function isLeadPunct(c: number): boolean {
  return c < 128 && (CLASSES[c]! & LEAD) !== 0;
}

function isTrailPunct(c: number): boolean {
  return c < 128 && (CLASSES[c]! & TRAIL) !== 0;
}

/** `c` may start a unit: the test before isUnit() and sizeGroupEnd's scan on the hot path. */
function startsUnit(c: number): boolean {
  return c < 128 ? (CLASSES[c]! & UNIT_START) !== 0 : WIDE_UNIT_STARTS.includes(c);
}

/** `c` may start a date in words (a capitalised month or weekday name): the test before isNamePrefix(). */
function startsName(c: number): boolean {
  return c < 128 && (CLASSES[c]! & NAME_START) !== 0;
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
const SPACE_WILD_CODES = [32, 60, 42, 62];

// The hash step (FNV-1a in h1, a murmur-style mix in h2) is written out inline at each use below,
// not called as a helper: measured with bench-miner, interleaved runs, helpers cost 10-20% of the
// varied-message rate (scan is too large for V8 to inline them everywhere).
function scan(msg: string, from: number, to: number, hashing: boolean, seed: number): string | number {
  let out = '';
  let h1 = (0x811c9dc5 ^ seed) >>> 0;
  let h2 = (0x2545f491 + seed) >>> 0;
  let first = true;
  let prevWild = false;
  // The token before ends with a variable (`<*>`, `(<*>`, `took=<*>`): a unit after it is the variable's.
  let prevTailWild = false;
  // The token being emitted: msg[pa, pb) + (`<*>` when wild) + msg[sa, sb), or a JSON string.
  let pa = 0;
  let pb = 0;
  let wild = false;
  let sa = 0;
  let sb = 0;
  let json: string | null = null;
  let close = -1;
  let quote = -1;
  let i = from;
  // Blanks before the token, counted as they are skipped (a test of the characters before every
  // token cost 4% of the varied-message rate).
  let gap = 0;
  while (i < to) {
    if (msg.charCodeAt(i) <= 32) {
      i++;
      gap++;
      continue;
    }
    const start = i;
    // `cannot execute  within`: exactly two spaces after a word are an empty value of a slot (a
    // `%s` that printed nothing), as an empty `()` is; after `.`, `:` or `,` they are typography
    // (`file.  If`, `FATAL:  sorry`), and three or more are alignment.
    if (gap === 2 && !first && !prevWild && msg.charCodeAt(start - 1) === 32 && msg.charCodeAt(start - 2) === 32 && endsWord(msg.charCodeAt(start - 3))) {
      prevWild = prevTailWild = true;
      if (hashing) {
        for (let w = 0; w < 4; w++) {
          const c = SPACE_WILD_CODES[w]!;
          h1 = Math.imul(h1 ^ c, 0x01000193);
          h2 = Math.imul(h2 ^ c, 0x5bd1e995);
          h2 ^= h2 >>> 13;
        }
      } else out += ' ' + WILDCARD;
    }
    gap = 0;
    const c0 = msg.charCodeAt(start);
    let t1 = h1;
    let t2 = h2;
    let k = start;
    let hexLetters = true;
    if (hashing) {
      // Fast path for the common tokens, hashed in the same pass: a plain word (letters, maybe
      // one trailing punctuation mark) is itself; a plain number is `<*>`. Anything else takes
      // the full classification below. Both paths give the same shape. A word's letters are read
      // once: the token's end is looked for from where they stop.
      if (!first) {
        t1 = Math.imul(t1 ^ 32, 0x01000193);
        t2 = Math.imul(t2 ^ 32, 0x5bd1e995);
        t2 ^= t2 >>> 13;
      }
      if (isLetter(c0)) {
        for (; k < to; k++) {
          const c = msg.charCodeAt(k);
          if (!isLetter(c)) break;
          if (hexLetters && !isHexLetter(c)) hexLetters = false;
          t1 = Math.imul(t1 ^ c, 0x01000193);
          t2 = Math.imul(t2 ^ c, 0x5bd1e995);
          t2 ^= t2 >>> 13;
        }
        i = k;
      }
    }
    while (i < to && msg.charCodeAt(i) > 32) i++;
    const end = i;
    if (hashing) {
      if (isLetter(c0)) {
        const trail = k === end - 1 && isTrailPunct(msg.charCodeAt(k));
        // Units after a number and dates in words take the full path below.
        if ((k === end || trail) && !(hexLetters && k - start >= 16) && !(prevTailWild && startsUnit(c0) && isUnit(msg, start, k)) && !(startsName(c0) && k - start >= 3 && mayStartDate(msg, start, k, end, to))) {
          if (trail) {
            const c = msg.charCodeAt(k);
            t1 = Math.imul(t1 ^ c, 0x01000193);
            t2 = Math.imul(t2 ^ c, 0x5bd1e995);
            t2 ^= t2 >>> 13;
          }
          h1 = t1;
          h2 = t2;
          first = false;
          prevWild = prevTailWild = false;
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
          prevWild = prevTailWild = !trail;
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
    // `<1`, `<=5`: a comparator glued to a number belongs to it
    if (cs > start && msg.charCodeAt(cs - 1) === 60 && (isDigit(msg.charCodeAt(cs)) || (msg.charCodeAt(cs) === 61 && isDigit(msg.charCodeAt(cs + 1))))) cs--;
    let ce = end;
    while (ce > cs && isTrailPunct(msg.charCodeAt(ce - 1))) ce--;
    json = null;
    sa = sb = 0;
    // Parts of the variable before (a unit, a parenthesised size, the rest of a path with a space)
    // are joined to it with their closing punctuation only; a date in words is one variable.
    let glued = prevTailWild && (cs === start ? startsUnit(msg.charCodeAt(cs)) : msg.charCodeAt(start) === 40 && isDigit(msg.charCodeAt(start + 1))) ? gluedEnd(msg, start, cs, ce, to) : -1;
    if (glued === -1 && prevWild && cs === start && ce > cs && pathGoesOn(msg, from, start, ce)) glued = ce;
    if (glued > i) {
      i = glued;
      while (i < to && msg.charCodeAt(i) > 32) i++;
    }
    const joined = glued !== -1;
    const dateEnd = !joined && ce - cs >= 3 && startsName(msg.charCodeAt(cs)) && isNamePrefix(msg, cs) ? dateRunEnd(msg, cs, to) : -1;
    if (joined) {
      if (glued === i) continue;
      pa = glued;
      pb = i;
      wild = false;
    } else if (dateEnd !== -1) {
      i = dateEnd;
      let te = i;
      while (i < to && msg.charCodeAt(i) > 32) i++;
      while (te < i && isTrailPunct(msg.charCodeAt(te))) te++;
      pa = start;
      pb = cs;
      wild = true;
      sa = dateEnd;
      sb = te;
    } else if (msg.charCodeAt(start) === 123 && msg.indexOf('":', cs) !== -1 && msg.indexOf('":', cs) < end) {
      json = maskJsonToken(msg, start, end);
      wild = false;
    } else if (!first && (msg.charCodeAt(start) === 60 || end === start + 1 || (msg.charCodeAt(start) === 91 && listStart(msg, start, end))) && (close = reprEnd(msg, start, end, to)) !== -1) {
      // an object printed in a message (`{ id: 7, name: 'celery' }`, `[ 'users', 42 ]`,
      // `<Request 76a342>`): one value, whatever its inner shape; a list keeps its brackets
      // (`['a', 'b']` is `[<*>]`, as `[42]` is)
      i = close + 1;
      while (i < to && msg.charCodeAt(i) > 32) i++;
      const list = end > start + 1 && msg.charCodeAt(start) === 91;
      pa = start;
      pb = list ? start + 1 : start;
      wild = true;
      sa = list ? close : close + 1;
      sb = i;
    } else if (cs > start && (quote = isQuote(msg.charCodeAt(cs - 1)) ? cs - 1 : isQuote(msg.charCodeAt(start)) ? start : -1) !== -1 && (close = quoteSpanEnd(msg, msg.charCodeAt(quote), quote + 1, end, to)) !== -1) {
      // a quoted value with spaces (`"Order Items"`, `'858 kB'`, `"connection reset by peer"`,
      // `"{ id: 7 }"`) is one value
      i = close + 1;
      while (i < to && msg.charCodeAt(i) > 32) i++;
      pa = start;
      pb = quote + 1;
      wild = true;
      sa = close;
      sb = i;
    } else if (ce <= cs) {
      // `()` / `[]` inside a message: an empty value of the slot (at the end, the empty-tail rule keeps it)
      if (cs === start + 1 && (msg.charCodeAt(start) === 40 || msg.charCodeAt(start) === 91) && msg.charCodeAt(cs) === msg.charCodeAt(start) + (msg.charCodeAt(start) === 40 ? 1 : 2) && moreAfter(msg, end, to)) {
        pa = start;
        pb = cs;
        wild = true;
        sa = cs;
        sb = end;
      } else if (cs === start + 2 && isQuote(msg.charCodeAt(start)) && msg.charCodeAt(start + 1) === msg.charCodeAt(start) && emptyQuoteIsValue(msg, start, from)) {
        // `role ""`, `index "" is not valid`: an empty value of a quoted slot
        pa = start;
        pb = start + 1;
        wild = true;
        sa = start + 1;
        sb = end;
      } else { pa = start; pb = end; wild = false; }
    } else {
      const q0 = cs > start ? msg.charCodeAt(cs - 1) : 0;
      // A quoted word is a value, unless it is a key (`"error":`).
      const quoted = (q0 === 34 || q0 === 39 || q0 === 96) && ce < end && msg.charCodeAt(ce) === q0 && !isKeyQuote(msg, cs - 1, ce);
      let digit = false;
      let eq = -1;
      // a leading '/' (a path or a route), or a relative path: `./config/settings.py`, `../x`, `~/x`
      let special = msg.charCodeAt(cs) === 47 || relativePathStart(msg, cs, ce);
      let open = -1;
      let prefixDigit = false;
      let hexOnly = true;
      // Looked at by the rules below only in the tokens that need them, but noted here, in the one
      // pass over the token: a `:` (key:value), a `/` before any `=` (a path, whose `=` is not a
      // key=value), an opening bracket (a key=value's value may close it after its core).
      let colon = false;
      let slash = false;
      let bracket = false;
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
          colon = true;
          if (msg.charCodeAt(k + 1) === 47 && msg.charCodeAt(k + 2) === 47) special = true;
        } else if (c === 64) {
          if (k > cs && k + 1 < ce && isLetter(msg.charCodeAt(k - 1)) && isLetter(msg.charCodeAt(k + 1))) special = true;
        } else if (c === 92) special = true;
        else if (c === 47) {
          if (eq < 0) slash = true;
        } else if (c === 40 || c === 91 || c === 123) {
          bracket = true;
          if (c !== 123 && open < 0) open = k;
        }
      }
      // a relative path without `./` (`global/pg_control`); `read/write` and `TCP/IP` are words
      if (slash && !special && !digit && eq < 0 && relativePath(msg, cs, ce)) special = true;
      if (eq > cs && !special && !isComparator(msg.charCodeAt(cs)) && !slash) {
        if (isMessageKey(msg, cs, eq)) { pa = start; pb = end; wild = false; }
        else if (eq + 1 >= ce && !(eq + 1 < end && isQuote(msg.charCodeAt(eq + 1)))) { pa = start; pb = end; wild = false; }
        else {
          // key=value: the key is kept, a non-empty value is a variable; a quoted value runs to its closing quote.
          const q = msg.charCodeAt(eq + 1);
          if (isQuote(q)) {
            const close = msg.indexOf(String.fromCharCode(q), eq + 2);
            if (close === eq + 2) { pa = start; pb = end; wild = false; } // key="" stays: an empty value
            else {
              if (close !== -1 && close >= end && close < to) {
                i = close + 1;
                while (i < to && msg.charCodeAt(i) > 32) i++;
              }
              pa = start;
              pb = eq + 1;
              wild = true;
            }
          } else { pa = start; pb = eq + 1; wild = true; sa = bracket ? closeBrackets(msg, eq + 1, ce, end) : ce; sb = end; }
        }
      } else if (digit && !special && !quoted && !(hexOnly && ce - cs >= HEX_ID_MIN) && isWordWithNumber(msg, cs, ce)) {
        // ssh2, eth0, SOCKS5, IPv4: a word; if it varies, the miner's frequency rule sees it (7 or
        // more hex digits, `fdfebfa1`, are an id)
        pa = start;
        pb = end;
        wild = false;
      } else if (digit || special || quoted || (hexOnly && ce - cs >= 16)) {
        // key:value (the key is kept), letters glued to a number (`syncSteps<*>`, `handle_write.<*>`),
        // name(args) / name[index]: the name is kept when only the arguments vary
        const glue = special || quoted || !isLetter(msg.charCodeAt(cs)) ? -1 : keyValueEnd(msg, cs, ce, colon);
        if (glue !== -1) { pa = start; pb = glue; wild = true; sa = ce; sb = end; }
        else if (open > cs && !prefixDigit && !special && !quoted && allLetters(msg, cs, open) && open + 1 < ce) { pa = start; pb = open + 1; wild = true; sa = ce; sb = end; }
        else if (cs === start && ce === end) { pa = pb = 0; wild = true; }
        else { pa = start; pb = cs; wild = true; sa = ce; sb = end; }
      } else { pa = start; pb = end; wild = false; }
    }
    prevTailWild = json === null && wild && sa === sb;
    if (json === null && wild && pa === pb && sa === sb) {
      if (prevWild) continue;
      prevWild = true;
    } else prevWild = false;
    if (!hashing) {
      const tok = json !== null ? json : wild ? msg.slice(pa, pb) + WILDCARD + msg.slice(sa, sb) : msg.slice(pa, pb);
      out = first ? tok : joined ? out + tok : out + ' ' + tok;
      first = false;
      continue;
    }
    if (!first && !joined) {
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

/** `<`, `>`, `~`: a comparator before a number (`<1`, `>=5`), not a key. */
function isComparator(c: number): boolean {
  return c === 60 || c === 62 || c === 126;
}

/**
 * Where the variable of a token with a digit starts when a key or name stays (`cs` is a letter):
 * after the first `:` of `key:value` (`onFlush:<*>`, `retryQueue,size:<*>`) unless it is
 * host:port, or at the number glued to a name (`syncSteps<*>`, `handle_write.<*>`); -1 when the
 * whole token is the variable.
 */
function keyValueEnd(msg: string, cs: number, ce: number, colon: boolean): number {
  // (`colon`: the token holds a `:`; without one, the search for it is skipped)
  for (let k = cs + 1; colon && k < ce; k++) {
    const c = msg.charCodeAt(k);
    if (c === 58) {
      let digit = false;
      for (let j = k + 1; j < ce && !digit; j++) digit = isDigit(msg.charCodeAt(j));
      if (digit && !hostPort(msg, cs, k)) return k + 1;
      break;
    }
    if (!isLetter(c) && !isDigit(c) && c !== 95 && c !== 45 && c !== 46 && c !== 44 && c !== 124) break;
  }
  return numberSuffixStart(msg, cs, ce);
}

/**
 * `host:port` (`db1:5432`, `api.internal:8443`, `ip-10-0-3-17:6379`) rather than `key:value`: a
 * key with a digit, a dot or a dash. It stays one variable, an address; otherwise every host of a
 * pool would make its own template.
 */
function hostPort(msg: string, cs: number, colon: number): boolean {
  for (let k = cs; k < colon; k++) {
    const c = msg.charCodeAt(k);
    if (isDigit(c) || c === 46 || c === 45) return true;
    if (c === 44 || c === 124) return false; // `retryQueue,size:3`: a list of fields
  }
  return false;
}

/** `./`, `../` or `~/` at `cs`, with more after it: a relative path. */
function relativePathStart(msg: string, cs: number, ce: number): boolean {
  const c = msg.charCodeAt(cs);
  if (c !== 46 && c !== 126) return false;
  let k = cs + 1;
  if (c === 46 && msg.charCodeAt(k) === 46) k++;
  return msg.charCodeAt(k) === 47 && k + 1 < ce;
}

/**
 * A relative path without `./` at `cs`: names (letters, digits, `_`, `.`, `-`) joined by single
 * `/`, three names or more, or two with a `_`, `.` or `-` in them (`global/pg_control`,
 * `src/app/main.ts`, `a/b/c`). Two plain words (`read/write`, `TCP/IP`, `N/A`) are not one.
 */
function relativePath(msg: string, cs: number, ce: number): boolean {
  if (!isLetter(msg.charCodeAt(cs)) && msg.charCodeAt(cs) !== 95) return false;
  let names = 1;
  let marked = false;
  let prev = 0;
  for (let k = cs; k < ce; k++) {
    const c = msg.charCodeAt(k);
    if (c === 47) {
      if (prev === 47) return false;
      names++;
    } else if (c === 95 || c === 46 || c === 45) marked = true;
    else if (!isLetter(c) && !isDigit(c)) return false;
    prev = c;
  }
  return prev !== 47 && (names >= 3 || (names === 2 && marked));
}

/**
 * `msg[cs, ce)` looks like a piece of a path: a `/` or `\\` inside, or a file name (`worker.pid`),
 * and no digit (a piece with one is a variable of its own, joined to the path as adjacent `<*>`
 * are; `HTTP/1.1` after a route stays its own token).
 */
function pathPiece(msg: string, cs: number, ce: number): boolean {
  let dot = -1;
  let slash = false;
  for (let k = cs; k < ce; k++) {
    const c = msg.charCodeAt(k);
    if (isDigit(c)) return false;
    if (c === 47 || c === 92) {
      if (msg.charCodeAt(k + 1) === 47) return false;
      slash = true;
    } else if (c === 46) dot = k;
  }
  if (slash) return true;
  // name.ext: a short extension of lower-case letters and digits that starts with a letter
  if (dot <= cs || ce - dot - 1 < 1 || ce - dot - 1 > 4 || !(msg.charCodeAt(dot + 1) >= 97 && msg.charCodeAt(dot + 1) <= 122)) return false;
  for (let k = dot + 1; k < ce; k++) {
    const c = msg.charCodeAt(k);
    if (!(c >= 97 && c <= 122) && !isDigit(c)) return false;
  }
  return true;
}

/**
 * The token at `start` (core up to `ce`) goes on with the path before it, after a space
 * (`/tmp/celery worker.pid`, `/srv/app/My Settings/app.yaml`): it looks like a path's piece, and
 * the tokens before it are such pieces back to one that starts with `/` (or `./`, `~/`). Runs only after a variable.
 */
function pathGoesOn(msg: string, from: number, start: number, ce: number): boolean {
  if (!pathPiece(msg, start, ce)) return false;
  let e = start;
  for (let n = 0; n < 4; n++) {
    while (e > from && msg.charCodeAt(e - 1) <= 32) e--;
    let b = e;
    while (b > from && msg.charCodeAt(b - 1) > 32) b--;
    if (b === e) return false;
    if (msg.charCodeAt(b) === 47 || relativePathStart(msg, b, e)) return true;
    if (!pathPiece(msg, b, e)) return false;
    e = b;
  }
  return false;
}

/** True when a token follows `end` before `to`. */
function moreAfter(msg: string, end: number, to: number): boolean {
  for (let k = end; k < to; k++) if (msg.charCodeAt(k) > 32) return true;
  return false;
}

/**
 * Where the suffix kept after a key=value's value starts: closing brackets whose opening bracket is
 * inside the value belong to it (`meta=Meta{42},` and `meta=null,` are both `meta=<*>,`).
 */
function closeBrackets(msg: string, from: number, ce: number, end: number): number {
  let open = 0;
  for (let k = from; k < ce; k++) {
    const c = msg.charCodeAt(k);
    if (c === 40 || c === 91 || c === 123) open++;
    else if ((c === 41 || c === 93 || c === 125) && open > 0) open--;
  }
  let k = ce;
  while (open > 0 && k < end && (msg.charCodeAt(k) === 41 || msg.charCodeAt(k) === 93 || msg.charCodeAt(k) === 125)) {
    k++;
    open--;
  }
  return k;
}

/**
 * Where the number of a name glued to one starts: two or more letters (one not a hex digit, so
 * hex ids stay whole) and then three digits or more (`syncSteps1709999999123`), or `name.` and
 * only digits (`handle_write.434`, `core.1234`); -1 otherwise.
 */
function numberSuffixStart(msg: string, cs: number, ce: number): number {
  let k = cs;
  let letters = 0;
  let plain = false;
  let underscore = false;
  for (; k < ce; k++) {
    const c = msg.charCodeAt(k);
    if (isLetter(c)) {
      letters++;
      if (!isHexLetter(c)) plain = true;
    } else if (c === 95) underscore = true;
    else break;
  }
  if (letters < 2 || !plain || k >= ce) return -1;
  if (msg.charCodeAt(k) === 46) {
    for (let j = k + 1; j < ce; j++) if (!isDigit(msg.charCodeAt(j))) return -1;
    return k + 1 < ce ? k + 1 : -1;
  }
  // `blk_123` stays whole, like `blk_-123`
  return !underscore && k + 2 < ce && isDigit(msg.charCodeAt(k)) && isDigit(msg.charCodeAt(k + 1)) && isDigit(msg.charCodeAt(k + 2)) ? k : -1;
}

// (and a time zone after a date's time, as in `2025-11-03 00:15:56.553 UTC`)
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'kB', 'KiB', 'MiB', 'GiB', 'TiB', 'byte', 'bytes', 'ms', 'us', 'µs', 'ns', 's', 'sec', 'secs', 'second', 'seconds', 'min', 'mins', 'minute', 'minutes', 'h', 'hour', 'hours', '%', 'UTC', 'GMT'];

/** Calendar units, units only with a bracketed plural (`2 day(s)`). */
const CALENDAR_UNITS = ['day', 'week', 'month', 'year'];

const UNITS_BY_LENGTH = Array.from({ length: 8 }, (_, n) => UNITS.filter((u) => u.length === n));
for (const u of [...UNITS, ...CALENDAR_UNITS]) if (u.charCodeAt(0) < 128) CLASSES[u.charCodeAt(0)]! |= UNIT_START;
const WIDE_UNIT_STARTS = UNITS.map((u) => u.charCodeAt(0)).filter((c) => c >= 128);

/** A unit after a number (`812 B`, `1.3 secs`, `40 %`): part of the number's variable. No slice: it runs after every number. */
function isUnit(msg: string, from: number, to: number): boolean {
  const n = to - from;
  if (n < 1 || n > 7) return false;
  const c = msg.charCodeAt(from);
  if (!startsUnit(c)) return false;
  for (const u of UNITS_BY_LENGTH[n]!) {
    if (u.charCodeAt(0) !== c) continue;
    let k = 1;
    while (k < n && u.charCodeAt(k) === msg.charCodeAt(from + k)) k++;
    if (k === n) return true;
  }
  return false;
}

/**
 * After a variable: where the token at `start` stops being part of it (the end of a unit, or after
 * a parenthesised size's `)`), or -1 when it is a token of its own.
 */
function gluedEnd(msg: string, start: number, cs: number, ce: number, to: number): number {
  if (cs === start && isUnit(msg, cs, ce)) return ce;
  // a unit with its plural in brackets: `5 second(s)` (AddressSanitizer), `2 day(s)` (a calendar
  // unit is one only so: `older than 90 days` keeps its word, a count of days in a format)
  if (cs === start && ce - cs > 3 && msg.charCodeAt(ce - 2) === 40 && msg.charCodeAt(ce - 1) === 115 && msg.charCodeAt(ce) === 41 && (isUnit(msg, cs, ce - 2) || nameIn(msg, cs, ce - 2, CALENDAR_UNITS))) return ce + 1;
  return msg.charCodeAt(start) === 40 ? sizeGroupEnd(msg, start, to) : -1;
}

/**
 * A parenthesised size after a variable (`(0.5 KB)` in `512 bytes (0.5 KB) sent`, or `(12%)`):
 * the index after its `)`, or -1. It is an optional part of the variable before it.
 */
function sizeGroupEnd(msg: string, start: number, to: number): number {
  if (!isDigit(msg.charCodeAt(start + 1))) return -1;
  let k = start + 1;
  const n0 = k;
  while (k < to && (isDigit(msg.charCodeAt(k)) || msg.charCodeAt(k) === 46)) k++;
  if (k === n0 || !isDigit(msg.charCodeAt(n0))) return -1;
  while (k < to && msg.charCodeAt(k) === 32) k++;
  const u = k;
  if (!startsUnit(msg.charCodeAt(u))) return -1;
  while (k < to && msg.charCodeAt(k) !== 41 && msg.charCodeAt(k) > 32) k++;
  return msg.charCodeAt(k) === 41 && isUnit(msg, u, k) ? k + 1 : -1;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec', 'january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
/** The first three letters of the month and weekday names, lower case, as 24-bit numbers. */
const NAME_PREFIXES = new Set([...MONTHS, ...WEEKDAYS].map((w) => (w.charCodeAt(0) << 16) | (w.charCodeAt(1) << 8) | w.charCodeAt(2)));

/** The initials of the month and weekday names, one bit per letter (a = bit 0). */
const NAME_INITIALS = [...MONTHS, ...WEEKDAYS].reduce((m, w) => m | (1 << (w.charCodeAt(0) - 97)), 0);
for (let c = 65; c <= 90; c++) if ((NAME_INITIALS >>> (c - 65)) & 1) CLASSES[c]! |= NAME_START;

/** `msg[from, to)` is one of `names`, in any case. */
function nameIn(msg: string, from: number, to: number, names: readonly string[]): boolean {
  const n = to - from;
  if (n < 3 || n > 9) return false;
  for (const w of names) {
    if (w.length !== n) continue;
    let k = 0;
    while (k < n && (msg.charCodeAt(from + k) | 32) === w.charCodeAt(k)) k++;
    if (k === n) return true;
  }
  return false;
}

/** Cheap test on the hot path: a capitalised word that could start a date in words (a month or weekday name before a digit, a space or a capital). */
function mayStartDate(msg: string, start: number, k: number, end: number, to: number): boolean {
  if (k - start > 9 || end + 1 >= to) return false;
  const n = msg.charCodeAt(end + 1);
  if (!(isDigit(n) || n === 32 || (n >= 65 && n <= 90))) return false;
  return isNamePrefix(msg, start) && (nameIn(msg, start, k, MONTHS) || nameIn(msg, start, k, WEEKDAYS));
}

/** The three letters at `k` start a month or weekday name. */
function isNamePrefix(msg: string, k: number): boolean {
  // capitalised, as dates are written (`Mar`, `Tue`, `MAR`): the lower-case words of a message
  // never pay for the lookup
  const c = msg.charCodeAt(k) - 65;
  if (c < 0 || c > 25 || ((NAME_INITIALS >>> c) & 1) === 0) return false;
  return NAME_PREFIXES.has(((msg.charCodeAt(k) | 32) << 16) | ((msg.charCodeAt(k + 1) | 32) << 8) | (msg.charCodeAt(k + 2) | 32));
}

/** End of the run of digits, `:` and `.` at `k` (a day, a time, a year), or `k`. */
function digitsEnd(msg: string, k: number, to: number): number {
  while (k < to && (isDigit(msg.charCodeAt(k)) || msg.charCodeAt(k) === 58 || msg.charCodeAt(k) === 46)) k++;
  return k;
}

function skipSpaces(msg: string, k: number, to: number): number {
  while (k < to && msg.charCodeAt(k) === 32) k++;
  return k;
}

/**
 * A date in words starting at `k`: `[weekday[,]] month day [year] time [zone] [year]` (ctime,
 * `date`), or `weekday, day month year time [zone]` (RFC 1123). Returns the end of its last part
 * (before any closing punctuation), or -1: a month name is only a date with a day and a time.
 */
function dateRunEnd(msg: string, k: number, to: number): number {
  let w = k;
  while (w < to && isLetter(msg.charCodeAt(w))) w++;
  let p = k;
  if (nameIn(msg, k, w, WEEKDAYS)) {
    p = w;
    if (msg.charCodeAt(p) === 44) p++;
    p = skipSpaces(msg, p, to);
    if (p === w) return -1;
    if (isDigit(msg.charCodeAt(p))) {
      // RFC 1123: day month year time
      const d = digitsEnd(msg, p, to);
      let m = skipSpaces(msg, d, to);
      let me = m;
      while (me < to && isLetter(msg.charCodeAt(me))) me++;
      if (d - p > 2 || m === d || !nameIn(msg, m, me, MONTHS)) return -1;
      m = skipSpaces(msg, me, to);
      const y = digitsEnd(msg, m, to);
      if (y - m !== 4) return -1;
      return timeAndZone(msg, skipSpaces(msg, y, to), to, -1);
    }
    k = p;
    w = k;
    while (w < to && isLetter(msg.charCodeAt(w))) w++;
  }
  if (!nameIn(msg, k, w, MONTHS)) return -1;
  p = skipSpaces(msg, w, to);
  const d = digitsEnd(msg, p, to);
  if (p === w || d === p || d - p > 2) return -1;
  const comma = msg.charCodeAt(d) === 44;
  let q = comma ? d + 1 : d;
  q = skipSpaces(msg, q, to);
  // an optional year before the time; `Apr 5, 2020` is a date without one
  let y = q;
  while (y < to && isDigit(msg.charCodeAt(y))) y++;
  const year = y - q === 4 && q > d && (y === to || !isLetter(msg.charCodeAt(y)));
  if (year && msg.charCodeAt(y) === 32) q = skipSpaces(msg, y, to);
  return timeAndZone(msg, q, to, comma && year ? y : -1);
}

/** A time (`10:20:11`, `10:20:11.123`) at `k`, then an optional zone and year: the end, or `fallback`. */
function timeAndZone(msg: string, k: number, to: number, fallback: number): number {
  const t = digitsEnd(msg, k, to);
  if (t - k < 4 || (msg.charCodeAt(k + 2) !== 58 && msg.charCodeAt(k + 1) !== 58)) return fallback;
  let end = t;
  let p = skipSpaces(msg, t, to);
  if (p > t) {
    // a zone: capitals (UTC, CET, GMT) or an offset (+0100)
    let z = p;
    if (msg.charCodeAt(z) === 43 || msg.charCodeAt(z) === 45) {
      z++;
      while (z < to && isDigit(msg.charCodeAt(z))) z++;
    } else while (z < to && msg.charCodeAt(z) >= 65 && msg.charCodeAt(z) <= 90) z++;
    if (z - p >= 3 && z - p <= 5 && (z === to || !isLetter(msg.charCodeAt(z)))) {
      end = z;
      p = skipSpaces(msg, z, to);
    }
    const y = digitsEnd(msg, p, to);
    if (p > end && y - p === 4 && (y === to || !isDigit(msg.charCodeAt(y)))) end = y;
  }
  return end;
}

/** A word's last character, before two spaces that hold an empty value: a letter, a digit, a closing quote or bracket. */
function endsWord(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === 34 || c === 39 || c === 41 || c === 93;
}

function isQuote(c: number): boolean {
  return c === 34 || c === 39;
}

/** Tokens an object printed in a message may span. */
const REPR_SPAN_TOKENS = 16;

/**
 * An object printed in a message: Node's util.inspect (`{ id: 7, name: 'celery' }`, `[ 'users',
 * 42 ]`: a lone `{` or `[` then a space), a Python repr (`<Request 76a342>`, `<Connection(...)>`:
 * `<` and a capital) or a list (listStart). Returns the index of its closing bracket when it closes at the end of a token
 * (closing punctuation aside) within REPR_SPAN_TOKENS tokens, or -1. Never the message's first token.
 */
function reprEnd(msg: string, start: number, end: number, to: number): number {
  const open = msg.charCodeAt(start);
  let shut: number;
  if (open === 60) {
    const c = msg.charCodeAt(start + 1);
    if (!(c >= 65 && c <= 90)) return -1;
    shut = 62;
  } else if (open === 123 || open === 91) {
    if (end !== start + 1 && !listStart(msg, start, end)) return -1;
    shut = open === 123 ? 125 : 93;
  } else return -1;
  let depth = 0;
  let tokens = 1;
  for (let k = start; k < to; k++) {
    const c = msg.charCodeAt(k);
    if (c <= 32) {
      if (msg.charCodeAt(k - 1) > 32 && ++tokens > REPR_SPAN_TOKENS) return -1;
    } else if (c === open) depth++;
    else if (c === shut && --depth === 0) {
      let e = k + 1;
      while (e < to && msg.charCodeAt(e) > 32 && isTrailPunct(msg.charCodeAt(e))) e++;
      return (e >= to || msg.charCodeAt(e) <= 32) && (k >= end || open !== 91) ? k : -1;
    }
  }
  return -1;
}

/**
 * A list printed in a message opens at `start`: `[` and a first item ending in `,` (Python's repr
 * `['a', 'b']`, `[1, 2]`; `[web2, web13]`), its close in a later token. A run of items of any
 * length is one value.
 */
function listStart(msg: string, start: number, end: number): boolean {
  return msg.charCodeAt(start) === 91 && end - start >= 3 && msg.charCodeAt(end - 1) === 44 && msg.charCodeAt(start + 1) !== 91;
}

/** Tokens a quoted value may span. */
const QUOTE_SPAN_TOKENS = 8;

/**
 * A quoted value that spans spaces: the token at `cs` opens quote `q` without closing it, and a
 * later token (at most QUOTE_SPAN_TOKENS on) ends with `q` and closing punctuation only. Returns
 * the closing quote's index, or -1 (no close, a quote opened inside first, or a key: `"a b":`).
 * A quoted name, phrase or value is one value (`"Order Items"`, `'858 kB'`, `"/tmp/celery
 * worker.pid"`, `"MOVED 3999 127.0.0.1:6381"`), but not a request line (`"GET /api/v1/tasks
 * HTTP/1.1"`, `"WebSocket /ws"`: a word, then a path or a URL): -1, its tokens are masked one by
 * one, so that its method stays.
 */
function quoteSpanEnd(msg: string, q: number, cs: number, end: number, to: number): number {
  let method = cs < end;
  for (let k = cs; k < end; k++) {
    const c = msg.charCodeAt(k);
    if (c === q) return quotedToken(msg, q, cs, end);
    if (!isLetter(c)) method = false;
  }
  let tokens = 1;
  for (let k = end; k < to; k++) {
    const c = msg.charCodeAt(k);
    if (c <= 32) {
      if (msg.charCodeAt(k - 1) > 32 && ++tokens > QUOTE_SPAN_TOKENS) return -1;
      continue;
    }
    if (method && tokens === 2 && msg.charCodeAt(k - 1) <= 32 && (c === 47 || msg.startsWith('http', k))) return -1;
    if (c !== q) continue;
    if (msg.charCodeAt(k - 1) <= 32) {
      // a quote that opens a token: a quoted value inside ours (`"invalid input syntax for type
      // integer: "abc""`), closed in its token, or closing ours with its own; anything else is not ours
      let e = k + 1;
      let quotes = 1;
      let last = k;
      for (; e < to && msg.charCodeAt(e) > 32; e++) {
        if (msg.charCodeAt(e) === q) {
          quotes++;
          last = e;
        }
      }
      let t = last + 1;
      while (t < e && isTrailPunct(msg.charCodeAt(t))) t++;
      if (quotes === 2 && last > k + 1) {
        k = e - 1;
        continue;
      }
      return quotes === 3 && t === e && msg.charCodeAt(last - 1) === q && !isKeyQuote(msg, cs - 1, last) ? last : -1;
    }
    let e = k + 1;
    while (e < to && msg.charCodeAt(e) > 32 && isTrailPunct(msg.charCodeAt(e))) e++;
    if (e < to && msg.charCodeAt(e) > 32) continue; // an apostrophe inside a word (`can't`)
    return isKeyQuote(msg, cs - 1, k) ? -1 : k;
  }
  return -1;
}

/**
 * A token that opens quote `q` before `cs` and closes it at its end (closing punctuation aside)
 * with brackets or quotes inside (`"<Connection(host=db,port=6379)>"`, `"{"jobId":"7"}"`): the
 * index of its closing quote, one value; -1 otherwise (`"a":`, a key; `"GET`, no close).
 */
function quotedToken(msg: string, q: number, cs: number, end: number): number {
  let e = end;
  while (e > cs && isTrailPunct(msg.charCodeAt(e - 1)) && msg.charCodeAt(e - 1) !== q) e--;
  const close = e - 1;
  return close > cs && msg.charCodeAt(close) === q && isLeadPunct(msg.charCodeAt(cs)) && !isKeyQuote(msg, cs - 1, close) ? close : -1;
}

/**
 * The quoted text from `open` to `close` is a key (`{"user name": 1}`, `, "a": 2`, `"k"=v`), not a
 * value: `=` after it, or `:` after it and `{` or `,` before it (`file "x": No such file` is a value).
 */
function isKeyQuote(msg: string, open: number, close: number): boolean {
  const after = msg.charCodeAt(close + 1);
  if (after === 61) return true;
  if (after !== 58) return false;
  let b = open - 1;
  while (b >= 0 && msg.charCodeAt(b) === 32) b--;
  return b < 0 || msg.charCodeAt(b) === 123 || msg.charCodeAt(b) === 44;
}

/** `msg=` / `message=`: in logfmt its value is the message text, not a variable. */
function isMessageKey(s: string, from: number, to: number): boolean {
  const n = to - from;
  if (n !== 3 && n !== 7) return false;
  const k = s.slice(from, to).toLowerCase();
  return k === 'msg' || k === 'message';
}

/** Hex digits that make an id rather than a word with a number (`fdfebfa1`; a git short hash has 7). */
const HEX_ID_MIN = 7;

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

/** A key named like an error or a message (`error`, `last_error`, `errMessage`): its empty value is the empty-tail rule's. */
function isErrorKey(key: string): boolean {
  for (const w of EMPTY_KEYS) if (key === w || key.endsWith('_' + w) || key.endsWith(w)) return true;
  return false;
}

/**
 * An empty quoted token at `start` (`""`, `''`) is a value of its slot, as `"users"` is: unless it
 * is the value of an error or message field (`"error": ""`, `reason: ''`), which the empty-tail
 * rule keeps apart.
 */
function emptyQuoteIsValue(msg: string, start: number, from: number): boolean {
  let j = start - 1;
  while (j >= from && msg.charCodeAt(j) === 32) j--;
  if (j < from || msg.charCodeAt(j) !== 58) return true;
  j--;
  if (j >= from && isQuote(msg.charCodeAt(j))) j--;
  let s = j;
  while (s >= from && (isLetter(msg.charCodeAt(s)) || msg.charCodeAt(s) === 95)) s--;
  return !isErrorKey(msg.slice(s + 1, j + 1).toLowerCase());
}

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
      if (isErrorKey(msg.slice(s + 1, j + 1).toLowerCase())) return true;
    }
    k = msg.indexOf('""', k + 2);
  }
  return false;
}
