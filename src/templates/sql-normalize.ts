// SQL normalisation the way pgBadger's normalize_query does it, so that statements that differ
// only in their values group together: comments stripped, whitespace folded, everything outside
// quoted identifiers lowercased, string/number/hex literals and `$n` bind parameters replaced by a
// placeholder, `IN (...)` lists, `VALUES` rows and `ARRAY[...]` of placeholders collapsed.
// One pass over the characters; no regex per token (it runs on every PostgreSQL statement).

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

/**
 * Normalises a SQL statement like pgBadger: `SELECT * FROM t WHERE id = 42 AND name IN ('a','b')`
 * becomes `select * from t where id = ? and name in (...)`.
 */
export function normalizeSql(sql: string, options: SqlNormalizeOptions = {}): string {
  const ph = options.placeholder ?? '?';
  const n = sql.length;
  let out = '';
  // Output positions of open brackets, to collapse lists of placeholders when they close.
  const opens: number[] = [];
  let pendingSpace = false;
  let i = 0;
  const emit = (s: string): void => {
    if (pendingSpace) {
      if (out.length > 0) out += ' ';
      pendingSpace = false;
    }
    out += s;
  };
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
      const escapes = i > 0 && (sql.charCodeAt(i - 1) | 32) === 101 && (i < 2 || !isIdentChar(sql.charCodeAt(i - 2)));
      if (i > 0 && out.length > 0) {
        const p = sql.charCodeAt(i - 1) | 32;
        if ((p === 101 || p === 98 || p === 120) && (i < 2 || !isIdentChar(sql.charCodeAt(i - 2)))) out = out.slice(0, -1);
      }
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
      if (out.length > 0 && out.charCodeAt(out.length - 1) === 45 && !pendingSpace) {
        const before = out.length > 1 ? out.charCodeAt(out.length - 2) : SPACE;
        if (before === SPACE || before === 40 || before === 44 || before === 61 || before === 60 || before === 62) out = out.slice(0, -1);
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
      if (word === 'null' && endsWithOperator()) {
        emitPlaceholder();
        continue;
      }
      emit(word);
      continue;
    }
    if (c === 40 || c === 91) {
      emit(c === 40 ? '(' : '[');
      opens.push(out.length - 1);
      i++;
      continue;
    }
    if (c === 41 || c === 93) {
      pendingSpace = false;
      const open = opens.pop();
      if (open !== undefined) collapse(open, c === 41 ? ')' : ']');
      else out += c === 41 ? ')' : ']';
      i++;
      continue;
    }
    if (c === 44) {
      pendingSpace = false;
      out += ', ';
      i++;
      while (i < n && isSpace(sql.charCodeAt(i))) i++;
      continue;
    }
    if (c === 59) {
      pendingSpace = false;
      out += ';';
      i++;
      continue;
    }
    emit(sql[i]!);
    i++;
  }
  return out.endsWith(' ') ? out.trimEnd() : out;

  function emitPlaceholder(): void {
    emit(ph);
  }

  function endsWithOperator(): boolean {
    let k = out.length - 1;
    while (k >= 0 && out.charCodeAt(k) === SPACE) k--;
    return k >= 0 && out.charCodeAt(k) === 61 && (k === 0 || (out.charCodeAt(k - 1) !== 33 && out.charCodeAt(k - 1) !== 60 && out.charCodeAt(k - 1) !== 62));
  }

  /** Closes the bracket opened at output position `open`; a list of placeholders becomes `...`. */
  function collapse(open: number, close: string): void {
    const inner = out.slice(open + 1);
    if (inner.length > 0 && onlyPlaceholders(inner)) {
      const head = out.slice(0, open).trimEnd();
      const kw = lastWord(head);
      if (close === ']' || kw === 'in' || kw === 'values' || kw === 'array' || head.endsWith('), ') || head.endsWith('),')) {
        out = out.slice(0, open + 1) + '...' + close;
        // VALUES (...), (...), ... : rows after the first collapse into it.
        if (close === ')' && out.endsWith('(...), (...)')) out = out.slice(0, -7);
        return;
      }
    }
    out += close;
  }

  function onlyPlaceholders(s: string): boolean {
    let seen = false;
    for (let k = 0; k < s.length; ) {
      if (s.startsWith(ph, k)) {
        seen = true;
        k += ph.length;
        continue;
      }
      if (s.startsWith('...', k)) {
        seen = true;
        k += 3;
        continue;
      }
      const d = s.charCodeAt(k);
      if (d === SPACE || d === 44 || d === 40 || d === 41) {
        k++;
        continue;
      }
      return false;
    }
    return seen;
  }
}

function lastWord(s: string): string {
  let k = s.length;
  while (k > 0 && isIdentChar(s.charCodeAt(k - 1))) k--;
  return s.slice(k);
}
