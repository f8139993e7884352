// SQL normalisation the way pgBadger's normalize_query does it, so that statements that differ
// only in their values group together: comments stripped, whitespace folded, everything outside
// quoted identifiers lowercased, string/number/hex literals and `$n` bind parameters replaced by a
// placeholder, `IN (...)` lists, `VALUES` rows and `ARRAY[...]` of placeholders collapsed.
// One pass over the characters; no regex per token (it runs on every PostgreSQL statement).
import { ownString } from '../own-string.js';

export interface SqlNormalizeOptions {
  /** What replaces a literal or bind parameter. pgBadger uses `?` (the default). */
  placeholder?: string;
}

const SPACE = 32;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Letters, digits, `_` and `$`: the characters that continue an identifier. */
function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === 95 || c === 36 || c >= 128;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Statements longer than this are normalised every time (a few long ones would fill the cache). */
const CACHED_MAX_CHARS = 4096;
/** Statements a cache holds at most: an application's repeated statements are hundreds to a few thousand. */
const CACHE_ENTRIES = 4096;
/** Characters a cache holds at most (texts and results): 4 MiB of one-byte strings, 8 MiB at worst. */
const CACHE_CHARS = 1 << 22;
/** Bits of a cache's doorkeeper (8 KiB): few false "seen before" among the statements of one cache generation. */
const DOORKEEPER_BITS = 1 << 16;

/**
 * A function of a statement's text (its normalised form, its statement key), remembered by the
 * text. A server logs the same statement text again and again: an ORM's or a prepared statement's
 * values are bound as `$n` and logged apart (DETAIL: parameters), so the text repeats exactly and
 * normalising it once is enough; a statement with its values written in rarely repeats.
 *
 * Bounded: at most CACHE_ENTRIES statements and CACHE_CHARS characters, statements up to
 * CACHED_MAX_CHARS long, cleared when full (a hit costs one lookup; an LRU's would also move the
 * entry). A statement enters on its second sighting (a bitset of text hashes, as the miner's
 * message cache does): a statement whose literals make every text new is never copied into it,
 * where each copy would outlive a young-generation collection and end as old-space garbage.
 */
export class StatementCache {
  private readonly results = new Map<string, string>();
  private chars = 0;
  private readonly doorkeeper = new Int32Array(DOORKEEPER_BITS >>> 5);
  private doorkeeperSet = 0;

  constructor(private readonly compute: (sql: string) => string) {}

  /** `compute(sql)`, from the cache when the text was seen before. */
  get(sql: string): string {
    const hit = this.results.get(sql);
    if (hit !== undefined) return hit;
    const result = this.compute(sql);
    if (sql.length <= CACHED_MAX_CHARS && this.seenBefore(sql)) {
      if (this.results.size >= CACHE_ENTRIES || this.chars + sql.length + result.length > CACHE_CHARS) {
        this.results.clear();
        this.chars = 0;
      }
      // Owned copies: the text is a slice of its line, which a cached slice would keep alive.
      this.results.set(ownString(sql), ownString(result));
      this.chars += sql.length + result.length;
    }
    return result;
  }

  /** True when a text with the same hash was seen since the doorkeeper was last reset; marks it seen. */
  private seenBefore(sql: string): boolean {
    let h = 0x811c9dc5;
    for (let i = 0; i < sql.length; i++) h = Math.imul(h ^ sql.charCodeAt(i), 0x01000193);
    const bit = (h >>> 0) & (DOORKEEPER_BITS - 1);
    const mask = 1 << (bit & 31);
    if ((this.doorkeeper[bit >>> 5]! & mask) !== 0) return true;
    // Start afresh when an eighth of the bits are set, before false "seen" answers pile up.
    if (++this.doorkeeperSet > DOORKEEPER_BITS >>> 3) {
      this.doorkeeper.fill(0);
      this.doorkeeperSet = 1;
    }
    this.doorkeeper[bit >>> 5]! |= mask;
    return false;
  }
}

/** An open bracket: where its token is, and what has been written inside it so far. */
interface OpenBracket {
  at: number;
  square: boolean;
  /** Tokens inside other than placeholders, collapsed lists, commas, spaces and round brackets. */
  others: number;
  /** At least one placeholder or collapsed list inside. */
  seen: boolean;
}

