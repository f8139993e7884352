// Token matching between templates and messages, for the miner (miner.ts) and its finalize passes
// (finalize.ts): which template token stands for which word, and the variable parts of a message.
import { WILDCARD, maskMessage } from './mask.js';

/** Messages longer than this (in tokens) get no parameters from extractParams(). */
const PARAMS_MAX_TOKENS = 256;
/** Extra tokens a variable may absorb when a template subsumes a longer one. */
export const ABSORB_MAX = 3;

/** A token with a variable part (`<*>`, `pid=<*>`). */
export function isWild(tok: string): boolean {
  return tok.indexOf(WILDCARD) !== -1;
}

function isEmptyQuote(tok: string): boolean {
  return tok === '""' || tok === "''" || tok === '"",' || tok === '""}' || tok === "'',";
}

/** A 32-bit FNV-style hash of a token, seeded. */
export function hashTok(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Tokens other than the one at `p` that are not a bare `<*>`. */
export function otherConstants(t: readonly string[], p: number): number {
  let n = 0;
  for (let i = 0; i < t.length; i++) if (i !== p && t[i] !== WILDCARD) n++;
  return n;
}

/** Same tokens everywhere except at `p` and `q` (one position when `q` is left out), and same service. */
export function siblings(a: readonly string[], b: readonly string[], p: number, sa: string, sb: string, q = p): boolean {
  if (a.length !== b.length || sa !== sb) return false;
  for (let i = 0; i < a.length; i++) if (i !== p && i !== q && a[i] !== b[i]) return false;
  return true;
}

/**
 * True when template token `a` stands for token `b`: `<*>` for anything but an empty quote, and a
 * variable in punctuation (`<*>,`, `[<*>]`) for a partly variable token in the same punctuation
 * (`FALLBACK(<*>),`, `[localhost:<*>]`): one slot whose values come in different shapes.
 */
function covers(a: string, b: string): boolean {
  if (a === WILDCARD) return !isEmptyQuote(b);
  const w = a.indexOf(WILDCARD);
  if (w === -1 || b.indexOf(WILDCARD) === -1 || b.length <= a.length) return false;
  for (let k = 0; k < a.length; k++) {
    if (k === w) k += WILDCARD.length - 1;
    else if (isWordChar(a.charCodeAt(k))) return false;
  }
  return b.startsWith(a.slice(0, w)) && b.endsWith(a.slice(w + WILDCARD.length));
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}

export function matchesSameLength(t: readonly string[], s: readonly string[]): boolean {
  if (t.length !== s.length) return false;
  for (let i = 0; i < t.length; i++) {
    const a = t[i]!;
    if (a === s[i]) continue;
    if (covers(a, s[i]!)) continue;
    return false;
  }
  return true;
}

export function subsumesSameLength(a: readonly string[], b: readonly string[]): boolean {
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (covers(a[i]!, b[i]!)) {
      diff++;
      continue;
    }
    return false;
  }
  return diff > 0;
}

/** `a` matches `b` with one inner `<*>` (between two constants) standing for 2..1+ABSORB_MAX tokens. */
export function subsumesAbsorbing(a: readonly string[], b: readonly string[]): boolean {
  const extra = b.length - a.length;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  // the first difference must be at an inner wildcard
  if (i >= a.length || a[i] !== WILDCARD || i === 0 || i === a.length - 1) return false;
  if (isWild(a[i - 1]!) || isWild(a[i + 1]!)) return false;
  for (let k = i + 1; k < a.length; k++) if (a[k] !== b[k + extra] && !(a[k] === WILDCARD && !isEmptyQuote(b[k + extra]!))) return false;
  for (let k = i; k <= i + extra; k++) if (isEmptyQuote(b[k]!)) return false;
  return true;
}

/** Template text: tokens joined by spaces, adjacent `<*>` shown once. */
export function textOf(tokens: readonly string[]): string {
  let out = '';
  let prevWild = false;
  for (const t of tokens) {
    if (t === WILDCARD) {
      if (prevWild) continue;
      prevWild = true;
    } else prevWild = false;
    out = out.length === 0 ? t : out + ' ' + t;
  }
  return out;
}

/**
 * Aligns a message with template tokens: a `<*>` token takes one or more whole tokens of the
 * message, a token like `key=<*>` or `(<*>)` takes the part between its fixed ends.
 */
export function extractParams(template: readonly string[], message: string): string[] | null {
  const raw = message.split(/\s+/).filter((s) => s.length > 0);
  // Alignment backtracks over the `<*>`s; very long messages are not worth it.
  if (raw.length > PARAMS_MAX_TOKENS) return null;
  const out: string[] = [];
  const go = (ti: number, ri: number): boolean => {
    if (ti === template.length) return ri === raw.length;
    const t = template[ti]!;
    if (t === WILDCARD) {
      // adjacent wildcards are one variable
      let tj = ti;
      while (tj < template.length && template[tj] === WILDCARD) tj++;
      const minTake = 1;
      for (let take = raw.length - ri - (template.length - tj); take >= minTake; take--) {
        out.push(raw.slice(ri, ri + take).join(' '));
        if (go(tj, ri + take)) return true;
        out.pop();
      }
      return false;
    }
    if (ri >= raw.length) return false;
    const r = raw[ri]!;
    const w = t.indexOf(WILDCARD);
    if (w === -1) {
      if (r !== t && maskMessage(r) !== t) return false;
      return go(ti + 1, ri + 1);
    }
    const pre = t.slice(0, w);
    const post = t.slice(w + WILDCARD.length);
    if (r.length < pre.length + post.length || !r.startsWith(pre) || !r.endsWith(post)) return false;
    out.push(r.slice(pre.length, r.length - post.length));
    if (go(ti + 1, ri + 1)) return true;
    out.pop();
    return false;
  };
  return go(0, 0) ? out : null;
}
