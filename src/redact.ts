// Secrets in log lines never reach a report, and neither do control characters. Applied to every
// text that leaves hindsight (evidence, examples, templates, narratives, data, errors) in every
// output format, on whole values: a value is cut only after its secrets are redacted (`cutText`),
// so that a connection string or a token straddling the cut cannot leave half of itself behind.
// The rules err on the side of redacting: a lost character of a log line costs little, a leaked
// password a lot. Not on the hot path: it runs on the strings a report shows, and on the few long
// values cut while reading, never per input line.
//
// The token shapes are written from the formats the issuers document and that secret scanners
// (gitleaks, trufflehog, GitHub secret scanning) publish: a prefix, a length, an alphabet. Every
// rule is anchored on a literal or a bounded run, so that redaction stays linear in its input.
// test/fixtures/secrets/corpus.ts holds an example of each shape; test/report/redact.test.ts runs
// them, and the ordinary text that must come out unchanged.

/** Words that make a key's value a secret (`DB_PASSWORD`, `api-key`, `client_secret`, `AccountKey`...). */
const KEY_WORD =
  '(?:passw(?:or)?d|passwd|pwd|(?<![a-z])pass(?:phrase)?(?![a-z])|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|account[_-]?key|private[_-]?key|' +
  'signing[_-]?key|encryption[_-]?key|auth(?:orization)?(?![a-z])|credentials?|session[_-]?id|sessid|signature|(?<![a-z])sig(?![a-z])|dsn(?![a-z]))';

/** The value after `key=` / `key: ` / `"key": `: quoted (possibly cut before its closing quote, or escaped inside JSON text), or a bare word. */
const KEY_VALUE = '(?:"(?:[^"\\\\\\n]|\\\\.)*(?:"|$)|\'(?:[^\'\\\\\\n]|\\\\.)*(?:\'|$)|\\\\"(?:[^"\\\\\\n]|\\\\[^"])*(?:\\\\"|$)|[^\\s",;&}\\])\'<>]+)';

/** Auth schemes whose next word is a credential when it looks like one. */
const SCHEME = '(?:Bearer|Basic|Token|Digest|Bot|Negotiate|NTLM)';

/**
 * Where a token may start: not after a letter or a digit, so also after the `_`, `-` or `.` that
 * joins it to a name (`tok_ghp_...`, `x_sk_live_...`, `KEY_AKIA...`, which a word boundary missed),
 * and at a camel-case joint for the prefixes that start upper case (`awsAKIA...`). A token's
 * prefix and length are specific enough that ordinary identifiers still stay (measured on the
 * samples and fixtures: test/report/redact.test.ts).
 */
const TOKEN_START = '(?:(?<![A-Za-z0-9])|(?<=[a-z])(?=[A-Z]))';
/** Where it ends: not before a letter or a digit (a `_` may join it to what follows). */
const TOKEN_END = '(?![A-Za-z0-9])';

type Rule = readonly [RegExp, string | ((...m: string[]) => string)];