/**
 * Normalises a SQL statement like pgBadger: `SELECT * FROM t WHERE id = 42 AND name IN ('a','b')`
 * becomes `select * from t where id = ? and name in (...)`.
 *
 * Linear in the statement: the output is a list of tokens joined once at the end, and each open
 * bracket knows whether only placeholders were written inside it, so closing one never looks back
 * over the output (an ORM's `IN (...)` of 50,000 ids, or a multi-row VALUES, took minutes when it did).
 */
export function normalizeSql(sql: string, options: SqlNormalizeOptions = {}): string {
  const ph = options.placeholder ?? '?';
  const n = sql.length;
  // The output, one token a piece: a word, a literal's placeholder, one operator character, ' ', ', '.
  const out: string[] = [];
  const opens: OpenBracket[] = [];
  let pendingSpace = false;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      pendingSpace = true;
      i++;
      continue;
    }
    // -- comment to the end of the line
    if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      i += 2;
      while (i < n && sql.charCodeAt(i) !== 10) i++;
      pendingSpace = true;
      continue;
    }
    // /* comment */ (PostgreSQL nests them)
    if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        const d = sql.charCodeAt(i);
        if (d === 47 && sql.charCodeAt(i + 1) === 42) {
          depth++;
          i += 2;
        } else if (d === 42 && sql.charCodeAt(i + 1) === 47) {
          depth--;
          i += 2;
        } else i++;
      }
      pendingSpace = true;
      continue;
    }
    // 'string', E'string', B'0101', X'ff', U&'x' — the prefix letter is dropped with the literal.
    if (c === 39) {
      const prefixed = i > 0 && (i < 2 || !isIdentChar(sql.charCodeAt(i - 2)));
      const p = i > 0 ? sql.charCodeAt(i - 1) | 32 : 0;
      const escapes = prefixed && p === 101;
      // The prefix was written as a word of its own, the last token.
      if (prefixed && out.length > 0 && (p === 101 || p === 98 || p === 120)) unwrite();
      i++;
      while (i < n) {
        const d = sql.charCodeAt(i);
        if (escapes && d === 92) {
          i += 2;
          continue;
        }
        if (d === 39) {
          if (sql.charCodeAt(i + 1) === 39) {
            i += 2;
            continue;
          }
          break;
        }
        i++;
      }
      i++;
      emitPlaceholder();
      continue;
    }
    // "quoted identifier": kept as written
    if (c === 34) {
      let j = i + 1;
      while (j < n) {
        if (sql.charCodeAt(j) === 34) {
          if (sql.charCodeAt(j + 1) === 34) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      emit(sql.slice(i, Math.min(j + 1, n)));
      i = j + 1;
      continue;
    }
    // $1 bind parameter, or $tag$ ... $tag$ dollar-quoted string
    if (c === 36) {
      let j = i + 1;
      if (isDigit(sql.charCodeAt(j))) {
        while (j < n && isDigit(sql.charCodeAt(j))) j++;
        i = j;
        emitPlaceholder();
        continue;
      }
      while (j < n && isIdentChar(sql.charCodeAt(j)) && sql.charCodeAt(j) !== 36) j++;
      if (sql.charCodeAt(j) === 36) {
        const tag = sql.slice(i, j + 1);
        const end = sql.indexOf(tag, j + 1);
        i = end === -1 ? n : end + tag.length;
        emitPlaceholder();
        continue;
      }
      emit('$');
      i++;
      continue;
    }
    // numbers (not inside identifiers): 42, -3, 1.5, .5, 1e-3, 0x1F
    if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      let j = i;
      if (c === 48 && (sql.charCodeAt(i + 1) | 32) === 120 && isHex(sql.charCodeAt(i + 2))) {
        j = i + 2;
        while (j < n && isHex(sql.charCodeAt(j))) j++;
      } else {
        while (j < n && isDigit(sql.charCodeAt(j))) j++;
        if (sql.charCodeAt(j) === 46) {
          j++;
          while (j < n && isDigit(sql.charCodeAt(j))) j++;
        }
        if ((sql.charCodeAt(j) | 32) === 101) {
          let k = j + 1;
          const s = sql.charCodeAt(k);
          if (s === 43 || s === 45) k++;
          if (isDigit(sql.charCodeAt(k))) {
            while (k < n && isDigit(sql.charCodeAt(k))) k++;
            j = k;
          }
        }
      }
      // A minus directly before the number, after an operator or bracket, is the number's sign.
      if (!pendingSpace && out.length > 0 && out[out.length - 1] === '-') {
        const before = out.length > 1 ? lastChar(out[out.length - 2]!) : SPACE;
        if (before === SPACE || before === 40 || before === 44 || before === 61 || before === 60 || before === 62) unwrite();
      }
      i = j;
      emitPlaceholder();
      continue;
    }
    if (isIdentChar(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(sql.charCodeAt(j))) j++;
      const word = sql.slice(i, j).toLowerCase();
      i = j;
      // `= NULL` is a value like any other (pgBadger does the same)
      if (word === 'null' && endsWithEquals()) {
        emitPlaceholder();
        continue;
      }
      emit(word);
      continue;
    }
    if (c === 40 || c === 91) {
      emit(c === 40 ? '(' : '[');
      opens.push({ at: out.length - 1, square: c === 91, others: 0, seen: false });
      i++;
      continue;
    }
    if (c === 41 || c === 93) {
      pendingSpace = false;
      const open = opens.pop();
      if (open !== undefined) close(open, c === 41 ? ')' : ']');
      else write(c === 41 ? ')' : ']');
      i++;
      continue;
    }
    if (c === 44) {
      pendingSpace = false;
      write(', ');
      i++;
      while (i < n && isSpace(sql.charCodeAt(i))) i++;
      continue;
    }
    if (c === 59) {
      pendingSpace = false;
      write(';');
      i++;
      continue;
    }
    emit(sql[i]!);
    i++;
  }
  // A statement ending in a comma ends without the space written after it.
  if (out.length > 0 && out[out.length - 1] === ', ') out[out.length - 1] = ',';
  return out.join('');

  /** A token, after the space folded from the whitespace before it. */
  function emit(t: string): void {
    if (pendingSpace) {
      if (out.length > 0) write(' ');
      pendingSpace = false;
    }
    write(t);
  }

  function write(t: string): void {
    out.push(t);
    const top = opens.length > 0 ? opens[opens.length - 1]! : undefined;
    if (top === undefined) return;
    if (t === ph || t === '...') top.seen = true;
    else if (isOther(t)) top.others++;
  }

  /** Drops the last token: a sign or a literal's prefix that turned out to belong to the literal. */
  function unwrite(): void {
    const t = out.pop()!;
    if (opens.length > 0 && isOther(t)) opens[opens.length - 1]!.others--;
  }

  function isOther(t: string): boolean {
    return t !== ph && t !== '...' && t !== ' ' && t !== ', ' && t !== '(' && t !== ')';
  }

  function emitPlaceholder(): void {
    emit(ph);
  }

  /** Whether the output ends with `=` (not `!=`, `<=`, `>=`) and spaces: `= NULL`. */
  function endsWithEquals(): boolean {
    let k = out.length - 1;
    while (k >= 0 && out[k] === ' ') k--;
    if (k < 0 || out[k] !== '=') return false;
    const b = k > 0 ? lastChar(out[k - 1]!) : SPACE;
    return b !== 33 && b !== 60 && b !== 62;
  }

  /** Closes `open`; a list of placeholders after IN, VALUES, ARRAY or a row becomes `...`. */
  function close(open: OpenBracket, bracket: string): void {
    const parent = opens.length > 0 ? opens[opens.length - 1]! : undefined;
    if (parent !== undefined) {
      // What the parent holds now holds this bracket's inside too; square brackets are not list punctuation.
      if (open.others > 0 || open.square || bracket === ']') parent.others++;
      parent.seen ||= open.seen;
    }
    if (open.others === 0 && open.seen) {
      let k = open.at - 1;
      while (k >= 0 && out[k] === ' ') k--;
      const kw = k >= 0 && isIdentChar(out[k]!.charCodeAt(0)) && (k === 0 || !isIdentChar(lastChar(out[k - 1]!))) ? out[k]! : '';
      const afterRow = k >= 1 && out[k] === ', ' && out[k - 1] === ')';
      if (bracket === ']' || kw === 'in' || kw === 'values' || kw === 'array' || afterRow) {
        out.length = open.at + 1;
        out.push('...', bracket);
        // VALUES (...), (...), ... : rows after the first collapse into it.
        if (afterRow && out[k - 2] === '...' && out[k - 3] === '(') out.length = k;
        return;
      }
    }
    out.push(bracket);
  }
}

function lastChar(t: string): number {
  return t.charCodeAt(t.length - 1);
}
