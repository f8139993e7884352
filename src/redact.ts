// Secrets in log lines never reach a report, and neither do control characters. Applied to every
// text that leaves hindsight (evidence, examples, templates, narratives, data) in every output
// format. The rules err on the side of redacting: a lost character of a log line costs little, a
// leaked password a lot. Not on the hot path: it runs on the few hundred strings a report shows,
// never per input line.

/** Key names whose values are secrets, as a regex fragment (`DB_PASSWORD`, `api-key`, `client_secret`...). */
const SECRET_KEY =
  '[\\w.-]*(?:passw(?:or)?d|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth(?:orization)?(?![a-z])|credentials?|session[_-]?id|sessid|cookie|signature|x-amz-security-token)[\\w.-]*';

/** A value that looks like a credential: long, or mixing letters with digits or symbols. */
const CREDENTIAL = '(?:[A-Za-z0-9._~+/-]{20,}|(?=[A-Za-z._~+/-]*[0-9._~+/-])[A-Za-z0-9._~+/-]{8,})=*';

const RULES: ReadonlyArray<[RegExp, string]> = [
  // PEM private keys, possibly flattened onto one line.
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[REDACTED-PRIVATE-KEY]'],
  // Passwords in connection URLs: postgres://user:secret@host → postgres://user:[REDACTED]@host.
  // The password may itself contain ':' or '/' (URL-unsafe characters people forget to encode).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@]+@/gi, '$1[REDACTED]@'],
  // Bearer / Basic / Token schemes in headers (only when what follows looks like a credential, so
  // that "Token refresh failed" stays readable).
  [new RegExp(`\\b(Bearer|Basic|Token|Digest)(\\s+)${CREDENTIAL}`, 'gi'), '$1$2[REDACTED]'],
  // JWTs (header.payload.signature, base64url), also without the leading "eyJ" of a JSON header.
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, '[REDACTED-JWT]'],
  // Well-known key shapes: AWS, GitHub, GitLab, Slack, Stripe, OpenAI/Anthropic style, Google, SendGrid, npm.
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, '[REDACTED-KEY]'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, '[REDACTED-KEY]'],
  [/\bgithub_pat_[A-Za-z0-9_]{30,}\b/g, '[REDACTED-KEY]'],
  [/\bglpat-[A-Za-z0-9_-]{20,}\b/g, '[REDACTED-KEY]'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, '[REDACTED-KEY]'],
  [/\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}\b/g, '[REDACTED-KEY]'],
  [/\bsk-[A-Za-z0-9_-]{20,}/g, '[REDACTED-KEY]'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, '[REDACTED-KEY]'],
  [/\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\b/g, '[REDACTED-KEY]'],
  [/\bnpm_[A-Za-z0-9]{36}\b/g, '[REDACTED-KEY]'],
  // "key": "value" and 'key': 'value' (JSON, Python dict reprs) with secret-looking keys.
  [new RegExp(`("${SECRET_KEY}"\\s*:\\s*")(?:[^"\\\\]|\\\\.)*"`, 'gi'), '$1[REDACTED]"'],
  [new RegExp(`('${SECRET_KEY}'\\s*:\\s*')(?:[^'\\\\]|\\\\.)*'`, 'gi'), "$1[REDACTED]'"],
  // key="quoted value" / key='quoted value'.
  [new RegExp(`(\\b${SECRET_KEY}\\s*[=:]\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'), '$1"[REDACTED]"'],
  [new RegExp(`(\\b${SECRET_KEY}\\s*[=:]\\s*)'(?:[^'\\\\]|\\\\.)*'`, 'gi'), "$1'[REDACTED]'"],
  // key=value, key: value (query strings, logfmt, headers, env dumps, libpq conninfo). A value
  // already redacted by a rule above, or a Bearer-style scheme word, is left as it is.
  [new RegExp(`(\\b${SECRET_KEY}\\s*[=:]\\s*)(?!\\[REDACTED|"|'|(?:Bearer|Basic|Token|Digest)\\s)[^\\s",;&}\\]'<>]+`, 'gi'), '$1[REDACTED]'],
  // Command-line flags: --password hunter2, --token=abc.
  [/(--(?:password|passwd|token|secret|api-key|apikey)[= ])(?!\[REDACTED)\S+/gi, '$1[REDACTED]'],
];

/**
 * Control characters other than tab, newline and carriage return (which the renderers handle).
 * Ingest removes terminal escape sequences from messages (src/ingest/terminal-codes.ts), but a
 * BEL, a backspace or an escape in an attribute, a file name or a PostgreSQL line would still act
 * on the terminal that shows the report: they are shown as their Unicode pictures (␛, ␇) instead.
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

function controlPicture(c: string): string {
  const n = c.charCodeAt(0);
  return n < 32 ? String.fromCharCode(0x2400 + n) : n === 127 ? '\u2421' : '\ufffd';
}

/** The text with secrets replaced by `[REDACTED]` markers and control characters by their pictures. */
export function redact(text: string): string {
  let out = text;
  for (const [re, rep] of RULES) {
    re.lastIndex = 0;
    out = out.replace(re, rep);
  }
  return out.replace(CONTROL, controlPicture);
}

/**
 * A deep copy of `value` with every string redacted (object keys included), for the JSON output and
 * the digest state. Plain data only (what findings and summaries hold); typed arrays become arrays.
 */
export function redactDeep<T>(value: T): T {
  return walk(value) as T;
}

function walk(v: unknown): unknown {
  if (typeof v === 'string') return redact(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(walk);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[redact(k)] = walk(x);
  return out;
}