const RULES: readonly Rule[] = [
  // PEM private keys (RSA, EC, OpenSSH, PGP blocks), possibly flattened onto one line or cut before their end.
  [/-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)/g, '[REDACTED-PRIVATE-KEY]'],
  // Webhook URLs whose path is the credential: Slack, Discord, Microsoft Teams.
  [/\b(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9_/+-]+/gi, '$1[REDACTED]'],
  [/\b((?:(?:canary|ptb)\.)?discord(?:app)?\.com\/api(?:\/v\d+)?\/webhooks\/)[0-9]+\/[A-Za-z0-9_-]+/gi, '$1[REDACTED]'],
  [/\b(\.webhook\.office\.com\/webhookb2\/)[^\s"'<>]+/gi, '$1[REDACTED]'],
  [/\b(api\.telegram\.org\/(?:file\/)?bot)[^\s/"'<>]+/gi, '$1[REDACTED]'],
  // Passwords in URLs: postgres://user:secret@host → postgres://user:[REDACTED]@host, also
  // scheme-relative (//user:secret@host). The password may itself contain ':', '/' or an unencoded
  // '@' (everything up to the last '@' of the word).
  [/(\/\/[^\s:/@]{0,256}:)\S{0,512}@/g, '$1[REDACTED]@'],
  // A token as the whole user part: https://TOKEN@github.com (git credentials), Sentry DSNs. Short
  // user names (postgres://postgres@db, ssh://git@host) stay.
  [/(\/\/)[A-Za-z0-9._~%+-]{16,512}@/g, '$1[REDACTED]@'],
  // Bearer / Basic / Token schemes (only when what follows looks like a credential, so that "Token
  // refresh failed" stays readable).
  [new RegExp(`\\b(${SCHEME})(\\s+)([A-Za-z0-9._~+/-]{8,}=*)`, 'gi'), (m, scheme, sp, v) => (looksLikeCredential(v) ? `${scheme}${sp}[REDACTED]` : m)],
  // JWTs and JWEs (base64url JSON header, then dot-separated parts), also cut after their header.
  [new RegExp(`${TOKEN_START}eyJ[A-Za-z0-9_-]{10,}(?:\\.[A-Za-z0-9_-]*)*`, 'g'), '[REDACTED-JWT]'],
  // Token shapes with a documented prefix (one start for all: measured 4x faster than one each).
  [
    new RegExp(
      `${TOKEN_START}(?:${[
        `(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}${TOKEN_END}`, // AWS access key id
        'gh[pousr]_[A-Za-z0-9]{30,}', // GitHub
        'github_pat_[A-Za-z0-9_]{22,}',
        'gl(?:pat|dt|rt|ptt|cbt|ft|imt|oas|soat|agent)-[A-Za-z0-9_-]{20,}', // GitLab
        'GR1348941[A-Za-z0-9_-]{20,}',
        'xox[a-z]-[A-Za-z0-9-]{10,}', // Slack
        'xoxe\\.xox[a-z]-[A-Za-z0-9-]{10,}',
        'xapp-\\d-[A-Za-z0-9-]{10,}',
        '(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}', // Stripe
        'whsec_[A-Za-z0-9+/=]{20,}',
        'sk-[A-Za-z0-9_-]{20,}', // OpenAI, Anthropic, DeepSeek...
        'AIza[0-9A-Za-z_-]{35}', // Google API key, OAuth client secret and tokens
        'GOCSPX-[A-Za-z0-9_-]{20,}',
        'ya29\\.[0-9A-Za-z_-]{20,}',
        '1//0[0-9A-Za-z_-]{30,}',
        'SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}', // SendGrid
        `npm_[A-Za-z0-9]{36}${TOKEN_END}`, // npm, PyPI
        'pypi-AgE[A-Za-z0-9_-]{50,}',
        `shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}${TOKEN_END}`, // Shopify
        `hf_[A-Za-z0-9]{30,}${TOKEN_END}`, // Hugging Face
        `do[opr]_v1_[a-f0-9]{64}${TOKEN_END}`, // DigitalOcean
        'dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,}', // Doppler
        `lin_(?:api|oauth)_[A-Za-z0-9]{40}${TOKEN_END}`, // Linear
        `PMAK-[a-f0-9]{24}-[a-f0-9]{34}${TOKEN_END}`, // Postman
        'ATATT3[A-Za-z0-9_=-]{100,}', // Atlassian
        `dapi[a-f0-9]{32}(?:-\\d)?${TOKEN_END}`, // Databricks
        'glc_[A-Za-z0-9+/]{32,}={0,2}', // Grafana
        `glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}${TOKEN_END}`,
        `NRAK-[A-Z0-9]{27}${TOKEN_END}`, // New Relic
        'sntry[su]_[A-Za-z0-9+/=_]{40,}', // Sentry
        `AGE-SECRET-KEY-1[0-9A-Z]{58}${TOKEN_END}`, // age
        'hv[sbr]\\.[A-Za-z0-9_-]{24,}', // HashiCorp Vault
        `SK[0-9a-fA-F]{32}${TOKEN_END}`, // Twilio API key
        `key-[0-9a-f]{32}${TOKEN_END}`, // Mailgun
        'HRKU-[A-Za-z0-9_-]{20,}', // Heroku
      ].join('|')})`,
      'g',
    ),
    '[REDACTED-KEY]',
  ],
  // Token shapes that start with a class of characters rather than a prefix.
  [/(?<=[a-z0-9]{14})\.atlasv1\.[A-Za-z0-9_=-]{60,}/g, '[REDACTED-KEY]'], // Terraform Cloud
  [new RegExp(`${TOKEN_START}[0-9a-f]{32}-us\\d{1,2}${TOKEN_END}`, 'g'), '[REDACTED-KEY]'], // Mailchimp
  [new RegExp(`${TOKEN_START}[A-Za-z0-9_~.]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}`, 'g'), '[REDACTED-KEY]'], // Azure AD client secret
  [new RegExp(`${TOKEN_START}[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}${TOKEN_END}`, 'g'), '[REDACTED-KEY]'], // Discord bot
  [new RegExp(`(?<![0-9])[0-9]{5,16}:A[A-Za-z0-9_-]{34}${TOKEN_END}`, 'g'), '[REDACTED-KEY]'], // Telegram bot
  // SQL: CREATE/ALTER ROLE ... PASSWORD '...' (also E'...' with backslash escapes, and $$...$$),
  // a user mapping's OPTIONS (password '...'), MySQL's IDENTIFIED BY '...'.
  [/\b(PASSWORD|IDENTIFIED\s+BY)(\s+)(?:E'(?:[^'\\]|\\[\s\S]|'')*(?:'|$)|'(?:[^']|'')*(?:'|$)|"(?:[^"]|"")*(?:"|$)|\$\w*\$[\s\S]*?(?:\$\w*\$|$))/gi, '$1$2[REDACTED]'],
  // A password as a bare word in a ROLE / USER statement (a syntax error PostgreSQL logs with its
  // STATEMENT), not NULL; a bounded look back for the statement, so that "password authentication
  // failed for user" stays.
  [/\b((?:ROLE|USER)\s[^;'"\n]{0,200}?\bPASSWORD\s+)(?!NULL\b|\[REDACTED|['"$])(?:E(?!')|[^E\s;,)])[^\s;,)]*/gi, '$1[REDACTED]'],
  // SQL's SET of a setting named for a secret, with TO (`SET app.api_token TO abc`, also in a
  // normalised statement; `SET x = ...` is a key=value below).
  [new RegExp(`\\b(SET\\s+(?:SESSION\\s+|LOCAL\\s+)?"?[\\w.]{0,64}${KEY_WORD}[\\w.]{0,64}"?\\s+TO\\s+)(?!\\[REDACTED|\\$\\d+\\b|\\?(?![\\w?]))(${KEY_VALUE})`, 'gi'), (m, key, value) => `${key}${quoted(value)}`],
  // Cookie headers: every cookie in them is a credential.
  [/\b((?:set-)?cookie\s*:\s*)[^\r\n]+/gi, '$1[REDACTED]'],
  // key=value, key: value, "key": "value", 'key': 'value', key => value (query strings, logfmt,
  // headers, env dumps, JSON, Python reprs, libpq conninfo, Azure connection strings). A value
  // already redacted by a rule above, a scheme word (handled above), or a placeholder as the whole
  // value (SQL's $1 and ?, a template's <*>, printf's %s) is left as it is.
  [
    new RegExp(`(${KEY_WORD}[\\w.-]{0,64}(?:\\\\?["'])?\\s*(?:=>?|:)\\s*)(?!\\[REDACTED|${SCHEME}\\s|(?:\\$\\d+|\\?|<\\*>|%s)(?=[\\s",;&}\\])'<>]|$))(${KEY_VALUE})`, 'gi'),
    (m, key, value, at, text) => (isProse(key, value, text.slice(Math.max(0, Number(at) - 32), Number(at))) ? m : `${key}${quoted(value)}`),
  ],
  // Command-line flags: --password hunter2, --token=abc.
  [/(--(?:password|passwd|pass|token|secret|api-key|apikey|access-token|auth-token|client-secret)[= ])(?!\[REDACTED)\S+/gi, '$1[REDACTED]'],
  // A user and password of the commands that take them as one `user:password` argument: curl's
  // `-u` / `--user` (combined short flags too: `-sSu`) and `-U` / `--proxy-user`, HTTPie's and
  // xh's `-a` / `--auth`; within the command's own words (up to a pipe, `;`, `&` or the line's
  // end), also in a COPY ... TO PROGRAM. Other commands' `-u` is no credential (`ps -u a:b`,
  // `docker run -u 1000:1000`, `sudo -u`).
  [/(\b(?:curl\s(?:[^|;&\n]{0,512}?\s)?(?:-[A-Za-z]*[uU]\s*|--(?:proxy-)?user[= ])|(?:https?|xhs?)\s(?:[^|;&\n]{0,512}?\s)?(?:-a\s*|--auth[= ]))['"]?[^\s:'"]{1,64}:)(?!\[REDACTED)[^\s'"]+/g, '$1[REDACTED]'],
  // A password as a flag's value of the commands that take one so: redis-cli's `-a`, the MySQL
  // clients' `-pPASSWORD` (glued: `-p` alone asks for it, and `-p word` names a database).
  [/(\b(?:redis-cli\s(?:[^|;&\n]{0,512}?\s)?-a\s+|mysql(?:dump|admin)?\s(?:[^|;&\n]{0,512}?\s)?-p(?=[^\s-])))(?!\[REDACTED)[^\s'"]+/g, '$1[REDACTED]'],
  // A bare AWS secret access key: exactly 40 characters of base64, mixing upper case, lower case and
  // digits (a SHA-1 in hex has no upper case, a word no digit).
  [/(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g, (m) => (/[A-Z]/.test(m) && /[a-z]/.test(m) && /[0-9]/.test(m) ? '[REDACTED-KEY]' : m)],
];

/** `[REDACTED]` in the quotes the value had (a value cut before its closing quote gets them back). */
function quoted(v: string): string {
  if (v.startsWith('\\"')) return '\\"[REDACTED]\\"';
  if (v.startsWith('"')) return '"[REDACTED]"';
  if (v.startsWith("'")) return "'[REDACTED]'";
  return '[REDACTED]';
}

/** The words a sentence puts after "token:" or "auth:" (never a secret's whole value). */
const PROSE_VALUES = new Set(['set', 'unset', 'missing', 'expired', 'invalid', 'required', 'not', 'no', 'none', 'empty', 'absent', 'revoked', 'rejected', 'denied', 'failed', 'ok', 'true', 'false', 'null']);

/**
 * Whether `key: value` is a sentence rather than a setting ("no Railway token: set RAILWAY_TOKEN",
 * "session auth: expired"): a bare lower-case key word after other words, a colon, and a common
 * word of PROSE_VALUES. A setting's key (DB_TOKEN, api_key, x-auth-token) never is, nor is the
 * first word of a line: `secret: changeme` and `token: abcdefghij` are secrets.
 */
function isProse(key: string, value: string, before: string): boolean {
  return /^[a-z]+\s*:\s*$/.test(key) && /[A-Za-z][,;]?\s+$/.test(before) && PROSE_VALUES.has(value) && !/pass|pwd/.test(key);
}

/**
 * Whether the word after an auth scheme is a credential: long, or with a digit or symbol, or
 * mixed case past its first letter. "Bearer token missing", "Basic auth", "Token refresh" are words.
 */
function looksLikeCredential(v: string): boolean {
  return v.length >= 20 || /[0-9._~+/=-]/.test(v) || (/[a-z]/.test(v) && /[A-Z]/.test(v.slice(1)));
}

/** Values known to be secrets at run time (an API token hindsight was given): never printed, whatever their shape. */
const KNOWN: string[] = [];

/** Redacts every occurrence of `value` from now on (tokens hindsight reads from its environment or flags). */
export function registerSecret(value: string): void {
  if (value.length >= 8 && !KNOWN.includes(value)) KNOWN.push(value);
}

/**
 * An escape sequence glued to the word after it (`\nghp_...` in a JSON line shown as it was read)
 * hides the word's start from the rules' word boundaries: a separator (a private-use character,
 * not a word character) goes between them while the rules run.
 */
const GLUED_ESCAPE = /\\[nrtfbv](?=[A-Za-z0-9])/g;
const SEPARATOR = '\ue000';

/** The text with its secrets replaced by `[REDACTED]` markers (control characters left as they are). */
export function redactSecrets(text: string): string {
  let out = text;
  for (const k of KNOWN) if (out.includes(k)) out = out.split(k).join('[REDACTED]');
  const glued = out.includes('\\');
  if (glued) out = out.replace(GLUED_ESCAPE, `$&${SEPARATOR}`);
  for (const [re, rep] of RULES) {
    re.lastIndex = 0;
    out = out.replace(re, rep as string);
  }
  return glued ? out.replaceAll(SEPARATOR, '') : out;
}

/**
 * Characters shown as pictures or escapes rather than acting on what displays them: control
 * characters other than tab, newline and carriage return (which the renderers handle; ingest
 * removes terminal escape sequences from messages, src/ingest/terminal-codes.ts, but a BEL, a
 * backspace or an escape in an attribute, a file name or a PostgreSQL line would still act on the
 * terminal), and the bidirectional controls that reorder what a reader sees (U+202E, "Trojan
 * Source"), shown as `[U+202E]`.
 */
// eslint-disable-next-line no-control-regex -- the control characters are what the pattern shows as pictures
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function controlPicture(c: string): string {
  const n = c.charCodeAt(0);
  if (n < 32) return String.fromCharCode(0x2400 + n);
  if (n === 127) return '\u2421';
  if (n <= 0x9f) return '\ufffd';
  return `[U+${n.toString(16).toUpperCase().padStart(4, '0')}]`;
}

/** The text with secrets replaced by `[REDACTED]` markers and control characters by their pictures. */
export function redact(text: string): string {
  return redactSecrets(text).replace(CONTROL, controlPicture);
}

/** Line breaks, as pictures: a name or a title shown inline stays on its line. */
const LINE_BREAK = /\r\n|[\r\n\t\u2028\u2029\u0085]/g;
const LINE_BREAK_PICTURE: Record<string, string> = { '\r\n': '\u240d\u2424', '\r': '\u240d', '\n': '\u2424', '\t': '\u2409', '\u2028': '\u2424', '\u2029': '\u2424', '\u0085': '\u2424' };

/**
 * A name or title for inline text (a service, a file name, `--title`, a template): redacted, with
 * line breaks and tabs shown as their pictures (␤, ␍, ␉), so that a newline in a service name
 * cannot start a heading or a new line of the report.
 */
export function inline(text: string): string {
  return redact(text).replace(LINE_BREAK, (c) => LINE_BREAK_PICTURE[c] ?? ' ');
}

const SYNTAX_ERROR_AT = 'syntax error at or near "';

/**
 * PostgreSQL's `syntax error at or near "WORD"` quotes a word of its statement: when redacting the
 * statement removes that word (`ALTER ROLE app PASSWORD hunter2`), the message loses it too, before
 * it is mined into a template or kept as an example. Other messages are returned as they are.
 */
export function redactSyntaxErrorWord(message: string, statement: string): string {
  if (!message.startsWith(SYNTAX_ERROR_AT)) return message;
  const end = message.indexOf('"', SYNTAX_ERROR_AT.length);
  if (end === -1) return message;
  const word = message.slice(SYNTAX_ERROR_AT.length, end);
  if (word.length === 0 || !statement.includes(word) || redactSecrets(statement).includes(word)) return message;
  return `${SYNTAX_ERROR_AT}[REDACTED]${message.slice(end)}`;
}

/** How far past a cut secrets are looked for: longer than any secret shape above (a PEM key is ~3 KB). */
const SECRET_REACH = 4096;

/**
 * `text` cut to `max` characters (then `marker`), its secrets redacted first on the whole value
 * around the cut, so that no part of a secret straddling the cut survives. Text within `max` is
 * returned as it is (its redaction is left to the output that shows it).
 */
export function cutText(text: string, max: number, marker = '…'): string {
  if (text.length <= max) return text;
  const head = redactSecrets(text.length > max + SECRET_REACH ? text.slice(0, max + SECRET_REACH) : text);
  if (head.length <= max) return head;
  // Not in the middle of a surrogate pair.
  const end = max > 0 && isHighSurrogate(head.charCodeAt(max - 1)) ? max - 1 : max;
  return head.slice(0, end) + marker;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/**
 * A deep copy of `value` with every string redacted (object keys included), for the JSON outputs and
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
